"""The checks on share texts: detectors, terms, patterns, the disclosure and the length."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rallypoint.governance.compliance import (
    ADDED,
    BLOCK,
    WARN,
    find_emails,
    find_phones,
    find_secrets,
    pattern_problem,
    share_text_check,
)
from rallypoint.governance.models import ComplianceRule, ComplianceSettings
from rallypoint.networks.models import Network

Kind = ComplianceRule.Kind


def rule(kind: str, action: str = BLOCK, value: str = "", message: str = "") -> ComplianceRule:
    return ComplianceRule(kind=kind, action=action, value=value, message=message)


DEFAULT_RULES = [
    rule(Kind.EMAIL, WARN),
    rule(Kind.PHONE, WARN),
    rule(Kind.SECRET, BLOCK),
    rule(Kind.BLOCKED_TERM, BLOCK, "confidential"),
    rule(Kind.BLOCKED_TERM, BLOCK, "internal only"),
]


def check(text: str, network: str = Network.LINKEDIN, url: str = "", **options: str):
    stored = ComplianceSettings(pk=1, **options)
    return share_text_check(
        text=text, network=network, url=url, settings=stored, rules=DEFAULT_RULES
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Write to jane.doe@example.com today", ["j•••@example.com"]),
        ("two: a@b.io, ZOË+news@mail.example.co.uk", ["a•••@b.io", "Z•••@mail.example.co.uk"]),
        ("our handle is @rallypoint", []),
        ("version 1.2@3", []),
    ],
)
def test_emails_are_found_and_masked(text, expected):
    assert find_emails(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Call +44 20 7946 0958",
        "call +1 (415) 555-0132 now",
        "Ring 030 12345678",
        "Ring 0049 30 1234567",
        "(415) 555-0132",
        "415-555-0132",
        "+33612345678",
        "Tel. 06 12 34 56 78",
    ],
)
def test_phone_numbers_in_international_and_national_formats(text):
    assert find_phones(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Since 2019 we grew",
        "from 2019-2024",
        "on 2024-01-15 and 15.01.2024 and 01/15/2024",
        "room 1234, floor 7",
        "pi is 3.14159265358",
        "we sold 12345678 units",
        "order 20240115",
        "ISBN 978-3-16-148410-0",
        "call 555-0132",
    ],
)
def test_years_dates_and_other_numbers_are_not_phone_numbers(text):
    assert find_phones(text) == []


SECRETS = {
    "AWS access key": "AKIAIOSFODNN7EXAMPLE",
    "GitHub token": "ghp_" + "A1b2C3d4E5" * 4,
    "GitHub fine-grained token": "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    "Slack token": "xoxb-1234567890-abcdefghijkl",
    "Stripe key": "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "OpenAI-style API key": "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8t",
    "Google API key": "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY",
    "JSON Web Token": (
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9P"
    ),
    "assigned": "api_key=Zx8fQ2lP9mW3nR7tK1vB",
}


@pytest.mark.parametrize(("name", "secret"), SECRETS.items())
def test_secrets_are_found_and_never_echoed(name, secret):
    result = check(f"Deploy with {secret} please")
    assert result.blocked
    [finding] = [f for f in result.findings if f.rule == Kind.SECRET]
    assert finding.action == BLOCK
    assert secret not in finding.message
    value = secret.split("=")[-1]
    assert value not in finding.message and value[:4] in finding.message


def test_a_private_key_block_is_a_secret():
    found = find_secrets("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END")
    assert found == ["private key"]


def test_ordinary_words_after_token_are_not_secrets():
    assert find_secrets("token=aaaaaaaaaaaaaaaaaaaa and password: see the wiki") == []
    assert find_secrets("A ask-me-anything session with sk-tips") == []


@pytest.mark.parametrize(
    ("text", "blocked"),
    [
        ("This is CONFIDENTIAL.", True),
        ("Strictly Internal   Only, folks", True),
        ("confidentiality matters", False),
        ("an internal-only-ish joke", False),
        ("".join(chr(ord(c) + 0xFEE0) for c in "confidential"), True),  # full-width letters
    ],
)
def test_blocked_terms_match_whole_words_in_any_case(text, blocked):
    assert check(text).blocked is blocked


def test_blocked_terms_fold_unicode_case():
    rules = [rule(Kind.BLOCKED_TERM, BLOCK, "straße")]
    result = share_text_check(
        text="Die STRASSE ist gesperrt",
        network=Network.LINKEDIN,
        rules=rules,
        settings=ComplianceSettings(pk=1, disclosure_action="off"),
    )
    assert result.blocked
    assert result.findings[0].message == "Blocked term: “STRASSE”."


def test_a_rule_message_is_shown_with_what_was_found():
    rules = [rule(Kind.BLOCKED_TERM, WARN, "Project Falcon", "Not announced yet.")]
    result = share_text_check(
        text="Working on project falcon!",
        network=Network.X,
        rules=rules,
        settings=ComplianceSettings(pk=1, disclosure_action="off"),
    )
    assert not result.blocked
    assert result.findings[0].message == "Not announced yet. (“project falcon”)"


def test_custom_patterns_run_and_are_masked():
    rules = [rule(Kind.PATTERN, BLOCK, r"\bCUST-\d{6,}\b")]
    result = share_text_check(
        text="Customer CUST-1234567 loved it",
        network=Network.X,
        rules=rules,
        settings=ComplianceSettings(pk=1, disclosure_action="off"),
    )
    assert result.blocked
    assert "CUST-1234567" not in result.findings[0].message
    assert "CUST… (12 characters)" in result.findings[0].message


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("(a+)+$", "too slow"),
        ("a*", "matches empty text"),
        ("([", "not a valid regular expression"),
        ("x" * 301, "under 300 characters"),
        (r"\bproject\s+falcon\b", None),
    ],
)
def test_custom_patterns_are_validated(pattern, problem):
    found = pattern_problem(pattern)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_the_disclosure_is_added_at_the_end():
    result = check("Proud of our new release!  ")
    assert result.text == "Proud of our new release! #employee"
    assert [(f.rule, f.action) for f in result.findings] == [("disclosure", ADDED)]
    assert not result.blocked


@pytest.mark.parametrize("text", ["#Employee here", "We ship #EMPLOYEE", "#employee."])
def test_a_disclosure_already_there_in_any_case_is_not_added_again(text):
    result = check(text)
    assert result.text == text and result.findings == []


def test_a_longer_hashtag_is_not_the_disclosure():
    assert check("#employees rock").text == "#employees rock #employee"


def test_the_disclosure_that_does_not_fit_blocks_or_warns():
    text = "x" * 275
    blocked = check(text, Network.X)
    assert blocked.blocked and blocked.text == text
    assert blocked.findings[0].message == (
        "The disclosure “#employee” does not fit in X's limit of 280: "
        "shorten the text by 5 characters."
    )
    warned = check(text, Network.X, disclosure_overflow="warn")
    assert not warned.blocked and warned.text == text
    assert warned.findings[0].action == WARN


def test_the_link_counts_in_the_room_for_the_disclosure():
    url = "https://example.com/a/very/long/path/that/counts/as/23"
    fits = check("y" * 246, Network.X, url)
    assert fits.disclosure_added and fits.length.length == 246 + 10 + 1 + 23 == 280
    too_long = check("y" * 247, Network.X, url)
    assert too_long.blocked and not too_long.disclosure_added
    assert "shorten the text by 1 character." in too_long.findings[0].message


def test_disclosure_modes_warn_block_and_off():
    assert check("Hello", disclosure_action="warn").findings[0].action == WARN
    assert check("Hello", disclosure_action="block").blocked
    off = check("Hello", disclosure_action="off")
    assert off.text == "Hello" and off.findings == []


def test_text_over_the_limit_is_blocked_with_the_numbers():
    result = check("z" * 301, Network.BLUESKY)
    assert result.blocked and result.text == "z" * 301
    assert result.findings[-1].rule == "length"
    assert result.findings[-1].message == (
        "The text is 301 characters long on Bluesky, over the limit of 300: shorten it by 1."
    )
    assert result.length.over_by == 1


def test_stored_rules_and_settings_are_used(db):
    ComplianceSettings.objects.create(pk=1, disclosure_text="#ad")
    ComplianceRule.objects.create(kind=Kind.EMAIL, action=BLOCK)
    ComplianceRule.objects.create(kind=Kind.PHONE, action=BLOCK, enabled=False)
    result = share_text_check(text="mail a@b.io or +44 20 7946 0958", network=Network.X)
    assert result.blocked and result.text.endswith(" #ad")
    assert [f.rule for f in result.findings] == ["email", "disclosure"]


NETWORKS = st.sampled_from([choice for choice, _label in Network.choices])
TEXTS = st.text(max_size=400) | st.from_regex(r"[A-Za-z0-9 @.+()#\-_=:/]{0,300}", fullmatch=True)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(text=TEXTS, network=NETWORKS, url=st.sampled_from(["", "https://example.com/x"]))
def test_checking_never_raises_and_always_discloses_when_allowed(text, network, url):
    result = check(text, network, url)
    assert result.blocked == any(f.action == BLOCK for f in result.findings)
    if not result.blocked:
        assert "#employee" in result.text.casefold()
        assert result.length.ok


@PROPERTY
@given(text=TEXTS, network=NETWORKS)
def test_checking_the_result_again_adds_nothing(text, network):
    first = check(text, network)
    again = check(first.text, network)
    assert again.text == first.text
    assert not again.disclosure_added
    assert again.blocked == first.blocked


@PROPERTY
@given(text=st.text(max_size=200), term=st.text(min_size=1, max_size=20))
def test_any_blocked_term_and_any_text_never_raise(text, term):
    rules = [rule(Kind.BLOCKED_TERM, BLOCK, term), rule(Kind.PATTERN, WARN, "x+y")]
    share_text_check(
        text=text, network=Network.MASTODON, rules=rules, settings=ComplianceSettings(pk=1)
    )
