"""One shape for every error the API answers: ``{"detail": ...}``.

``detail`` is a sentence for 401, 403, 404 and 429, and a list of
``{"loc": [...], "msg": "...", "type": "..."}`` for 422, the shape django-ninja uses
for input that does not match the schema, so that a client reads refusals from the
schema and from the services (Django's ``ValidationError``) the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from rallypoint.api.auth import TooManyFailures

if TYPE_CHECKING:
    from ninja import NinjaAPI


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    detail: str | list[ErrorItem]


def validation_items(
    error: DjangoValidationError, *, location: str = "body"
) -> list[dict[str, Any]]:
    """Django's ``ValidationError`` as 422 items, one per message."""
    if hasattr(error, "error_dict"):
        return [
            {"loc": [location, field], "msg": message, "type": "invalid"}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"loc": [location], "msg": message, "type": "invalid"} for message in error.messages]


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, detail: Any, status: int) -> HttpResponse:
        return api.create_response(request, {"detail": detail}, status=status)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        message = str(exc) if exc.args and isinstance(exc.args[0], str) else ""
        return respond(request, message or _("Not found."), 404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = str(exc) if str(exc) != "Unauthorized" else ""
        response = respond(
            request,
            message or _("Sign in, or send a personal access token: Authorization: Bearer rp_…"),
            401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(TooManyFailures)
    def throttled(request: HttpRequest, exc: TooManyFailures) -> HttpResponse:
        response = respond(request, str(exc), 429)
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, str(exc), exc.status_code)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, str(exc) or _("You may not do that."), 403)

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(request, exc.errors, 422)

    @api.exception_handler(DjangoValidationError)
    def refused_by_service(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return respond(request, validation_items(exc), 422)
