"""Settings for the test suite: the real settings, with test files kept apart."""

import os
from pathlib import Path

os.environ["RALLYPOINT_VAR"] = str(Path(__file__).resolve().parents[2] / "var" / "test")
os.environ.setdefault("EMAIL_URL", "memory://")

from rallypoint.config.settings import *  # noqa: F403
from rallypoint.config.settings import PASSWORD_HASHERS as _PRODUCTION_HASHERS

# Hashing is deliberately slow in production; tests create thousands of users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *_PRODUCTION_HASHERS]
PRODUCTION_PASSWORD_HASHERS = _PRODUCTION_HASHERS

# One SQLite test database per test run, so that two runs never share a file.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"]["NAME"] = str(VAR_DIR / f"test-{os.getpid()}.sqlite3")  # noqa: F405
