"""The report dialog, the moderation queue, its actions and the navigation link."""

from __future__ import annotations

from django.urls import reverse

from rallypoint.core.models import AuditEntry
from rallypoint.feed import services as feed_services
from rallypoint.feed.models import Post
from rallypoint.moderation import services
from rallypoint.moderation.models import Report
from rallypoint.people.models import User
from rallypoint.spaces.models import SpaceMembership

HTMX = {"HX-Request": "true"}


def _report_url(kind: str, pk: int) -> str:
    return reverse("moderation_report", args=[kind, pk])


def test_posts_and_comments_offer_report_to_others_only(client, world):
    post = world.posts["engineering"]
    feed_services.comment_create(author=world["alice"], post=post, body="Agreed")
    client.force_login(world["bob"])
    html = client.get(reverse("feed_post", args=[post.pk])).content.decode()
    assert html.count(">Report<") == 2
    client.force_login(world["carol"])
    html = client.get(reverse("feed_post", args=[post.pk])).content.decode()
    # Her own post has none; Alice's comment has one.
    assert html.count(">Report<") == 1


def test_report_dialog_with_htmx(client, world):
    post = world.posts["engineering"]
    client.force_login(world["bob"])
    form = client.get(_report_url("post", post.pk), headers=HTMX)
    assert form.status_code == 200
    text = form.content.decode()
    assert "Report this post" in text and "Confidential information" in text
    assert "<html" not in text

    # A refusal keeps what was typed.
    refused = client.post(
        _report_url("post", post.pk), {"reason": "other", "details": ""}, headers=HTMX
    )
    assert "Tell the moderators what is wrong" in refused.content.decode()
    kept = client.post(_report_url("post", post.pk), {"details": "It names a client"}, headers=HTMX)
    assert "It names a client" in kept.content.decode()
    assert not Report.objects.exists()

    done = client.post(
        _report_url("post", post.pk),
        {"reason": "confidential", "details": "It names a client"},
        headers=HTMX,
    )
    assert "Thank you" in done.content.decode()
    report = Report.objects.get()
    assert (report.reason, report.details, report.reporter) == (
        "confidential",
        "It names a client",
        world["bob"],
    )
    again = client.post(
        _report_url("post", post.pk), {"reason": "spam", "details": "typed again"}, headers=HTMX
    )
    text = again.content.decode()
    assert "already reported" in text and "typed again" in text


def test_report_without_javascript_is_a_page_and_a_redirect(client, world):
    post = world.posts["engineering"]
    client.force_login(world["bob"])
    page = client.get(_report_url("post", post.pk))
    assert page.status_code == 200 and "<html" in page.content.decode()
    response = client.post(
        _report_url("post", post.pk), {"reason": "spam", "next": "/feed/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/feed/"
    assert "Thank you" in response.content.decode()


def test_secret_content_cannot_be_reported_by_outsiders(client, world):
    post = world.posts["secret"]
    comment = post.comments.get()
    for who in ("bob", "dave", "ada"):
        client.force_login(world[who])
        assert client.get(_report_url("post", post.pk)).status_code == 404
        assert client.post(_report_url("post", post.pk), {"reason": "spam"}).status_code == 404
        assert (
            client.post(_report_url("comment", comment.pk), {"reason": "spam"}).status_code == 404
        )
    assert client.get(_report_url("poll", post.pk)).status_code == 404
    assert not Report.objects.exists()


def test_queue_lists_reports_grouped_for_moderators_only(client, world):
    post = world.posts["private"]
    services.report_create(reporter=world["mia"], post=post, reason="confidential", details="M&A")
    services.report_create(reporter=world["carol"], post=post, reason="confidential")
    services.report_create(reporter=world["bob"], post=world.posts["engineering"], reason="spam")
    client.force_login(world["carol"])
    html = client.get(reverse("moderation_queue")).content.decode()
    # Carol moderates the groups: the Engineering report is not hers.
    assert "2 reports" in html and "Confidential information (2)" in html
    assert "Mia Member" in html and "M&amp;A" in html
    assert "Bob Outsider" not in html
    assert 'value="Confidential information"' in html

    client.force_login(world["ada"])
    html = client.get(reverse("moderation_queue")).content.decode()
    # Ada sees Engineering, not the private group she is not in.
    assert "Bob Outsider" in html and "Mia Member" not in html

    for who in ("alice", "mia", "bob"):
        client.force_login(world[who])
        assert client.get(reverse("moderation_queue")).status_code == 404


def test_navigation_link_with_count(client, world, django_assert_max_num_queries):
    services.report_create(reporter=world["mia"], post=world.posts["private"], reason="spam")
    client.force_login(world["carol"])
    # Pages load the link afterwards: it costs them no query.
    page = client.get(reverse("feed")).content.decode()
    assert reverse("moderation_nav") in page and 'class="moderation-nav"' not in page
    nav = reverse("moderation_nav")
    with django_assert_max_num_queries(3):
        response = client.get(nav, {"next": "/feed/"}, headers=HTMX)
    html = response.content.decode()
    assert 'class="moderation-nav"' in html and "1 open report" in html
    assert "private" in response["Cache-Control"] and "aria-current" not in html
    assert 'aria-current="page"' in client.get(nav, {"next": "/moderation/"}).content.decode()
    client.force_login(world["olga"])
    assert "1 open report" in client.get(nav).content.decode()
    client.force_login(world["ada"])
    html = client.get(nav).content.decode()
    assert 'class="moderation-nav"' in html and "open report" not in html
    for who in ("alice", "mia", "bob"):
        client.force_login(world[who])
        assert client.get(nav).content.decode().strip() == ""


def test_queue_actions_hide_dismiss_delete_unhide(client, world):
    private = world.posts["private"]
    services.report_create(reporter=world["mia"], post=private, reason="harassment")
    client.force_login(world["carol"])
    url = reverse("moderation_decide", args=["post", private.pk, "hide"])
    refused = client.post(url, {"reason": ""}, follow=True)
    assert "Say why it is hidden" in refused.content.decode()
    response = client.post(url, {"reason": "Harassment"}, follow=True)
    assert "The author was told why" in response.content.decode()
    private.refresh_from_db()
    assert private.hidden_reason == "Harassment"
    html = response.content.decode()
    assert "Hidden content" in html and "Unhide" in html

    client.post(reverse("moderation_decide", args=["post", private.pk, "unhide"]))
    private.refresh_from_db()
    assert private.hidden_at is None

    comment = private.comments.get()
    services.report_create(reporter=world["mia"], comment=comment, reason="spam")
    client.post(reverse("moderation_decide", args=["comment", comment.pk, "dismiss"]))
    assert Report.objects.get(comment=comment).status == "dismissed"
    services.report_create(reporter=world["mia"], comment=comment, reason="spam")
    client.post(reverse("moderation_decide", args=["comment", comment.pk, "delete"]))
    comment.refresh_from_db()
    assert comment.is_deleted
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "moderation.content_hidden",
        "moderation.content_unhidden",
        "moderation.reports_dismissed",
        "moderation.reports_resolved",
    } <= actions

    # Members cannot act, and an unknown action is a 404.
    client.force_login(world["mia"])
    response = client.post(
        reverse("moderation_decide", args=["post", private.pk, "hide"]),
        {"reason": "x"},
        follow=True,
    )
    assert "owners and moderators" in response.content.decode()
    assert (
        client.post(reverse("moderation_decide", args=["post", private.pk, "ban"])).status_code
        == 404
    )


def _fill(world, *, items: int, reporters: int) -> None:
    space = world.engineering
    people = []
    for n in range(reporters):
        extra = User.objects.create_user(
            f"q{User.objects.count()}@example.com", "x", display_name=f"Reporter {n}"
        )
        SpaceMembership.objects.create(space=space, user=extra)
        people.append(extra)
    for n in range(items):
        post = feed_services.post_create(author=world["carol"], space=space, body=f"Item {n}")
        comment = feed_services.comment_create(author=world["alice"], post=post, body=f"C {n}")
        for who in people:
            services.report_create(reporter=who, post=post, reason="spam")
            services.report_create(reporter=who, comment=comment, reason="harassment")
        if n % 2:
            services.content_hide(actor=world["ada"], post=Post.objects.get(pk=post.pk), reason="x")


def test_queue_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world["ada"])
    _fill(world, items=2, reporters=1)
    with django_assert_max_num_queries(10) as small:
        assert client.get(reverse("moderation_queue")).status_code == 200
    _fill(world, items=8, reporters=3)
    with django_assert_max_num_queries(len(small)):
        response = client.get(reverse("moderation_queue"))
    assert response.content.decode().count('class="moderation-item"') > 10
