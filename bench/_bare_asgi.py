"""The yardstick of ``bench/redirect.py``: an ASGI app that only answers 302, served by
uvicorn exactly as ``rallypoint serve`` serves Rallypoint (one worker process, the same
uvicorn options, access log on), so that the difference is the work of the app.

    python bench/_bare_asgi.py --port 8001
"""

from __future__ import annotations

import argparse
from typing import Any

import uvicorn

HEADERS = [
    (b"location", b"https://example.com/?utm_source=linkedin"),
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-robots-tag", b"noindex, nofollow"),
    (b"content-length", b"0"),
]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 302, "headers": HEADERS})
    await send({"type": "http.response.body", "body": b""})


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    args = p.parse_args()
    # The options of rallypoint.core.runner.serve for one worker.
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        workers=1,
        lifespan="on",
        timeout_graceful_shutdown=5,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
