import pytest
from django.urls import reverse

from rallypoint.people.models import User


@pytest.fixture
def admin_user(db):
    return User.objects.create_user(
        email="ada@example.com", password="x", display_name="Ada", role=User.Role.ADMINISTRATOR
    )


def _current(response):
    items = response.context["nav_items"] + response.context["admin_nav_items"]
    return [item["label"] for item in items if item["current"]]


def test_one_navigation_entry_is_current_even_when_urls_nest(client, admin_user):
    client.force_login(admin_user)
    assert _current(client.get(reverse("people_org_chart"))) == ["Org chart"]
    assert _current(client.get(reverse("people_directory"))) == ["People"]
    assert _current(client.get(reverse("home"))) == ["Home"]
    assert _current(client.get(reverse("audit_log"))) == ["Audit log"]
    assert _current(client.get(reverse("spaces_list"))) == ["Spaces"]
    assert _current(client.get(reverse("spaces_admin_settings"))) == ["Spaces settings"]


def test_administration_menu_only_for_administrators(client, admin_user):
    employee = User.objects.create_user(email="bo@example.com", password="x", display_name="Bo")
    client.force_login(employee)
    response = client.get(reverse("home"))
    assert response.context["admin_nav_items"] == []
    assert "Administration" not in response.content.decode()
    client.force_login(admin_user)
    assert "Administration" in client.get(reverse("home")).content.decode()
