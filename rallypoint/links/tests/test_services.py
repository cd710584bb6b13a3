"""Creating tracked links (codes, UTM parameters) and the daily visitor salt."""

from __future__ import annotations

import datetime
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from rallypoint.links import services
from rallypoint.links.models import TrackedLink, VisitorSalt
from rallypoint.links.services import tracked_link_create, with_utm
from rallypoint.people.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada() -> User:
    return User.objects.create_user("ada@example.com", "a-long-password", display_name="Ada")


def test_tracked_link_create_gives_an_unguessable_code_and_utm_parameters(ada):
    link = tracked_link_create(
        user=ada,
        network="linkedin",
        destination="https://example.com/news/launch?ref=home#details",
        campaign_slug="spring-launch",
    )

    link.refresh_from_db()
    assert re.fullmatch(r"[0-9A-Za-z]{10}", link.code)
    assert link.user == ada
    assert link.network == "linkedin"
    assert link.destination == (
        "https://example.com/news/launch?ref=home&utm_source=linkedin"
        "&utm_medium=employee_advocacy&utm_campaign=spring-launch#details"
    )


def test_links_without_campaign_are_attributed_to_the_library(ada):
    link = tracked_link_create(user=ada, network="x", destination="https://example.com")

    query = dict(parse_qsl(urlsplit(link.destination).query))
    assert query == {
        "utm_source": "x",
        "utm_medium": "employee_advocacy",
        "utm_campaign": "library",
    }


def test_existing_utm_parameters_are_replaced_not_repeated(ada):
    link = tracked_link_create(
        user=ada,
        network="bluesky",
        destination="https://example.com/?UTM_SOURCE=newsletter&a=1&utm_content=hero&b=x%20y",
    )

    assert urlsplit(link.destination).query == (
        "a=1&b=x%20y&utm_source=bluesky&utm_medium=employee_advocacy&utm_campaign=library"
    )


def test_every_link_gets_its_own_code(ada):
    codes = {
        tracked_link_create(user=ada, network="x", destination="https://example.com").code
        for _ in range(50)
    }

    assert len(codes) == 50


def test_a_code_collision_draws_another_code(ada, monkeypatch):
    taken = tracked_link_create(user=ada, network="x", destination="https://example.com")
    draws = iter([taken.code, taken.code, "Fresh12345"])
    monkeypatch.setattr(services, "new_code", lambda: next(draws))

    link = tracked_link_create(user=ada, network="x", destination="https://example.org")

    assert link.code == "Fresh12345"
    assert TrackedLink.objects.count() == 2


@pytest.mark.parametrize(
    "destination",
    [
        "javascript:alert(1)",
        "ftp://example.com/file",
        "data:text/html,hi",
        "example.com/no-scheme",
        "https://",
        "https://user:secret@example.com/",
        "not a url",
        "",
    ],
)
def test_only_http_and_https_addresses_are_accepted(ada, destination):
    with pytest.raises(ValidationError) as refused:
        tracked_link_create(user=ada, network="x", destination=destination)

    assert "destination" in refused.value.message_dict
    assert not TrackedLink.objects.exists()


def test_an_unknown_network_is_refused(ada):
    with pytest.raises(ValidationError) as refused:
        tracked_link_create(user=ada, network="myspace", destination="https://example.com")

    assert "network" in refused.value.message_dict


def test_international_addresses_are_stored_as_ascii(ada):
    link = tracked_link_create(
        user=ada, network="xing", destination="https://bücher.example/straße?q=grün"
    )

    assert link.destination.isascii()
    assert link.destination.startswith("https://xn--bcher-kva.example/stra%C3%9Fe?q=gr%C3%BCn&")


def test_an_address_too_long_with_utm_parameters_is_refused(ada):
    long = "https://example.com/" + "a" * 2000

    with pytest.raises(ValidationError) as refused:
        tracked_link_create(user=ada, network="x", destination=long)

    assert "destination" in refused.value.message_dict


# ---------------------------------------------------------------- the UTM merge

_param = st.text(alphabet="abcdefghijklmnopqrstuvwxyzUTM_-0123456789", min_size=1, max_size=12)
_value = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    params=st.lists(st.tuples(_param, _value), max_size=6),
    fragment=st.text(alphabet="abc-/=?&#", max_size=10),
    network=st.sampled_from(["linkedin", "x", "mastodon"]),
    campaign=st.text(min_size=1, max_size=20),
)
def test_with_utm_keeps_everything_but_the_old_utm_parameters(params, fragment, network, campaign):
    from urllib.parse import urlencode

    query = urlencode(params)
    destination = (
        f"https://example.com/a/b?{query}#{fragment}"
        if query
        else (f"https://example.com/a/b#{fragment}")
    )

    result = urlsplit(with_utm(destination, source=network, campaign=campaign))

    original = urlsplit(destination)
    assert (result.scheme, result.netloc, result.path) == ("https", "example.com", "/a/b")
    assert result.fragment == original.fragment
    pairs = parse_qsl(result.query, keep_blank_values=True)
    kept = [(k, v) for k, v in params if not k.lower().startswith("utm_")]
    assert pairs[: len(kept)] == kept
    assert pairs[len(kept) :] == [
        ("utm_source", network),
        ("utm_medium", "employee_advocacy"),
        ("utm_campaign", campaign),
    ]


# ---------------------------------------------------------------- the visitor salt


def test_the_salt_of_a_day_is_random_and_the_same_for_everyone_that_day():
    day = datetime.date(2026, 3, 1)

    first = services.visitor_salt_for(day=day)
    again = services.visitor_salt_for(day=day)
    next_day = services.visitor_salt_for(day=day + datetime.timedelta(days=1))

    assert first == again
    assert len(first) == 64
    assert next_day != first
    assert VisitorSalt.objects.count() == 2


def test_salts_of_past_days_are_deleted():
    today = datetime.date(2026, 3, 10)
    for offset in (-3, -1, 0, 1):
        services.visitor_salt_for(day=today + datetime.timedelta(days=offset))

    deleted = services.visitor_salts_prune(today=today)

    assert deleted == 2
    assert sorted(VisitorSalt.objects.values_list("day", flat=True)) == [
        today,
        today + datetime.timedelta(days=1),
    ]


def test_the_hourly_job_deletes_yesterdays_salt():
    from rallypoint.links.tasks import visitor_salts_prune_hourly

    today = datetime.datetime.now(datetime.UTC).date()
    services.visitor_salt_for(day=today - datetime.timedelta(days=1))
    services.visitor_salt_for(day=today)

    visitor_salts_prune_hourly()

    assert list(VisitorSalt.objects.values_list("day", flat=True)) == [today]
