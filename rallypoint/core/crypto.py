"""Secrets at rest: OAuth tokens of connected social accounts, webhook secrets.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) under
keys from the environment. ``ENCRYPTION_KEYS`` holds one or more comma-separated Fernet
keys: the first encrypts, every one of them decrypts, so a key is rotated by putting the
new key first and keeping the old one while the stored secrets are re-encrypted
(``reencrypt``) or replaced by newer tokens. Without ``ENCRYPTION_KEYS`` a key is derived from
``SECRET_KEY`` with HKDF, which is enough for a demo but ties the secrets to that key.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with any configured key."""


def _derived_key(secret_key: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"rallypoint secrets")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    try:
        fernets = [Fernet(key.strip().encode()) for key in keys if key.strip()]
    except ValueError as exc:
        raise ImproperlyConfigured(
            "ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64 bytes each); "
            'make one with: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"'
        ) from exc
    if not fernets:
        fernets = [Fernet(_derived_key(secret_key))]
    return MultiFernet(fernets)


def _current() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    """The ciphertext of ``value`` as text; the empty string stays empty."""
    if not value:
        return ""
    return _current().encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The plain text of ``token``; raises ``SecretUnreadable`` if no key opens it."""
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError) as exc:
        raise SecretUnreadable("a stored secret cannot be decrypted with ENCRYPTION_KEYS") from exc


def reencrypt(token: str) -> str:
    """``token`` encrypted again under the first key (after a key rotation)."""
    if not token:
        return ""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise SecretUnreadable("a stored secret cannot be decrypted with ENCRYPTION_KEYS") from exc
