"""Planner statistics: refreshed on SQLite (after migrate, after seeding, nightly)."""

from __future__ import annotations

from django.db import connection

from rallypoint.core import tasks
from rallypoint.core.services import database_statistics_refresh
from rallypoint.people.models import User


def test_statistics_are_refreshed_on_sqlite_only(db):
    for n in range(30):
        User.objects.create_user(f"stats{n}@example.com", display_name=f"Stats {n}")
    refreshed = database_statistics_refresh()
    assert refreshed is (connection.vendor == "sqlite")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", ["people_user"])
            stats = [row[0] for row in cursor.fetchall()]
        # One row per index of the table, starting with the number of rows.
        assert stats and all(stat.split()[0] == "30" for stat in stats)


def test_the_nightly_job_refreshes_them(db):
    tasks.database_statistics_nightly.call_local()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1
