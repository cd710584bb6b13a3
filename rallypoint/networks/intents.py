"""Share intents: the network's own "share" page, opened with the text and link filled in.

Used when the employee has not connected an account (or prefers to post themselves).
Each network's page takes different parameters:

- LinkedIn ``https://www.linkedin.com/sharing/share-offsite/?url=`` takes the link only
  (the employee pastes the text, which Rallypoint copies for them);
- X ``https://twitter.com/intent/tweet?text=&url=`` takes both, the link separately;
- Facebook ``https://www.facebook.com/sharer.php?u=`` takes the link only;
- Mastodon ``https://<instance>/share?text=`` on the employee's own server, the link
  inside the text;
- Bluesky ``https://bsky.app/intent/compose?text=``, the link inside the text.

Instagram, XING and WhatsApp are copy-only here: ``intent_url`` returns ``None`` and the
page offers to copy the text with the link.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from rallypoint.networks import limits, mastodon
from rallypoint.networks.models import Network

COPY_ONLY: frozenset[str] = frozenset({Network.INSTAGRAM, Network.XING, Network.WHATSAPP})


def intent_url(network: str, *, text: str, url: str, instance: str = "") -> str | None:
    """The share page of ``network`` filled with ``text`` and ``url``.

    ``None`` for copy-only networks, and for Mastodon when ``instance`` is empty (ask
    the employee for their server first). Raises ``ValueError`` (with a message for the
    employee) for an invalid Mastodon ``instance`` or an unknown network.
    """
    if network == Network.LINKEDIN:
        return _page("https://www.linkedin.com/sharing/share-offsite/", url=url)
    if network == Network.X:
        # X appends ``url`` itself: a copy of the link in the text would show twice.
        alone = text.replace(url, " ") if url else text
        return _page("https://twitter.com/intent/tweet", text=_tidy(alone), url=url)
    if network == Network.FACEBOOK:
        return _page("https://www.facebook.com/sharer.php", u=url)
    if network == Network.MASTODON:
        if not instance.strip():
            return None
        host = mastodon.normalise_instance(instance)
        return _page(f"https://{host}/share", text=limits.compose(text, url))
    if network == Network.BLUESKY:
        return _page("https://bsky.app/intent/compose", text=limits.compose(text, url))
    if network in COPY_ONLY:
        return None
    raise ValueError(f"Unknown network: {network!r}")


def copy_text(text: str, url: str) -> str:
    """What the copy button puts on the clipboard: the text with the link."""
    return limits.compose(text, url)


def _page(base: str, **params: str) -> str:
    return f"{base}?{urlencode(params, quote_via=quote)}"


def _tidy(text: str) -> str:
    """Spaces left where the link was taken out, without touching line breaks."""
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip()
