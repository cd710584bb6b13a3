"""The API: one NinjaAPI under ``/api/`` that mounts each app's router under ``/api/v1/``.

An app offers its endpoints as ``router`` in its ``api.py``; they are added here (this
module may import every app, nothing imports it but the URLs). Every operation needs
authentication (see ``rallypoint.api.auth``) and answers errors as ``{"detail": ...}``
(see ``rallypoint.api.errors``); the OpenAPI document lists those error answers on
every operation, so clients and contract tests know every status they may get.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from rallypoint.advocacy.api import router as library_router
from rallypoint.advocacy.api_shares import router as shares_router
from rallypoint.advocacy.campaign_api import router as campaigns_router
from rallypoint.announce.api import router as announce_router
from rallypoint.api.auth import session_auth, token_auth
from rallypoint.api.errors import ErrorOut, install_error_handlers
from rallypoint.feed.api import router as feed_router
from rallypoint.governance.api import router as governance_router
from rallypoint.moderation.api import router as moderation_router
from rallypoint.notify.api import router as notify_router
from rallypoint.people.api import router as people_router
from rallypoint.search.api import router as search_router
from rallypoint.spaces.api import router as spaces_router

VERSION_PREFIX = "v1/"
DESCRIPTION = """\
Rallypoint's REST API. Authenticate with a personal access token (create one under
**Your account → API tokens**) sent as `Authorization: Bearer rp_…`, or from the
browser with your session (unsafe methods then need the `X-CSRFToken` header).
Errors are JSON: `{"detail": "…"}`, or for 422 a list of
`{"loc": […], "msg": "…", "type": "…"}`.
"""

_COMMON_ERRORS = {
    "401": "Not signed in, or the token is unknown, revoked or expired.",
    "429": "Too many failed token attempts from this address.",
}
_UNSAFE_ERRORS = {"403": "Not allowed, or the CSRF token is missing (session only)."}
_INPUT_ERRORS = {"422": "The input is not valid; `detail` lists each problem."}
_BODY_ERRORS = {"400": "The body cannot be read as JSON."}
_PATH_ERRORS = {"404": "No such object, or you may not see it."}


class RallypointAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        # Views are named <thing>_<verb>, unique across apps: the name is the id.
        return str(operation.view_func.__name__)

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        definitions = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(definitions.pop("$defs", {}))
        components["ErrorOut"] = definitions
        error = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        }
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                parameters = operation.get("parameters", [])
                errors = dict(_COMMON_ERRORS) if operation.get("security") else {}
                if method.upper() not in {"GET", "HEAD", "OPTIONS"}:
                    errors.update(_UNSAFE_ERRORS)
                if parameters or "requestBody" in operation:
                    errors.update(_INPUT_ERRORS)
                if "requestBody" in operation:
                    errors.update(_BODY_ERRORS)
                if any(p.get("in") == "path" for p in parameters):
                    errors.update(_PATH_ERRORS)
                for status, description in errors.items():
                    operation["responses"].setdefault(status, {"description": description, **error})
        return schema


api = RallypointAPI(
    title="Rallypoint API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[token_auth, session_auth],
)
install_error_handlers(api)
api.add_router(VERSION_PREFIX, people_router)
api.add_router(VERSION_PREFIX, search_router)
api.add_router(VERSION_PREFIX, announce_router)
api.add_router(VERSION_PREFIX, spaces_router)
api.add_router(VERSION_PREFIX, feed_router)
api.add_router(VERSION_PREFIX, moderation_router)
api.add_router(VERSION_PREFIX, notify_router)
api.add_router(VERSION_PREFIX, governance_router)
api.add_router(VERSION_PREFIX, shares_router)
api.add_router(VERSION_PREFIX, library_router)
api.add_router(VERSION_PREFIX, campaigns_router)
