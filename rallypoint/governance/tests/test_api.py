"""The policy API: the current policy, accepting it, the report, checking a text."""

from __future__ import annotations

from rallypoint.api.services import token_create
from rallypoint.governance import services


def test_current_policy_before_and_after_publishing(client, company):
    client.force_login(company["eli"])
    empty = client.get("/api/v1/policy/current").json()
    assert empty == {"policy": None, "acknowledged_at": None, "may_share": True}
    company.publish(body="Be **kind**")
    current = client.get("/api/v1/policy/current").json()
    assert (
        current["policy"]["number"] == 1
        and "<strong>kind</strong>" in current["policy"]["body_html"]
    )
    assert current["may_share"] is False and current["acknowledged_at"] is None


def test_acknowledge_through_the_api_with_a_token(client, company):
    version = company.publish()
    token = token_create(user=company["eli"], name="script")[1]
    headers = {"Authorization": f"Bearer {token}"}
    wrong = client.post(
        "/api/v1/policy/acknowledge",
        {"number": 7},
        content_type="application/json",
        headers=headers,
    )
    assert wrong.status_code == 409 and "Version 1 is the current policy" in wrong.json()["detail"]
    first = client.post(
        "/api/v1/policy/acknowledge",
        {"number": 1},
        content_type="application/json",
        headers=headers,
    )
    second = client.post(
        "/api/v1/policy/acknowledge",
        {"number": 1},
        content_type="application/json",
        headers=headers,
    )
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() and first.json()["number"] == version.number
    current = client.get("/api/v1/policy/current", headers=headers).json()
    assert current["may_share"] is True and current["acknowledged_at"]


def test_acknowledge_without_a_policy_is_404(client, company):
    client.force_login(company["eli"])
    response = client.post(
        "/api/v1/policy/acknowledge", {"number": 1}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "No social media policy is published."


def test_report_is_for_communications_and_administrators(client, company):
    version = company.publish()
    services.policy_acknowledge(user=company["sam"], version=version)
    client.force_login(company["eli"])
    assert client.get("/api/v1/policy/report").status_code == 403
    client.force_login(company["cora"])
    report = client.get("/api/v1/policy/report").json()
    assert report["people"] == 6 and report["acknowledged"] == 1 and report["rate"] == 17
    assert {"department": "Sales", "people": 2, "acknowledged": 1, "rate": 50} in report[
        "departments"
    ]
    assert {p["display_name"] for p in report["not_acknowledged"]} >= {
        "Eli Engineer",
        "Rita Remote",
    }


def test_check_a_text(client, company):
    services.compliance_rule_save(actor=company["ada"], kind="secret", action="block")
    client.force_login(company["eli"])
    result = client.post(
        "/api/v1/policy/check",
        {"text": "Great news!", "network": "x", "url": "https://example.com/news"},
        content_type="application/json",
    ).json()
    assert result["text"] == "Great news! #employee" and result["blocked"] is False
    assert result["findings"] == [
        {
            "rule": "disclosure",
            "action": "added",
            "message": "The disclosure “#employee” was added at the end.",
        }
    ]
    assert result["length"] == {"length": 45, "limit": 280, "ok": True, "over_by": 0}
    secret = client.post(
        "/api/v1/policy/check",
        {"text": "key AKIAIOSFODNN7EXAMPLE", "network": "mastodon"},
        content_type="application/json",
    ).json()
    assert secret["blocked"] is True
    assert "AKIAIOSFODNN7EXAMPLE" not in str(secret["findings"])
    assert "AWS access key AKIA… (20 characters)" in secret["findings"][0]["message"]


def test_check_refuses_bad_input(client, company):
    client.force_login(company["eli"])
    for body in (
        {"text": "x", "network": "myspace"},
        {"text": "x" * 10_001, "network": "x"},
        {"text": "x", "network": "x", "url": "javascript:alert(1)"},
        {"text": "x", "network": "x", "extra": 1},
    ):
        response = client.post("/api/v1/policy/check", body, content_type="application/json")
        assert response.status_code == 422, body
