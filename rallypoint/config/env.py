"""Reading configuration from the environment.

Every setting Rallypoint reads is listed in README.md ("Configuration"); this module
holds the small helpers that turn environment strings into typed values.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip() or default


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_int_list(name: str, default: list[int]) -> list[int]:
    raw = env_list(name, [str(n) for n in default])
    try:
        return [int(part) for part in raw]
    except ValueError as exc:
        raise SystemExit(f"{name} must be comma-separated whole numbers, got {raw!r}") from exc


def var_dir() -> Path:
    """The folder for everything Rallypoint writes in the embedded mode."""
    path = Path(env_str("RALLYPOINT_VAR", str(Path.cwd() / "var"))).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(var: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under var/."""
    from_env = env_str("SECRET_KEY")
    if from_env:
        return from_env
    key_file = var / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key
