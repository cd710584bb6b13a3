"""The policy pages: reading and accepting, managing versions, the report, the rules."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from rallypoint.governance import selectors, services
from rallypoint.governance.models import ComplianceRule, ComplianceSettings, PolicyVersion

ADMIN_PAGES: list[tuple[str, list[int]]] = [
    ("governance_policy_manage", []),
    ("governance_policy_new", []),
    ("governance_rules", []),
    ("governance_rule_new", []),
]


@pytest.mark.parametrize(("name", "args"), ADMIN_PAGES)
def test_administrator_pages_are_404_for_everyone_else(client, company, name, args):
    for key in ("cora", "eli"):
        client.force_login(company[key])
        assert client.get(reverse(name, args=args)).status_code == 404
    client.force_login(company["ada"])
    assert client.get(reverse(name, args=args)).status_code == 200


def test_version_and_rule_pages_are_404_for_everyone_else(client, company):
    draft = company.draft()
    rule = services.compliance_rule_save(actor=company["ada"], kind="email", action="warn")
    urls = [
        reverse("governance_policy_version", args=[draft.pk]),
        reverse("governance_policy_edit", args=[draft.pk]),
        reverse("governance_policy_publish", args=[draft.pk]),
        reverse("governance_rule_edit", args=[rule.pk]),
    ]
    client.force_login(company["cora"])
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("governance_policy_publish", args=[draft.pk]),
        reverse("governance_policy_delete", args=[draft.pk]),
        reverse("governance_rule_enabled", args=[rule.pk]),
    ):
        assert client.post(url, {"confirm": "yes", "enabled": "0"}).status_code == 404
    draft.refresh_from_db()
    rule.refresh_from_db()
    assert draft.number is None and rule.enabled
    client.force_login(company["ada"])
    assert client.get(reverse("governance_policy_version", args=[draft.pk + 99])).status_code == 404


def test_the_report_is_for_communications_and_administrators(client, company):
    company.publish()
    client.force_login(company["eli"])
    assert client.get(reverse("governance_policy_report")).status_code == 404
    assert client.get(reverse("governance_policy_report_csv")).status_code == 404
    for key in ("cora", "ada"):
        client.force_login(company[key])
        assert client.get(reverse("governance_policy_report")).status_code == 200


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("governance_policy"))
    assert response.status_code == 302 and "next=/policy/" in response["Location"]


def test_the_policy_page_without_a_policy(client, company):
    client.force_login(company["eli"])
    page = client.get(reverse("governance_policy"), {"next": "/library/5/share/"})
    assert "No social media policy has been published yet." in page.content.decode()
    assert 'href="/library/5/share/"' in page.content.decode()


def test_accept_and_return_where_the_person_came_from(
    client, company, django_assert_max_num_queries
):
    version = company.publish(body="# Be honest\n\nSay **who you are**.")
    client.force_login(company["eli"])
    with django_assert_max_num_queries(8):
        page = client.get(reverse("governance_policy"), {"next": "/library/5/share/"})
    html = page.content.decode()
    assert "<strong>who you are</strong>" in html and "<h3>Be honest</h3>" in html
    assert "What changed:" in html and "New rules" in html
    assert 'name="next" value="/library/5/share/"' in html
    response = client.post(
        reverse("governance_policy"), {"version": version.number, "next": "/library/5/share/"}
    )
    assert response.status_code == 302 and response["Location"] == "/library/5/share/"
    assert selectors.policy_acknowledged(user=company["eli"])
    html = client.get(reverse("governance_policy")).content.decode()
    assert "You accepted this version on" in html and "I have read and accept" not in html


@pytest.mark.parametrize(
    "unsafe",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_outside_rallypoint_is_ignored(client, company, unsafe):
    version = company.publish()
    client.force_login(company["eli"])
    assert unsafe not in client.get(reverse("governance_policy"), {"next": unsafe}).content.decode()
    response = client.post(
        reverse("governance_policy"), {"version": version.number, "next": unsafe}
    )
    assert response["Location"] == reverse("governance_policy")


def test_accepting_an_older_version_asks_to_read_the_new_one(client, company):
    company.publish()
    client.force_login(company["eli"])
    company.publish(body="Second")
    response = client.post(
        reverse("governance_policy"), {"version": 1, "next": "/library/5/share/"}, follow=True
    )
    assert "A newer version of the policy was published meanwhile" in response.content.decode()
    assert response.redirect_chain[0][0] == "/policy/?next=%2Flibrary%2F5%2Fshare%2F"
    assert not selectors.policy_acknowledged(user=company["eli"])


def test_write_preview_and_publish_a_version(client, company):
    client.force_login(company["ada"])
    data = {"title": "Policy 2027", "summary": "Shorter", "body": "Be *nice*"}
    preview = client.post(reverse("governance_policy_new"), {**data, "action": "preview"})
    assert "<em>nice</em>" in preview.content.decode() and not PolicyVersion.objects.exists()
    saved = client.post(reverse("governance_policy_new"), {**data, "action": "save"})
    draft = PolicyVersion.objects.get()
    assert saved["Location"] == reverse("governance_policy_version", args=[draft.pk])
    edited = client.post(
        reverse("governance_policy_edit", args=[draft.pk]), {**data, "body": "Be *kind*"}
    )
    assert edited.status_code == 302
    confirm = client.get(reverse("governance_policy_publish", args=[draft.pk])).content.decode()
    assert "6 active people will be notified" in confirm
    refused = client.post(reverse("governance_policy_publish", args=[draft.pk]), follow=True)
    assert "Tick the box" in refused.content.decode()
    assert PolicyVersion.objects.get().number is None
    client.post(reverse("governance_policy_publish", args=[draft.pk]), {"confirm": "yes"})
    published = PolicyVersion.objects.get()
    assert published.number == 1 and "<em>kind</em>" in published.body_html
    page = client.get(reverse("governance_policy_edit", args=[draft.pk]), follow=True)
    assert "A published version cannot change" in page.content.decode()


def test_manage_page_query_count(client, company, django_assert_max_num_queries):
    for number in range(4):
        company.publish(body=f"Version {number}")
    company.draft()
    client.force_login(company["ada"])
    with django_assert_max_num_queries(8):
        page = client.get(reverse("governance_policy_manage"))
    assert page.content.decode().count("governance") >= 1
    assert "v4" in page.content.decode() and "Draft" in page.content.decode()


def test_report_page_and_csv(client, company, django_assert_max_num_queries):
    version = company.publish()
    services.policy_acknowledge(user=company["eli"], version=version)
    company["sam"].display_name = "=cmd|' /C calc'!A0"
    company["sam"].save()
    client.force_login(company["cora"])
    with django_assert_max_num_queries(9):
        html = client.get(reverse("governance_policy_report")).content.decode()
    assert "Engineering" in html and "33%" in html and "Emma Engineer" in html
    response = client.get(reverse("governance_policy_report_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Name", "Email", "Department", "Version", "Accepted at (UTC)"]
    by_email = {row[1]: row for row in rows[1:]}
    assert len(by_email) == 6 and by_email["eli@example.com"][3] == "1"
    assert by_email["eli@example.com"][4].endswith("+00:00")
    assert by_email["emma@example.com"][4] == ""
    assert by_email["sam@example.com"][0].startswith("'=")


def test_rules_page_settings_rules_and_try_box(client, company, django_assert_max_num_queries):
    client.force_login(company["ada"])
    client.post(
        reverse("governance_rules"),
        {
            "action": "settings",
            "disclosure_text": "#ad",
            "disclosure_action": "add",
            "disclosure_overflow": "block",
        },
    )
    assert ComplianceSettings.objects.get().disclosure_text == "#ad"
    response = client.post(
        reverse("governance_rule_new"),
        {"kind": "pattern", "action": "block", "value": "(a+)+$", "message": "", "enabled": "on"},
    )
    assert "too slow" in response.content.decode()
    client.post(
        reverse("governance_rule_new"),
        {"kind": "blocked_term", "action": "block", "value": "Falcon", "enabled": "on"},
    )
    rule = ComplianceRule.objects.get()
    with django_assert_max_num_queries(8):
        page = client.post(
            reverse("governance_rules"),
            {"action": "try", "text": "Falcon launches soon", "network": "x", "url": ""},
        )
    html = page.content.decode()
    assert "Blocked term: “Falcon”." in html and "Blocked" in html
    client.post(reverse("governance_rule_enabled", args=[rule.pk]), {"enabled": "0"})
    rule.refresh_from_db()
    assert not rule.enabled
    html = client.post(
        reverse("governance_rules"),
        {"action": "try", "text": "Falcon launches soon", "network": "x", "url": ""},
    ).content.decode()
    assert "Falcon launches soon #ad" in html and "Blocked term:" not in html
    edit = client.post(
        reverse("governance_rule_edit", args=[rule.pk]),
        {"kind": "blocked_term", "action": "warn", "value": "Falcon", "enabled": "on"},
    )
    assert edit.status_code == 302
    rule.refresh_from_db()
    assert rule.action == "warn" and rule.enabled


def test_a_second_built_in_rule_of_a_kind_is_refused_with_a_clear_message(client, company):
    services.compliance_rule_save(actor=company["ada"], kind="email", action="warn")
    client.force_login(company["ada"])
    response = client.post(
        reverse("governance_rule_new"), {"kind": "email", "action": "block", "enabled": "on"}
    )
    assert response.status_code == 200
    assert "There is already a rule of this kind" in response.content.decode()
    assert ComplianceRule.objects.count() == 1
