"""Writing, publishing and accepting the policy; the report; the rules; the seed."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rallypoint.core.models import AuditEntry
from rallypoint.governance import selectors, services
from rallypoint.governance.models import (
    ComplianceRule,
    ComplianceSettings,
    PolicyAcknowledgement,
    PolicyVersion,
)
from rallypoint.governance.seed import seed_governance
from rallypoint.notify.models import Notification


def test_only_administrators_write_the_policy(company):
    for key in ("cora", "eli"):
        with pytest.raises(PermissionDenied):
            services.policy_version_save(actor=company[key], title="T", body="B")
    assert not PolicyVersion.objects.exists()


def test_a_draft_is_rendered_and_can_change_until_published(company):
    draft = company.draft(body="Be **kind**\n\n<script>alert(1)</script>")
    assert draft.number is None and draft.published_at is None
    assert "<strong>kind</strong>" in draft.body_html and "<script>" not in draft.body_html
    changed = services.policy_version_save(
        actor=company["ada"], version=draft, title="  Policy   v1 ", body="Now *this*"
    )
    assert changed.pk == draft.pk and changed.title == "Policy v1"
    assert "<em>this</em>" in changed.body_html
    services.policy_version_publish(actor=company["ada"], version=draft)
    with pytest.raises(ValidationError, match="cannot change"):
        services.policy_version_save(actor=company["ada"], version=draft, title="X", body="Y")
    assert AuditEntry.objects.filter(action="governance.policy_drafted").count() == 1
    assert AuditEntry.objects.filter(action="governance.policy_draft_changed").count() == 1


def test_publishing_numbers_versions_in_order_and_asks_everyone(company):
    older_draft = company.draft(title="Written first")
    first = company.publish()
    second = services.policy_version_publish(actor=company["ada"], version=older_draft)
    assert (first.number, second.number) == (1, 2)
    assert selectors.policy_current() == second
    with pytest.raises(ValidationError, match="already published"):
        services.policy_version_publish(actor=company["ada"], version=first)
    notified = set(
        Notification.objects.filter(
            kind=Notification.Kind.POLICY, target_id=str(second.pk)
        ).values_list("recipient__email", flat=True)
    )
    # Every active person but the publisher; the deactivated person is not asked.
    assert notified == {f"{key}@example.com" for key in ("cora", "eli", "emma", "sam", "rita")}
    sample = Notification.objects.filter(kind="policy", target_id=str(first.pk)).first()
    assert sample is not None
    assert sample.url == "/policy/" and "version 1" in sample.summary
    entry = AuditEntry.objects.filter(action="governance.policy_published").latest("pk")
    assert entry.details == {"number": 2, "notified": 5}


def test_publishing_notifies_in_batches(company, monkeypatch):
    monkeypatch.setattr(services, "NOTIFY_BATCH", 2)
    draft = company.draft()
    services.policy_version_publish(actor=company["ada"], version=draft)
    assert Notification.objects.filter(kind=Notification.Kind.POLICY).count() == 5


def test_acknowledging_is_idempotent_and_only_for_the_current_version(company):
    first = company.publish()
    eli = company["eli"]
    assert not selectors.policy_acknowledged(user=eli)
    one = services.policy_acknowledge(user=eli, version=first)
    two = services.policy_acknowledge(user=eli, version=first)
    assert one.pk == two.pk and one.acknowledged_at == two.acknowledged_at
    assert selectors.policy_acknowledged(user=eli)
    assert AuditEntry.objects.filter(action="governance.policy_acknowledged").count() == 1
    second = company.publish(body="Changed")
    assert not selectors.policy_acknowledged(user=eli)
    with pytest.raises(ValidationError, match="not the current policy"):
        services.policy_acknowledge(user=eli, version=first)
    draft = company.draft()
    with pytest.raises(ValidationError):
        services.policy_acknowledge(user=eli, version=draft)
    services.policy_acknowledge(user=eli, version=second)
    assert selectors.policy_acknowledged(user=eli)
    assert PolicyAcknowledgement.objects.filter(user=eli).count() == 2


def test_sharing_is_allowed_while_no_policy_was_ever_published(company):
    company.draft()
    assert selectors.policy_current() is None
    assert selectors.policy_acknowledged(user=company["eli"]) is True


def test_policy_acknowledged_is_one_query(company, django_assert_num_queries):
    company.publish()
    with django_assert_num_queries(1):
        assert selectors.policy_acknowledged(user=company["eli"]) is False


def test_the_report_counts_active_people_per_department(company, django_assert_num_queries):
    version = company.publish()
    for key in ("eli", "sam", "ada"):
        services.policy_acknowledge(user=company[key], version=version)
    with django_assert_num_queries(3):
        report = selectors.policy_report(company["cora"])
    rows = {row.name: (row.people, row.acknowledged, row.rate) for row in report.departments}
    assert rows == {"Engineering": (3, 2, 67), "Sales": (2, 1, 50), "No department": (1, 0, 0)}
    assert (report.people, report.acknowledged, report.rate) == (6, 3, 50)
    assert [p.display_name for p in report.pending] == [
        "Emma Engineer",
        "Cora Comms",
        "Rita Remote",
    ]
    with pytest.raises(PermissionDenied):
        selectors.policy_report(company["eli"])
    rows_csv = list(selectors.policy_report_rows(company["ada"]))
    assert len(rows_csv) == 6
    assert {row[1] for row in rows_csv if row[3] is not None} == {
        "eli@example.com",
        "sam@example.com",
        "ada@example.com",
    }


def test_the_report_without_a_policy_is_empty(company):
    report = selectors.policy_report(company["ada"])
    assert report.version is None and report.people == 0 and report.departments == []


def test_rules_are_validated_and_built_ins_exist_once(company):
    ada = company["ada"]
    services.compliance_rule_save(actor=ada, kind="email", action="warn", value="ignored")
    assert ComplianceRule.objects.get(kind="email").value == ""
    with pytest.raises(ValidationError, match="already a rule of this kind"):
        services.compliance_rule_save(actor=ada, kind="email", action="block")
    with pytest.raises(ValidationError, match="too slow"):
        services.compliance_rule_save(actor=ada, kind="pattern", action="block", value="(a+)+$")
    with pytest.raises(ValidationError, match="Write the term"):
        services.compliance_rule_save(actor=ada, kind="blocked_term", action="block", value=" ")
    with pytest.raises(PermissionDenied):
        services.compliance_rule_save(actor=company["cora"], kind="phone", action="warn")
    term = services.compliance_rule_save(
        actor=ada, kind="blocked_term", action="block", value="  Project   Falcon "
    )
    assert term.value == "Project Falcon"
    services.compliance_rule_set_enabled(actor=ada, rule=term, enabled=False)
    term.refresh_from_db()
    assert not term.enabled
    assert AuditEntry.objects.filter(action="governance.rule_disabled").count() == 1


def test_settings_update_is_audited_and_validated(company):
    ada = company["ada"]
    services.compliance_settings_update(
        actor=ada, disclosure_text=" #ad ", disclosure_action="add", disclosure_overflow="warn"
    )
    stored = ComplianceSettings.objects.get()
    assert (stored.disclosure_text, stored.disclosure_overflow) == ("#ad", "warn")
    with pytest.raises(ValidationError):
        services.compliance_settings_update(
            actor=ada, disclosure_text="", disclosure_action="add", disclosure_overflow="warn"
        )
    entry = AuditEntry.objects.get(action="governance.compliance_settings_changed")
    assert entry.details["after"]["disclosure_text"] == "#ad"


def test_seed_is_idempotent(company):
    first = seed_governance(author=company["ada"])
    again = seed_governance(author=company["ada"])
    assert first.pk == again.pk and first.number == 1
    assert "## Be open about who you are" in first.body
    assert PolicyVersion.objects.count() == 1
    kinds = sorted(ComplianceRule.objects.values_list("kind", "value", "action"))
    assert kinds == [
        ("blocked_term", "confidential", "block"),
        ("blocked_term", "internal only", "block"),
        ("email", "", "warn"),
        ("phone", "", "warn"),
        ("secret", "", "block"),
    ]
    assert ComplianceSettings.objects.get().disclosure_text == "#employee"
    with pytest.raises(ValueError):
        seed_governance(author=company["eli"])
