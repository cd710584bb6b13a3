"""@mentions and #hashtags: what counts as one, how they render, who hears about them."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rallypoint.core.markdown import render_markdown, render_plain
from rallypoint.feed import services
from rallypoint.feed.mentions import hashtag_url, mention_token, mentions_in
from rallypoint.feed.tests.conftest import person
from rallypoint.notify.models import Notification
from rallypoint.notify.selectors import notifications_visible_to
from rallypoint.people.models import User
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.models import Space


@pytest.fixture
def quiet(world):
    """The world without the notifications its set-up caused."""
    Notification.objects.all().delete()
    return world


def mentions_of(user: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=Notification.Kind.MENTION))


# ---------------------------------------------------------------- parsing


def test_mentions_in_finds_people_the_space_and_hashtags():
    found = mentions_in("Hi @[Ana Silva](12) and @[Ben](7), @space: see #Launch-day and #q3_plan")
    assert found.person_ids == (12, 7)
    assert found.space is True
    assert found.hashtags == ("launch-day", "q3_plan")


def test_the_same_person_twice_counts_once():
    assert mentions_in("@[Ana](3) and again @[Ana](3)").person_ids == (3,)


@pytest.mark.parametrize(
    "text",
    [
        "`@[Ana](3) @space #tag`",
        "```\n@[Ana](3) @space #tag\n```",
        "    @[Ana](3) @space #tag",
        "[see @[Ana](3) and #tag](https://example.com)",
        "mail ana@space.example or x@[Ana](3) or a#tag",
        "@spaceship @everyones #123 #_x",
        "# Heading",
        "&#35;tag",
    ],
)
def test_nothing_is_found_in_code_links_words_or_headings(text):
    found = mentions_in(text)
    assert found.person_ids == ()
    assert found.space is False
    assert found.hashtags == ()


def test_mention_token_survives_brackets_in_a_name(db):
    tricky = person("tricky@example.com", "Jo [Ops] (Lead)")
    token = mention_token(tricky)
    assert token == f"@[Jo (Ops) (Lead)]({tricky.pk})"
    assert mentions_in(f"hello {token}").person_ids == (tricky.pk,)


# ---------------------------------------------------------------- rendering


def test_a_mention_links_to_the_profile_with_the_current_name(db):
    ana = person("ana@example.com", "Ana Silva")
    html = render_markdown(f"Thanks @[Old Name]({ana.pk})!")
    href = reverse("people_profile", args=[ana.pk])
    assert f'<a href="{href}" rel="nofollow noopener noreferrer">@Ana Silva</a>' in html
    assert "Old Name" not in html
    assert render_plain(f"Thanks @[Old Name]({ana.pk})!") == "Thanks @Ana Silva!"


def test_a_mention_of_nobody_or_of_a_deactivated_person_is_text(db):
    gone = person("gone@example.com", "Gone Person", is_active=False)
    html = render_markdown(f"@[Ghost](999999) and @[Gone]({gone.pk})")
    assert "<a" not in html
    assert "@Ghost and @Gone Person" in html


@pytest.mark.parametrize(
    "name",
    [
        '<img src=x onerror="alert(1)">',
        '"><script>alert(1)</script>',
        "Ana](javascript:alert(1))",
    ],
)
def test_a_display_name_cannot_inject_html(db, name):
    evil = person("evil@example.com", name)
    html = render_markdown(f"hi {mention_token(evil)} and @[{name}]({evil.pk})")
    elements = _elements(html)
    assert {tag for tag, _attrs in elements} <= {"p", "a"}
    for _tag, attrs in elements:
        assert {key for key, _value in attrs} <= {"href", "rel"}
        assert all(not (value or "").startswith("javascript") for _key, value in attrs)
    assert ("a", [("href", f"/people/{evil.pk}/"), ("rel", "nofollow noopener noreferrer")]) in (
        elements
    )


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Collect().feed(html)
    return found


def test_a_hashtag_links_to_the_search():
    html = render_markdown("Ship it #launch-day, #Été2026.")
    assert (
        '<a href="/search/?q=%23launch-day" rel="nofollow noopener noreferrer">#launch-day</a>'
        in html
    )
    assert f'<a href="{hashtag_url("Été2026")}"' in html
    assert hashtag_url("Été2026") == "/search/?q=%23%C3%89t%C3%A92026"
    assert html.strip().endswith("</a>.</p>")


def test_a_heading_and_code_stay_as_they_are():
    html = render_markdown("# Plans\n\n`#not-a-tag`")
    assert "<h3>Plans</h3>" in html
    assert "<code>#not-a-tag</code>" in html
    assert "search" not in html


def test_posts_store_rendered_mentions(quiet):
    world = quiet
    carol = world["carol"]
    post = services.post_create(
        author=world["alice"], space=world.engineering, body=f"cc {mention_token(carol)} #infra"
    )
    assert reverse("people_profile", args=[carol.pk]) in post.body_html
    assert "/search/?q=%23infra" in post.body_html


# ---------------------------------------------------------------- who is notified


def test_a_mention_notifies_the_person_with_a_link_to_the_post(quiet):
    world = quiet
    post = services.post_create(
        author=world["alice"],
        space=world.engineering,
        body=f"Can you review this, {mention_token(world['carol'])}?",
    )
    [note] = mentions_of(world["carol"])
    assert note.actor == world["alice"]
    assert note.url == reverse("feed_post", args=[post.pk])
    assert note.summary.startswith("mentioned you in “Can you review this, @Carol Moderator?")
    assert (note.target_type, note.target_id) == ("feed.post", str(post.pk))
    assert mentions_of(world["alice"]) == []


def test_mentioning_yourself_notifies_nobody(quiet):
    world = quiet
    services.post_create(
        author=world["alice"], space=world.engineering, body=f"me: {mention_token(world['alice'])}"
    )
    assert not Notification.objects.exists()


@pytest.mark.parametrize("kind", [Space.Kind.PRIVATE, Space.Kind.SECRET])
def test_people_who_cannot_read_the_space_are_never_notified(quiet, kind):
    world = quiet
    everyone = ("bob", "dave", "eve", "carol", "ada")
    body = "Falcon: " + " ".join(mention_token(world[key]) for key in everyone)
    services.post_create(author=world["alice"], space=world.groups[kind], body=body)
    assert [n.recipient for n in Notification.objects.all()] == [world["carol"]]
    # The outsider, the removed member, the deactivated one and an administrator who is
    # not in the group have no trace of it, not even an unread row.
    for key in ("bob", "dave", "eve", "ada"):
        assert not Notification.objects.filter(recipient=world[key]).exists()


def test_a_comment_mention_notifies_with_a_link_to_the_comment(quiet):
    world = quiet
    post = services.post_create(author=world["alice"], space=world.engineering, body="Roadmap")
    comment = services.comment_create(
        author=world["alice"], post=post, body=f"{mention_token(world['carol'])} thoughts?"
    )
    [note] = mentions_of(world["carol"])
    assert note.url == reverse("feed_post", args=[post.pk]) + f"#comment-{comment.pk}"
    assert note.summary == "mentioned you in a comment on “Roadmap”"


def test_editing_a_post_notifies_only_the_people_newly_mentioned(quiet):
    world = quiet
    carol, olga = world["carol"], world["olga"]
    post = services.post_create(
        author=world["alice"], space=world.engineering, body=f"Hi {mention_token(carol)}"
    )
    assert len(mentions_of(carol)) == 1
    services.post_edit(
        actor=world["alice"], post=post, body=f"Hi {mention_token(carol)} and {mention_token(olga)}"
    )
    services.post_edit(
        actor=world["alice"], post=post, body=f"Hello {mention_token(carol)}, {mention_token(olga)}"
    )
    [for_carol] = mentions_of(carol)
    [for_olga] = mentions_of(olga)
    assert for_carol.count == 1 and for_olga.count == 1


def test_editing_a_comment_notifies_only_the_people_newly_mentioned(quiet):
    world = quiet
    carol, olga = world["carol"], world["olga"]
    post = services.post_create(author=world["alice"], space=world.engineering, body="Question")
    comment = services.comment_create(
        author=world["alice"], post=post, body=f"{mention_token(carol)}?"
    )
    services.comment_edit(
        actor=world["alice"], comment=comment, body=f"{mention_token(carol)} {mention_token(olga)}?"
    )
    assert len(mentions_of(carol)) == 1 and mentions_of(carol)[0].count == 1
    assert len(mentions_of(olga)) == 1


@pytest.mark.parametrize("kind", [Space.Kind.PRIVATE, Space.Kind.SECRET])
def test_a_moderator_mentions_the_whole_space(quiet, kind):
    world = quiet
    group = world.groups[kind]
    post = services.post_create(author=world["carol"], space=group, body="@space all hands at 3")
    notified = {n.recipient.email for n in Notification.objects.select_related("recipient")}
    # Active members except the author; never the removed or deactivated ones.
    assert notified == {"alice@example.com", "olga@example.com"}
    note = Notification.objects.get(recipient=world["alice"])
    assert note.group_key == f"mention:post:{post.pk}"
    assert note.summary == f"mentioned everyone in {group.name} in “@space all hands at 3”"


def test_mentioning_the_company_takes_the_same_queries_for_any_size(quiet):
    world = quiet

    def post_everyone() -> int:
        with CaptureQueriesContext(connection) as queries:
            services.post_create(author=world["ada"], space=world.company, body="@everyone hi")
        return len(queries)

    few = post_everyone()
    for n in range(30):
        person(f"new{n}@example.com", f"New Person {n}")
    directory_spaces_reconcile()
    assert post_everyone() == few
    assert Notification.objects.filter(recipient__email="new7@example.com").count() == 1


def test_a_person_mentioned_by_name_and_with_the_space_gets_one_notification(quiet):
    world = quiet
    group = world.groups[Space.Kind.PRIVATE]
    services.post_create(
        author=world["carol"],
        space=group,
        body=f"@everyone and especially {mention_token(world['alice'])}",
    )
    [note] = mentions_of(world["alice"])
    assert note.summary.startswith("mentioned you in")
    assert len(mentions_of(world["olga"])) == 1


def test_a_member_cannot_mention_the_whole_space(quiet):
    world = quiet
    post = services.post_create(
        author=world["alice"], space=world.groups[Space.Kind.PRIVATE], body="@space lunch?"
    )
    assert not Notification.objects.exists()
    assert "@space lunch?" in post.body_html


def test_adding_the_space_mention_in_an_edit_notifies_once(quiet):
    world = quiet
    group = world.groups[Space.Kind.SECRET]
    post = services.post_create(author=world["carol"], space=group, body="Agenda")
    assert not Notification.objects.exists()
    services.post_edit(actor=world["carol"], post=post, body="Agenda @space")
    services.post_edit(actor=world["carol"], post=post, body="Agenda, @space please read")
    assert Notification.objects.filter(recipient=world["alice"]).get().count == 1


def test_a_mention_notification_disappears_when_the_person_leaves_the_group(quiet):
    from rallypoint.spaces import services as space_services
    from rallypoint.spaces.models import SpaceMembership

    world = quiet
    group = world.groups[Space.Kind.SECRET]
    services.post_create(
        author=world["carol"], space=group, body=f"{mention_token(world['alice'])} see this"
    )
    assert notifications_visible_to(world["alice"]).count() == 1
    space_services.membership_remove(
        actor=world["olga"],
        membership=SpaceMembership.objects.get(space=group, user=world["alice"]),
    )
    assert notifications_visible_to(world["alice"]).count() == 0


# ---------------------------------------------------------------- the composer's suggestions


def test_suggestions_list_active_people_with_the_text_to_insert(client, quiet):
    world = quiet
    client.force_login(world["alice"])
    response = client.get(reverse("feed_mention_suggestions"), {"q": "car"})
    assert response.status_code == 200
    people = response.json()["people"]
    assert people == [
        {
            "id": world["carol"].pk,
            "name": "Carol Moderator",
            "title": "",
            "token": f"@[Carol Moderator]({world['carol'].pk})",
        }
    ]
    assert client.get(reverse("feed_mention_suggestions"), {"q": "eve"}).json() == {"people": []}
    assert client.get(reverse("feed_mention_suggestions"), {"q": "  "}).json() == {"people": []}
    long = client.get(reverse("feed_mention_suggestions"), {"q": "x\x00" * 500})
    assert long.status_code == 200 and long.json() == {"people": []}


def test_suggestions_need_a_signed_in_person(client, quiet):
    response = client.get(reverse("feed_mention_suggestions"), {"q": "car"})
    assert response.status_code == 302
    client.force_login(quiet["alice"])
    assert client.post(reverse("feed_mention_suggestions"), {"q": "car"}).status_code == 405
