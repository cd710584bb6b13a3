"""A first social media policy and the default sharing rules, for a new company or the demo.

``seed_governance(author=…)`` may run any number of times: it publishes version 1 only
when no version exists, and adds each default rule only when no rule of that kind (and
term) exists, so rules an administrator changed are left as they are.
"""

from __future__ import annotations

from django.db import transaction

from rallypoint.governance import services
from rallypoint.governance.models import ComplianceRule, ComplianceSettings, PolicyVersion
from rallypoint.people.models import User

POLICY_TITLE = "Social media policy"
POLICY_SUMMARY = "First version."
POLICY_BODY = (
    "We are proud of our work and glad when you talk about it. This policy explains how "
    "to speak about the company on social networks, in your own name, safely and "
    "honestly.\n"
    "\n"
    "## Be open about who you are\n"
    "\n"
    "- Say that you work here when you share company content. Rallypoint adds the "
    "disclosure #employee to what you share through it; keep it there.\n"
    '- Speak for yourself. Unless you are a spokesperson, write "I think", not "the '
    'company thinks".\n'
    "\n"
    "## Keep what is internal, internal\n"
    "\n"
    "- Never share anything marked *confidential* or *internal only*, unreleased "
    "products, financial results before they are published, or customer names without "
    "their consent.\n"
    "- Never post personal data: colleagues' or customers' email addresses, phone "
    "numbers, photos without consent.\n"
    "- Never post passwords, API keys or access tokens. If one leaks, tell the security "
    "team at once so that it can be replaced.\n"
    "\n"
    "## Be respectful\n"
    "\n"
    "- Treat people online as you would in the office: no harassment, no "
    "discrimination.\n"
    "- Do not argue with critics in the company's name: pass complaints on to the "
    "communications team.\n"
    "\n"
    "## When in doubt\n"
    "\n"
    "Ask the communications team before you post. Rallypoint checks every text before "
    "it is shared and tells you what to change; the check helps, but you remain "
    "responsible for what you publish.\n"
    "\n"
    "## Breaches\n"
    "\n"
    "Breaking this policy may lead to the removal of your sharing access and, in "
    "serious cases, to disciplinary measures.\n"
)

DEFAULT_RULES: tuple[tuple[str, str, str, str], ...] = (
    (ComplianceRule.Kind.EMAIL, ComplianceRule.Action.WARN, "", ""),
    (ComplianceRule.Kind.PHONE, ComplianceRule.Action.WARN, "", ""),
    (ComplianceRule.Kind.SECRET, ComplianceRule.Action.BLOCK, "", ""),
    (
        ComplianceRule.Kind.BLOCKED_TERM,
        ComplianceRule.Action.BLOCK,
        "confidential",
        "Confidential information is never shared outside the company.",
    ),
    (
        ComplianceRule.Kind.BLOCKED_TERM,
        ComplianceRule.Action.BLOCK,
        "internal only",
        "Internal information is never shared outside the company.",
    ),
)


@transaction.atomic
def seed_governance(*, author: User) -> PolicyVersion:
    """Publish policy version 1 (by ``author``, an administrator) if none exists, and add
    the default disclosure and rules; return the current policy."""
    if not author.is_administrator:
        raise ValueError("The policy is written by an administrator.")
    ComplianceSettings.objects.get_or_create(pk=1)
    for kind, action, value, message in DEFAULT_RULES:
        if not ComplianceRule.objects.filter(kind=kind, value__iexact=value).exists():
            services.compliance_rule_save(
                actor=author, kind=kind, action=action, value=value, message=message
            )
    current = PolicyVersion.objects.filter(number__isnull=False).order_by("-number").first()
    if current is not None:
        return current
    draft = PolicyVersion.objects.filter(number__isnull=True, title=POLICY_TITLE).first()
    if draft is None:
        draft = services.policy_version_save(
            actor=author, title=POLICY_TITLE, body=POLICY_BODY, summary=POLICY_SUMMARY
        )
    return services.policy_version_publish(actor=author, version=draft)
