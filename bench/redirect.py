"""Benchmark: the tracked-link redirect /r/<code> of a real `rallypoint serve`, against a
bare ASGI app that only answers 302, both under the same load.

Seeds ``--links`` tracked links in the benchmark's own database, starts `rallypoint serve`
(one worker, as installed: job consumer inside, access log on) and loads it for
``--seconds`` with ``--concurrency`` keep-alive connections, each sending clicks to the
links in turn (one in ten with a preview bot's User-Agent) as fast as answers come back.
Before the measured time every link is clicked once (not measured): the server's cache of
links is then warm, as it is for links that people keep clicking (a first click of a link
costs one query, in a thread). It then stops Rallypoint gracefully and
counts the clicks stored: every answered click must be there. The same load runs against
``bench/_bare_asgi.py``, served by uvicorn with the same options in the same process
model, on the same host.

    rallypoint bench redirect [--scale small|full] [--links N] [--seconds S]
                              [--concurrency C] [--json FILE]

The load generator is pure Python (asyncio, raw HTTP/1.1 on keep-alive connections) and
runs on the same machine: it takes CPU from the server, equally in both runs. ``ratio``
is Rallypoint's requests per second divided by the bare app's.
"""

from __future__ import annotations

import asyncio
import collections
import math
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import ROOT, parser, report, setup_django

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Safari/605.1.15",
]
BOT = "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"
NETWORKS = ["linkedin", "x", "mastodon", "bluesky", "facebook"]
AGENT_VARIANTS = 500


@dataclass(frozen=True)
class Scale:
    links: int
    seconds: float
    concurrency: int


SCALES = {
    "small": Scale(links=1_000, seconds=10, concurrency=32),
    # Within the redirect's cache of 50,000 links.
    "full": Scale(links=20_000, seconds=30, concurrency=64),
}
SEED = 4242


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def seed_links(count: int) -> list[str]:
    """``count`` tracked links (as ``tracked_link_create`` makes them), their codes."""
    from rallypoint.links.models import TrackedLink
    from rallypoint.links.services import new_code, with_utm

    rows = []
    for n in range(count):
        network = NETWORKS[n % len(NETWORKS)]
        destination = with_utm(f"https://example.com/news/{n}", source=network, campaign="library")
        rows.append(TrackedLink(code=new_code(), destination=destination, network=network))
    TrackedLink.objects.bulk_create(rows, batch_size=5_000)
    return [row.code for row in rows]


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(12).startswith(b"HTTP/1.1")
    except OSError:
        return False


def start(cmd: list[str], port: int, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env)
    deadline = time.monotonic() + 120
    while not answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"{cmd[1:]} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    return process


def stop(process: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM and wait. Plain uvicorn re-raises the signal once it has shut down
    gracefully (exit status -15); `rallypoint serve` exits with 0."""
    process.send_signal(signal.SIGTERM)
    try:
        status = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise SystemExit(f"the server did not stop:\n{log.read_text()[-3000:]}") from None
    if status not in (0, -signal.SIGTERM):
        raise SystemExit(f"the server exited with {status}:\n{log.read_text()[-3000:]}")


# ---------------------------------------------------------------- load


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            return int(line[15:])
    return 0


async def _connection(
    port: int,
    requests: list[bytes],
    offset: int,
    *,
    count: int | None,
    until: float,
    latencies: list[float] | None,
    statuses: collections.Counter[int],
) -> None:
    """Send ``requests`` from ``offset`` on, one after the other: ``count`` of them, or
    until ``until`` (the latency of those answered by then goes to ``latencies``)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = offset
    try:
        while count is None or n < offset + count:
            sent = time.perf_counter()
            if sent >= until:
                return
            writer.write(requests[n % len(requests)])
            n += 1
            head = await reader.readuntil(b"\r\n\r\n")
            length = _content_length(head)
            if length:
                await reader.readexactly(length)
            answered = time.perf_counter()
            statuses[int(head[9:12])] += 1
            if latencies is not None and answered <= until:
                latencies.append(answered - sent)
    finally:
        writer.close()


async def _load(port: int, codes: list[str], seconds: float, concurrency: int) -> dict[str, Any]:
    rng = random.Random(SEED)
    order = codes[:]
    rng.shuffle(order)
    requests = []
    for n, code in enumerate(order):
        # 500 browser versions: as many visitors (all come from one address), and as
        # varied User-Agents as real traffic has.
        version = n % AGENT_VARIANTS
        agent = (
            BOT if n % 10 == 9 else BROWSERS[n % len(BROWSERS)].replace("537.36", f"5.{version}")
        )
        requests.append(
            (
                f"GET /r/{code} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: {agent}\r\n"
                f"Referer: https://www.linkedin.com/\r\n\r\n"
            ).encode()
        )
    latencies: list[float] = []
    statuses: collections.Counter[int] = collections.Counter()
    step = math.ceil(len(requests) / concurrency)
    # Warm-up: every link once.
    await asyncio.gather(
        *(
            _connection(port, requests, i * step, count=step, until=math.inf, latencies=None,
                        statuses=statuses)
            for i in range(concurrency)
        )
    )  # fmt: skip
    until = time.perf_counter() + seconds
    await asyncio.gather(
        *(
            _connection(port, requests, i * step, count=None, until=until, latencies=latencies,
                        statuses=statuses)
            for i in range(concurrency)
        )
    )  # fmt: skip
    ordered = sorted(latencies)

    def rank(q: float) -> float:
        return round(ordered[max(0, math.ceil(len(ordered) * q) - 1)] * 1000, 2)

    return {
        "rps": round(len(ordered) / seconds, 1),
        "p50_ms": rank(0.50),
        "p99_ms": rank(0.99),
        "statuses": dict(statuses),
    }


def load(port: int, codes: list[str], seconds: float, concurrency: int) -> dict[str, Any]:
    try:
        import uvloop

        return uvloop.run(_load(port, codes, seconds, concurrency))
    except ImportError:
        return asyncio.run(_load(port, codes, seconds, concurrency))


# ---------------------------------------------------------------- main


def table(result: dict[str, Any], scale: Scale, database: str) -> str:
    rows = [("server", "rps", "p50 ms", "p99 ms")]
    for name, label in (("rallypoint", "rallypoint serve"), ("bare", "bare ASGI 302")):
        r = result[name]
        rows.append((label, f"{r['rps']:,.0f}", f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                  for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
        for row in rows
    ]  # fmt: skip
    lines.append(
        f"ratio (rallypoint rps / bare rps): {result['ratio']:.2f}; clicks sent "
        f"{result['clicks_sent']:,}, stored {result['clicks_stored']:,}; {scale.links:,} links, "
        f"{scale.concurrency} connections, {scale.seconds:g} s, {database}"
    )
    return "\n".join(lines)


def main() -> None:
    p = parser(__doc__.split("\n")[0], default_scale="small")
    p.add_argument("--links", type=int)
    p.add_argument("--seconds", type=float)
    p.add_argument("--concurrency", type=int)
    args = p.parse_args()
    base = SCALES.get(args.scale)
    if base is None:
        raise SystemExit(f"--scale must be one of {', '.join(SCALES)}")
    scale = Scale(
        links=args.links or base.links,
        seconds=args.seconds or base.seconds,
        concurrency=args.concurrency or base.concurrency,
    )
    setup_django("redirect", fresh=True)
    from django.db import connection, connections

    from rallypoint.links.models import Click

    say(f"Seeding {scale.links:,} links…")
    codes = seed_links(scale.links)
    database = connection.vendor
    connections.close_all()
    logs = ROOT / "var" / "bench"
    env = dict(
        os.environ,
        QUEUE_NAME=f"bench-redirect-{os.getpid()}",
        PYTHONUNBUFFERED="1",
        ALLOWED_HOSTS="127.0.0.1",
    )
    env.setdefault("DJANGO_SETTINGS_MODULE", "rallypoint.config.settings")

    result: dict[str, Any] = {}
    port = free_port()
    log = logs / "redirect-rallypoint.log"
    say(f"Loading rallypoint serve for {scale.seconds:g} s…")
    server = start(
        [sys.executable, "-m", "rallypoint.cli", "serve", "--no-migrate", "--port", str(port)],
        port,
        log,
        env,
    )
    measured = load(port, codes, scale.seconds, scale.concurrency)
    stop(server, log)
    clicks_sent = measured["statuses"].get(302, 0)
    unexpected = {s: n for s, n in measured.pop("statuses").items() if s != 302}
    if unexpected:
        raise SystemExit(f"rallypoint answered {unexpected}:\n{log.read_text()[-3000:]}")
    result["rallypoint"] = measured

    port = free_port()
    log = logs / "redirect-bare.log"
    say(f"Loading the bare ASGI app for {scale.seconds:g} s…")
    bare = start(
        [sys.executable, str(ROOT / "bench" / "_bare_asgi.py"), "--port", str(port)],
        port,
        log,
        env,
    )
    measured = load(port, codes, scale.seconds, scale.concurrency)
    stop(bare, log)
    measured.pop("statuses")
    result["bare"] = measured

    result["ratio"] = round(result["rallypoint"]["rps"] / result["bare"]["rps"], 3)
    result["clicks_sent"] = clicks_sent
    result["clicks_stored"] = Click.objects.count()
    say(table(result, scale, database))
    report(result, args.json_file)
    if result["clicks_stored"] != clicks_sent:
        raise SystemExit("clicks were lost")


if __name__ == "__main__":
    main()
