"""The rules of reporting and moderating, the audit log and who is told what."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rallypoint.core.models import AuditEntry
from rallypoint.feed import services as feed_services
from rallypoint.feed.models import Comment, Post
from rallypoint.moderation import services
from rallypoint.moderation.models import Report
from rallypoint.notify.models import Notification


def _notices(user) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=user, kind=Notification.Kind.MODERATION).order_by(
            "pk"
        )
    )


def test_report_create_records_an_open_report(world):
    post = world.posts["engineering"]
    report = services.report_create(
        reporter=world["bob"], post=post, reason="spam", details="Advert for a cruise"
    )
    stored = Report.objects.get()
    assert stored == report
    assert (stored.status, stored.space, stored.reporter) == ("open", post.space, world["bob"])
    assert stored.details == "Advert for a cruise"


def test_a_second_open_report_of_the_same_item_is_refused(world):
    post = world.posts["engineering"]
    services.report_create(reporter=world["bob"], post=post, reason="spam")
    with pytest.raises(ValidationError, match="already reported"):
        services.report_create(reporter=world["bob"], post=post, reason="harassment")
    assert Report.objects.count() == 1
    # Someone else may still report it.
    services.report_create(reporter=world["alice"], post=post, reason="harassment")
    assert Report.objects.filter(status="open").count() == 2


def test_nobody_reports_their_own_content(world):
    with pytest.raises(ValidationError, match="wrote yourself"):
        services.report_create(
            reporter=world["carol"], post=world.posts["engineering"], reason="spam"
        )


def test_other_needs_a_few_words_and_unknown_reasons_are_refused(world):
    post = world.posts["engineering"]
    with pytest.raises(ValidationError, match="what is wrong"):
        services.report_create(reporter=world["bob"], post=post, reason="other", details="  ")
    with pytest.raises(ValidationError, match="reason"):
        services.report_create(reporter=world["bob"], post=post, reason="boring")
    with pytest.raises(ValidationError, match="at most 1000"):
        services.report_create(reporter=world["bob"], post=post, reason="spam", details="x" * 1001)
    assert not Report.objects.exists()


@pytest.mark.parametrize("who", ["bob", "dave", "eve", "ada"])
def test_secret_group_content_cannot_be_reported_by_people_who_cannot_read_it(world, who):
    post = world.posts["secret"]
    comment = post.comments.get()
    with pytest.raises(PermissionDenied):
        services.report_create(reporter=world[who], post=post, reason="confidential")
    with pytest.raises(PermissionDenied):
        services.report_create(reporter=world[who], comment=comment, reason="confidential")
    assert not Report.objects.exists()


def test_reports_are_rate_limited(world):
    posts = [
        feed_services.post_create(author=world["carol"], space=world.engineering, body=f"P{n}")
        for n in range(services.REPORTS_PER_WINDOW + 1)
    ]
    for post in posts[:-1]:
        services.report_create(reporter=world["bob"], post=post, reason="spam")
    with pytest.raises(ValidationError, match="many reports"):
        services.report_create(reporter=world["bob"], post=posts[-1], reason="spam")


def test_hide_sets_the_row_resolves_reports_audits_and_tells_the_author(world):
    post = world.posts["engineering"]
    services.report_create(reporter=world["bob"], post=post, reason="spam", details="ad")
    services.report_create(reporter=world["alice"], post=post, reason="misinformation")
    services.content_hide(actor=world["ada"], post=post, reason="Off-topic advertising")

    post.refresh_from_db()
    assert post.hidden_at is not None and post.hidden_by == world["ada"]
    assert post.hidden_reason == "Off-topic advertising"
    reports = Report.objects.all()
    assert {r.status for r in reports} == {"resolved"}
    assert {r.resolved_by for r in reports} == {world["ada"]}
    assert {r.decision_note for r in reports} == {"Off-topic advertising"}

    entry = AuditEntry.objects.get(action="moderation.content_hidden")
    assert entry.actor == world["ada"] and entry.target_id == str(post.pk)
    assert entry.details["reason"] == "Off-topic advertising"
    assert sorted(entry.details["reports"]) == sorted(r.pk for r in reports)

    (notice,) = _notices(world["carol"])
    assert "Off-topic advertising" in notice.summary
    assert notice.actor is None
    for reporter_name in ("Bob", "Alice"):
        assert reporter_name not in notice.summary
    assert notice.url == f"/posts/{post.pk}/"
    # The reporters hear that it was handled, not who handled it.
    for key in ("bob", "alice"):
        (thanks,) = _notices(world[key])
        assert "hidden" in thanks.summary and "Ada" not in thanks.summary
        assert thanks.actor is None


def test_only_moderators_hide_and_a_reason_is_required(world):
    post = world.posts["engineering"]
    with pytest.raises(PermissionDenied, match="owners and moderators"):
        services.content_hide(actor=world["alice"], post=post, reason="I do not like it")
    # Carol moderates the groups, not Engineering.
    with pytest.raises(PermissionDenied):
        services.content_hide(actor=world["bob"], post=post, reason="x")
    with pytest.raises(ValidationError, match="Say why"):
        services.content_hide(actor=world["ada"], post=post, reason="   ")
    post.refresh_from_db()
    assert post.hidden_at is None
    assert not AuditEntry.objects.filter(action__startswith="moderation.").exists()


def test_an_administrator_outside_a_secret_group_cannot_moderate_its_content(world):
    post = world.posts["secret"]
    with pytest.raises(PermissionDenied):
        services.content_hide(actor=world["ada"], post=post, reason="No")
    services.content_hide(actor=world["carol"], post=post, reason="Names a client")
    post.refresh_from_db()
    assert post.hidden_reason == "Names a client"


def test_a_group_moderator_hides_a_comment(world):
    post = world.posts["private"]
    comment = feed_services.comment_create(author=world["mia"], post=post, body="Rude words")
    services.report_create(reporter=world["alice"], comment=comment, reason="harassment")
    services.content_hide(actor=world["carol"], comment=comment, reason="Be kind")
    comment.refresh_from_db()
    assert comment.hidden_reason == "Be kind"
    (notice,) = _notices(world["mia"])
    assert "your comment" in notice.summary and "Be kind" in notice.summary
    assert "Alice" not in notice.summary
    assert notice.url == f"/posts/{post.pk}/#comment-{comment.pk}"


def test_hiding_twice_is_refused(world):
    post = world.posts["engineering"]
    services.content_hide(actor=world["ada"], post=post, reason="Spam")
    with pytest.raises(ValidationError, match="already hidden"):
        services.content_hide(actor=world["ada"], post=post, reason="Spam")
    hidden = Post.objects.get(pk=post.pk)
    # Readers no longer see it; a moderator who does is told it is already hidden.
    with pytest.raises(PermissionDenied):
        services.report_create(reporter=world["bob"], post=hidden, reason="spam")
    with pytest.raises(ValidationError, match="already hidden"):
        services.report_create(reporter=world["ada"], post=hidden, reason="spam")


def test_unhide_is_audited_and_the_author_told(world):
    post = world.posts["engineering"]
    services.content_hide(actor=world["ada"], post=post, reason="Spam")
    services.content_unhide(actor=world["ada"], post=post)
    post.refresh_from_db()
    assert (post.hidden_at, post.hidden_by, post.hidden_reason) == (None, None, "")
    entry = AuditEntry.objects.get(action="moderation.content_unhidden")
    assert entry.details["previous_reason"] == "Spam"
    notices = _notices(world["carol"])
    assert len(notices) == 2 and "restored" in notices[-1].summary
    with pytest.raises(ValidationError, match="not hidden"):
        services.content_unhide(actor=world["ada"], post=post)


def test_dismiss_is_audited_and_reporters_are_not_told_who(world):
    post = world.posts["engineering"]
    services.report_create(reporter=world["bob"], post=post, reason="spam")
    assert services.report_dismiss(actor=world["ada"], post=post, note="Not spam") == 1
    report = Report.objects.get()
    assert (report.status, report.resolved_by, report.decision_note) == (
        "dismissed",
        world["ada"],
        "Not spam",
    )
    entry = AuditEntry.objects.get(action="moderation.reports_dismissed")
    assert entry.details["reports"] == [report.pk]
    (notice,) = _notices(world["bob"])
    assert "reviewed" in notice.summary and "Ada" not in notice.summary
    assert notice.actor is None
    # The author hears nothing of a dismissed report.
    assert _notices(world["carol"]) == []
    with pytest.raises(ValidationError, match="no open report"):
        services.report_dismiss(actor=world["ada"], post=post)
    with pytest.raises(PermissionDenied):
        services.report_dismiss(actor=world["alice"], post=post)


def test_delete_goes_through_the_feed_and_resolves_reports(world):
    post = world.posts["engineering"]
    services.report_create(reporter=world["bob"], post=post, reason="spam")
    services.content_delete(actor=world["ada"], post=post)
    post.refresh_from_db()
    assert post.is_deleted and post.body == ""
    assert Report.objects.get().status == "resolved"
    assert AuditEntry.objects.filter(action="feed.post_deleted").count() == 1
    assert AuditEntry.objects.filter(action="moderation.reports_resolved").count() == 1


def test_moderators_are_told_of_a_report_without_the_reporter(world):
    post = world.posts["private"]
    services.report_create(reporter=world["mia"], post=post, reason="confidential")
    (notice,) = _notices(world["carol"])
    assert "reported" in notice.summary and "Mia" not in notice.summary
    assert notice.actor is None
    # The author, although a member, is not told of the report.
    assert _notices(world["alice"]) == []


def test_reports_disappear_with_their_content(world):
    comment = Comment.objects.get(post=world.posts["private"])
    services.report_create(reporter=world["mia"], comment=comment, reason="spam")
    comment.delete()
    assert not Report.objects.exists()
