"""The redirect of ``/r/<code>`` through Django.

``rallypoint serve`` answers these requests in the ASGI fast path (``fastpath``) before
they reach Django; this view gives the same answer to the test client, to other methods
(405) and to any deployment that serves Django without that wrapper. It shares the
lookup and the description of the click with the fast path.

The click is written differently: when this process's click writer is running (the fast
path's lifespan started it), the click joins its queue; otherwise it is written at once,
in the request, so that a click through this view is visible as soon as the response is
(and falls back to the queue when the database refuses it).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

from rallypoint.links.buffer import CLICKS
from rallypoint.links.capture import (
    REDIRECT_HEADERS,
    SALTS,
    TARGETS,
    click_record,
    client_ip,
    not_found_html,
    unavailable_html,
    utc_now,
)
from rallypoint.links.services import ClickRecord, clicks_store

logger = logging.getLogger(__name__)


def _keep(record: ClickRecord) -> None:
    if CLICKS.running:
        CLICKS.add(record)
        return
    try:
        clicks_store(records=[record])
    except DatabaseError as exc:
        logger.warning("Cannot write a click now (%s); queued", exc)
        CLICKS.add(record)


@require_safe
def links_redirect(request: HttpRequest, code: str) -> HttpResponse:
    try:
        target = TARGETS.resolve(code)
    except DatabaseError as exc:
        logger.warning("Cannot look up a link (%s)", exc)
        unavailable = HttpResponse(unavailable_html(), status=503)
        unavailable["Cache-Control"] = "no-store"
        unavailable["Retry-After"] = "30"
        return unavailable
    if target is None:
        response = HttpResponse(not_found_html(), status=404)
    else:
        at = utc_now()
        _keep(
            click_record(
                target=target,
                method=request.method or "GET",
                ip=client_ip(
                    request.META.get("REMOTE_ADDR", ""),
                    request.headers.get("X-Forwarded-For", ""),
                ),
                user_agent=request.headers.get("User-Agent", ""),
                referer=request.headers.get("Referer", ""),
                salt=SALTS.get(at.date()),
                at=at,
            )
        )
        response = HttpResponseRedirect(target.destination)
    for name, value in REDIRECT_HEADERS:
        response[name] = value
    return response
