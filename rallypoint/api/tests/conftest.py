"""Fixtures for the API tests: a small company, tokens and clients that use them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from rallypoint.api.services import token_create
from rallypoint.people.models import User
from rallypoint.people.tests.test_directory import Company, build_company


@pytest.fixture
def company(db) -> Company:
    return build_company()


@pytest.fixture
def make_token() -> Callable[..., str]:
    """Create a token for ``user`` and return its secret."""

    def make(user: User, **options: object) -> str:
        _token, secret = token_create(user=user, name="script", **options)  # type: ignore[arg-type]
        return secret

    return make


@pytest.fixture
def bearer() -> Callable[[str], dict[str, str]]:
    def headers(secret: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret}"}

    return headers


@pytest.fixture
def api_client() -> Client:
    """A client that enforces CSRF checks, like a browser talking to the real server."""
    return Client(enforce_csrf_checks=True)
