"""Pieces of a click: the visitor's address behind proxies, the referrer host, the salt."""

from __future__ import annotations

import datetime

import pytest
from django.db import OperationalError

from rallypoint.links import capture
from rallypoint.links.capture import SALTS, client_ip, referrer_host


@pytest.mark.parametrize(
    ("proxies", "peer", "forwarded", "expected"),
    [
        ([], "203.0.113.7", "198.51.100.1", "203.0.113.7"),
        (["10.0.0.0/8"], "10.0.0.2", "192.0.2.9, 198.51.100.1", "198.51.100.1"),
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.1:4711", "198.51.100.1"),
        (["10.0.0.0/8"], "10.0.0.2", "[2001:db8::5]:4711", "2001:db8::5"),
        (["10.0.0.0/8"], "10.0.0.2", "not-an-address", "10.0.0.2"),
        (["10.0.0.0/8"], "10.0.0.2", "", "10.0.0.2"),
        (["10.0.0.0/8"], "172.16.0.1", "198.51.100.1", "172.16.0.1"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_ip_trusts_x_forwarded_for_only_from_trusted_proxies(
    settings, proxies, peer, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies

    assert client_ip(peer, forwarded) == expected


@pytest.mark.parametrize(
    ("referer", "host"),
    [
        ("https://www.linkedin.com/feed/update/urn:li:activity:1?trk=x", "www.linkedin.com"),
        ("https://T.CO/abc", "t.co"),
        ("android-app://com.linkedin.android/", "com.linkedin.android"),
        ("https://[2001:db8::1/broken", ""),
        ("", ""),
        ("no scheme at all", ""),
    ],
)
def test_only_the_referrers_host_is_kept(referer, host):
    assert referrer_host(referer) == host


@pytest.mark.django_db
def test_without_the_database_a_process_hashes_with_its_own_salt_until_it_is_back(
    monkeypatch,
):
    day = datetime.date(2026, 7, 1)

    def down(*, day):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(capture, "visitor_salt_for", down)
    own = SALTS.get(day)
    assert len(own) == 64
    assert SALTS.get(day) == own  # the same for the whole outage
    assert SALTS.cached(day) is None

    monkeypatch.undo()
    monkeypatch.setattr(capture, "SALT_RETRY_SECONDS", 0)
    shared = SALTS.get(day)

    assert shared != own
    assert SALTS.cached(day) == shared
