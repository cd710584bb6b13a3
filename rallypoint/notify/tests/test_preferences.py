"""Notification settings, the path that bypasses them, and the bulk unread counters."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from rallypoint.notify import selectors, services
from rallypoint.notify.models import Notification, NotificationPreference
from rallypoint.notify.tests.conftest import person


def _notify(company, kind: str, **options):
    return services.notification_notify(
        recipients=[company.ben, company.cleo],
        kind=kind,
        actor=company.ana,
        space=None,
        target=None,
        url="/",
        summary="Something happened",
        **options,
    )


def test_a_kind_turned_off_is_not_written(company):
    services.notification_preferences_set(user=company.ben, in_app={"mention": False})
    assert _notify(company, Notification.Kind.MENTION) == [company.cleo.pk]
    # Other kinds still arrive.
    assert set(_notify(company, Notification.Kind.REPLY)) == {company.ben.pk, company.cleo.pk}
    # Turned back on.
    services.notification_preferences_set(user=company.ben, in_app={"mention": True})
    assert company.ben.pk in _notify(company, Notification.Kind.MENTION)


def test_bypass_preferences_reaches_everyone(company):
    services.notification_preferences_set(user=company.ben, in_app={"announcement": False})
    assert _notify(company, Notification.Kind.ANNOUNCEMENT) == [company.cleo.pk]
    notified = _notify(company, Notification.Kind.ANNOUNCEMENT, bypass_preferences=True)
    assert set(notified) == {company.ben.pk, company.cleo.pk}


def test_only_optional_kinds_can_be_turned_off(company):
    with pytest.raises(ValidationError):
        services.notification_preferences_set(user=company.ben, in_app={"moderation": False})
    assert not NotificationPreference.objects.exists()


def test_preferences_default_to_on(company):
    services.notification_preferences_set(user=company.ben, in_app={"reaction": False})
    prefs = selectors.notification_preferences_of(company.ben)
    assert prefs["reaction"] is False and prefs["mention"] is True


def test_bulk_unread_counts_match_the_selector(company):
    """The grouped count used for large batches follows the same visibility rule."""
    services.notification_notify(
        recipients=[company.ben, company.cleo],
        kind=Notification.Kind.SPACE,
        actor=company.ana,
        space=company.group,
        target=None,
        url="/",
        summary="In the private group",
    )
    _notify(company, Notification.Kind.REPLY)
    _notify(company, Notification.Kind.MENTION)
    gone = person("gone@example.com", "Gone", is_active=False)
    counts = selectors.notifications_unread_counts(
        [company.ben.pk, company.cleo.pk, company.dan.pk, gone.pk]
    )
    for user in (company.ben, company.cleo, company.dan, gone):
        assert counts.get(user.pk, 0) == selectors.notifications_unread_count(user)
    assert counts[company.ben.pk] == 3  # member of the private group
    assert counts[company.cleo.pk] == 2  # not a member: its notification does not count


def test_a_large_batch_sends_each_person_their_count(
    company, listen, django_capture_on_commit_callbacks
):
    people = [person(f"many{n}@example.com", f"Many {n}") for n in range(services.BULK_COUNT_FROM)]
    _notify(company, Notification.Kind.REPLY)  # Ben has one unread already
    listener = listen(company.ben, *people[:3])
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_notify(
            recipients=[company.ben, *people],
            kind=Notification.Kind.ANNOUNCEMENT,
            actor=company.ana,
            space=None,
            target=None,
            url="/",
            summary="For everyone",
        )
    messages = listener.received(4)
    unread = {message.channel: message.data["unread"] for message in messages}
    assert unread[f"user:{company.ben.pk}"] == 2
    assert all(unread[f"user:{p.pk}"] == 1 for p in people[:3])
