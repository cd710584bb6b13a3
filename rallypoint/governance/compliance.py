"""The checks every share text goes through before it leaves Rallypoint.

``share_text_check(text=…, network=…, url=…)`` runs the enabled ``ComplianceRule`` rows
and the disclosure of ``ComplianceSettings`` over a text and answers a
``ComplianceResult``: the text as it would be shared (with the disclosure added when it
was missing and fits), whether anything blocks it, one ``Finding`` per rule that found
something (what was found, masked where it may be a secret), and the length as the
network counts it (``networks.limits``). It never raises on any text.

Order: the rules look at the text the person wrote; a text over the network's limit is
blocked (and gets no disclosure, which would only make it longer); otherwise the
disclosure is added at the end when missing, if the result still fits. Checking the
result again adds nothing, so the sharing code may check twice.

Every regular expression runs with the ``regex`` module and a timeout, so an expensive
custom pattern costs at most ``PATTERN_TIMEOUT`` seconds per check; a pattern that runs
out of time counts as found (a check that cannot finish must not let a text through).
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import regex
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from rallypoint.governance.models import ComplianceRule, ComplianceSettings
from rallypoint.networks import limits
from rallypoint.networks.models import Network

PATTERN_TIMEOUT = 0.05
PATTERN_MAX = 300
SHOWN_PER_RULE = 3
# A custom pattern that takes longer than this on one of these texts is refused.
_STRESS_TEXTS = (
    "a" * 3000 + "!",
    "1" * 3000 + "x",
    ("ab " * 1000) + "#",
    "@" * 2000,
    "x" * 1500 + "@" + "y" * 1500,
)
_STRESS_TIMEOUT = 0.2

BLOCK = "block"
WARN = "warn"
ADDED = "added"

DISCLOSURE = "disclosure"
LENGTH = "length"


@dataclass(frozen=True)
class Finding:
    """What one rule found. ``rule`` is the rule's kind (or ``disclosure``/``length``)."""

    rule: str
    action: str
    message: str

    @property
    def rule_kind(self) -> str:
        return self.rule

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "action": self.action, "message": self.message}


@dataclass(frozen=True)
class ComplianceResult:
    text: str
    blocked: bool
    findings: list[Finding] = field(default_factory=list)
    length: limits.LengthCheck = field(default_factory=lambda: limits.LengthCheck(0, 0))

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.action == WARN]

    @property
    def disclosure_added(self) -> bool:
        return any(finding.action == ADDED for finding in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "blocked": self.blocked,
            "findings": [finding.as_dict() for finding in self.findings],
            "length": {
                "length": self.length.length,
                "limit": self.length.limit,
                "ok": self.length.ok,
                "over_by": self.length.over_by,
            },
        }


# -- built-in detectors ------------------------------------------------------------------

EMAIL = regex.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}@(?:[\w-]{1,63}\.)+[^\W\d_]{2,24}(?![\w-])", regex.UNICODE
)
# Something shaped like a phone number: digits with the usual separators, optionally
# after + or 00 or inside a parenthesised area code. ``_is_phone`` decides.
PHONE_CANDIDATE = regex.compile(
    r"(?<![\w+./-])(?:\+|\()?\d[\d ().\-/]{5,22}\d(?![\w/]|[.-]\d)", regex.ASCII
)
_DATE = regex.compile(r"^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{4}\s*[-/]\s*\d{4})$")
_DECIMAL = regex.compile(r"^\d+\.\d+$")
_NORTH_AMERICAN = regex.compile(r"^(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}$")

# (what it is, its pattern, whether its first characters may be shown)
SECRET_PATTERNS: tuple[tuple[Any, regex.Pattern[str], bool], ...] = (
    (_lazy("AWS access key"), regex.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"), True),
    (_lazy("GitHub token"), regex.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"), True),
    (_lazy("GitHub token"), regex.compile(r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b"), True),
    (_lazy("Slack token"), regex.compile(r"\bxox[abposre]-[A-Za-z0-9-]{10,}"), True),
    (_lazy("Stripe key"), regex.compile(r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}\b"), True),
    (
        _lazy("OpenAI-style API key"),
        regex.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"),
        True,
    ),
    (_lazy("Google API key"), regex.compile(r"\bAIza[0-9A-Za-z_-]{35}(?![\w-])"), True),
    (
        _lazy("private key"),
        regex.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
        False,
    ),
    (
        _lazy("JSON Web Token"),
        regex.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        True,
    ),
)
ASSIGNED_SECRET = regex.compile(
    r"(?i)\b(?:api[_-]?key|apikey|secret|client[_-]?secret|token|access[_-]?token|"
    r"auth[_-]?token|password|passwd|pwd|access[_-]?key)\s*[:=]\s*[\"']?"
    r"([A-Za-z0-9_\-./+=]{16,200})"
)
ENTROPY_MIN = 3.0


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def mask(value: str) -> str:
    """A secret as it may be shown: its first four characters and its length."""
    return _("%(start)s… (%(count)d characters)") % {"start": value[:4], "count": len(value)}


def _mask_email(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}"


def _quoted(values: Iterable[str], *, quote: bool = True) -> str:
    unique = list(dict.fromkeys(values))
    shown = ", ".join(f"“{value}”" if quote else value for value in unique[:SHOWN_PER_RULE])
    if len(unique) > SHOWN_PER_RULE:
        shown += " " + _("and %(count)d more") % {"count": len(unique) - SHOWN_PER_RULE}
    return shown


def _finditer(pattern: regex.Pattern[str], text: str) -> list[regex.Match[str]]:
    return list(pattern.finditer(text, timeout=PATTERN_TIMEOUT))


def _is_phone(candidate: str) -> bool:
    value = candidate.strip()
    digits = sum(char.isdigit() for char in value)
    if not 8 <= digits <= 15:
        return False
    if _DATE.match(value) or _DECIMAL.match(value):
        return False
    if value.startswith("+"):
        return True
    if value.startswith("00") or value.startswith("(0") or value.startswith("0"):
        return 9 <= digits <= 13
    return bool(_NORTH_AMERICAN.match(value))


def find_emails(text: str) -> list[str]:
    return [_mask_email(match.group()) for match in _finditer(EMAIL, text)]


def find_phones(text: str) -> list[str]:
    return [
        " ".join(match.group().split())
        for match in _finditer(PHONE_CANDIDATE, text)
        if _is_phone(match.group())
    ]


def find_secrets(text: str) -> list[str]:
    """Each secret found, described without revealing it (``private key``,
    ``AWS access key AKIA… (20 characters)``)."""
    found: list[str] = []
    for name, pattern, show_start in SECRET_PATTERNS:
        for match in _finditer(pattern, text):
            found.append(f"{name} {mask(match.group())}" if show_start else str(name))
    for match in _finditer(ASSIGNED_SECRET, text):
        value = match.group(1)
        if _entropy(value) >= ENTROPY_MIN and not any(value in item for item in found):
            found.append(
                _("the value of %(key)s, %(masked)s")
                % {
                    "key": match.group().split("=")[0].split(":")[0].strip(),
                    "masked": mask(value),
                }
            )
    return found


def _normalised(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def term_pattern(term: str) -> regex.Pattern[str]:
    """A blocked term as whole words, any case (Unicode case folding), any spacing."""
    words = _normalised(term).split()
    if not words:
        return regex.compile(r"(?!)")
    start = r"(?<!\w)" if regex.match(r"\w", words[0]) else ""
    end = r"(?!\w)" if regex.search(r"\w$", words[-1]) else ""
    body = r"\s+".join(regex.escape(word) for word in words)
    return regex.compile(start + body + end, regex.IGNORECASE | regex.FULLCASE | regex.UNICODE)


def pattern_problem(value: str) -> str | None:
    """Why ``value`` cannot be a custom pattern, or None when it can."""
    if len(value) > PATTERN_MAX:
        return _("Keep the pattern under %(max)d characters.") % {"max": PATTERN_MAX}
    if "\x00" in value:
        return _("The pattern contains a NUL character.")
    try:
        compiled = regex.compile(value)
    except (regex.error, ValueError, OverflowError, RecursionError) as error:
        return _("This is not a valid regular expression: %(error)s") % {"error": error}
    try:
        if compiled.search("", timeout=PATTERN_TIMEOUT) is not None:
            return _("The pattern matches empty text, so it would match every share.")
        for sample in _STRESS_TEXTS:
            compiled.search(sample, timeout=_STRESS_TIMEOUT)
    except TimeoutError:
        return _("The pattern is too slow on long texts; write it more simply.")
    return None


# -- rules -------------------------------------------------------------------------------


def _finding(rule: ComplianceRule, default: str, found: list[str]) -> Finding:
    detail = _quoted(found, quote=rule.kind != ComplianceRule.Kind.SECRET)
    message = f"{rule.message} ({detail})" if rule.message else default % {"found": detail}
    return Finding(rule=rule.kind, action=rule.action, message=message)


def _run_rule(rule: ComplianceRule, text: str) -> Finding | None:
    kind = ComplianceRule.Kind
    try:
        if rule.kind == kind.EMAIL:
            found = find_emails(text)
            default = _("Email address: %(found)s.")
        elif rule.kind == kind.PHONE:
            found = find_phones(text)
            default = _("Phone number: %(found)s.")
        elif rule.kind == kind.SECRET:
            found = find_secrets(text)
            default = _(
                "Secret: %(found)s. Remove it, and have it replaced: it is no longer secret."
            )
        elif rule.kind == kind.BLOCKED_TERM:
            matches = _finditer(term_pattern(rule.value), _normalised(text))
            found = [" ".join(m.group().split()) for m in matches]
            default = _("Blocked term: %(found)s.")
        elif rule.kind == kind.PATTERN:
            matches = _finditer(regex.compile(rule.value), text)
            found = [m.group() if len(m.group()) <= 8 else mask(m.group()) for m in matches]
            default = _("Matches a rule of the company: %(found)s.")
        else:
            return None
    except TimeoutError:
        return Finding(
            rule=rule.kind,
            action=rule.action,
            message=_("The rule “%(rule)s” could not check this text in time.") % {"rule": rule},
        )
    except (regex.error, ValueError, IndexError):
        return None
    return _finding(rule, default, found) if found else None


def disclosure_pattern(disclosure: str) -> regex.Pattern[str]:
    return term_pattern(disclosure)


def _network_name(network: str) -> str:
    try:
        return str(Network(network).label)
    except ValueError:
        return network


def _length_finding(network: str, check: limits.LengthCheck) -> Finding:
    return Finding(
        rule=LENGTH,
        action=BLOCK,
        message=_(
            "The text is %(length)d characters long on %(network)s, over the limit of "
            "%(limit)d: shorten it by %(over)d."
        )
        % {
            "length": check.length,
            "network": _network_name(network),
            "limit": check.limit,
            "over": check.over_by,
        },
    )


def _with_disclosure(text: str, disclosure: str) -> str:
    stripped = text.rstrip()
    return f"{stripped} {disclosure}" if stripped else disclosure


def _disclosure(
    settings: ComplianceSettings, text: str, network: str, url: str
) -> tuple[str, Finding | None]:
    action = settings.disclosure_action
    disclosure = settings.disclosure_text.strip()
    actions = ComplianceSettings.DisclosureAction
    if action == actions.OFF or not disclosure:
        return text, None
    if disclosure_pattern(disclosure).search(_normalised(text), timeout=PATTERN_TIMEOUT):
        return text, None
    values: dict[str, object] = {"disclosure": disclosure}
    if action == actions.WARN:
        return text, Finding(
            DISCLOSURE, WARN, _("The disclosure “%(disclosure)s” is missing.") % values
        )
    if action == actions.BLOCK:
        return text, Finding(
            DISCLOSURE,
            BLOCK,
            _("Add the disclosure “%(disclosure)s” to the text.") % values,
        )
    candidate = _with_disclosure(text, disclosure)
    check = limits.check(network, candidate, url)
    if check.ok:
        return candidate, Finding(
            DISCLOSURE, ADDED, _("The disclosure “%(disclosure)s” was added at the end.") % values
        )
    values.update({"network": _network_name(network), "limit": check.limit, "over": check.over_by})
    if settings.disclosure_overflow == ComplianceSettings.Overflow.WARN:
        return text, Finding(
            DISCLOSURE,
            WARN,
            _(
                "The disclosure “%(disclosure)s” does not fit in %(network)s's limit of "
                "%(limit)d: the text is shared without it."
            )
            % values,
        )
    return text, Finding(
        DISCLOSURE,
        BLOCK,
        ngettext(
            "The disclosure “%(disclosure)s” does not fit in %(network)s's limit of "
            "%(limit)d: shorten the text by %(over)d character.",
            "The disclosure “%(disclosure)s” does not fit in %(network)s's limit of "
            "%(limit)d: shorten the text by %(over)d characters.",
            check.over_by,
        )
        % values,
    )


def compliance_settings() -> ComplianceSettings:
    """The stored settings, or the defaults when none were saved (not written)."""
    return ComplianceSettings.objects.filter(pk=1).first() or ComplianceSettings(pk=1)


def share_text_check(
    *,
    text: str,
    network: str,
    url: str = "",
    settings: ComplianceSettings | None = None,
    rules: Iterable[ComplianceRule] | None = None,
) -> ComplianceResult:
    """Check ``text`` to be shared on ``network`` with ``url``; see the module docstring.

    ``settings`` and ``rules`` default to what is stored (two queries); pass them to check
    many texts against the same rules, or to try unsaved ones.
    """
    text = text.replace("\x00", "")
    if settings is None:
        settings = compliance_settings()
    if rules is None:
        rules = ComplianceRule.objects.filter(enabled=True)
    findings = [
        finding for rule in rules if rule.enabled and (finding := _run_rule(rule, text)) is not None
    ]
    length = limits.check(network, text, url)
    if not length.ok:
        findings.append(_length_finding(network, length))
    else:
        text, disclosure = _disclosure(settings, text, network, url)
        if disclosure is not None:
            findings.append(disclosure)
            length = limits.check(network, text, url)
    return ComplianceResult(
        text=text,
        blocked=any(finding.action == BLOCK for finding in findings),
        findings=findings,
        length=length,
    )
