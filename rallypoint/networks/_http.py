"""One place that turns a network's HTTP answers into ``networks.base`` errors.

Every connector sends through ``request()``, which goes through ``core.http.safe_request``
and raises, for anything but a 2xx answer:

- 401 → ``AuthExpired``; also the token errors Bluesky answers with 400
  (``ExpiredToken``, ``InvalidToken``);
- 403 → ``Forbidden``;
- 429 → ``RateLimited`` with ``retry_after`` from ``Retry-After`` (seconds or an HTTP
  date), else X's ``x-rate-limit-reset``, Mastodon's ``X-RateLimit-Reset`` or Bluesky's
  ``ratelimit-reset``;
- 5xx, a timeout, an unreachable host or an unreadable answer → ``Unavailable``;
- an address Rallypoint may not contact at all (``OutboundRefused``) → ``Rejected``:
  retrying would not change it;
- any other 4xx → ``Rejected``, quoting the network's own message when it gives one.

Messages are sentences the employee reads on the share page or in a notification.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from django.utils.translation import gettext as _

from rallypoint.core.http import (
    OutboundError,
    OutboundRefused,
    OutboundTimeout,
    SafeResponse,
    safe_request,
)
from rallypoint.networks.base import (
    AuthExpired,
    Forbidden,
    NetworkError,
    RateLimited,
    Rejected,
    Unavailable,
)
from rallypoint.networks.models import Network

# Bluesky (XRPC) names token problems in the body of a 400 answer.
TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthMissing", "AuthRequired"})
DETAIL_MAX_CHARS = 300
# Reset headers that hold a Unix time above this are absolute; below, a number of seconds.
EPOCH_THRESHOLD = 1_000_000_000


def label(network: str) -> str:
    """The network's name as people write it: ``LinkedIn``, ``X``…"""
    try:
        return str(Network(network).label)
    except ValueError:
        return network


def request(
    network: str,
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    json: Any = None,
    data: Mapping[str, str] | None = None,
    content: bytes | str | None = None,
) -> SafeResponse:
    """Send one request to ``network``; return a 2xx answer, raise a ``NetworkError`` else.

    Redirects are not followed: an API that redirects a POST is not answering it.
    """
    name = label(network)
    try:
        response = safe_request(
            method,
            url,
            headers={"Accept": "application/json", **(headers or {})},
            json=json,
            data=data,
            content=content,
            follow_redirects=False,
        )
    except OutboundTimeout as exc:
        raise Unavailable(
            _("%(network)s did not answer in time; Rallypoint will try again later.")
            % {"network": name}
        ) from exc
    except OutboundRefused as exc:
        raise Rejected(
            _("Rallypoint may not contact this %(network)s address: %(reason)s")
            % {"network": name, "reason": exc}
        ) from exc
    except OutboundError as exc:
        raise Unavailable(
            _("%(network)s could not be reached (%(reason)s); Rallypoint will try again later.")
            % {"network": name, "reason": str(exc).rstrip(".")}
        ) from exc
    if 200 <= response.status_code < 300:
        return response
    raise error_for(network, response)


def body(network: str, response: SafeResponse) -> dict[str, Any]:
    """The JSON object of a successful answer; ``Unavailable`` when it is not one."""
    try:
        value = json.loads(response.content)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise Unavailable(
            _("%(network)s sent an answer Rallypoint could not read; it will try again later.")
            % {"network": label(network)}
        )
    return value


def error_for(network: str, response: SafeResponse) -> NetworkError:
    """The error that stands for a non-2xx ``response`` of ``network``."""
    name = label(network)
    status = response.status_code
    payload = _json_or_none(response)
    detail = error_detail(payload)
    code = payload.get("error") if isinstance(payload, dict) else None
    said = _("%(network)s said: “%(detail)s”") % {"network": name, "detail": detail}
    quoted = said if detail else ""
    if status == 401 or (status == 400 and code in TOKEN_ERRORS):
        return AuthExpired(
            _sentences(
                _(
                    "%(network)s no longer accepts Rallypoint's access to your account (it "
                    "expired or was revoked). Please reconnect your %(network)s account."
                )
                % {"network": name},
                quoted,
            )
        )
    if status == 403:
        return Forbidden(
            _sentences(
                _("%(network)s refused this request.") % {"network": name},
                quoted or _("Your account may lack a permission Rallypoint needs."),
            )
        )
    if status == 429:
        wait = retry_after(response.headers)
        if wait is None:
            when = _("later")
        elif wait < 90:
            when = _("in about a minute")
        else:
            when = _("in about %(minutes)d minutes") % {"minutes": round(wait / 60)}
        return RateLimited(
            _("%(network)s limits how often Rallypoint may send; it will try again %(when)s.")
            % {"network": name, "when": when},
            retry_after=wait,
        )
    if status >= 500:
        return Unavailable(
            _("%(network)s had a problem (error %(status)d); Rallypoint will try again later.")
            % {"network": name, "status": status}
        )
    return Rejected(
        _sentences(
            _("%(network)s did not accept this (error %(status)d).")
            % {"network": name, "status": status},
            quoted,
        )
    )


def error_detail(payload: Any) -> str:
    """The network's own human message in an error body, or ``""``.

    Shapes: X ``{"errors": [{"message": …}]}`` or ``{"detail": …}``; LinkedIn
    ``{"message": …}``; Mastodon ``{"error": …, "error_description": …}``; Bluesky
    ``{"error": "InvalidRequest", "message": …}``; OAuth ``{"error_description": …}``.
    """
    if not isinstance(payload, dict):
        return ""
    # X's list of errors is more precise than its summary in "detail".
    errors = payload.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        found = error_detail(errors[0])
        if found:
            return found
    for key in ("error_description", "message", "detail"):
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            return _trim(value)
    # Mastodon puts its sentence in "error"; elsewhere it is a code name, still better than nothing.
    value = payload.get("error")
    return _trim(value) if isinstance(value, str) and value.strip() else ""


def retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds to wait before trying again, from a 429 answer's headers, or ``None``."""
    clock = time.time() if now is None else now
    value = headers.get("retry-after", "").strip()
    if value:
        if value.isdigit():
            return float(value)
        moment = _parse_date(value)
        if moment is not None:
            return max(0.0, moment - clock)
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        value = headers.get(name, "").strip()
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            moment = _parse_date(value)
            if moment is not None:
                return max(0.0, moment - clock)
            continue
        return max(0.0, number - clock) if number > EPOCH_THRESHOLD else max(0.0, number)
    return None


def jwt_expiry(token: str) -> dt.datetime | None:
    """The ``exp`` claim of a JWT, read without checking the signature, or ``None``."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    segment = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(segment))
        return dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
    except (ValueError, KeyError, TypeError, OverflowError):
        return None


def expires_in(seconds: Any) -> dt.datetime | None:
    """When a token given ``expires_in`` seconds now expires, or ``None``."""
    try:
        return dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=int(seconds))
    except (TypeError, ValueError):
        return None


def _parse_date(value: str) -> float | None:
    """An HTTP date (RFC 9110) or an ISO 8601 time (Mastodon) as a Unix time."""
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def _json_or_none(response: SafeResponse) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _sentences(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _trim(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DETAIL_MAX_CHARS else text[: DETAIL_MAX_CHARS - 1] + "…"
