"""The social media policy, who acknowledged which version, and the rules shares obey.

A ``PolicyVersion`` is a draft until an administrator publishes it; publishing gives it
the next ``number`` (1, 2, 3 … in the order of publication), so numbers only ever grow
and a draft has none. Published versions never change: a correction is a new version.
The current policy is the published version with the highest number.

``ComplianceSettings`` is a single row (pk 1) holding the disclosure; ``ComplianceRule``
rows are the checks run on every share text (see ``compliance.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 200
BODY_MAX = 50_000
SUMMARY_MAX = 2_000
DISCLOSURE_MAX = 60
RULE_VALUE_MAX = 300
RULE_MESSAGE_MAX = 300


class PolicyVersion(models.Model):
    """One version of the social media policy, written in Markdown."""

    number = models.PositiveIntegerField(_("version"), null=True, blank=True, unique=True)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("text"), max_length=BODY_MAX)
    body_html = models.TextField(blank=True, editable=False)
    summary = models.TextField(
        _("summary of changes"),
        max_length=SUMMARY_MAX,
        blank=True,
        help_text=_("What changed since the previous version, shown above the policy."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="policy_versions",
        verbose_name=_("author"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = [models.F("number").desc(nulls_first=True), "-id"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            # Published ⇔ numbered: a draft has neither, a published version both.
            models.CheckConstraint(
                condition=Q(number__isnull=True, published_at__isnull=True)
                | Q(number__isnull=False, published_at__isnull=False),
                name="governance_policy_published_numbered",
            ),
            models.CheckConstraint(
                condition=Q(number__isnull=True) | Q(number__gte=1),
                name="governance_policy_number_positive",
            ),
        ]

    def __str__(self) -> str:
        if self.number is None:
            return f"{self.title} ({_('draft')})"
        return f"{self.title} (v{self.number})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class PolicyAcknowledgement(models.Model):
    """``user`` read and accepted ``version`` at ``acknowledged_at``."""

    version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        related_name="acknowledgements",
        verbose_name=_("policy version"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="policy_acknowledgements",
        verbose_name=_("person"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"))

    class Meta:
        ordering = ["-acknowledged_at"]
        verbose_name = _("policy acknowledgement")
        verbose_name_plural = _("policy acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="governance_ack_once"),
        ]
        indexes = [models.Index(fields=["user", "version"], name="governance_ack_by_user")]

    def __str__(self) -> str:
        return f"{self.user_id} ✓ {self.version_id}"


class ComplianceSettings(models.Model):
    """The disclosure every share carries (one row, pk 1)."""

    class DisclosureAction(models.TextChoices):
        ADD = "add", _("Add it when missing")
        WARN = "warn", _("Warn when missing")
        BLOCK = "block", _("Block when missing")
        OFF = "off", _("No disclosure")

    class Overflow(models.TextChoices):
        BLOCK = "block", _("Block: the person shortens the text")
        WARN = "warn", _("Warn and share without the disclosure")

    disclosure_text = models.CharField(
        _("disclosure"),
        max_length=DISCLOSURE_MAX,
        default="#employee",
        help_text=_("Marks a share as made by an employee, e.g. #employee or #ad."),
    )
    disclosure_action = models.CharField(
        _("when the disclosure is missing"),
        max_length=8,
        choices=DisclosureAction.choices,
        default=DisclosureAction.ADD,
    )
    disclosure_overflow = models.CharField(
        _("when adding it would pass the network's limit"),
        max_length=8,
        choices=Overflow.choices,
        default=Overflow.BLOCK,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("compliance settings")
        verbose_name_plural = _("compliance settings")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="governance_settings_single_row"),
        ]

    def __str__(self) -> str:
        return str(_("Compliance settings"))

    def clean(self) -> None:
        self.disclosure_text = " ".join(self.disclosure_text.split())
        if self.disclosure_action != self.DisclosureAction.OFF and not self.disclosure_text:
            raise ValidationError({"disclosure_text": _("Write the disclosure, or turn it off.")})


class ComplianceRule(models.Model):
    """One check on share texts: a built-in detector or a term or pattern of the company.

    ``value`` is the term (``blocked_term``) or the regular expression (``pattern``);
    built-in detectors have none and exist at most once each. ``compliance.py`` decides
    what a rule matches; ``clean`` only checks that the rule can be run.
    """

    class Kind(models.TextChoices):
        BLOCKED_TERM = "blocked_term", _("Blocked term")
        EMAIL = "email", _("Email addresses")
        PHONE = "phone", _("Phone numbers")
        SECRET = "secret", _("Secrets and API keys")
        PATTERN = "pattern", _("Custom pattern")

    class Action(models.TextChoices):
        BLOCK = "block", _("Block the share")
        WARN = "warn", _("Warn, let the person decide")

    BUILT_IN = (Kind.EMAIL, Kind.PHONE, Kind.SECRET)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    action = models.CharField(
        _("action"), max_length=8, choices=Action.choices, default=Action.WARN
    )
    value = models.CharField(
        _("term or pattern"),
        max_length=RULE_VALUE_MAX,
        blank=True,
        help_text=_(
            "A blocked term matches whole words, whatever the case. A custom pattern is a "
            "regular expression."
        ),
    )
    message = models.CharField(
        _("message"),
        max_length=RULE_MESSAGE_MAX,
        blank=True,
        help_text=_("Shown to the person with what was found; explain what to do instead."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["kind", "value", "id"]
        verbose_name = _("compliance rule")
        verbose_name_plural = _("compliance rules")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind__in=["email", "phone", "secret"]),
                name="governance_rule_builtin_once",
                violation_error_message=_(
                    "There is already a rule of this kind: change that one instead."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["email", "phone", "secret"], value="")
                | Q(kind__in=["blocked_term", "pattern"]) & ~Q(value=""),
                name="governance_rule_value_by_kind",
            ),
        ]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label}: {self.value}" if self.value else str(label)

    def clean(self) -> None:
        from rallypoint.governance.compliance import pattern_problem

        if self.kind in self.BUILT_IN:
            self.value = ""
            return
        if self.kind == self.Kind.BLOCKED_TERM:
            self.value = " ".join(self.value.split())
        if not self.value.strip():
            raise ValidationError({"value": _("Write the term or the pattern.")})
        if self.kind == self.Kind.PATTERN:
            problem = pattern_problem(self.value)
            if problem:
                raise ValidationError({"value": problem})
