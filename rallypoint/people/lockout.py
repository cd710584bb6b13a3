"""Slowing and locking repeated failed sign-ins, per account and per client address.

Counts live in the Django cache (Redis at scale), so every web process sees the
same numbers. Two counters are kept for each failure: one for the email address
typed (whether or not such an account exists, so the behaviour reveals nothing)
and one for the client address.

- Below ``LOGIN_SLOW_AFTER`` failures nothing happens.
- From ``LOGIN_SLOW_AFTER`` failures on, every further attempt must wait for a delay
  that doubles with each failure (2, 4, 8 … seconds, never more than the lock).
- At ``LOGIN_LOCK_AFTER`` failures the account (or address) is locked for
  ``LOGIN_LOCK_MINUTES``; the lock is logged and written to the audit log. Counting
  starts again when the lock ends.

An attempt refused because of a delay or lock is not checked at all, so a correct
password is refused too and the attempt does not count. A complete sign-in clears
the account counter; the address counter is only forgotten with time, so an
attacker cannot reset it by signing in to an account of their own between guesses.

One address often carries a whole office (NAT, a VPN exit), so an address may fail
``ADDRESS_FACTOR`` times as often as one account before it is slowed or locked.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import ngettext

from rallypoint.core.audit import audit_record

logger = logging.getLogger("rallypoint.people.lockout")

ADDRESS_FACTOR = 5
# Failures are forgotten this long after the last one (and never before a lock ends).
COUNT_WINDOW_SECONDS = 3600
KEY_PREFIX = "people:signin"


def now() -> float:
    """The clock the lockout reads; tests move it forward."""
    return time.time()


@dataclass(frozen=True)
class Subject:
    """Something failures are counted for: one account or one client address."""

    scope: str  # "account" or "address"
    value: str

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.value.encode()).hexdigest()
        return f"{KEY_PREFIX}:{self.scope}:{digest}"

    @property
    def factor(self) -> int:
        return ADDRESS_FACTOR if self.scope == "address" else 1

    @property
    def slow_after(self) -> int:
        return max(1, settings.LOGIN_SLOW_AFTER) * self.factor

    @property
    def lock_after(self) -> int:
        return max(1, settings.LOGIN_LOCK_AFTER) * self.factor


def account_subject(email: str) -> Subject:
    return Subject("account", (email or "").strip().lower())


def address_subject(request: HttpRequest | None) -> Subject | None:
    """The client address; IPv6 clients are grouped by their /64 network."""
    raw = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    if not raw:
        return None
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return Subject("address", raw)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return Subject("address", str(address.ipv4_mapped))
        return Subject("address", str(ipaddress.IPv6Network(f"{address}/64", strict=False)))
    return Subject("address", str(address))


def _subjects(email: str, request: HttpRequest | None) -> list[Subject]:
    subjects = [account_subject(email)] if (email or "").strip() else []
    address = address_subject(request)
    if address is not None:
        subjects.append(address)
    return subjects


def _delay_after(failures: int, subject: Subject) -> int:
    """Seconds to wait after ``failures`` consecutive failures (below the lock)."""
    if failures < subject.slow_after:
        return 0
    steps = (failures - subject.slow_after) // subject.factor + 1
    return min(2**steps, settings.LOGIN_LOCK_MINUTES * 60)


def _wait_for(subject: Subject, at: float) -> float:
    until = cache.get(f"{subject.key}:until")
    return max(0.0, float(until) - at) if until else 0.0


def lockout_wait(*, email: str, request: HttpRequest | None) -> int:
    """Whole seconds before this email may be tried again from this address (0: now)."""
    at = now()
    wait = max((_wait_for(subject, at) for subject in _subjects(email, request)), default=0.0)
    return math.ceil(wait)


def lockout_message(seconds: int) -> str:
    return ngettext(
        "Too many failed sign-ins. Try again in %(seconds)d second.",
        "Too many failed sign-ins. Try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


def _count_failure(subject: Subject) -> int:
    key = f"{subject.key}:failures"
    window = max(COUNT_WINDOW_SECONDS, settings.LOGIN_LOCK_MINUTES * 60)
    cache.add(key, 0, window)
    try:
        failures = cache.incr(key)
    except ValueError:
        # The key expired between add and incr: this is the first failure again.
        cache.set(key, 1, window)
        failures = 1
    cache.touch(key, window)
    return int(failures)


def lockout_record_failure(
    *, email: str, request: HttpRequest | None, user: Model | None = None
) -> None:
    """Count one failed sign-in for the account and the address; slow or lock them.

    ``user`` is the account the email belongs to, if any, for the audit entry.
    """
    at = now()
    for subject in _subjects(email, request):
        failures = _count_failure(subject)
        if failures >= subject.lock_after:
            minutes = settings.LOGIN_LOCK_MINUTES
            cache.set(f"{subject.key}:until", at + minutes * 60, minutes * 60)
            cache.delete(f"{subject.key}:failures")
            _record_lock(
                subject=subject, failures=failures, email=email, request=request, user=user
            )
            continue
        delay = _delay_after(failures, subject)
        if delay:
            cache.set(f"{subject.key}:until", at + delay, delay)


def _record_lock(
    *,
    subject: Subject,
    failures: int,
    email: str,
    request: HttpRequest | None,
    user: Model | None,
) -> None:
    minutes = settings.LOGIN_LOCK_MINUTES
    label = subject.value
    logger.warning(
        "Sign-in locked for %s %s for %d minutes after %d failed attempts",
        subject.scope,
        label,
        minutes,
        failures,
    )
    with transaction.atomic():
        audit_record(
            action="people.signin_locked",
            actor=None,
            target=user if subject.scope == "account" and user is not None else None,
            target_label=label,
            request=request,
            details={
                "scope": subject.scope,
                "failures": failures,
                "minutes": minutes,
                "email": (email or "").strip().lower(),
            },
        )


def lockout_clear(*, email: str) -> None:
    """Forget the failures of one account (after a complete sign-in or password reset)."""
    subject = account_subject(email)
    cache.delete_many([f"{subject.key}:failures", f"{subject.key}:until"])
