"""The whole API against its own OpenAPI document, with schemathesis.

Every operation is called with generated input, valid and invalid, and a valid token;
no answer may be a server error, every status must be one the document lists, and every
body must match the documented schema. Examples are bounded so the run stays short.

Each operation's strategy is run with Hypothesis directly (``APIOperation.as_strategy``)
rather than through schemathesis' pytest plugin, so that one test covers the whole
document and reports how many calls it made.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rallypoint.api.services import token_create
from rallypoint.people.tests.test_directory import build_company

MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app(db) -> Iterator[object]:
    # As Django's test client does: keep the test's connection (and its transaction) open
    # across requests instead of closing it when each request ends.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _exercise(
    operation: Any,
    mode: GenerationMode,
    headers: dict[str, str],
    calls: Counter[tuple[str, int]],
    path_parameters: dict[str, Any] | None = None,
) -> None:
    """Call ``operation`` with up to MAX_EXAMPLES generated cases and check each answer."""

    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        calls[(operation.label, response.status_code)] += 1

    run()


def test_every_operation_keeps_its_contract(wsgi_app):
    company = build_company()
    _token, secret = token_create(user=company["dev2"], name="contract test")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) >= 6
    calls: Counter[tuple[str, int]] = Counter()

    # Generated ids almost never name a real object: one more valid run per operation
    # with path parameters uses ids that exist, so its 200 answers are checked too.
    existing_ids = {"person_id": company["em1"].pk}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _exercise(operation, mode, headers, calls)
        path_names = {p.name for p in operation.path_parameters}
        if path_names:
            pinned = {name: existing_ids[name] for name in path_names}
            _exercise(operation, GenerationMode.POSITIVE, headers, calls, pinned)

    labels = {label for label, _status in calls}
    assert labels == {operation.label for operation in operations}
    # Valid input succeeds somewhere on every operation, not only refusals.
    assert {label for label, status in calls if status == 200} == labels
    print(f"\nschemathesis: {sum(calls.values())} calls over {len(labels)} operations")
