"""Two workers running the reminders job at the same moment remind each person once."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from rallypoint.announce import services
from rallypoint.announce.models import AnnouncementRecipient
from rallypoint.notify.models import Notification
from rallypoint.people.models import User

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database (SQLite serialises them anyway)",
)


def _run_together(worker, count: int) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = worker()
        except Exception as error:  # reported by the assertion below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_remind_each_person_exactly_once(company):
    User.objects.bulk_create(
        User(email=f"w{n}@example.com", display_name=f"W {n}", department=company.eng)
        for n in range(200)
    )
    announcement = company.announce(
        departments=[company.eng], must_read=True, reminder_after_days=1
    )
    services.announcement_acknowledge(viewer=company["eli"], announcement_id=announcement.pk)
    due = announcement.published_at + datetime.timedelta(days=1, minutes=1)
    expected = AnnouncementRecipient.objects.filter(
        announcement=announcement, acknowledged_at__isnull=True
    ).count()
    assert expected == 202  # emma, gus and the 200 new colleagues

    for round_number, offset in enumerate((0, 1), start=1):
        results = _run_together(
            lambda offset=offset: services.announcement_reminders_send(
                now=due + datetime.timedelta(days=offset)
            ),
            2,
        )
        assert all(isinstance(r, int) for r in results), results
        assert sum(results) == expected  # type: ignore[arg-type]
        assert set(
            AnnouncementRecipient.objects.filter(
                announcement=announcement, acknowledged_at__isnull=True
            ).values_list("reminders_sent", flat=True)
        ) == {round_number}
        reminders = Notification.objects.filter(
            target_id=str(announcement.pk), summary__startswith="Reminder"
        )
        assert reminders.count() == expected * round_number
        assert reminders.values("recipient_id").distinct().count() == expected
    assert not Notification.objects.filter(
        recipient=company["eli"], summary__startswith="Reminder"
    ).exists()
