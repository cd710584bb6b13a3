"""Which networks Rallypoint can post to through their API, and the connector of each.

``connector(network)`` returns the module that implements ``base.Connector`` for
LinkedIn, X, Mastodon and Bluesky. Facebook, Instagram, XING and WhatsApp have no
connector (Rallypoint only opens their share page or copies the text): asking for one
raises ``KeyError``, so a caller cannot mistake them for networks it can post to.
"""

from __future__ import annotations

from types import ModuleType

from rallypoint.networks import bluesky, linkedin, mastodon, x
from rallypoint.networks.models import Network

API_NETWORKS: tuple[str, ...] = (Network.LINKEDIN, Network.X, Network.MASTODON, Network.BLUESKY)
# Networks connected through an OAuth redirect (Bluesky uses an app password instead).
OAUTH_NETWORKS: tuple[str, ...] = (Network.LINKEDIN, Network.X, Network.MASTODON)

_CONNECTORS: dict[str, ModuleType] = {
    Network.LINKEDIN: linkedin,
    Network.X: x,
    Network.MASTODON: mastodon,
    Network.BLUESKY: bluesky,
}


def connector(network: str) -> ModuleType:
    """The connector module of ``network``; ``KeyError`` when it has no API connector."""
    return _CONNECTORS[str(network)]


def has_api(network: str) -> bool:
    """True when Rallypoint can post to ``network`` through a connected account."""
    return str(network) in _CONNECTORS
