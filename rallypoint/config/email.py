"""EMAIL_URL → Django email settings.

Accepted forms:

- ``console://`` — print messages to the terminal (the embedded default)
- ``file:///path/to/folder`` — write each message to a file
- ``memory://`` — keep messages in memory (tests)
- ``smtp://user:password@host:port`` — plain SMTP; ``smtp+tls://`` for STARTTLS and
  ``smtps://`` for implicit TLS
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
}


def email_settings(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _BACKENDS:
        raise SystemExit(
            f"EMAIL_URL scheme {scheme!r} is not one of: {', '.join(sorted(_BACKENDS))}"
        )
    conf: dict[str, Any] = {"EMAIL_BACKEND": _BACKENDS[scheme]}
    if scheme == "file":
        conf["EMAIL_FILE_PATH"] = unquote(parts.path)
    if scheme.startswith("smtp"):
        conf.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_TLS=scheme == "smtp+tls",
            EMAIL_USE_SSL=scheme == "smtps",
            EMAIL_TIMEOUT=10,
        )
    return conf
