"""The composer, the announcement page, acknowledging, the statistics page, the feed."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rallypoint.announce import services
from rallypoint.announce.models import Announcement, AnnouncementRecipient
from rallypoint.announce.tests.conftest import person
from rallypoint.feed import services as feed_services
from rallypoint.feed.models import Post
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.models import Space


def test_the_composer_is_for_communications_only(client, company):
    client.force_login(company["eli"])
    assert client.get(reverse("announce_compose")).status_code == 404
    client.force_login(company["cora"])
    page = client.get(reverse("announce_compose")).content.decode()
    assert "Engineering" in page and "Remote" in page and "Falcon" in page


def test_compose_preview_then_publish(client, company):
    client.force_login(company["cora"])
    data = {
        "title": "New policy",
        "body": "Read **this**",
        "departments": [company.eng.pk],
        "must_read": "on",
        "reminder_after_days": "3",
    }
    preview = client.post(reverse("announce_compose"), {**data, "action": "preview"})
    assert preview.status_code == 200
    assert "<strong>this</strong>" in preview.content.decode()
    assert not Announcement.objects.exists()
    response = client.post(reverse("announce_compose"), {**data, "action": "publish"})
    announcement = Announcement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("announce_stats", args=[announcement.pk])
    assert announcement.must_read and announcement.reminder_after_days == 3
    assert AnnouncementRecipient.objects.filter(announcement=announcement).count() == 3


def test_compose_refuses_no_audience_and_reminders_without_must_read(client, company):
    client.force_login(company["cora"])
    page = client.post(
        reverse("announce_compose"),
        {"title": "T", "body": "B", "action": "publish", "reminder_after_days": "2"},
    ).content.decode()
    assert "Choose who the announcement is for." in page
    page = client.post(
        reverse("announce_compose"),
        {"title": "T", "body": "B", "to_everyone": "on", "reminder_after_days": "2"},
    ).content.decode()
    assert "Reminders are for must-read announcements." in page
    assert not Announcement.objects.exists()


def test_opening_the_page_counts_and_acknowledging_works_with_htmx(client, company):
    announcement = company.announce(to_everyone=True, must_read=True)
    client.force_login(company["eli"])
    page = client.get(reverse("announce_detail", args=[announcement.pk])).content.decode()
    assert "I have read and understood" in page
    row = AnnouncementRecipient.objects.get(announcement=announcement, user=company["eli"])
    assert row.opened_at is not None and row.acknowledged_at is None
    url = reverse("announce_acknowledge", args=[announcement.pk])
    fragment = client.post(url, headers={"HX-Request": "true"}).content.decode()
    assert "You acknowledged this" in fragment
    again = client.post(url)
    assert again.status_code == 302
    row.refresh_from_db()
    assert row.acknowledged_at is not None


def test_someone_outside_the_audience_gets_404_everywhere(client, company):
    announcement = company.announce(departments=[company.eng], must_read=True)
    client.force_login(company["sam"])
    assert client.get(reverse("announce_detail", args=[announcement.pk])).status_code == 404
    assert client.post(reverse("announce_acknowledge", args=[announcement.pk])).status_code == 404
    assert client.get(reverse("announce_stats", args=[announcement.pk])).status_code == 404
    assert "Office move" not in client.get(reverse("announce_list")).content.decode()
    api = client.get(f"/api/v1/announcements/{announcement.pk}")
    assert api.status_code == 404


def test_statistics_page_lists_who_has_not_acknowledged(
    client, company, django_assert_max_num_queries
):
    announcement = company.announce(to_everyone=True, must_read=True)
    services.announcement_acknowledge(viewer=company["eli"], announcement_id=announcement.pk)
    client.force_login(company["cora"])
    url = reverse("announce_stats", args=[announcement.pk])
    with CaptureQueriesContext(connection) as small:
        page = client.get(url).content.decode()
    assert "Emma Eng" in page and "Gus Group" in page
    assert "Eli Eng" not in page.split("Not acknowledged yet")[1]
    for n in range(30):
        person(f"x{n}@example.com", f"Extra {n}", department=company.sales)
    bigger = company.announce(to_everyone=True, must_read=True)
    with django_assert_max_num_queries(len(small)):
        page = client.get(reverse("announce_stats", args=[bigger.pk])).content.decode()
    assert page.count("Extra ") == 30
    fragment = client.get(reverse("announce_stats_fragment", args=[announcement.pk]))
    assert (
        fragment.status_code == 200 and 'data-stat="acknowledged">1<' in fragment.content.decode()
    )
    client.force_login(company["eli"])
    assert client.get(url).status_code == 404


def test_notification_settings_page(client, company):
    client.force_login(company["eli"])
    page = client.get(reverse("notifications_settings")).content.decode()
    assert 'name="announcement"' in page
    client.post(reverse("notifications_settings"), {"mention": "on", "reply": "on"})
    company.announce(to_everyone=True)
    assert not company["eli"].notifications.filter(kind="announcement").exists()
    assert company["emma"].notifications.filter(kind="announcement").exists()
    listing = client.get(reverse("notifications_list")).content.decode()
    assert reverse("notifications_settings") in listing


# ---------------------------------------------------------------- the home feed


def _post_at(space: Space, author, when: datetime.datetime, body: str) -> Post:
    post = feed_services.post_create(author=author, space=space, body=body)
    Post.objects.filter(pk=post.pk).update(created_at=when)
    return post


def test_announcements_are_merged_by_time_across_feed_pages(client, company):
    directory_spaces_reconcile()
    space = Space.objects.get(kind=Space.Kind.DEPARTMENT, department=company.eng)
    now = timezone.now()
    for n in range(30):
        _post_at(space, company["emma"], now - datetime.timedelta(hours=n), f"Post number {n}")
    times = {"Newest news": 0.5, "Middle news": 22.5, "Oldest news": 40}
    for title, hours in times.items():
        announcement = company.announce(title=title, departments=[company.eng])
        Announcement.objects.filter(pk=announcement.pk).update(
            published_at=now - datetime.timedelta(hours=hours)
        )
    client.force_login(company["eli"])
    first = client.get(reverse("feed")).content.decode()
    assert "Newest news" in first and "Middle news" not in first
    assert first.index("Post number 0") < first.index("Newest news") < first.index("Post number 1")
    load_more = first[first.index('class="load-more"') :]
    marker = 'hx-get="'
    more = load_more[load_more.index(marker) + len(marker) :].split('"')[0].replace("&amp;", "&")
    second = client.get(more, headers={"HX-Request": "true"}).content.decode()
    assert "Newest news" not in second
    assert (
        second.index("Post number 22")
        < second.index("Middle news")
        < second.index("Post number 23")
    )
    assert second.index("Oldest news") > second.index("Post number 29")
    # Someone outside the department sees none of them.
    client.force_login(company["sam"])
    assert "news" not in client.get(reverse("feed")).content.decode()


def test_urgent_announcement_stays_on_top_of_home_until_acknowledged(client, company):
    directory_spaces_reconcile()
    space = Space.objects.get(kind=Space.Kind.DEPARTMENT, department=company.eng)
    urgent = company.announce(title="Building closed", urgent=True, to_everyone=True)
    Announcement.objects.filter(pk=urgent.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=3)
    )
    feed_services.post_create(author=company["emma"], space=space, body="Fresh post")
    client.force_login(company["eli"])
    home = client.get("/").content.decode()
    assert 'role="alert"' in home
    assert home.index("Building closed") < home.index("Fresh post")
    services.announcement_acknowledge(viewer=company["eli"], announcement_id=urgent.pk)
    home = client.get("/").content.decode()
    assert 'role="alert"' not in home
    assert home.index("Fresh post") < home.index("Building closed")


def test_feed_query_count_does_not_grow_with_announcements(
    client, company, django_assert_max_num_queries
):
    directory_spaces_reconcile()
    space = Space.objects.get(kind=Space.Kind.DEPARTMENT, department=company.eng)
    feed_services.post_create(author=company["emma"], space=space, body="A post")
    company.announce(to_everyone=True, must_read=True)
    company.announce(urgent=True, to_everyone=True)
    client.force_login(company["eli"])
    with CaptureQueriesContext(connection) as few:
        assert client.get("/").status_code == 200
    for n in range(10):
        company.announce(title=f"More {n}", to_everyone=True, must_read=n % 2 == 0)
        company.announce(title=f"Urgent {n}", urgent=True, to_everyone=True)
    with django_assert_max_num_queries(len(few)):
        page = client.get("/").content.decode()
    assert page.count("Urgent announcement") >= 11


def test_opened_endpoint_records_announcements_seen_in_the_feed(client, company):
    mine = company.announce(to_everyone=True)
    other = company.announce(departments=[company.sales])
    client.force_login(company["eli"])
    response = client.post(
        reverse("announce_opened"),
        {"announcements": [mine.pk, other.pk]},
        content_type="application/json",
    )
    assert response.json() == {"opened": 1}
    assert not AnnouncementRecipient.objects.filter(
        announcement=other, user=company["eli"]
    ).exists()
    bad = client.post(reverse("announce_opened"), "nonsense", content_type="application/json")
    assert bad.status_code == 400
