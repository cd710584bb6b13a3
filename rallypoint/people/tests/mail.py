"""Reading links out of sent mail in tests."""

from __future__ import annotations

import re

from django.core.mail import EmailMessage

RESET_LINK = r"http://testserver(/accounts/password/reset/key/\S+)"


def link_in(message: EmailMessage, pattern: str = RESET_LINK) -> str:
    """The first group of ``pattern`` in the message body; fails the test when absent."""
    body = str(message.body)
    found = re.search(pattern, body)
    assert found, f"no link matching {pattern!r} in:\n{body}"
    return found.group(1)
