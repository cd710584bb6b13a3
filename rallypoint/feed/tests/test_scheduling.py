"""Drafts, scheduled posts and recurring updates: the time arithmetic, the services, the
publishing job, who sees what, and the pages."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from rallypoint.feed import scheduling, selectors, services
from rallypoint.feed.models import Post, PostSchedule
from rallypoint.feed.scheduling import ScheduleRule, scheduled_posts_publish_due
from rallypoint.notify.models import Notification
from rallypoint.people.models import User
from rallypoint.spaces import services as space_services
from rallypoint.spaces.models import SpaceMembership

UTC = datetime.UTC
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def berlin(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


def rule(frequency: str, hour: int, minute: int = 0, **kwargs) -> ScheduleRule:
    return ScheduleRule(
        frequency=frequency,
        time_of_day=datetime.time(hour, minute),
        time_zone=kwargs.pop("zone", "Europe/Berlin"),
        **kwargs,
    )


# ---------------------------------------------------------------- occurrences


def test_daily_at_nine_berlin_stays_nine_local_across_both_dst_changes():
    daily = rule("daily", 9)
    for start, days in ((utc(2024, 3, 28), 6), (utc(2024, 10, 24), 6)):
        moment, seen = start, []
        for _day in range(days):
            moment = daily.next_after(moment)
            seen.append(moment)
        assert [m.astimezone(BERLIN).time() for m in seen] == [datetime.time(9)] * days
        # The UTC hour moves by one when the clocks change.
        assert {m.hour for m in seen} == {7, 8}


def test_time_that_does_not_exist_is_moved_forward_by_the_gap():
    at_half_two = rule("daily", 2, 30)
    # 31 March 2024: Berlin clocks jump from 02:00 to 03:00.
    moment = at_half_two.next_after(utc(2024, 3, 30, 12))
    assert moment == utc(2024, 3, 31, 1, 30)
    assert moment.astimezone(BERLIN).replace(tzinfo=None) == datetime.datetime(2024, 3, 31, 3, 30)
    # The day after it is 02:30 again.
    assert at_half_two.next_after(moment).astimezone(BERLIN).time() == datetime.time(2, 30)


def test_time_that_happens_twice_means_the_first():
    # 27 October 2024: 02:30 happens in summer time, then again in winter time.
    assert rule("daily", 2, 30).next_after(utc(2024, 10, 26, 12)) == utc(2024, 10, 27, 0, 30)


def test_monthly_on_the_31st_uses_the_last_day_of_shorter_months():
    monthly = rule("monthly", 9, day_of_month=31)
    moment, days = utc(2024, 1, 1), []
    for _month in range(5):
        moment = monthly.next_after(moment)
        days.append(moment.astimezone(BERLIN).date())
    assert days == [
        datetime.date(2024, 1, 31),
        datetime.date(2024, 2, 29),
        datetime.date(2024, 3, 31),
        datetime.date(2024, 4, 30),
        datetime.date(2024, 5, 31),
    ]


def test_weekly_on_monday_and_latest_before():
    weekly = rule("weekly", 9, weekday=0)
    assert weekly.next_after(berlin(2024, 11, 20, 12)) == berlin(2024, 11, 25, 9)
    assert weekly.latest_at_or_before(berlin(2024, 11, 20, 12)) == berlin(2024, 11, 18, 9)
    assert weekly.latest_at_or_before(berlin(2024, 11, 18, 9)) == berlin(2024, 11, 18, 9)


ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


@st.composite
def rules(draw) -> ScheduleRule:
    frequency = draw(st.sampled_from(["daily", "weekly", "monthly"]))
    return ScheduleRule(
        frequency=frequency,
        time_of_day=datetime.time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 15, 30, 59]))),
        time_zone=draw(st.sampled_from(ZONES)),
        weekday=draw(st.integers(0, 6)) if frequency == "weekly" else None,
        day_of_month=draw(st.integers(1, 31)) if frequency == "monthly" else None,
    )


moments = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2060, 1, 1)
).map(lambda naive: naive.replace(tzinfo=UTC))


@settings(max_examples=300, deadline=None)
@given(rules(), moments)
def test_next_occurrence_is_the_first_one_after(schedule, moment):
    found = schedule.next_after(moment)
    assert found > moment
    # It is an occurrence, and nothing is skipped between ``moment`` and it.
    assert schedule.latest_at_or_before(found) == found
    assert schedule.latest_at_or_before(found - datetime.timedelta(microseconds=1)) <= moment
    local = found.astimezone(zoneinfo.ZoneInfo(schedule.time_zone))
    if schedule.frequency == "weekly":
        assert local.weekday() == schedule.weekday or local.time() < schedule.time_of_day
    # The wall clock shows the time of day, unless the clocks jumped over it that day.
    shifted = local.replace(tzinfo=None) - datetime.datetime.combine(
        local.date(), schedule.time_of_day
    )
    assert datetime.timedelta(0) <= shifted <= datetime.timedelta(hours=1)


# ---------------------------------------------------------------- drafts and visibility


@pytest.fixture
def alice(world) -> User:
    author = world["alice"]
    User.objects.filter(pk=author.pk).update(time_zone="Europe/Berlin")
    author.refresh_from_db()
    return author


def _not_visible_to_anyone_but(author, post, world):
    for key in ("bob", "carol", "dave", "ada", "olga", "alice"):
        viewer = world[key]
        assert not selectors.posts_visible_to(viewer).filter(pk=post.pk).exists()
        assert post.pk not in [p.pk for p in selectors.feed_page(viewer, space=post.space).posts]
    assert scheduling.drafts_of(author).filter(pk=post.pk).exists()


def test_draft_is_seen_by_its_author_only_everywhere(client, world, alice):
    group = world.groups["private"]
    draft = scheduling.draft_create(author=alice, space=group, body="Secret **plan** draft")
    assert draft.status == Post.Status.DRAFT
    _not_visible_to_anyone_but(alice, draft, world)
    for key in ("carol", "alice"):
        client.force_login(world[key])
        assert client.get(reverse("feed_post", args=[draft.pk])).status_code == 404
        assert "Secret" not in client.get(reverse("feed")).content.decode()
        assert (
            "Secret"
            not in client.get(reverse("feed_space_posts", args=[group.slug])).content.decode()
        )
    client.force_login(world["carol"])
    assert client.get(reverse("feed_draft_edit", args=[draft.pk])).status_code == 404
    assert "Secret" not in client.get(reverse("feed_drafts")).content.decode()
    assert (
        client.post(
            reverse("feed_draft_action", args=[draft.pk]), {"action": "publish"}
        ).status_code
        == 404
    )
    client.force_login(alice)
    page = client.get(reverse("feed_drafts")).content.decode()
    assert "Secret <strong>plan</strong> draft" in page


def test_draft_is_editable_and_deletable_by_its_author_only(world, alice):
    draft = scheduling.draft_create(author=alice, space=world.engineering, body="First words")
    with pytest.raises(ValidationError):
        scheduling.draft_update(actor=world["carol"], post=draft, body="Hijacked")
    edited = scheduling.draft_update(actor=alice, post=draft, body="Better words")
    assert edited.body == "Better words" and "<p>Better words</p>" in edited.body_html
    assert not edited.revisions.exists()
    with pytest.raises(ValidationError):
        scheduling.draft_delete(actor=world["carol"], post=draft)
    scheduling.draft_delete(actor=alice, post=draft)
    assert not Post.objects.filter(pk=draft.pk).exists()


def test_draft_needs_posting_rights_and_text(world, alice):
    with pytest.raises(PermissionDenied, match="Only members"):
        scheduling.draft_create(author=world["bob"], space=world.groups["private"], body="Hi")
    with pytest.raises(ValidationError, match="Write something"):
        scheduling.draft_create(author=alice, space=world.engineering, body="   ")


def test_schedule_must_be_in_the_future_with_the_time_shown_in_the_authors_zone(world, alice):
    past = timezone.now() - HOUR
    with pytest.raises(ValidationError) as refused:
        scheduling.draft_create(author=alice, space=world.engineering, body="x", publish_at=past)
    local_now = timezone.now().astimezone(BERLIN)
    assert "Choose a time in the future" in refused.value.messages[0]
    assert "(Europe/Berlin)" in refused.value.messages[0]
    assert local_now.strftime("%H:") in refused.value.messages[0]
    with pytest.raises(ValidationError, match="two years"):
        scheduling.draft_create(
            author=alice,
            space=world.engineering,
            body="x",
            publish_at=timezone.now() + datetime.timedelta(days=800),
        )
    assert not Post.objects.filter(author=alice, status__in=["draft", "scheduled"]).exists()


def test_scheduled_post_is_published_once_at_its_time(world, alice, monkeypatch):
    calls: list[int] = []
    original = services.post_published

    def counting(post: Post) -> None:
        calls.append(post.pk)
        original(post)

    monkeypatch.setattr(services, "post_published", counting)
    at = timezone.now() + HOUR
    post = scheduling.draft_create(
        author=alice, space=world.engineering, body="Launch day", publish_at=at
    )
    assert post.status == Post.Status.SCHEDULED
    _not_visible_to_anyone_but(alice, post, world)

    assert scheduled_posts_publish_due(now=at - datetime.timedelta(seconds=1)).posts == 0
    run = at + datetime.timedelta(seconds=30)
    assert scheduled_posts_publish_due(now=run).posts == 1
    assert scheduled_posts_publish_due(now=run + HOUR).posts == 0

    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED and post.created_at == run
    assert calls == [post.pk]
    assert selectors.posts_visible_to(world["carol"]).filter(pk=post.pk).exists()
    assert not scheduling.drafts_of(alice).exists()


def test_reschedule_cancel_and_publish_now(world, alice):
    at = timezone.now() + HOUR
    post = scheduling.draft_create(author=alice, space=world.engineering, body="Hi", publish_at=at)
    post = scheduling.draft_schedule(actor=alice, post=post, publish_at=at + DAY)
    assert post.publish_at == at + DAY
    assert scheduled_posts_publish_due(now=at + HOUR).posts == 0
    post = scheduling.draft_unschedule(actor=alice, post=post)
    assert post.status == Post.Status.DRAFT and post.publish_at is None
    assert scheduled_posts_publish_due(now=at + 2 * DAY).posts == 0
    published = scheduling.draft_publish(actor=alice, post=post)
    assert published.status == Post.Status.PUBLISHED
    assert selectors.posts_visible_to(world["carol"]).filter(pk=post.pk).exists()
    with pytest.raises(ValidationError, match="no longer a draft"):
        scheduling.draft_publish(actor=alice, post=post)


def test_author_who_left_the_space_gets_the_post_back_as_a_draft_and_a_notification(world, alice):
    group = world.groups["private"]
    at = timezone.now() + HOUR
    post = scheduling.draft_create(author=alice, space=group, body="Later", publish_at=at)
    space_services.membership_remove(
        actor=world["olga"], membership=SpaceMembership.objects.get(space=group, user=alice)
    )

    report = scheduled_posts_publish_due(now=at + HOUR)

    assert (report.posts, report.refused) == (0, 1)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert not selectors.posts_visible_to(world["carol"]).filter(pk=post.pk).exists()
    note = Notification.objects.get(recipient=alice, summary__contains="was not published")
    assert "Only members" in note.summary and "(Europe/Berlin)" in note.summary
    assert note.url == reverse("feed_drafts")


def test_deactivated_author_post_is_not_published(world, alice):
    at = timezone.now() + HOUR
    post = scheduling.draft_create(
        author=alice, space=world.engineering, body="Later", publish_at=at
    )
    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert scheduled_posts_publish_due(now=at + HOUR).refused == 1
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert not Notification.objects.filter(recipient=alice, summary__contains="not published")


# ---------------------------------------------------------------- recurring updates


def _weekly(world, alice, now, **kwargs) -> PostSchedule:
    return scheduling.schedule_create(
        author=alice,
        space=world.engineering,
        body="Weekly **digest**",
        frequency="weekly",
        time_of_day=datetime.time(9),
        weekday=0,
        now=now,
        **kwargs,
    )


def test_recurring_update_publishes_each_occurrence_once_in_local_time(world, alice):
    now = berlin(2024, 3, 20, 12)  # a Wednesday, before the change to summer time
    schedule = _weekly(world, alice, now)
    assert schedule.next_run_at == berlin(2024, 3, 25, 9)
    assert schedule.time_zone == "Europe/Berlin"

    for week in range(3):
        run = berlin(2024, 3, 25, 9, 0, 30) + week * 7 * DAY
        assert scheduled_posts_publish_due(now=run).occurrences == 1
        assert scheduled_posts_publish_due(now=run).occurrences == 0
    posts = list(Post.objects.filter(schedule=schedule).order_by("occurrence_at"))
    times = [p.occurrence_at for p in posts if p.occurrence_at is not None]
    assert [t.astimezone(BERLIN).time() for t in times] == [datetime.time(9)] * 3
    assert [t.hour for t in times] == [8, 7, 7]  # UTC, across the change
    assert all(p.status == Post.Status.PUBLISHED and p.body == "Weekly **digest**" for p in posts)
    assert selectors.posts_visible_to(world["carol"]).filter(schedule=schedule).count() == 3
    schedule.refresh_from_db()
    assert schedule.next_run_at == berlin(2024, 4, 15, 9)


def test_after_downtime_only_the_latest_missed_occurrence_is_published(world, alice):
    now = berlin(2024, 3, 20, 12)
    schedule = _weekly(world, alice, now)
    late = berlin(2024, 4, 20, 12)  # four Mondays missed
    assert scheduled_posts_publish_due(now=late).occurrences == 1
    post = Post.objects.get(schedule=schedule)
    assert post.occurrence_at == berlin(2024, 4, 15, 9)
    schedule.refresh_from_db()
    assert schedule.next_run_at == berlin(2024, 4, 22, 9)


def test_paused_recurring_update_is_not_published_and_resumes_without_a_burst(world, alice):
    now = berlin(2024, 3, 20, 12)
    schedule = _weekly(world, alice, now)
    scheduling.schedule_pause(actor=alice, schedule=schedule)
    assert scheduled_posts_publish_due(now=berlin(2024, 4, 20, 12)).occurrences == 0
    schedule = scheduling.schedule_resume(
        actor=alice, schedule=schedule, now=berlin(2024, 4, 20, 12)
    )
    assert schedule.paused_at is None and schedule.next_run_at == berlin(2024, 4, 22, 9)
    assert scheduled_posts_publish_due(now=berlin(2024, 4, 21, 12)).occurrences == 0


def test_recurring_update_stops_at_its_end(world, alice):
    now = berlin(2024, 3, 20, 12)
    schedule = _weekly(world, alice, now, ends_at=berlin(2024, 4, 2))
    for day in range(0, 40):
        scheduled_posts_publish_due(now=now + day * DAY)
    assert Post.objects.filter(schedule=schedule).count() == 2
    schedule.refresh_from_db()
    assert scheduling.schedule_has_ended(schedule)


def test_recurring_update_of_an_author_without_rights_is_paused_with_a_notification(world, alice):
    group = world.groups["private"]
    now = berlin(2024, 3, 20, 12)
    schedule = scheduling.schedule_create(
        author=alice,
        space=group,
        body="Group update",
        frequency="daily",
        time_of_day=datetime.time(9),
        now=now,
    )
    space_services.membership_remove(
        actor=world["olga"], membership=SpaceMembership.objects.get(space=group, user=alice)
    )
    report = scheduled_posts_publish_due(now=now + DAY)
    assert (report.occurrences, report.refused) == (0, 1)
    schedule.refresh_from_db()
    assert schedule.paused_at is not None
    assert not Post.objects.filter(schedule=schedule).exists()
    assert Notification.objects.filter(recipient=alice, summary__contains="is paused").count() == 1


def test_edit_and_delete_recurring_update_keeps_what_was_published(world, alice):
    now = berlin(2024, 3, 20, 12)
    schedule = _weekly(world, alice, now)
    scheduled_posts_publish_due(now=berlin(2024, 3, 25, 10))
    schedule = scheduling.schedule_update(
        actor=alice,
        schedule=schedule,
        body="Monthly digest",
        frequency="monthly",
        time_of_day=datetime.time(8, 30),
        day_of_month=31,
        now=berlin(2024, 3, 25, 10),
    )
    assert schedule.next_run_at == berlin(2024, 3, 31, 8, 30)
    assert schedule.weekday is None
    with pytest.raises(ValidationError, match="day of the month"):
        scheduling.schedule_update(
            actor=alice,
            schedule=schedule,
            body="x",
            frequency="monthly",
            time_of_day=datetime.time(9),
            day_of_month=40,
        )
    with pytest.raises(ValidationError):
        scheduling.schedule_pause(actor=world["carol"], schedule=schedule)
    scheduling.schedule_delete(actor=alice, schedule=schedule)
    assert not PostSchedule.objects.filter(pk=schedule.pk).exists()
    assert Post.objects.filter(author=alice, body="Weekly **digest**").count() == 1


def test_periodic_job_is_registered_and_publishes(world, alice):
    from huey.contrib.djhuey import HUEY

    import rallypoint.feed.tasks  # noqa: F401  (what a worker imports)

    job = HUEY._registry._registry[
        "rallypoint.feed.scheduling.scheduled_posts_publish_every_minute"
    ]
    # A periodic task, due every minute.
    assert job().validate_datetime(datetime.datetime(2024, 1, 1, 12, 34))
    assert job().validate_datetime(datetime.datetime(2024, 1, 1, 12, 35))
    post = scheduling.draft_create(
        author=alice,
        space=world.engineering,
        body="Due",
        publish_at=timezone.now() + datetime.timedelta(seconds=1),
    )
    Post.objects.filter(pk=post.pk).update(publish_at=timezone.now() - HOUR)
    scheduling.scheduled_posts_publish_every_minute()
    post.refresh_from_db()
    assert post.status == Post.Status.PUBLISHED


# ---------------------------------------------------------------- pages


def test_composer_saves_a_draft(client, world, alice):
    client.force_login(alice)
    response = client.post(
        reverse("feed_post_create"),
        {"space": world.engineering.slug, "body": "Keep for later", "intent": "draft"},
    )
    assert response.status_code == 302 and response.url == reverse("feed_drafts")
    draft = Post.objects.get(body="Keep for later")
    assert draft.status == Post.Status.DRAFT


def test_composer_schedules_in_the_authors_time_zone(client, world, alice):
    client.force_login(alice)
    page = client.get(reverse("feed")).content.decode()
    for text in ("Publish", "Save draft", "Schedule…", "Repeat", "Europe/Berlin"):
        assert text in page
    assert 'type="datetime-local"' in page
    year = timezone.now().year + 1
    response = client.post(
        reverse("feed_post_create"),
        {
            "space": world.engineering.slug,
            "body": "New year",
            "intent": "schedule",
            "publish_at": f"{year}-01-02T09:00",
        },
        follow=True,
    )
    post = Post.objects.get(body="New year")
    assert post.status == Post.Status.SCHEDULED
    assert post.publish_at == datetime.datetime(year, 1, 2, 8, tzinfo=UTC)
    html = response.content.decode()
    assert f"Fri 2 Jan {year}, 09:00" in html or f"2 Jan {year}, 09:00" in html


def test_composer_creates_a_recurring_update(client, world, alice):
    client.force_login(alice)
    year = timezone.now().year + 1
    client.post(
        reverse("feed_post_create"),
        {
            "space": world.engineering.slug,
            "body": "Every week",
            "intent": "schedule",
            "publish_at": f"{year}-07-06T09:15",
            "repeat": "weekly",
        },
    )
    schedule = PostSchedule.objects.get(author=alice)
    first = datetime.datetime(year, 7, 6, 9, 15, tzinfo=BERLIN)
    assert schedule.next_run_at == first
    assert (schedule.frequency, schedule.weekday, schedule.time_of_day) == (
        "weekly",
        first.weekday(),
        datetime.time(9, 15),
    )
    assert schedule.time_zone == "Europe/Berlin"
    assert not Post.objects.filter(body="Every week").exists()


def test_composer_refuses_a_past_time_and_keeps_the_text(client, world, alice):
    client.force_login(alice)
    response = client.post(
        reverse("feed_post_create"),
        {
            "space": world.engineering.slug,
            "body": "Too late",
            "intent": "schedule",
            "publish_at": "2001-01-01T09:00",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose a time in the future" in html and "Too late" in html
    assert not Post.objects.filter(body="Too late").exists()
    response = client.post(
        reverse("feed_post_create"),
        {"space": world.engineering.slug, "body": "No time", "intent": "schedule"},
    )
    assert "Choose the date and time it goes out." in response.content.decode()


def test_drafts_page_lists_everything_with_local_times_in_few_queries(
    client, world, alice, django_assert_max_num_queries
):
    year = timezone.now().year + 1
    for n in range(5):
        scheduling.draft_create(author=alice, space=world.engineering, body=f"Draft {n}")
        scheduling.draft_create(
            author=alice,
            space=world.groups["private"],
            body=f"Planned {n}",
            publish_at=datetime.datetime(year, 3, 1 + n, 9, tzinfo=BERLIN),
        )
        _weekly(world, alice, timezone.now())
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        html = client.get(reverse("feed_drafts")).content.decode()
    assert html.count("Draft ") >= 5 and html.count("Planned ") == 5
    assert "09:00" in html and "Every Monday at 09:00" in html
    assert html.count('value="pause"') == 5


def test_drafts_page_actions(client, world, alice):
    client.force_login(alice)
    at = timezone.now() + DAY
    post = scheduling.draft_create(
        author=alice, space=world.engineering, body="Act on me", publish_at=at
    )
    action = reverse("feed_draft_action", args=[post.pk])
    client.post(action, {"action": "unschedule"})
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    edit = reverse("feed_draft_edit", args=[post.pk])
    year = timezone.now().year + 1
    client.post(
        edit,
        {
            "space": world.engineering.slug,
            "body": "Acted on",
            "publish_at": f"{year}-05-05T10:00",
            "intent": "schedule",
        },
    )
    post.refresh_from_db()
    assert post.body == "Acted on" and post.status == Post.Status.SCHEDULED
    assert post.publish_at == datetime.datetime(year, 5, 5, 8, tzinfo=UTC)
    response = client.post(action, {"action": "publish"})
    assert response.url == reverse("feed_post", args=[post.pk])
    assert client.get(response.url).status_code == 200

    schedule = _weekly(world, alice, timezone.now())
    schedule_action = reverse("feed_schedule_action", args=[schedule.pk])
    client.post(schedule_action, {"action": "pause"})
    schedule.refresh_from_db()
    assert schedule.paused_at is not None
    client.post(schedule_action, {"action": "resume"})
    schedule.refresh_from_db()
    assert schedule.paused_at is None
    response = client.post(
        reverse("feed_schedule_edit", args=[schedule.pk]),
        {"body": "Daily now", "frequency": "daily", "time_of_day": "07:45"},
    )
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.frequency, schedule.time_of_day) == ("daily", datetime.time(7, 45))
    client.post(schedule_action, {"action": "delete"})
    assert not PostSchedule.objects.filter(pk=schedule.pk).exists()
    client.force_login(world["carol"])
    assert client.get(reverse("feed_schedule_edit", args=[schedule.pk])).status_code == 404


def test_composer_refuses_a_time_that_does_not_exist_in_the_authors_zone(client, world, alice):
    client.force_login(alice)
    response = client.post(
        reverse("feed_post_create"),
        {
            "space": world.engineering.slug,
            "body": "In the gap",
            "intent": "schedule",
            "publish_at": "2030-03-31T02:30",  # Berlin clocks jump from 02:00 to 03:00
        },
    )
    assert "Europe/Berlin" in response.content.decode()
    assert "may not exist" in response.content.decode()
    assert not Post.objects.filter(body="In the gap").exists()


def test_author_removed_from_a_secret_group_is_not_told_its_name(client, world, alice):
    group = world.groups["secret"]
    at = timezone.now() + HOUR
    scheduling.draft_create(author=alice, space=group, body="Hush", publish_at=at)
    space_services.membership_remove(
        actor=world["olga"], membership=SpaceMembership.objects.get(space=group, user=alice)
    )
    scheduled_posts_publish_due(now=at + HOUR)
    note = Notification.objects.get(recipient=alice, summary__contains="was not published")
    assert group.name not in note.summary and "a space you are no longer in" in note.summary
    client.force_login(alice)
    page = client.get(reverse("feed_drafts")).content.decode()
    assert "Hush" in page and group.name not in page
