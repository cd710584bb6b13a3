"""Every write to the policy and the compliance rules.

Administrators write and publish policy versions and manage the rules; everyone
acknowledges the current policy. Publishing numbers the version (one more than the
highest published number, so numbers only grow) and asks every active person, with a
notification, to read and acknowledge it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rallypoint.core.audit import audit_record
from rallypoint.core.markdown import render_markdown
from rallypoint.governance import selectors
from rallypoint.governance.models import (
    ComplianceRule,
    ComplianceSettings,
    PolicyAcknowledgement,
    PolicyVersion,
)
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_notify
from rallypoint.people.models import User

NOTIFY_BATCH = 1000
PUBLISH_ATTEMPTS = 3


def _require_administrator(actor: User) -> None:
    if not actor.is_administrator:
        raise PermissionDenied(_("Only administrators manage the social media policy."))


@transaction.atomic
def policy_version_save(
    *,
    actor: User,
    title: str,
    body: str,
    summary: str = "",
    version: PolicyVersion | None = None,
    request: HttpRequest | None = None,
) -> PolicyVersion:
    """Write a new draft, or change ``version`` if it is still a draft."""
    _require_administrator(actor)
    if version is None:
        version = PolicyVersion(author=actor)
    else:
        version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
        if version.is_published:
            raise ValidationError(
                _("A published version cannot change: write a new version instead.")
            )
    created = version.pk is None
    version.title = " ".join(title.split())
    version.body = body.strip()
    version.summary = summary.strip()
    version.body_html = str(render_markdown(version.body))
    version.full_clean()
    version.save()
    audit_record(
        action="governance.policy_drafted" if created else "governance.policy_draft_changed",
        actor=actor,
        target=version,
        request=request,
    )
    return version


@transaction.atomic
def policy_version_delete(
    *, actor: User, version: PolicyVersion, request: HttpRequest | None = None
) -> None:
    """Throw a draft away (published versions stay for the record)."""
    _require_administrator(actor)
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_published:
        raise ValidationError(_("A published version is kept for the record."))
    audit_record(
        action="governance.policy_draft_deleted", actor=actor, target=locked, request=request
    )
    locked.delete()


def _notify_everyone(version: PolicyVersion, actor: User) -> int:
    """Ask every active person to read ``version``, ``NOTIFY_BATCH`` people at a time."""
    url = reverse("governance_policy")
    summary = _("New social media policy (version %(number)d): please read and accept it.") % {
        "number": version.number
    }
    ids = User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    notified = 0
    last = 0
    while True:
        batch = list(ids.filter(pk__gt=last)[:NOTIFY_BATCH])
        if not batch:
            return notified
        last = batch[-1]
        notified += len(
            notification_notify(
                recipients=[User(pk=pk) for pk in batch],
                kind=Notification.Kind.POLICY,
                actor=actor,
                space=None,
                target=version,
                url=url,
                summary=summary,
                bypass_preferences=True,
            )
        )


@transaction.atomic
def policy_version_publish(
    *, actor: User, version: PolicyVersion, request: HttpRequest | None = None
) -> PolicyVersion:
    """Publish a draft as the next version and ask everyone to acknowledge it.

    The notification goes to every active person whatever their settings: until they
    accept the new version they cannot share through Rallypoint.
    """
    _require_administrator(actor)
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if locked.is_published:
        raise ValidationError(_("This version is already published."))
    for attempt in range(PUBLISH_ATTEMPTS):
        locked.published_at = timezone.now()
        highest = PolicyVersion.objects.aggregate(highest=Max("number"))["highest"] or 0
        locked.number = highest + 1
        try:
            with transaction.atomic():
                locked.save(update_fields=["number", "published_at", "updated_at"])
            break
        except IntegrityError as error:
            # Another version took this number at the same moment: take the next one.
            if attempt == PUBLISH_ATTEMPTS - 1:
                raise ValidationError(
                    _("Another version was published at the same time; try again.")
                ) from error
    notified = _notify_everyone(locked, actor)
    audit_record(
        action="governance.policy_published",
        actor=actor,
        target=locked,
        request=request,
        details={"number": locked.number, "notified": notified},
    )
    version.number, version.published_at = locked.number, locked.published_at
    return locked


@transaction.atomic
def policy_acknowledge(
    *, user: User, version: PolicyVersion, request: HttpRequest | None = None
) -> PolicyAcknowledgement:
    """``user`` reads and accepts ``version``, which must be the current policy.

    Idempotent: accepting again returns the first acknowledgement unchanged.
    """
    current = selectors.policy_current()
    if current is None or current.pk != version.pk:
        raise ValidationError(
            _("This is not the current policy: read the current version and accept it.")
        )
    existing = PolicyAcknowledgement.objects.filter(version=current, user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            acknowledgement = PolicyAcknowledgement.objects.create(
                version=current, user=user, acknowledged_at=timezone.now()
            )
    except IntegrityError:
        # A second click at the same moment: the first one counts.
        return PolicyAcknowledgement.objects.get(version=current, user=user)
    audit_record(
        action="governance.policy_acknowledged",
        actor=user,
        target=current,
        request=request,
        details={"number": current.number},
    )
    return acknowledgement


@transaction.atomic
def compliance_settings_update(
    *,
    actor: User,
    disclosure_text: str,
    disclosure_action: str,
    disclosure_overflow: str,
    request: HttpRequest | None = None,
) -> ComplianceSettings:
    _require_administrator(actor)
    settings, _created = ComplianceSettings.objects.select_for_update().get_or_create(pk=1)
    before = _settings_values(settings)
    settings.disclosure_text = disclosure_text
    settings.disclosure_action = disclosure_action
    settings.disclosure_overflow = disclosure_overflow
    settings.updated_by = actor
    settings.full_clean()
    settings.save()
    audit_record(
        action="governance.compliance_settings_changed",
        actor=actor,
        target=settings,
        request=request,
        details={"before": before, "after": _settings_values(settings)},
    )
    return settings


def _settings_values(settings: ComplianceSettings) -> dict[str, Any]:
    return {
        "disclosure_text": settings.disclosure_text,
        "disclosure_action": settings.disclosure_action,
        "disclosure_overflow": settings.disclosure_overflow,
    }


def _rule_values(rule: ComplianceRule) -> dict[str, Any]:
    return {
        "kind": rule.kind,
        "action": rule.action,
        "value": rule.value,
        "message": rule.message,
        "enabled": rule.enabled,
    }


@transaction.atomic
def compliance_rule_save(
    *,
    actor: User,
    kind: str,
    action: str,
    value: str = "",
    message: str = "",
    enabled: bool = True,
    rule: ComplianceRule | None = None,
    request: HttpRequest | None = None,
) -> ComplianceRule:
    """Add a rule, or change ``rule``. Built-in detectors exist once each."""
    _require_administrator(actor)
    if rule is None:
        rule = ComplianceRule(created_by=actor)
    else:
        rule = ComplianceRule.objects.select_for_update().get(pk=rule.pk)
    before = _rule_values(rule) if rule.pk else None
    rule.kind, rule.action, rule.value = kind, action, value
    rule.message, rule.enabled = " ".join(message.split()), enabled
    rule.full_clean(validate_constraints=False)
    if (
        rule.kind in ComplianceRule.BUILT_IN
        and ComplianceRule.objects.filter(kind=rule.kind).exclude(pk=rule.pk).exists()
    ):
        raise ValidationError(
            {"kind": _("There is already a rule of this kind: change that one instead.")}
        )
    rule.save()
    audit_record(
        action="governance.rule_changed" if before else "governance.rule_added",
        actor=actor,
        target=rule,
        request=request,
        details={"before": before, "after": _rule_values(rule)},
    )
    return rule


@transaction.atomic
def compliance_rule_set_enabled(
    *, actor: User, rule: ComplianceRule, enabled: bool, request: HttpRequest | None = None
) -> ComplianceRule:
    _require_administrator(actor)
    locked = ComplianceRule.objects.select_for_update().get(pk=rule.pk)
    if locked.enabled != enabled:
        locked.enabled = enabled
        locked.save(update_fields=["enabled", "updated_at"])
        audit_record(
            action="governance.rule_enabled" if enabled else "governance.rule_disabled",
            actor=actor,
            target=locked,
            request=request,
        )
    return locked
