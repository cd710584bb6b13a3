"""The visibility matrix: every kind of space, by every position a person can hold in it, by
every way content can be read, with no leak.

One world holds a space of every kind, each with a post (an image attachment, a link
preview that is ready, an edit in its history, a comment, a comment hidden by a
moderator, a reaction, a read, and a mention of every viewer) and a person in each
position:

- ``member``: in every space;
- ``non_member``: in none of the groups, and in other directory spaces (another
  department, location and team; everyone is in the company space);
- ``removed``: was a member; removed from the groups through the spaces services and
  moved to another department, location and team (so out of those spaces);
- ``moderator``: moderates every space;
- ``administrator``: an administrator who is in none of the groups or directory spaces
  (but, like everyone, in the company space);
- ``deactivated``: was a member, then was deactivated.

Each test is parametrised over kind and position and checks one family of read paths
against the rule of ``spaces.selectors.KIND_ACCESS``: the viewer sees the content if and
only if the rule says so. The world is built once for the module inside a transaction
that is rolled back at the end; each test runs in a savepoint of its own.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404
from django.test import Client, override_settings
from django.utils import timezone
from PIL import Image

from rallypoint.api.services import token_create
from rallypoint.core import realtime
from rallypoint.core.broker import InMemoryBroker, Message
from rallypoint.core.tests.test_broker import run
from rallypoint.core.views.realtime import _channels_if_signed_in
from rallypoint.feed import selectors as feed_selectors
from rallypoint.feed import services as feed_services
from rallypoint.feed.mentions import mention_token
from rallypoint.feed.models import Attachment, Comment, LinkPreview, Post
from rallypoint.moderation import selectors as moderation_selectors
from rallypoint.moderation import services as moderation_services
from rallypoint.notify import selectors as notify_selectors
from rallypoint.notify.models import Notification
from rallypoint.people.models import Department, Location, Team, User
from rallypoint.people.services import profile_update
from rallypoint.people.signals_api import people_changed_send
from rallypoint.search.selectors import search_visible_to
from rallypoint.spaces import services as space_services
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.models import Space, SpaceMembership
from rallypoint.spaces.selectors import KIND_ACCESS

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(120)]

PASSWORD = "matrix-test-password"

KINDS = ("company", "department", "location", "team", "open", "private", "secret")
ROLES = ("member", "non_member", "removed", "moderator", "administrator", "deactivated")
CASES = [(kind, role) for kind in KINDS for role in ROLES]
GROUP_KINDS = ("open", "private", "secret")
DIRECTORY_KINDS = ("department", "location", "team")


@dataclass(frozen=True)
class Words:
    """Distinctive words of one space's content, so that a page shows whose it is."""

    post: str
    comment: str
    hidden: str
    preview: str


WORDS = {
    "company": Words("Aurochs", "Urial", "Narwhal", "Beluga headline"),
    "department": Words("Bandicoot", "Vicuna", "Ocelot", "Coati headline"),
    "location": Words("Caracal", "Wapiti", "Pangolin", "Dhole headline"),
    "team": Words("Dugong", "Xerus", "Quetzal", "Eland headline"),
    "open": Words("Echidna", "Yapok", "Rhea", "Fennec headline"),
    "private": Words("Fossa", "Zorilla", "Serval", "Gerenuk headline"),
    "secret": Words("Gharial", "Axolotl", "Tapir", "Hyrax headline"),
}


# ---------------------------------------------------------------- the rule


def reads(kind: str, role: str) -> bool:
    """Whether ``role`` may read the content of a space of ``kind`` (KIND_ACCESS)."""
    if role == "deactivated":
        return False
    return KIND_ACCESS[kind].content_for_everyone or role in ("member", "moderator")


def moderates(kind: str, role: str) -> bool:
    """Readers who also see hidden content and the edit history: the space's moderators
    and administrators."""
    return reads(kind, role) and role in ("moderator", "administrator")


def in_home_feed(kind: str, role: str) -> bool:
    """The home feed shows what the viewer may read of the spaces they belong to."""
    return reads(kind, role) and (role in ("member", "moderator") or kind == "company")


def sees_members(kind: str, role: str) -> bool:
    """Readers, and administrators (who manage every space's members)."""
    return role != "deactivated" and (reads(kind, role) or role == "administrator")


def lists(kind: str, role: str) -> bool:
    """Whether the space shows in ``role``'s list of spaces (a secret group does not)."""
    if role == "deactivated":
        return False
    return KIND_ACCESS[kind].listed_to_everyone or role in ("member", "moderator", "administrator")


# ---------------------------------------------------------------- the world


@dataclass
class World:
    people: dict[str, User] = field(default_factory=dict)
    spaces: dict[str, Space] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    comments: dict[str, Comment] = field(default_factory=dict)
    hidden: dict[str, Comment] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> User:
        return self.people[key]


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), (20, 120, 60)).save(buffer, "PNG")
    return SimpleUploadedFile("chart.png", buffer.getvalue())


def person(email: str, name: str, **fields: Any) -> User:
    return User.objects.create_user(email, PASSWORD, display_name=name, **fields)


def build_world() -> World:
    eng = Department.objects.create(name="Engineering", slug="engineering")
    sales = Department.objects.create(name="Sales", slug="sales")
    hq = Location.objects.create(name="Harbour HQ", slug="harbour-hq")
    branch = Location.objects.create(name="Hill Branch", slug="hill-branch")
    platform = Team.objects.create(name="Platform", slug="platform", department=eng)
    deals = Team.objects.create(name="Deals", slug="deals", department=sales)
    inside = {"department": eng, "location": hq, "team": platform}
    outside = {"department": sales, "location": branch, "team": deals}
    w = World()
    p = w.people
    p["poster"] = person("paul@example.com", "Paul Poster", role=User.Role.COMMUNICATIONS, **inside)
    p["member"] = person("mia@example.com", "Mia Member", **inside)
    p["non_member"] = person("nora@example.com", "Nora Outsider", **outside)
    p["removed"] = person("rex@example.com", "Rex Removed", **inside)
    p["moderator"] = person("mo@example.com", "Mo Moderator", **inside)
    p["administrator"] = person("ada@example.com", "Ada Admin", role=User.Role.ADMINISTRATOR)
    p["deactivated"] = person("dee@example.com", "Dee Deactivated", **inside)
    directory_spaces_reconcile()

    w.spaces["company"] = Space.objects.get(kind=Space.Kind.COMPANY)
    w.spaces["department"] = Space.objects.get(kind=Space.Kind.DEPARTMENT, department=eng)
    w.spaces["location"] = Space.objects.get(kind=Space.Kind.LOCATION, location=hq)
    w.spaces["team"] = Space.objects.get(kind=Space.Kind.TEAM, team=platform)
    for kind in GROUP_KINDS:
        group = space_services.space_create(
            actor=p["poster"], kind=kind, name=f"Matrix {kind} group", description="Planning"
        )
        for role in ("member", "removed", "moderator", "deactivated"):
            if kind == "open":
                space_services.space_join(actor=p[role], space=group)
            else:
                SpaceMembership.objects.create(space=group, user=p[role])
        w.spaces[kind] = group
    for kind, space in w.spaces.items():
        appointer = p["poster"] if kind in GROUP_KINDS else p["administrator"]
        space_services.membership_set_role(
            actor=appointer,
            membership=SpaceMembership.objects.get(space=space, user=p["moderator"]),
            role=SpaceMembership.Role.MODERATOR,
        )

    for role in ROLES:
        _token, secret = token_create(user=p[role], name="matrix")
        w.tokens[role] = secret

    mentions = " ".join(mention_token(p[role]) for role in ROLES)
    for kind, space in w.spaces.items():
        words = WORDS[kind]
        post = feed_services.post_create(
            author=p["poster"],
            space=space,
            body=f"{words.post} plans, see https://intranet.example/{kind}/plan {mentions}",
            uploads=[png()],
        )
        feed_services.post_edit(actor=p["poster"], post=post, body=f"{post.body}\n\nEdited.")
        assert post.link_preview_id is not None
        LinkPreview.objects.filter(pk=post.link_preview_id).update(
            status=LinkPreview.Status.READY,
            title=words.preview,
            description="What the linked page says about itself.",
            site_name="Intranet",
            fetched_at=timezone.now(),
        )
        w.comments[kind] = feed_services.comment_create(
            author=p["poster"], post=post, body=f"{words.comment} remark"
        )
        hidden = feed_services.comment_create(
            author=p["poster"], post=post, body=f"{words.hidden} remark"
        )
        moderation_services.content_hide(actor=p["moderator"], comment=hidden, reason="Off topic")
        w.hidden[kind] = hidden
        feed_services.reaction_toggle(user=p["poster"], post=post, emoji="heart")
        feed_services.posts_mark_read(viewer=p["member"], post_ids=[post.pk])
        w.posts[kind] = Post.objects.get(pk=post.pk)
        w.attachments[kind] = Attachment.objects.get(post=post)

    # The removed member: out of every group through the services, out of the
    # department, location and team through the directory.
    for kind in GROUP_KINDS:
        space_services.membership_remove(
            actor=p["poster"],
            membership=SpaceMembership.objects.get(space=w.spaces[kind], user=p["removed"]),
        )
    profile_update(actor=p["administrator"], user=p["removed"], data=outside)
    directory_spaces_reconcile(user_ids=[p["removed"].pk])
    # The deactivated member.
    User.objects.filter(pk=p["deactivated"].pk).update(is_active=False)
    directory_spaces_reconcile(user_ids=[p["deactivated"].pk])
    for user in p.values():
        user.refresh_from_db()
    return w


@pytest.fixture(scope="module")
def media_dirs(tmp_path_factory) -> tuple[Path, Path]:
    return tmp_path_factory.mktemp("matrix-media"), tmp_path_factory.mktemp("matrix-private")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, media_dirs) -> None:
    """Every test of the module reads the files the module's world stored."""
    media, private = media_dirs
    settings.MEDIA_ROOT = media
    settings.PRIVATE_MEDIA_ROOT = private
    storages["private"].location = str(private)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_dirs) -> Iterator[World]:
    """The world, built once; rolled back when the module's tests are done."""
    from huey.contrib.djhuey import HUEY

    media, private = media_dirs
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        immediate = HUEY.immediate
        HUEY.immediate = True
        try:
            with override_settings(MEDIA_ROOT=media, PRIVATE_MEDIA_ROOT=private):
                storages["private"].location = str(private)  # type: ignore[attr-defined]
                built = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
        finally:
            HUEY.immediate = immediate
    try:
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


# ---------------------------------------------------------------- helpers


def signed_in(user: User) -> Client:
    """A browser session for ``user``; a deactivated person's is made while they were
    active, as an open session would be, so that the refusal is the app's own."""
    client = Client()
    if user.is_active:
        client.force_login(user)
    else:
        user.is_active = True
        try:
            client.force_login(user)
        finally:
            user.is_active = False
    return client


def api(world: World, role: str) -> tuple[Client, dict[str, str]]:
    return Client(), {"Authorization": f"Bearer {world.tokens[role]}"}


def api_get(world: World, role: str, path: str) -> Any:
    client, headers = api(world, role)
    return client.get(f"/api/v1{path}", headers=headers)


def attachment_url(attachment: Attachment) -> str:
    return f"/attachments/{attachment.pk}/{attachment.name}"


def html(response: Any) -> str:
    return response.content.decode()


def traces(world: World, kind: str) -> dict[str, str]:
    """What of a space's content must never reach a page its non-readers load."""
    words = WORDS[kind]
    return {
        "post": words.post,
        "comment": words.comment,
        "hidden comment": words.hidden,
        "preview title": words.preview,
        "attachment": attachment_url(world.attachments[kind]),
        "post link": f"/posts/{world.posts[kind].pk}/",
    }


class RecordingBroker(InMemoryBroker):
    """Delivers like the in-memory broker, and keeps every message published."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[Message] = []

    def publish(self, message: Message) -> None:
        self.published.append(message)
        super().publish(message)


@pytest.fixture
def broker(monkeypatch) -> RecordingBroker:
    recording = RecordingBroker()
    monkeypatch.setattr(realtime, "_broker", recording)
    return recording


def delivered(
    broker: InMemoryBroker, channels: list[str], messages: list[Message]
) -> list[Message]:
    """What a subscriber to ``channels`` receives of ``messages`` through a real
    subscription of ``broker``."""

    async def scenario() -> list[Message]:
        received: list[Message] = []
        async with broker.subscribe(channels) as sub:
            for message in messages:
                await asyncio.to_thread(broker.publish, message)
            while (got := await sub.next(timeout=0.2)) is not None:
                received.append(got)
        return received

    return run(scenario())


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize(("kind", "role"), CASES)
def test_pages(world, kind, role):
    viewer, post, space = world[role], world.posts[kind], world.spaces[kind]
    comment, hidden = world.comments[kind], world.hidden[kind]
    words = WORDS[kind]
    client = signed_in(viewer)
    pages = {
        "post": f"/posts/{post.pk}/",
        "home": "/",
        "feed": "/feed/",
        "feed of the space": f"/feed/?space={space.slug}",
        "space feed": f"/spaces/{space.slug}/posts/",
        "live comment": f"/feed/live/comments/{comment.pk}/",
        "live hidden comment": f"/feed/live/comments/{hidden.pk}/",
        "live posts": f"/feed/live/posts/?ids={post.pk}",
        "history": f"/posts/{post.pk}/history/",
        "members": f"/spaces/{space.slug}/members/",
        "spaces": "/spaces/",
        "search": f"/search/?q={words.post}",
        "notifications": "/notifications/",
        "moderation": "/moderation/",
        "report": f"/moderation/report/post/{post.pk}/",
    }
    answers = {name: client.get(url) for name, url in pages.items()}
    if role == "deactivated":
        # The deactivation ended the session: every page sends them to sign in.
        for name, response in answers.items():
            assert response.status_code == 302, name
            assert "/accounts/login/" in response["Location"], name
        return

    readable = reads(kind, role)
    found = 200 if readable else 404
    assert answers["post"].status_code == found
    assert answers["space feed"].status_code == found
    assert answers["live comment"].status_code == found
    assert answers["live hidden comment"].status_code == (200 if moderates(kind, role) else 404)
    assert answers["history"].status_code == (200 if moderates(kind, role) else 404)
    assert answers["members"].status_code == (200 if sees_members(kind, role) else 404)
    if not readable:
        assert answers["report"].status_code == 404
    # The moderation page lists hidden content to the space's moderators only.
    _posts, hidden_comments = moderation_selectors.hidden_content_for(viewer)
    assert (hidden.pk in {c.pk for c in hidden_comments}) is moderates(kind, role)
    moderation = html(answers["moderation"]) if answers["moderation"].status_code == 200 else ""
    assert (f"/posts/{post.pk}/" in moderation) is moderates(kind, role)
    for name in ("home", "feed", "live posts", "spaces", "search", "notifications"):
        assert answers[name].status_code == 200, name

    expected = {
        "home": in_home_feed(kind, role),
        "feed": in_home_feed(kind, role),
        # Filtering the home feed by a space works for the spaces one belongs to.
        "feed of the space": in_home_feed(kind, role),
        "live posts": readable,
    }
    for name, shown in expected.items():
        page = html(answers[name]) if answers[name].status_code == 200 else ""
        assert (words.post in page) is shown, name
        assert (words.preview in page) is shown, name
        assert (attachment_url(world.attachments[kind]) in page) is shown, name
    assert (space.name in html(answers["spaces"])) is lists(kind, role)

    if readable:
        page = html(answers["post"])
        for trace in (words.post, words.comment, words.preview):
            assert trace in page
        assert attachment_url(world.attachments[kind]) in page
        assert (words.hidden in page) is moderates(kind, role)
        assert 'class="reaction-count">1<' in page
        assert f"/posts/{post.pk}/" in html(answers["search"])
        assert f"/posts/{post.pk}/" in html(answers["notifications"])
        if sees_members(kind, role):
            assert world["member"].display_name in html(answers["members"])
        return

    # A non-reader: nothing of the space's content anywhere they can go.
    loaded = {name: html(r) for name, r in answers.items() if r.status_code == 200}
    detail = client.get(f"/spaces/{space.slug}/")
    if detail.status_code == 200:
        loaded["space page"] = html(detail)
    for name, page in loaded.items():
        for what, trace in traces(world, kind).items():
            if name == "search" and what == "post":
                continue  # the page repeats the query itself
            if name == "members" and what == "post link":
                continue
            assert trace not in page, f"{what} of the {kind} space on the {name} page"


# ---------------------------------------------------------------- API


@pytest.mark.parametrize(("kind", "role"), CASES)
def test_api(world, kind, role):
    post, space = world.posts[kind], world.spaces[kind]
    words = WORDS[kind]
    paths = {
        "post": f"/posts/{post.pk}",
        "comments": f"/posts/{post.pk}/comments",
        "comment": f"/comments/{world.comments[kind].pk}",
        "hidden comment": f"/comments/{world.hidden[kind].pk}",
        "revisions": f"/posts/{post.pk}/revisions",
        "read rates": f"/posts/{post.pk}/read-rates",
        "feed": "/posts?limit=50",
        "space feed": f"/spaces/{space.slug}/posts",
        "space": f"/spaces/{space.slug}",
        "spaces": "/spaces?limit=100",
        "members": f"/spaces/{space.slug}/members?limit=100",
        "search": f"/search?q={words.post}",
        "search comments": f"/search?q={words.comment}",
        "search hidden": f"/search?q={words.hidden}",
        "notifications": "/notifications",
        "unread": "/notifications/unread",
    }
    answers = {name: api_get(world, role, path) for name, path in paths.items()}
    if role == "deactivated":
        assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(paths, 401)
        return

    readable = reads(kind, role)
    found = 200 if readable else 404
    for name in ("post", "comments", "comment", "space feed"):
        assert answers[name].status_code == found, name
    assert answers["hidden comment"].status_code == (200 if moderates(kind, role) else 404)
    assert answers["revisions"].status_code == (
        200 if moderates(kind, role) else 403 if readable else 404
    )
    # Read rates: for the author, communications and administrators; 404 to non-readers.
    assert answers["read rates"].status_code == (
        (200 if role == "administrator" else 403) if readable else 404
    )
    assert answers["space"].status_code == (200 if lists(kind, role) else 404)
    assert answers["members"].status_code == (200 if sees_members(kind, role) else 404)

    feed = answers["feed"].json()
    in_feed = [item for item in feed["items"] if item["id"] == post.pk]
    assert bool(in_feed) is in_home_feed(kind, role)
    spaces = {item["slug"] for item in answers["spaces"].json()["items"]}
    assert (space.slug in spaces) is lists(kind, role)
    search = answers["search"].json()
    assert any(h["kind"] == "post" and h["id"] == post.pk for h in search["items"]) is readable
    assert search["counts"]["post"] == (1 if readable else 0)
    comment_hits = answers["search comments"].json()
    assert any(h["id"] == world.comments[kind].pk for h in comment_hits["items"]) is readable
    hidden_hits = answers["search hidden"].json()
    if not moderates(kind, role):
        assert hidden_hits["items"] == [] and hidden_hits["counts"]["comment"] == 0
    notes = answers["notifications"].json()
    about = [n for n in notes["items"] if f"/posts/{post.pk}/" in (n["url"] or "")]
    assert bool(about) is readable
    unread = answers["unread"].json()["unread"]
    assert unread == notify_selectors.notifications_unread_count(world[role])

    if readable:
        item = answers["post"].json()
        assert item["comment_count"] == (2 if moderates(kind, role) else 1)
        listed_posts = answers["space feed"].json()["items"]
        assert [p["comment_count"] for p in listed_posts if p["id"] == post.pk] == [
            item["comment_count"]
        ]
        assert sum(r["count"] for r in item["reactions"]) == 1
        bodies = json.dumps(answers["comments"].json())
        assert words.comment in bodies
        assert (words.hidden in bodies) is moderates(kind, role)
        members = answers["members"].content.decode()
        assert world["member"].display_name in members
        assert world["deactivated"].display_name not in members
    else:
        for name in ("post", "comments", "comment", "hidden comment", "space feed"):
            body = answers[name].content.decode()
            for what, trace in traces(world, kind).items():
                assert trace not in body, f"{what} in the API's {name} answer"
    if lists(kind, role):
        listed = next(i for i in answers["spaces"].json()["items"] if i["slug"] == space.slug)
        active = SpaceMembership.objects.filter(space=space, user__is_active=True).count()
        assert listed["member_count"] == active


# ---------------------------------------------------------------- search


@pytest.mark.parametrize(("kind", "role"), CASES)
def test_search(world, kind, role):
    viewer, post = world[role], world.posts[kind]
    words = WORDS[kind]
    readable = reads(kind, role)
    results = search_visible_to(viewer, query=words.post, per_page=50)
    assert {(h.kind, h.document.object_id) for h in results.hits} == (
        {("post", post.pk)} if readable else set()
    )
    assert results.counts["post"] == (1 if readable else 0)
    comments = search_visible_to(viewer, query=words.comment, per_page=50)
    assert {(h.kind, h.document.object_id) for h in comments.hits} == (
        {("comment", world.comments[kind].pk)} if readable else set()
    )
    if not moderates(kind, role):
        assert search_visible_to(viewer, query=words.hidden, per_page=50).total == 0
    # Restricted to the space: nothing, not even a count, for a non-reader.
    in_space = search_visible_to(viewer, query=words.post, space=world.spaces[kind], per_page=50)
    assert in_space.total == (1 if readable else 0)
    # The space itself is found by name by whoever sees it listed.
    by_name = search_visible_to(viewer, query=world.spaces[kind].name, per_page=50)
    found = ("space", world.spaces[kind].pk) in {
        (h.kind, h.document.object_id) for h in by_name.hits
    }
    if kind in GROUP_KINDS:
        assert found is lists(kind, role)
    elif not lists(kind, role):
        assert not found


# ---------------------------------------------------------------- live events


@pytest.mark.parametrize(("kind", "role"), CASES)
def test_live_events(world, kind, role, broker, django_capture_on_commit_callbacks):
    viewer, post, space = world[role], world.posts[kind], world.spaces[kind]
    readable = reads(kind, role)
    channel = realtime.space_channel(space.pk)
    channels = realtime.channels_for(viewer)
    assert (channel in channels) is readable
    # What the event stream itself recomputes from the session on every access notice.
    session_key = signed_in(viewer).session.session_key
    checked = _channels_if_signed_in(session_key, viewer.pk)
    if role == "deactivated":
        assert checked is None
        assert channels == [realtime.user_channel(viewer.pk)]
    else:
        assert checked is not None and (channel in checked) is readable

    # Events of the space: a new comment and a reaction. Nothing reaches a non-reader.
    with django_capture_on_commit_callbacks(execute=True):
        feed_services.comment_create(author=world["poster"], post=post, body="Live remark")
        feed_services.reaction_toggle(user=world["poster"], post=post, emoji="tada")
    about_space = [m for m in broker.published if m.data.get("space") == space.pk]
    assert about_space and all(m.channel == channel for m in about_space)
    heard = [m for m in broker.published if m.channel in channels]
    assert bool(heard) is readable
    for message in heard:
        assert "Live remark" not in message.to_json()


# ---------------------------------------------------------------- notifications


@pytest.mark.parametrize(("kind", "role"), CASES)
def test_notifications(world, kind, role):
    viewer, post = world[role], world.posts[kind]
    readable = reads(kind, role)
    received = Notification.objects.filter(
        recipient=viewer, kind=Notification.Kind.MENTION, target_id=str(post.pk)
    ).first()
    if role in ("member", "moderator", "removed", "deactivated") or readable:
        # Everybody who could read the space when the post was published was mentioned.
        assert received is not None
    visible = notify_selectors.notifications_visible_to(viewer)
    about = visible.filter(kind=Notification.Kind.MENTION, target_id=str(post.pk))
    assert about.exists() is readable
    unread = notify_selectors.notifications_unread_count(viewer)
    assert unread == visible.filter(read_at__isnull=True).count()
    assert notify_selectors.notifications_unread_counts([viewer.pk]).get(viewer.pk, 0) == unread
    if role == "deactivated":
        assert unread == 0
    if received is not None and not readable:
        # A link already sent stops working: the notification and what it points to.
        with pytest.raises(Http404):
            notify_selectors.notification_get_visible(viewer, received.pk)
        with pytest.raises(Http404):
            feed_selectors.post_get_visible(viewer, post.pk)


# ---------------------------------------------------------------- files and previews


@pytest.mark.parametrize(("kind", "role"), CASES)
def test_attachment_download(world, kind, role):
    viewer, attachment = world[role], world.attachments[kind]
    client = signed_in(viewer)
    response = client.get(attachment_url(attachment))
    if role == "deactivated":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if reads(kind, role) else 404)
    if response.status_code == 200:
        assert b"".join(cast(Any, response).streaming_content).startswith(b"\x89PNG")
    else:
        assert b"PNG" not in response.content
    # Another name for the same file is no way around the check.
    assert client.get(f"/attachments/{attachment.pk}/other.png").status_code == 404


@pytest.mark.parametrize(("kind", "role"), CASES)
def test_link_preview(world, kind, role):
    viewer, post = world[role], world.posts[kind]
    title = WORDS[kind].preview
    readable = reads(kind, role)
    visible = feed_selectors.posts_visible_to(viewer).filter(link_preview__title=title)
    assert visible.exists() is readable
    home = feed_selectors.feed_page(viewer)
    shown = [p.link_preview.title for p in home.posts if p.link_preview is not None]
    assert (title in shown) is in_home_feed(kind, role)
    if role == "deactivated":
        return
    client = signed_in(viewer)
    for url in (f"/posts/{post.pk}/", f"/spaces/{world.spaces[kind].slug}/posts/"):
        response = client.get(url)
        assert response.status_code == (200 if readable else 404)
        assert (title in html(response)) is readable


# ---------------------------------------------------------------- counts


@pytest.mark.parametrize(("kind", "role"), CASES)
def test_counts(world, kind, role):
    viewer, post, space = world[role], world.posts[kind], world.spaces[kind]
    readable = reads(kind, role)
    posts = feed_selectors.posts_visible_to(viewer).filter(pk=post.pk)
    if not readable:
        assert not posts.exists()
        assert feed_selectors.comments_for(viewer, post) == []
        return
    comment_count = getattr(posts.get(), "comment_count")  # noqa: B009
    # Hidden comments are counted only for those who see them.
    assert comment_count == (2 if moderates(kind, role) else 1)
    shown = feed_selectors.comments_for(viewer, post)
    assert len(shown) == comment_count
    client = signed_in(viewer)
    page = html(client.get(f"/spaces/{space.slug}/posts/"))
    assert 'class="reaction-count">1<' in page


def test_the_space_list_does_not_reveal_secret_groups(world):
    secret = world.spaces["secret"]
    for role in ("non_member", "removed"):
        client = signed_in(world[role])
        page = html(client.get("/spaces/"))
        assert secret.name not in page and secret.slug not in page, role
        assert client.get(f"/spaces/{secret.slug}/").status_code == 404
        listed = api_get(world, role, "/spaces?limit=100").json()
        assert secret.slug not in {item["slug"] for item in listed["items"]}
        # The listed total counts only what is listed.
        assert listed["count"] == len(listed["items"])


@pytest.mark.parametrize("kind", ["open", "private"])
def test_live_comment_count_matches_what_readers_see(
    world, kind, broker, django_capture_on_commit_callbacks
):
    """The ``comments`` number a live event carries to every reader of the space must not
    count comments hidden from them: it reveals that something was hidden."""
    post = world.posts[kind]
    with django_capture_on_commit_callbacks(execute=True):
        feed_services.comment_create(author=world["poster"], post=post, body="Another remark")
    event = next(m for m in broker.published if m.event == "comment_created")
    seen_by_member = feed_selectors.posts_visible_to(world["member"]).get(pk=post.pk)
    assert event.data["comments"] == getattr(seen_by_member, "comment_count")  # noqa: B009


@pytest.mark.parametrize("kind", ["open", "private"])
def test_live_events_of_a_hidden_post_reach_its_moderators_only(
    world, kind, broker, django_capture_on_commit_callbacks
):
    """Once a post is hidden, the space's other readers may not learn that it still gets
    comments and reactions: its id and counts must not reach their channels."""
    post = world.posts[kind]
    moderation_services.content_hide(actor=world["moderator"], post=post, reason="Check facts")
    with django_capture_on_commit_callbacks(execute=True):
        feed_services.comment_create(author=world["poster"], post=post, body="Still talking")
        feed_services.reaction_toggle(user=world["poster"], post=post, emoji="tada")
    member_channels = set(realtime.channels_for(world["member"]))
    heard = [
        m.event
        for m in broker.published
        if m.channel in member_channels and m.data.get("post") == post.pk
    ]
    assert heard == []


# ---------------------------------------------------------------- hidden posts


@pytest.mark.parametrize(("kind", "role"), CASES)
def test_hidden_posts_are_seen_by_moderators_only(world, kind, role):
    post = world.posts[kind]
    moderation_services.content_hide(actor=world["moderator"], post=post, reason="Check facts")
    viewer = world[role]
    visible = moderates(kind, role)
    assert feed_selectors.posts_visible_to(viewer).filter(pk=post.pk).exists() is visible
    assert feed_selectors.posts_visible_to(world["poster"]).filter(pk=post.pk).exists()
    hits = search_visible_to(viewer, query=WORDS[kind].post, per_page=50)
    assert ("post", post.pk) not in {(h.kind, h.document.object_id) for h in hits.hits}
    if role == "deactivated":
        return
    client = signed_in(viewer)
    assert client.get(f"/posts/{post.pk}/").status_code == (200 if visible else 404)
    assert client.get(attachment_url(world.attachments[kind])).status_code == (
        200 if visible else 404
    )
    in_feed = WORDS[kind].post in html(client.get("/feed/"))
    assert in_feed is (visible and in_home_feed(kind, role))


# ---------------------------------------------------------------- at once


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


@pytest.mark.parametrize("kind", ["private", "secret"])
def test_a_removed_member_is_refused_on_the_very_next_request(
    world, kind, broker, django_capture_on_commit_callbacks
):
    member = _fresh(world["member"])
    post, space = world.posts[kind], world.spaces[kind]
    channel = realtime.space_channel(space.pk)
    client = signed_in(member)
    token_client, headers = api(world, "member")
    notification = Notification.objects.get(
        recipient=member, kind=Notification.Kind.MENTION, target_id=str(post.pk)
    )
    session_channels = _channels_if_signed_in(client.session.session_key, member.pk)
    assert session_channels is not None and channel in session_channels
    assert client.get(notification.url).status_code == 200
    assert client.get(attachment_url(world.attachments[kind])).status_code == 200
    assert token_client.get(f"/api/v1/posts/{post.pk}", headers=headers).status_code == 200
    unread_before = notify_selectors.notifications_unread_count(member)

    with django_capture_on_commit_callbacks(execute=True):
        space_services.membership_remove(
            actor=world["poster"], membership=SpaceMembership.objects.get(space=space, user=member)
        )

    # The open event stream is told to recompute its channels, and no longer has the space.
    notices = [m for m in broker.published if m.event == realtime.ACCESS_CHANGED]
    assert realtime.user_channel(member.pk) in {m.channel for m in notices}
    after = _channels_if_signed_in(client.session.session_key, member.pk)
    assert after is not None and channel not in after
    space_event = Message(channel, "post_created", {"post": post.pk, "space": space.pk})
    marker = Message(realtime.user_channel(member.pk), "toast", {"message": "still here"})
    received = delivered(InMemoryBroker(), after, [space_event, marker])
    assert [m.event for m in received] == ["toast"]
    # Links already sent, pages, files, the token, search and notifications: all refused.
    assert client.get(notification.url).status_code == 404
    assert client.get(f"/posts/{post.pk}/history/").status_code == 404
    assert client.get(attachment_url(world.attachments[kind])).status_code == 404
    assert client.get(f"/feed/live/comments/{world.comments[kind].pk}/").status_code == 404
    assert token_client.get(f"/api/v1/posts/{post.pk}", headers=headers).status_code == 404
    api_search = token_client.get(f"/api/v1/search?q={WORDS[kind].post}", headers=headers)
    assert api_search.json()["items"] == []
    assert search_visible_to(member, query=WORDS[kind].post, per_page=50).total == 0
    assert notify_selectors.notifications_unread_count(member) == unread_before - 1
    assert f"/posts/{post.pk}/" not in html(client.get("/notifications/"))
    assert WORDS[kind].preview not in html(client.get("/feed/"))


def test_a_person_moved_out_of_a_department_leaves_its_members_at_once(world):
    member = _fresh(world["member"])
    department = world.spaces["department"]
    client = signed_in(world["non_member"])
    assert member.display_name in html(client.get(f"/spaces/{department.slug}/members/"))
    sales = Department.objects.get(slug="sales")
    profile_update(
        actor=world["administrator"],
        user=member,
        data={"department": sales, "team": Team.objects.get(slug="deals")},
    )
    directory_spaces_reconcile(user_ids=[member.pk])
    assert not SpaceMembership.objects.filter(space=department, user=member).exists()
    assert member.display_name not in html(client.get(f"/spaces/{department.slug}/members/"))
    listed = api_get(world, "non_member", f"/spaces/{department.slug}").json()
    assert (
        listed["member_count"]
        == SpaceMembership.objects.filter(space=department, user__is_active=True).count()
    )


def test_a_deactivated_person_is_refused_on_the_very_next_request(
    world, broker, django_capture_on_commit_callbacks
):
    member = _fresh(world["member"])
    client = signed_in(member)
    token_client, headers = api(world, "member")
    post = world.posts["company"]
    assert client.get(f"/posts/{post.pk}/").status_code == 200
    assert token_client.get("/api/v1/me", headers=headers).status_code == 200
    session_key = client.session.session_key

    with django_capture_on_commit_callbacks(execute=True):
        member.is_active = False
        member.save(update_fields=["is_active"])
        people_changed_send(user_ids=[member.pk])

    notices = [m for m in broker.published if m.event == realtime.ACCESS_CHANGED]
    assert realtime.user_channel(member.pk) in {m.channel for m in notices}
    assert _channels_if_signed_in(session_key, member.pk) is None
    assert realtime.channels_for(member) == [realtime.user_channel(member.pk)]
    for url in (f"/posts/{post.pk}/", "/feed/", attachment_url(world.attachments["company"])):
        assert client.get(url).status_code == 302, url
    for path in ("/me", f"/posts/{post.pk}", "/notifications/unread"):
        assert token_client.get(f"/api/v1{path}", headers=headers).status_code == 401, path
    assert client.get("/events/stream").status_code == 401
    assert search_visible_to(member, query=WORDS["company"].post, per_page=50).total == 0
    assert notify_selectors.notifications_unread_count(member) == 0
    assert not feed_selectors.posts_visible_to(member).exists()
