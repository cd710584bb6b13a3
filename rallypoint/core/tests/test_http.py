"""The outbound HTTP client against real servers on loopback."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import certifi
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from rallypoint.core.http import (
    OutboundError,
    OutboundRefused,
    OutboundTimeout,
    ResponseTooLarge,
    address_refusal,
    safe_get,
    safe_request,
)

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    httpd: ThreadingHTTPServer
    seen: list[Seen] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def host(self) -> str:
        return str(self.httpd.server_address[0])

    def url(self, path: str = "/", *, scheme: str = "http", host: str | None = None) -> str:
        return f"{scheme}://{host or self.host}:{self.port}{path}"


def reply(
    body: bytes = b"ok", *, status: int = 200, headers: dict[str, str] | None = None
) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        for name, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    return route


def redirect(location: str, status: int = 302) -> Route:
    return reply(b"", status=status, headers={"Location": location})


def endless(chunk: bytes = b"x" * 65536) -> Route:
    """A body with no declared length that never ends on its own."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.end_headers()
        for _ in range(10_000):
            h.wfile.write(chunk)

    return route


def slow(delay: float) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        reply()(h)

    return route


def trickle(count: int, interval: float) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(count))
        h.end_headers()
        for _ in range(count):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(interval)

    return route


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """The client hangs up mid-answer on purpose (size and time limits)."""


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    """Start an HTTP server in a thread: ``serve({"/path": route}, host=..., tls=...)``."""
    started: list[Server] = []

    def start(
        routes: dict[str, Route], *, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None
    ) -> Server:
        server: Server

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                server.seen.append(
                    Seen(
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        self.rfile.read(length),
                    )
                )
                routes.get(self.path, reply(b"not found", status=404))(self)

            do_GET = do_POST = do_HEAD = handle_one

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        httpd = QuietServer((host, 0), Handler)
        if tls is not None:
            httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
        server = Server(httpd)
        threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def allow(settings) -> Callable[..., None]:
    """Open loopback addresses and the ports of the given servers to the client."""

    def open_(*servers: Server, networks: tuple[str, ...] = ("127.0.0.1/32",)) -> None:
        settings.OUTBOUND_ALLOW_NETWORKS = list(networks)
        settings.OUTBOUND_ALLOWED_PORTS = [80, 443, *(s.port for s in servers)]

    return open_


def answer(*addresses: str) -> Callable[[str, int], list[str]]:
    return lambda host, port: list(addresses)


# ---------------------------------------------------------------- refused destinations


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/",
        "http://[::1]/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://172.31.255.254/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://169.254.170.2/v2/credentials",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://0x7f000001/",
        "http://127.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://[::127.0.0.1]/",
        "http://[2002:7f00:1::1]/",
        "http://[64:ff9b::a00:1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "http://240.0.0.1/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://METADATA.google.internal./",
        "http://metadata/",
        "https://127.0.0.1/",
    ],
)
def test_private_and_special_addresses_are_refused(url: str) -> None:
    with pytest.raises(OutboundRefused):
        safe_get(url)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://93.184.216.34/",
        "file:///etc/passwd",
        "gopher://93.184.216.34/",
        "javascript:alert(1)",
        "http://user:secret@93.184.216.34/",
        "http://93.184.216.34:22/",
        "http://93.184.216.34:6379/",
        "http:///nohost",
    ],
)
def test_schemes_credentials_and_ports_are_refused(url: str) -> None:
    with pytest.raises(OutboundRefused):
        safe_get(url, resolver=answer("93.184.216.34"))


def test_a_name_with_one_private_address_among_public_ones_is_refused() -> None:
    with pytest.raises(OutboundRefused, match="private"):
        safe_get("http://mixed.example/", resolver=answer("93.184.216.34", "10.0.0.7"))


def test_refusal_reason_is_readable() -> None:
    with pytest.raises(OutboundRefused) as refused:
        safe_get("http://intranet.example/", resolver=answer("192.168.0.10"))
    assert str(refused.value) == (
        "intranet.example cannot be contacted: "
        "This address is on a private, local or reserved network."
    )


def test_public_addresses_pass_the_check() -> None:
    for address in ("93.184.216.34", "8.8.8.8", "2606:4700::1111", "2a00:1450:4001::200e"):
        assert address_refusal(address) is None


def test_allow_list_opens_private_networks_but_never_metadata() -> None:
    from ipaddress import ip_network

    allow = [ip_network("10.0.0.0/8"), ip_network("169.254.0.0/16")]
    assert address_refusal("10.20.30.40", allow=allow) is None
    assert address_refusal("169.254.169.254", allow=allow) is not None
    assert address_refusal("192.168.0.1", allow=allow) is not None


def test_a_local_server_is_not_contacted_without_the_allow_list(serve, settings) -> None:
    server = serve({"/": reply()})
    settings.OUTBOUND_ALLOWED_PORTS = [server.port]
    with pytest.raises(OutboundRefused):
        safe_get(server.url())
    assert server.seen == []


# ---------------------------------------------------------------- allowed requests


def test_allowed_network_is_fetched_with_user_agent(serve, allow, settings) -> None:
    server = serve({"/page": reply(b"<title>Hello</title>", headers={"Content-Type": "text/html"})})
    allow(server)
    response = safe_get(server.url("/page"))
    assert (response.status_code, response.text) == (200, "<title>Hello</title>")
    agent = server.seen[0].headers["user-agent"]
    assert agent.startswith("Rallypoint/") and settings.BASE_URL in agent


def test_post_sends_json_and_reads_json(serve, allow) -> None:
    server = serve({"/hook": reply(b'{"received": true}')})
    allow(server)
    response = safe_request("POST", server.url("/hook"), json={"event": "post.published"})
    assert response.json() == {"received": True}
    assert json.loads(server.seen[0].body) == {"event": "post.published"}
    assert server.seen[0].headers["content-type"] == "application/json"


def test_connection_refused_is_an_error_not_a_refusal(serve, allow) -> None:
    server = serve({})
    allow(server)
    port = server.port
    server.httpd.server_close()
    with pytest.raises(OutboundError) as failed:
        safe_get(f"http://127.0.0.1:{port}/", timeout=3)
    assert not isinstance(failed.value, OutboundRefused)


# ---------------------------------------------------------------- redirects


def test_relative_redirect_is_followed(serve, allow) -> None:
    server = serve({"/start": redirect("/next/../final"), "/final": reply(b"done")})
    allow(server)
    response = safe_get(server.url("/start"))
    assert response.content == b"done"
    assert response.url == server.url("/final")
    assert response.redirects == (server.url("/final"),)


def test_redirect_to_a_refused_address_is_refused_at_the_redirect(serve, allow) -> None:
    target = serve({"/": reply(b"secret")}, host="127.0.0.2")
    origin = serve({"/": redirect(target.url())})
    allow(origin, target)
    with pytest.raises(OutboundRefused, match=r"127\.0\.0\.2"):
        safe_get(origin.url())
    assert len(origin.seen) == 1
    assert target.seen == []


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/passwd",
        "ftp://93.184.216.34/",
        "javascript:alert(1)",
        "http://metadata.google.internal/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]/",
    ],
)
def test_redirects_are_checked_like_the_first_request(serve, allow, location: str) -> None:
    server = serve({"/": redirect(location)})
    allow(server)
    with pytest.raises(OutboundRefused):
        safe_get(server.url())


def test_redirect_loop_is_capped(serve, allow) -> None:
    server = serve({"/loop": redirect("/loop", status=301)})
    allow(server)
    with pytest.raises(OutboundRefused, match="redirected too many times"):
        safe_get(server.url("/loop"), max_redirects=4)
    assert len(server.seen) == 5


def test_redirects_are_not_followed_when_asked(serve, allow) -> None:
    server = serve({"/": redirect("/elsewhere")})
    allow(server)
    response = safe_request("POST", server.url(), content=b"x", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/elsewhere"


def test_see_other_turns_a_post_into_a_get(serve, allow) -> None:
    server = serve({"/hook": redirect("/done", status=303), "/done": reply()})
    allow(server)
    safe_request("POST", server.url("/hook"), json={"a": 1})
    assert [(s.method, s.path, s.body) for s in server.seen] == [
        ("POST", "/hook", b'{"a":1}'),
        ("GET", "/done", b""),
    ]


def test_temporary_redirect_keeps_method_and_body(serve, allow) -> None:
    server = serve({"/hook": redirect("/moved", status=307), "/moved": reply()})
    allow(server)
    safe_request("POST", server.url("/hook"), content=b"payload")
    assert [(s.method, s.body) for s in server.seen] == [("POST", b"payload"), ("POST", b"payload")]


def test_credentials_are_dropped_when_a_redirect_leaves_the_origin(serve, allow) -> None:
    other = serve({"/": reply()})
    origin = serve({"/": redirect(other.url()), "/same": redirect("/")})
    allow(origin, other)
    safe_get(origin.url("/same"), headers={"Authorization": "Bearer t0ken"})
    assert origin.seen[0].headers["authorization"] == "Bearer t0ken"
    assert origin.seen[1].headers["authorization"] == "Bearer t0ken"
    assert "authorization" not in other.seen[0].headers


# ---------------------------------------------------------------- size and time limits


def test_size_limit_stops_a_body_of_unknown_length(serve, allow) -> None:
    server = serve({"/big": endless()})
    allow(server)
    with pytest.raises(ResponseTooLarge, match="100000 bytes"):
        safe_get(server.url("/big"), max_bytes=100_000)


def test_size_limit_refuses_a_declared_length_over_the_cap(serve, allow) -> None:
    server = serve({"/big": reply(b"x" * 5000)})
    allow(server)
    with pytest.raises(ResponseTooLarge):
        safe_get(server.url("/big"), max_bytes=4999)
    assert safe_get(server.url("/big"), max_bytes=5000).content == b"x" * 5000


def test_size_limit_counts_decompressed_bytes(serve, allow) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    server = serve(
        {
            "/bomb": reply(bomb, headers={"Content-Encoding": "gzip"}),
            "/small": reply(gzip.compress(b"hello " * 100), headers={"Content-Encoding": "gzip"}),
        }
    )
    allow(server)
    assert len(bomb) < 100_000
    with pytest.raises(ResponseTooLarge):
        safe_get(server.url("/bomb"), max_bytes=1_000_000)
    assert safe_get(server.url("/small")).content == b"hello " * 100


def test_size_limit_default_comes_from_settings(serve, allow, settings) -> None:
    server = serve({"/big": endless()})
    allow(server)
    settings.OUTBOUND_MAX_BYTES = 200_000
    with pytest.raises(ResponseTooLarge, match="200000 bytes"):
        safe_get(server.url("/big"))


def test_slow_server_hits_the_timeout(serve, allow) -> None:
    server = serve({"/slow": slow(3)})
    allow(server)
    started = time.monotonic()
    with pytest.raises(OutboundTimeout):
        safe_get(server.url("/slow"), timeout=0.5)
    assert time.monotonic() - started < 2


def test_trickling_server_hits_the_total_time_limit(serve, allow) -> None:
    server = serve({"/drip": trickle(count=40, interval=0.1)})
    allow(server)
    started = time.monotonic()
    with pytest.raises(OutboundTimeout):
        safe_get(server.url("/drip"), timeout=1)
    assert time.monotonic() - started < 2.5


# ---------------------------------------------------------------- DNS pinning and TLS


def test_connection_goes_to_the_checked_address_only(serve, allow) -> None:
    server = serve({"/": reply(b"pinned")})
    allow(server)
    answers = [["127.0.0.1"], ["10.0.0.1"]]
    lookups: list[tuple[str, int]] = []

    def rebinding(host: str, port: int) -> list[str]:
        lookups.append((host, port))
        return answers[min(len(lookups), 2) - 1]

    response = safe_get(f"http://rebind.test:{server.port}/", resolver=rebinding)
    assert response.content == b"pinned"
    assert lookups == [("rebind.test", server.port)]
    assert server.seen[0].headers["host"] == f"rebind.test:{server.port}"
    assert response.url == f"http://rebind.test:{server.port}/"


def test_every_redirect_hop_is_resolved_and_checked_again(serve, allow) -> None:
    server = serve({"/": redirect("/again"), "/again": reply()})
    allow(server)
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    with pytest.raises(OutboundRefused):
        safe_get(f"http://rebind.test:{server.port}/", resolver=lambda h, p: next(answers))
    assert [s.path for s in server.seen] == ["/"]


@pytest.fixture
def tls_for(tmp_path: Path) -> Callable[[str], ssl.SSLContext]:
    """A server TLS context with a certificate for a name, signed by a test authority."""

    def make(name: str) -> ssl.SSLContext:
        now = dt.datetime.now(dt.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Rallypoint test CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        pem = serialization.Encoding.PEM
        (tmp_path / "ca.pem").write_bytes(ca.public_bytes(pem))
        (tmp_path / "cert.pem").write_bytes(cert.public_bytes(pem))
        (tmp_path / "key.pem").write_bytes(
            key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        )
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
        return context

    return make


def test_tls_uses_the_original_name_for_sni_and_verification(
    serve, allow, tls_for, tmp_path, monkeypatch
) -> None:
    context = tls_for("pinned.test")
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    server = serve({"/": reply(b"secure")}, tls=context)
    allow(server)
    # The client trusts the default authorities; make the test authority one of them.
    monkeypatch.setattr(certifi, "where", lambda: str(tmp_path / "ca.pem"))
    to_loopback = answer("127.0.0.1")

    response = safe_get(server.url(scheme="https", host="pinned.test"), resolver=to_loopback)
    assert response.content == b"secure"
    assert names == ["pinned.test"]
    assert server.seen[0].headers["host"] == f"pinned.test:{server.port}"

    with pytest.raises(OutboundError):
        safe_get(server.url(scheme="https", host="impostor.test"), resolver=to_loopback)
    assert len(server.seen) == 1


def test_text_is_decoded_with_the_declared_charset(serve, allow) -> None:
    body = "Grüße".encode("latin-1")
    server = serve({"/": reply(body, headers={"Content-Type": "text/plain; charset=ISO-8859-1"})})
    allow(server)
    assert safe_get(server.url()).text == "Grüße"


def test_an_address_in_the_url_is_not_resolved() -> None:
    with pytest.raises(OutboundRefused):
        safe_get("http://10.0.0.1/", resolver=answer("93.184.216.34"))


def test_head_reads_no_body(serve, allow) -> None:
    server = serve({"/": reply(b"ignored")})
    allow(server)
    response = safe_request("HEAD", server.url())
    assert (response.status_code, response.content) == (200, b"")
    assert server.seen[0].method == "HEAD"


def test_proxies_from_the_environment_are_ignored(serve, allow, monkeypatch) -> None:
    server = serve({"/": reply(b"direct")})
    allow(server)
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.9:1")
    assert safe_get(server.url()).content == b"direct"
