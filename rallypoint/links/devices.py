"""The kind of device a click came from, read from the User-Agent.

Five classes, enough to tell where people read what their colleagues share: desktop,
mobile, tablet, bot (decided by ``bots``) and other (televisions, consoles, unknown
clients). The rules follow the conventions browsers keep: phones say ``Mobile`` (or
``iPhone``, ``Windows Phone``…), Android tablets are Android without ``Mobile``, iPads say
``iPad`` — except iPadOS Safari, which presents itself as a Mac and so counts as desktop.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rallypoint.links.models import Click

Device = Click.Device

_OTHER = re.compile(
    r"SmartTV|SMART-TV|Tizen|Web0S|webOS\.TV|HbbTV|AppleTV|CrKey|PlayStation|Xbox|Nintendo|"
    r"Roku|AFT[A-Z]",
    re.IGNORECASE,
)
_TABLET = re.compile(
    r"iPad|Tablet|Kindle|Silk/|PlayBook|Nexus (?:7|9|10)\b|\bSM-[TXP]\d",
    re.IGNORECASE,
)
_MOBILE = re.compile(
    r"Mobi|iPhone|iPod|Windows Phone|IEMobile|BlackBerry|BB10|Opera Mini|KaiOS", re.IGNORECASE
)
_DESKTOP = re.compile(r"Windows NT|Macintosh|Mac OS X|X11|Linux x86_64|CrOS", re.IGNORECASE)


@lru_cache(maxsize=16384)
def _browser_class(user_agent: str) -> str:
    if not user_agent or _OTHER.search(user_agent):
        return Device.OTHER.value
    lowered = user_agent.lower()
    if _TABLET.search(user_agent) or ("android" in lowered and "mobile" not in lowered):
        return Device.TABLET.value
    if _MOBILE.search(user_agent):
        return Device.MOBILE.value
    if _DESKTOP.search(user_agent):
        return Device.DESKTOP.value
    return Device.OTHER.value


def device_class(user_agent: str, *, is_bot: bool) -> str:
    """``desktop``, ``mobile``, ``tablet``, ``bot`` or ``other`` (``Click.Device`` values)."""
    if is_bot:
        return Device.BOT.value
    return _browser_class(user_agent.strip())
