"""Publishing, the audience, acknowledging, statistics, preferences and reminders."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from rallypoint.announce import selectors, services
from rallypoint.announce.models import Announcement, AnnouncementRecipient
from rallypoint.core import realtime
from rallypoint.core.models import AuditEntry
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_preferences_set
from rallypoint.notify.tests.conftest import Listener


def _recipients(announcement: Announcement) -> set[str]:
    return set(
        AnnouncementRecipient.objects.filter(announcement=announcement).values_list(
            "user__email", flat=True
        )
    )


def _notified(announcement: Announcement) -> set[str]:
    return set(
        Notification.objects.filter(
            target_type="announce.announcement", target_id=str(announcement.pk)
        ).values_list("recipient__email", flat=True)
    )


def _names(*keys: str) -> set[str]:
    return {f"{key}@example.com" for key in keys}


def test_only_communications_managers_and_administrators_publish(company):
    with pytest.raises(PermissionDenied):
        services.announcement_create(
            author=company["eli"], title="Hi", body="Hello", to_everyone=True
        )
    by_admin = services.announcement_create(
        author=company["ada"], title="Hi", body="Hello", to_everyone=True
    )
    assert by_admin.is_published
    assert not Announcement.objects.filter(author=company["eli"]).exists()


def test_publish_needs_an_audience_and_is_audited(company):
    with pytest.raises(ValidationError):
        company.announce()
    announcement = company.announce(to_everyone=True)
    entry = AuditEntry.objects.get(action="announce.published")
    assert entry.target_id == str(announcement.pk)
    assert entry.details["recipients"] == 7  # every active person, author included
    assert "<strong>move</strong>" in announcement.body_html


def test_a_draft_publishes_once(company):
    draft = company.announce(to_everyone=True, publish=False)
    assert not AnnouncementRecipient.objects.filter(announcement=draft).exists()
    assert selectors.announcements_for(company["eli"]).count() == 0
    services.announcement_publish(actor=company["cora"], announcement=draft)
    assert len(_recipients(draft)) == 7
    with pytest.raises(ValidationError):
        services.announcement_publish(actor=company["cora"], announcement=draft)


def test_everyone_reaches_active_people_only(company):
    announcement = company.announce(to_everyone=True)
    assert _recipients(announcement) == _names("cora", "ada", "eli", "emma", "sam", "rita", "gus")
    # The author is in the audience but not notified of their own announcement.
    assert _notified(announcement) == _names("ada", "eli", "emma", "sam", "rita", "gus")


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("department", {"eli", "emma", "gus"}),
        ("location", {"sam", "rita", "gus"}),
        ("space", {"eli", "gus", "cora"}),
        ("department+location", {"eli", "emma", "gus", "sam", "rita"}),
    ],
)
def test_audience_resolution(company, audience, expected):
    fields: dict[str, object] = {}
    if "department" in audience:
        fields["departments"] = [company.eng]
    if "location" in audience:
        fields["locations"] = [company.remote]
    if "space" in audience:
        fields["spaces"] = [company.group]
    announcement = company.announce(**fields)
    assert _recipients(announcement) == _names(*expected)
    for key in ("cora", "ada", "eli", "emma", "sam", "rita", "gus", "dora"):
        visible = selectors.announcements_for(company[key]).filter(pk=announcement.pk).exists()
        assert visible == (key in expected), key


def test_a_space_the_author_cannot_see_is_refused(company):
    from rallypoint.spaces import services as space_services
    from rallypoint.spaces.models import Space

    secret = space_services.space_create(actor=company["ada"], kind=Space.Kind.SECRET, name="X")
    with pytest.raises(ValidationError):
        company.announce(spaces=[secret])


def test_leaving_the_audience_hides_it_at_once(company):
    announcement = company.announce(departments=[company.eng], must_read=True)
    eli = company["eli"]
    assert selectors.announcement_get_visible(eli, announcement.pk)
    eli.department = company.sales
    eli.save()
    with pytest.raises(Http404):
        selectors.announcement_get_visible(eli, announcement.pk)
    with pytest.raises(Http404):
        services.announcement_acknowledge(viewer=eli, announcement_id=announcement.pk)
    emma = company["emma"]
    emma.is_active = False
    emma.save()
    assert not selectors.announcements_for(emma).exists()
    # The non-acknowledgers list only keeps people still in the audience.
    pending = {r.user.email for r in selectors.announcement_not_acknowledged(announcement)}
    assert pending == _names("gus")


def test_someone_joining_later_sees_it_and_gets_a_row_when_they_open_it(company):
    announcement = company.announce(departments=[company.eng], must_read=True)
    sam = company["sam"]
    sam.department = company.eng
    sam.save()
    assert selectors.announcements_for(sam).filter(pk=announcement.pk).exists()
    assert "sam@example.com" not in _recipients(announcement)
    assert services.announcement_mark_opened(viewer=sam, announcement_id=announcement.pk)
    row = AnnouncementRecipient.objects.get(announcement=announcement, user=sam)
    assert row.opened_at is not None and row.department_id == company.eng.pk


def test_acknowledge_is_idempotent_and_counts_as_opened(company):
    announcement = company.announce(to_everyone=True, must_read=True)
    first = services.announcement_acknowledge(
        viewer=company["eli"], announcement_id=announcement.pk
    )
    second = services.announcement_acknowledge(
        viewer=company["eli"], announcement_id=announcement.pk
    )
    assert first.acknowledged_at == second.acknowledged_at
    assert first.opened_at == first.acknowledged_at
    assert (
        AnnouncementRecipient.objects.filter(
            announcement=announcement, acknowledged_at__isnull=False
        ).count()
        == 1
    )


def test_acknowledging_an_announcement_that_is_not_must_read_is_refused(company):
    announcement = company.announce(to_everyone=True)
    with pytest.raises(ValidationError):
        services.announcement_acknowledge(viewer=company["eli"], announcement_id=announcement.pk)


def test_stats_by_department_snapshot(company):
    announcement = company.announce(to_everyone=True, must_read=True)
    services.announcement_mark_opened(viewer=company["eli"], announcement_id=announcement.pk)
    services.announcement_acknowledge(viewer=company["emma"], announcement_id=announcement.pk)
    # Moving department afterwards does not move the delivered row.
    emma = company["emma"]
    emma.department = company.sales
    emma.save()
    stats = selectors.announcement_stats(announcement)
    assert (stats.total.delivered, stats.total.opened, stats.total.acknowledged) == (7, 2, 1)
    rows = {str(row.name): row.counts for row in stats.departments}
    # Engineering (3), Sales (2) are pooled under the threshold; two have no department.
    pooled = rows["Smaller departments together"]
    assert (pooled.delivered, pooled.opened, pooled.acknowledged) == (5, 2, 1)
    assert rows["No department"].delivered == 2


def test_stats_are_for_the_author_and_communications_only(company):
    announcement = company.announce(to_everyone=True, must_read=True)
    assert selectors.announcement_get_for_stats(company["cora"], announcement.pk)
    assert selectors.announcement_get_for_stats(company["ada"], announcement.pk)
    with pytest.raises(Http404):
        selectors.announcement_get_for_stats(company["eli"], announcement.pk)
    # An administrator outside the private group addressed does not see its members.
    to_group = company.announce(spaces=[company.group], must_read=True)
    with pytest.raises(Http404):
        selectors.announcement_get_for_stats(company["ada"], to_group.pk)
    assert selectors.announcement_get_for_stats(company["cora"], to_group.pk)


def test_normal_announcements_honour_preferences_urgent_ones_bypass_them(company):
    notification_preferences_set(user=company["eli"], in_app={"announcement": False})
    normal = company.announce(to_everyone=True)
    assert "eli@example.com" not in _notified(normal)
    assert "eli@example.com" in _recipients(normal)  # delivered to the feed all the same
    urgent = company.announce(to_everyone=True, urgent=True)
    assert urgent.must_read
    assert "eli@example.com" in _notified(urgent)


def test_urgent_stays_on_top_until_acknowledged(company):
    urgent = company.announce(to_everyone=True, urgent=True)
    eli = company["eli"]
    assert list(selectors.announcements_urgent_unacknowledged(eli)) == [urgent]
    services.announcement_acknowledge(viewer=eli, announcement_id=urgent.pk)
    assert not selectors.announcements_urgent_unacknowledged(eli).exists()
    assert selectors.announcements_urgent_unacknowledged(company["emma"]).exists()


def _reminders(announcement: Announcement) -> dict[str, int]:
    return dict(
        AnnouncementRecipient.objects.filter(announcement=announcement).values_list(
            "user__email", "reminders_sent"
        )
    )


def _reminder_notifications(user) -> int:
    return Notification.objects.filter(recipient=user, summary__startswith="Reminder").count()


def test_reminders_go_to_non_acknowledgers_every_n_days_at_most_n_times(company, settings):
    settings.ANNOUNCE_MAX_REMINDERS = 2
    announcement = company.announce(
        departments=[company.eng], must_read=True, reminder_after_days=2
    )
    services.announcement_acknowledge(viewer=company["eli"], announcement_id=announcement.pk)
    start = announcement.published_at
    assert services.announcement_reminders_send(now=start + datetime.timedelta(days=1)) == 0
    assert services.announcement_reminders_send(now=start + datetime.timedelta(days=2)) == 2
    assert _reminders(announcement) == {
        "eli@example.com": 0,
        "emma@example.com": 1,
        "gus@example.com": 1,
    }
    # Not again within the next two days, then once more, then never past the limit.
    assert services.announcement_reminders_send(now=start + datetime.timedelta(days=3)) == 0
    assert services.announcement_reminders_send(now=start + datetime.timedelta(days=4)) == 2
    assert services.announcement_reminders_send(now=start + datetime.timedelta(days=9)) == 0
    assert _reminder_notifications(company["emma"]) == 2
    assert _reminder_notifications(company["eli"]) == 0


def test_no_reminder_for_someone_who_left_the_audience(company):
    announcement = company.announce(
        departments=[company.eng], must_read=True, reminder_after_days=1
    )
    gus = company["gus"]
    gus.department = company.sales
    gus.save()
    sent = services.announcement_reminders_send(
        now=announcement.published_at + datetime.timedelta(days=1)
    )
    assert sent == 2
    assert _reminder_notifications(gus) == 0


def test_acknowledging_tells_the_authors_open_pages(
    company, settings, django_capture_on_commit_callbacks
):
    settings.REALTIME_BROKER = "memory"
    announcement = company.announce(to_everyone=True, must_read=True)
    listener = Listener(
        broker=realtime.get_broker(), channels=[realtime.user_channel(company["cora"].pk)]
    ).start()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.announcement_acknowledge(
                viewer=company["eli"], announcement_id=announcement.pk
            )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(
            m.event == "announcement_stats" for m in listener.messages
        ):
            time.sleep(0.02)
        events = [m for m in listener.messages if m.event == "announcement_stats"]
        assert events and events[0].data == {"id": announcement.pk}
    finally:
        listener.stop()


def _publish_queries(company, extra: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rallypoint.people.models import User

    start = User.objects.count()
    User.objects.bulk_create(
        User(email=f"p{start + n}@example.com", display_name=f"P {n}", department=company.eng)
        for n in range(extra)
    )
    with CaptureQueriesContext(connection) as queries:
        announcement = company.announce(to_everyone=True)
    total = User.objects.filter(is_active=True).count()
    assert AnnouncementRecipient.objects.filter(announcement=announcement).count() == total
    assert _notified(announcement).__len__() == total - 1
    return len(queries)


def test_publishing_to_many_people_is_written_in_bulk(company):
    """No query per recipient: 600 more people cost only a few more batches (SQLite
    limits how many rows one INSERT carries)."""
    small = _publish_queries(company, 300)
    large = _publish_queries(company, 900)
    assert small < 60
    assert large - small <= 20
