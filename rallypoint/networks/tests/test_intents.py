"""Every share-intent address: scheme, host, path and parameters, and text that survives
the round trip (emoji, ampersands, hashes, line breaks)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from rallypoint.networks.intents import COPY_ONLY, copy_text, intent_url
from rallypoint.networks.models import Network

TEXT = "Proud of the team 🎉 R&D + Sales = ❤️ #employee\nRead more: 50% off?"
URL = "https://rallypoint.example/r/abc123?utm_source=x&utm_medium=employee_advocacy"


def parts(url: str | None) -> tuple[str, str, str, dict[str, list[str]]]:
    assert url is not None
    split = urlsplit(url)
    assert split.fragment == ""
    return split.scheme, split.netloc, split.path, parse_qs(split.query, keep_blank_values=True)


def test_linkedin_takes_the_link_only() -> None:
    assert parts(intent_url(Network.LINKEDIN, text=TEXT, url=URL)) == (
        "https",
        "www.linkedin.com",
        "/sharing/share-offsite/",
        {"url": [URL]},
    )


def test_x_takes_text_and_link_separately() -> None:
    assert parts(intent_url(Network.X, text=TEXT, url=URL)) == (
        "https",
        "twitter.com",
        "/intent/tweet",
        {"text": [TEXT], "url": [URL]},
    )


def test_x_does_not_repeat_a_link_already_in_the_text() -> None:
    _scheme, _host, _path, query = parts(intent_url(Network.X, text=f"Look {URL} now", url=URL))
    assert query == {"text": ["Look now"], "url": [URL]}


def test_facebook_takes_the_link_only() -> None:
    assert parts(intent_url(Network.FACEBOOK, text=TEXT, url=URL)) == (
        "https",
        "www.facebook.com",
        "/sharer.php",
        {"u": [URL]},
    )


def test_mastodon_goes_to_the_employees_instance_with_the_link_in_the_text() -> None:
    assert parts(intent_url(Network.MASTODON, text=TEXT, url=URL, instance="Fosstodon.org")) == (
        "https",
        "fosstodon.org",
        "/share",
        {"text": [f"{TEXT} {URL}"]},
    )


def test_mastodon_without_an_instance_asks_for_it() -> None:
    assert intent_url(Network.MASTODON, text=TEXT, url=URL) is None
    assert intent_url(Network.MASTODON, text=TEXT, url=URL, instance="  ") is None


def test_mastodon_with_an_invalid_instance_says_why() -> None:
    with pytest.raises(ValueError, match="server"):
        intent_url(Network.MASTODON, text=TEXT, url=URL, instance="https://evil.example/@x")


def test_bluesky_has_the_link_in_the_text() -> None:
    assert parts(intent_url(Network.BLUESKY, text=TEXT, url=URL)) == (
        "https",
        "bsky.app",
        "/intent/compose",
        {"text": [f"{TEXT} {URL}"]},
    )


def test_a_text_that_already_holds_the_link_is_not_given_it_twice() -> None:
    text = f"Read {URL} today"
    _scheme, _host, _path, query = parts(intent_url(Network.BLUESKY, text=text, url=URL))
    assert query == {"text": [text]}


@pytest.mark.parametrize("network", sorted(COPY_ONLY))
def test_copy_only_networks_have_no_intent(network) -> None:
    assert intent_url(network, text=TEXT, url=URL) is None


def test_every_network_is_covered() -> None:
    for network in Network.values:
        result = intent_url(network, text=TEXT, url=URL, instance="mastodon.social")
        assert (result is None) == (network in COPY_ONLY)
    with pytest.raises(ValueError):
        intent_url("myspace", text=TEXT, url=URL)


@pytest.mark.parametrize("network", [Network.X, Network.MASTODON, Network.BLUESKY])
def test_reserved_characters_are_percent_encoded(network) -> None:
    url = intent_url(network, text="a&b=c #d +e\nf", url=URL, instance="mastodon.social")
    assert url is not None
    query = urlsplit(url).query
    # Spaces as %20 (not +), so that every network's page decodes them the same way.
    assert "a%26b%3Dc%20%23d%20%2Be%0Af" in query
    assert " " not in url and "\n" not in url and "#" not in url


def test_copy_text_is_text_and_link() -> None:
    assert copy_text("Hello", URL) == f"Hello {URL}"
    assert copy_text(f"Hello {URL}", URL) == f"Hello {URL}"
