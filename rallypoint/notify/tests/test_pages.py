"""The notifications page, marking read from it, the bell and its context processor."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from rallypoint.notify.context_processors import notifications as notifications_context
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_notify
from rallypoint.spaces import services as space_services

from .conftest import Company, person

Kind = Notification.Kind
LIST = "/notifications/"


def notify(company: Company, *, to, actor=None, summary="mentioned you", **extra) -> None:
    notification_notify(
        recipients=[to],
        kind=extra.pop("kind", Kind.MENTION),
        actor=actor if actor is not None else company.cleo,
        space=extra.pop("space", None),
        target=None,
        url=extra.pop("url", "/posts/1/"),
        summary=summary,
        **extra,
    )


@pytest.fixture
def ana_client(client, company):
    client.force_login(company.ana)
    return client


def test_the_page_needs_a_signed_in_person(client, db):
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_lists_notifications_with_grouped_actors_as_escaped_text(ana_client, company):
    for actor in (company.ben, company.cleo, company.dan):
        notify(
            company,
            to=company.ana,
            actor=actor,
            kind=Kind.REACTION,
            summary="reacted to your post <b>Launch</b>",
            group_key="reaction:post:1",
        )

    html = ana_client.get(LIST).content.decode()

    assert "Dan Ito and 2 others" in html
    assert "reacted to your post &lt;b&gt;Launch&lt;/b&gt;" in html
    assert "<b>Launch</b>" not in html
    assert 'class="notification unread"' in html
    assert 'href="/posts/1/"' in html


def test_the_page_hides_notifications_of_a_space_the_person_left(client, company):
    notify(company, to=company.ben, actor=company.ana, space=company.group, summary="Plan B")
    client.force_login(company.ben)
    assert "Plan B" in client.get(LIST).content.decode()

    space_services.space_leave(actor=company.ben, space=company.group)

    html = client.get(LIST).content.decode()
    assert "Plan B" not in html
    assert "Notifications, 0 unread" in html


def test_the_bell_shows_the_unread_count_on_every_page(ana_client, company):
    notify(company, to=company.ana, summary="first")
    notify(company, to=company.ana, summary="second")

    html = ana_client.get(reverse("spaces_list")).content.decode()

    assert 'id="notify-bell" href="/notifications/"' in html
    assert '<span class="notify-count" aria-hidden="true">2</span>' in html
    assert '<span class="visually-hidden">Notifications, 2 unread</span>' in html


def test_mark_read_with_htmx_swaps_the_item_and_sends_the_new_count(ana_client, company):
    notify(company, to=company.ana, summary="first")
    notify(company, to=company.ana, summary="second")
    first = Notification.objects.get(summary="first")

    response = ana_client.post(f"/notifications/{first.pk}/read/", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="notification-{first.pk}"' in html and "unread" not in html
    assert "Mark read" not in html
    assert json.loads(response["HX-Trigger"]) == {"rallypoint:notifications": {"unread": 1}}
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_read_without_javascript_returns_to_the_list(ana_client, company):
    notify(company, to=company.ana)
    notification = Notification.objects.get()

    response = ana_client.post(f"/notifications/{notification.pk}/read/")

    assert response.status_code == 302 and response["Location"] == LIST
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_not_found(ana_client, company):
    notify(company, to=company.ben)
    theirs = Notification.objects.get()

    assert ana_client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert ana_client.post("/notifications/999999/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_refuses_get(ana_client, company):
    notify(company, to=company.ana)
    notification = Notification.objects.get()
    assert ana_client.get(f"/notifications/{notification.pk}/read/").status_code == 405


def test_mark_all_read(ana_client, company):
    notify(company, to=company.ana, summary="first")
    notify(company, to=company.ana, summary="second")
    notify(company, to=company.ben, summary="not Ana's")

    response = ana_client.post("/notifications/read-all/", follow=True)

    html = response.content.decode()
    assert "All notifications are marked read." in html
    assert "Notifications, 0 unread" in html
    assert 'class="notification unread"' not in html
    assert Notification.objects.filter(read_at__isnull=True).get().summary == "not Ana's"


def test_the_unread_count_endpoint(ana_client, company):
    notify(company, to=company.ana)
    assert ana_client.get("/notifications/unread/").json() == {"unread": 1}


def test_the_list_is_paginated_newest_first(ana_client, company):
    for number in range(35):
        notify(company, to=company.ana, summary=f"event {number:02d}")

    first = ana_client.get(LIST).content.decode()
    second = ana_client.get(LIST + "?page=2").content.decode()

    assert "event 34" in first and "event 05" in first and "event 04" not in first
    assert "Page 1 of 2" in first
    assert "event 04" in second and "event 00" in second and "event 05" not in second


def test_the_page_costs_the_same_queries_for_many_notifications(
    ana_client, company, django_assert_max_num_queries
):
    for number in range(30):
        actor = person(f"actor{number}@example.com", f"Actor {number}")
        notify(company, to=company.ana, actor=actor, space=company.group, summary=f"n{number}")

    with django_assert_max_num_queries(12):
        response = ana_client.get(LIST)

    assert response.content.decode().count('class="notification unread"') == 30


def test_the_context_processor_costs_one_query_signed_in_and_none_anonymous(
    company, django_assert_num_queries
):
    notify(company, to=company.ana)
    request = RequestFactory().get("/")

    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert notifications_context(request) == {}

    request.user = company.ana
    with django_assert_num_queries(1):
        context = notifications_context(request)
    assert context["notifications_unread"] == 1
    assert context["notifications_label"] == "Notifications, 1 unread"
