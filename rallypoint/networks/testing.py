"""A stand-in for a social network's API on loopback, for contract tests.

The networks cannot be reached from a test machine, so each connector is tested against
a real HTTP server that answers with the responses the network's public API
documentation gives, and records every request so that a test can check its method,
path, headers and body. Only tests import this module.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    """One request as the fake network received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Reply:
    """A canned answer: status, JSON (or raw) body, headers, and an optional delay."""

    status: int = 200
    json_body: Any = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Responder = Reply | Callable[[Recorded], Reply]


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients hang up on purpose (timeouts)."""


class FakeNetwork:
    """Routes ``(METHOD, path)`` to replies; a list of replies is served in order, the
    last one repeating. Unrouted requests get 404. ``requests`` lists what came in."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Responder]] = {}
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                recorded = Recorded(
                    method=self.command,
                    path=split.path,
                    query=parse_qs(split.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = fake._reply_for(recorded)
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body
                headers = dict(reply.headers)
                if reply.json_body is not None:
                    body = json.dumps(reply.json_body).encode()
                    headers.setdefault("Content-Type", "application/json")
                try:
                    self.send_response(reply.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        self.httpd = _Quiet(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, for settings that take an instance host (Mastodon)."""
        return f"127.0.0.1:{self.port}"

    def route(self, method: str, path: str, *replies: Responder) -> None:
        self.routes[(method.upper(), path)] = list(replies)

    def _reply_for(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            queue = self.routes.get((recorded.method, recorded.path))
            if not queue:
                return Reply(status=404, json_body={"error": "not found"})
            responder = queue.pop(0) if len(queue) > 1 else queue[0]
        return responder(recorded) if callable(responder) else responder

    def sent(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method.upper() and r.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
