"""Two administrators publishing at the same moment, and a double click on accept."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from rallypoint.governance import services
from rallypoint.governance.models import PolicyAcknowledgement, PolicyVersion

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent writers need a server database (SQLite serialises them anyway)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _run_together(workers: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(workers))
    results: list[object] = [None] * len(workers)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = workers[index]()
        except Exception as error:  # reported by the assertions
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_versions_published_at_once_get_two_numbers(company):
    drafts = [company.draft(title=f"Draft {n}") for n in range(2)]
    ada = company["ada"]

    def publisher(draft: PolicyVersion) -> Callable[[], object]:
        return lambda: services.policy_version_publish(actor=ada, version=draft)

    results = _run_together([publisher(draft) for draft in drafts])
    assert all(isinstance(result, PolicyVersion) for result in results), results
    numbers = PolicyVersion.objects.order_by("number").values_list("number", flat=True)
    assert list(numbers) == [1, 2]


def test_accepting_twice_at_once_stores_one_acknowledgement(company):
    version = company.publish()
    eli = company["eli"]
    results = _run_together(
        [lambda: services.policy_acknowledge(user=eli, version=version) for _ in range(4)]
    )
    assert all(isinstance(result, PolicyAcknowledgement) for result in results), results
    assert len({result.pk for result in results}) == 1  # type: ignore[attr-defined]
    assert PolicyAcknowledgement.objects.filter(user=eli).count() == 1
