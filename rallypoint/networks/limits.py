"""How long a text is on each network, counted the way the network counts it.

- X: 280, weighted as twitter-text does: every link counts 23, characters of the Latin,
  Greek, Cyrillic and other small scripts (and some punctuation) count 1, everything else
  (CJK, emoji) 2, an emoji sequence counting 2 once.
- Bluesky: 300 graphemes (a flag or a family emoji is one), links counted in full.
- Mastodon: 500 characters (graphemes), every link counted as 23.
- LinkedIn: 3,000 characters.
- Facebook: 63,206 characters; the copy-only networks take the text as it is.

``static/js/share-limits.js`` counts the same way in the browser, as the curator or the
employee types; the server's count is the one that decides.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from rallypoint.networks.models import Network

LIMITS: dict[str, int] = {
    Network.X: 280,
    Network.BLUESKY: 300,
    Network.MASTODON: 500,
    Network.LINKEDIN: 3000,
    Network.FACEBOOK: 63206,
    Network.INSTAGRAM: 2200,
    Network.XING: 3000,
    Network.WHATSAPP: 65536,
}
TRANSFORMED_URL_LENGTH = 23  # X and Mastodon count every link as this many characters

# A link as the networks recognise one in text: a scheme, or a bare domain with a path.
URL_PATTERN = regex.compile(
    r"(?i)\b(?:https?://[^\s<>\"]+|(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/[^\s<>\"]*)?(?=\s|$))"
)
# twitter-text v3 ranges that weigh 1 (weight 100 of 200); all else weighs 2.
_X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}")


@dataclass(frozen=True)
class LengthCheck:
    length: int
    limit: int

    @property
    def over_by(self) -> int:
        return max(0, self.length - self.limit)

    @property
    def ok(self) -> bool:
        return self.length <= self.limit


def _graphemes(text: str) -> list[str]:
    return regex.findall(r"\X", text)


def _with_urls_as(text: str, length: int) -> tuple[str, int]:
    """``text`` without its links, and the count the links add at ``length`` each."""
    urls = URL_PATTERN.findall(text)
    return URL_PATTERN.sub("", text), len(urls) * length


def _x_weight(text: str) -> int:
    rest, weight = _with_urls_as(text, TRANSFORMED_URL_LENGTH)
    for grapheme in _graphemes(rest):
        if _EMOJI.search(grapheme):
            weight += 2
            continue
        for char in grapheme:
            code = ord(char)
            light = any(low <= code <= high for low, high in _X_LIGHT_RANGES)
            weight += 1 if light else 2
    return weight


def text_length(network: str, text: str) -> int:
    """The length of ``text`` as ``network`` counts it."""
    if network == Network.X:
        return _x_weight(text)
    if network == Network.MASTODON:
        rest, weight = _with_urls_as(text, TRANSFORMED_URL_LENGTH)
        return weight + len(_graphemes(rest))
    if network == Network.BLUESKY:
        return len(_graphemes(text))
    return len(text)


def compose(text: str, url: str = "") -> str:
    """The text as posted: the link, when there is one and the text lacks it, at the end."""
    text = text.strip()
    if url and url not in text:
        return f"{text} {url}" if text else url
    return text


def check(network: str, text: str, url: str = "") -> LengthCheck:
    """The length of ``text`` with ``url`` appended as posted, against the network's limit."""
    return LengthCheck(
        length=text_length(network, compose(text, url)), limit=LIMITS.get(network, 65536)
    )
