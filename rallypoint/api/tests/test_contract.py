"""The whole API against its own OpenAPI document, with schemathesis.

Every operation is called with generated input, valid and invalid, and a valid token;
no answer may be a server error, every status must be one the document lists, and every
body must match the documented schema. Examples are bounded so the run stays short.

Each operation's strategy is run with Hypothesis directly (``APIOperation.as_strategy``)
rather than through schemathesis' pytest plugin, so that one test covers the whole
document and reports how many calls it made.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rallypoint.advocacy.models import Campaign
from rallypoint.advocacy.tests.test_library_api import contract_scene as library_scene
from rallypoint.advocacy.tests.test_sharing_api import contract_scene as share_scene
from rallypoint.api.services import token_create
from rallypoint.feed import services as feed_services
from rallypoint.notify.models import Notification
from rallypoint.people.models import User
from rallypoint.people.tests.test_directory import Company, build_company
from rallypoint.spaces import services as space_services
from rallypoint.spaces.invitations import space_invite
from rallypoint.spaces.models import Space, SpaceMembership

# The people operations get more examples; the many others fewer, to keep the run short.
MAX_EXAMPLES = 25
EXAMPLES = 8
PINNED = 5
SCENE_TAGS = {"people", "spaces", "feed", "notifications", "campaigns", "shares", "library"}
PEOPLE = {
    "GET /api/v1/me",
    "PATCH /api/v1/me",
    "GET /api/v1/people",
    "GET /api/v1/people/{person_id}",
    "GET /api/v1/departments",
    "GET /api/v1/locations",
}
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
    examples: int = MAX_EXAMPLES,
) -> None:
    """Call ``operation`` with up to ``examples`` generated cases and check each answer."""

    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def run(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        calls[(operation.label, response.status_code)] += 1

    run()


@dataclass
class Scene:
    """Real objects for the operations' path parameters, per operation where one call
    changes what the next may do (a request answered once, a post deleted once)."""

    shared: dict[str, Any]
    per_operation: dict[str, dict[str, Any]]
    bodies: dict[str, Any]

    def path_parameters(self, label: str, names: set[str]) -> dict[str, Any] | None:
        """Existing objects for ``names``; None if the scene has none for one of them."""
        chosen = {**self.shared, **self.per_operation.get(label, {})}
        if not names <= chosen.keys():
            return None
        return {name: chosen[name] for name in names}


def _group(owner: User, kind: str, name: str) -> Space:
    return space_services.space_create(actor=owner, kind=kind, name=name)


def build_scene(company: Company) -> Scene:
    """The caller (``dev2``) owns a private group with members, posts, comments, a
    pending request or two and a notification; other groups wait to be joined, left,
    or entered by invitation."""
    me, other = company["dev2"], company["em1"]
    mine = _group(me, Space.Kind.PRIVATE, "Contract private")
    shelf = _group(me, Space.Kind.OPEN, "Contract shelf")
    club = _group(other, Space.Kind.OPEN, "Contract club")
    left = _group(other, Space.Kind.OPEN, "Contract left")
    space_services.space_join(actor=me, space=left)
    closed = _group(other, Space.Kind.PRIVATE, "Contract closed")
    hush = _group(company["cmo"], Space.Kind.SECRET, "Contract hush")
    hush_too = _group(company["cmo"], Space.Kind.SECRET, "Contract hush too")
    for secret in (hush, hush_too):
        space_invite(actor=company["cmo"], space=secret, user=me)
    members = {}
    for key in ("dev1", "dev3", "dev4", "dev5"):
        request = space_services.space_request_join(actor=company[key], space=mine)
        members[key] = request
    space_services.join_request_approve(actor=me, join_request=members["dev1"])
    space_services.join_request_approve(actor=me, join_request=members["dev3"])
    role_of = SpaceMembership.objects.get(space=mine, user=company["dev1"])
    removable = SpaceMembership.objects.get(space=mine, user=company["dev3"])
    post = feed_services.post_create(author=me, space=mine, body="A *post* for contracts")
    feed_services.post_edit(actor=me, post=post, body="A *post* for the contract")
    doomed = feed_services.post_create(author=me, space=mine, body="Deleted once")
    comment = feed_services.comment_create(author=me, post=post, body="A comment")
    doomed_comment = feed_services.comment_create(author=me, post=post, body="Gone once")
    feed_services.comment_create(author=company["dev1"], post=post, body="Hello back")
    notification = Notification.objects.filter(recipient=me).first()
    assert notification is not None
    campaign = Campaign.objects.create(
        name="Contract campaign",
        slug="contract-campaign",
        starts_at=timezone.now() - datetime.timedelta(days=1),
        ends_at=timezone.now() + datetime.timedelta(days=7),
        goal_shares=10,
    )
    shares = share_scene(me)
    library = library_scene()
    return Scene(
        shared={
            **shares["shared"],
            "person_id": company["em1"].pk,
            "slug": mine.slug,
            "post_id": post.pk,
            "comment_id": comment.pk,
            "notification_id": notification.pk,
            "reaction": "heart",
        },
        per_operation={
            "POST /api/v1/spaces/{slug}/archive": {"slug": shelf.slug},
            "DELETE /api/v1/spaces/{slug}/archive": {"slug": shelf.slug},
            "POST /api/v1/spaces/{slug}/membership": {"slug": club.slug},
            "DELETE /api/v1/spaces/{slug}/membership": {"slug": left.slug},
            "POST /api/v1/spaces/{slug}/join-requests": {"slug": closed.slug},
            "POST /api/v1/spaces/{slug}/join-requests/{request_id}/approve": {
                "request_id": members["dev4"].pk
            },
            "POST /api/v1/spaces/{slug}/join-requests/{request_id}/decline": {
                "request_id": members["dev5"].pk
            },
            "POST /api/v1/spaces/{slug}/invitation/accept": {"slug": hush.slug},
            "POST /api/v1/spaces/{slug}/invitation/decline": {"slug": hush_too.slug},
            "PATCH /api/v1/spaces/{slug}/members/{membership_id}": {"membership_id": role_of.pk},
            "DELETE /api/v1/spaces/{slug}/members/{membership_id}": {"membership_id": removable.pk},
            "DELETE /api/v1/posts/{post_id}": {"post_id": doomed.pk},
            "DELETE /api/v1/comments/{comment_id}": {"comment_id": doomed_comment.pk},
            "GET /api/v1/campaigns/{slug}": {"slug": campaign.slug},
            **shares["per_operation"],
            **library["per_operation"],
        },
        # Operations whose success needs a real object named in the body.
        bodies={
            "POST /api/v1/posts": {"space": mine.slug, "body": "From the contract"},
            "POST /api/v1/spaces/{slug}/invitations": {"person_id": company["ae1"].pk},
            **shares["bodies"],
            **library["bodies"],
        },
    )


def test_every_operation_keeps_its_contract(wsgi_app):
    company = build_company()
    scene = build_scene(company)
    # Generated input comes from a bystander, so that an id that happens to exist never
    # deletes or answers what the scene prepared; the runs on prepared objects come from
    # the scene's owner.
    bystander = {"Authorization": f"Bearer {token_create(user=company['ae3'], name='c')[1]}"}
    owner = {"Authorization": f"Bearer {token_create(user=company['dev2'], name='c')[1]}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results) >= 40
    calls: Counter[tuple[str, int]] = Counter()

    for operation in operations:
        examples = MAX_EXAMPLES if operation.label in PEOPLE else EXAMPLES
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _exercise(operation, mode, bystander, calls, examples=examples)
        # Generated ids almost never name a real object: one more valid run per operation
        # with path parameters uses ids that exist, so its success answers are checked too.
        path_names = {p.name for p in operation.path_parameters}
        pinned = scene.path_parameters(operation.label, path_names)
        if path_names and pinned is not None:
            _exercise(operation, GenerationMode.POSITIVE, owner, calls, pinned, PINNED)
        if operation.label in scene.bodies:
            case = operation.Case(
                path_parameters=pinned,
                body=scene.bodies[operation.label],
                media_type="application/json",
            )
            response = case.call_and_validate(headers=owner, checks=CHECKS)
            calls[(operation.label, response.status_code)] += 1

    labels = {label for label, _status in calls}
    assert labels == {operation.label for operation in operations}
    # Valid input succeeds somewhere on every operation the scene prepares for, not only
    # refusals. (An app whose operations need objects of their own adds them to the scene
    # and its tag to SCENE_TAGS.)
    prepared = {
        operation.label
        for operation in operations
        if SCENE_TAGS & set(operation.definition.raw.get("tags", []))
    }
    assert len(prepared) >= 46
    succeeded = {label for label, status in calls if 200 <= status < 300}
    assert prepared <= succeeded, sorted(prepared - succeeded)
    print(f"\nschemathesis: {sum(calls.values())} calls over {len(labels)} operations")
