"""The announcements API: list, get, publish, acknowledge, statistics."""

from __future__ import annotations

from rallypoint.announce.models import Announcement, AnnouncementRecipient


def test_list_and_get_only_what_is_for_me(client, company):
    mine = company.announce(to_everyone=True, must_read=True)
    company.announce(title="Sales only", departments=[company.sales])
    client.force_login(company["eli"])
    page = client.get("/api/v1/announcements").json()
    assert page["count"] == 1 and page["items"][0]["id"] == mine.pk
    assert page["items"][0]["acknowledged_at"] is None
    one = client.get(f"/api/v1/announcements/{mine.pk}").json()
    assert one["must_read"] is True and "<strong>move</strong>" in one["body_html"]


def test_acknowledge_through_the_api_is_idempotent(client, company):
    announcement = company.announce(to_everyone=True, must_read=True)
    client.force_login(company["eli"])
    url = f"/api/v1/announcements/{announcement.pk}/acknowledge"
    first = client.post(url)
    second = client.post(url)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert client.get(f"/api/v1/announcements/{announcement.pk}").json()["acknowledged_at"]


def test_acknowledge_after_leaving_the_audience_is_404(client, company):
    announcement = company.announce(departments=[company.eng], must_read=True)
    eli = company["eli"]
    eli.department = company.sales
    eli.save()
    client.force_login(eli)
    assert client.post(f"/api/v1/announcements/{announcement.pk}/acknowledge").status_code == 404
    assert client.get(f"/api/v1/announcements/{announcement.pk}").status_code == 404
    assert not AnnouncementRecipient.objects.filter(
        announcement=announcement, user=eli, acknowledged_at__isnull=False
    ).exists()


def test_publish_through_the_api(client, company):
    body = {
        "title": "From a script",
        "body": "Hello",
        "department_ids": [company.eng.pk],
        "must_read": True,
        "reminder_after_days": 2,
    }
    client.force_login(company["eli"])
    assert (
        client.post("/api/v1/announcements", body, content_type="application/json").status_code
        == 403
    )
    client.force_login(company["cora"])
    response = client.post("/api/v1/announcements", body, content_type="application/json")
    assert response.status_code == 201
    announcement = Announcement.objects.get(pk=response.json()["id"])
    assert announcement.is_published
    assert AnnouncementRecipient.objects.filter(announcement=announcement).count() == 3
    unknown = client.post(
        "/api/v1/announcements",
        {**body, "department_ids": [99999]},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    nobody = client.post(
        "/api/v1/announcements",
        {"title": "x", "body": "y"},
        content_type="application/json",
    )
    assert nobody.status_code == 422


def test_stats_for_the_author_only(client, company):
    announcement = company.announce(to_everyone=True, must_read=True)
    client.force_login(company["eli"])
    client.post(f"/api/v1/announcements/{announcement.pk}/acknowledge")
    assert client.get(f"/api/v1/announcements/{announcement.pk}/stats").status_code == 404
    client.force_login(company["cora"])
    stats = client.get(f"/api/v1/announcements/{announcement.pk}/stats").json()
    assert stats["total"] == {"delivered": 7, "opened": 1, "acknowledged": 1}
    pending = {row["display_name"] for row in stats["not_acknowledged"]}
    assert "Eli Eng" not in pending and "Emma Eng" in pending
