"""The one client for outbound HTTP: link previews, OpenGraph, webhooks, social networks.

Every request Rallypoint makes to an address that a person could have typed goes through
``safe_request``/``safe_get``, which refuse to be used against the server's own network:

- only http and https, no user name or password in the address, only the ports in
  ``OUTBOUND_ALLOWED_PORTS``;
- the host name is resolved once and every address it resolves to is checked: private,
  loopback, link-local, unique-local, shared (CGNAT), reserved, multicast and unspecified
  addresses are refused, as are IPv4 addresses hidden in IPv6 ones (``::ffff:10.0.0.1``,
  6to4, Teredo, NAT64) and cloud metadata services by address and by name. Decimal and
  octal spellings (``2130706433``, ``0177.0.0.1``) are caught because the check is on what
  they resolve to. ``OUTBOUND_ALLOW_NETWORKS`` opens chosen networks (an intranet);
  metadata, multicast and unspecified addresses stay refused;
- the connection goes to the checked address (the name is not resolved a second time, so a
  DNS answer that changes between check and use cannot redirect it); the request carries
  the original ``Host`` header, and TLS uses the original name for SNI and certificate
  verification;
- redirects are followed by hand, each one checked like the first request, at most
  ``max_redirects`` of them, never to a scheme other than http or https; credentials are
  dropped when a redirect leaves the origin;
- a total time limit (each wait on the network is bounded by the time left, and the total
  is checked between reads) and a size limit on the decoded body, enforced while reading,
  compressed bodies included.

Environment proxies are ignored: a proxy would connect on our behalf to addresses we did
not check.
"""

from __future__ import annotations

import ipaddress
import json as jsonlib
import socket
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_REDIRECTS = 5
CONNECT_TIMEOUT_SECONDS = 5.0
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")
METADATA_HOSTS = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class OutboundError(Exception):
    """An outbound request failed; ``str(error)`` is a reason a person can read."""


class OutboundRefused(OutboundError):
    """The destination (or a redirect to it) is not one Rallypoint may contact."""


class OutboundTimeout(OutboundError):
    """The site did not answer within the time limit."""


class ResponseTooLarge(OutboundError):
    """The body went past the size limit; reading stopped there."""


@dataclass(frozen=True)
class SafeResponse:
    """A finished response: the body is read in full (within the size limit)."""

    url: str
    status_code: int
    headers: httpx.Headers
    content: bytes
    redirects: tuple[str, ...] = field(default=())

    @property
    def encoding(self) -> str:
        message = Message()
        message["content-type"] = self.headers.get("content-type", "")
        return message.get_content_charset() or "utf-8"

    @property
    def text(self) -> str:
        try:
            return self.content.decode(self.encoding, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        try:
            return jsonlib.loads(self.content)
        except ValueError as exc:
            raise OutboundError(_("The site answered with something that is not JSON.")) from exc

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``, in its order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise OutboundError(_("The address %(host)s could not be found.") % {"host": host}) from exc
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def user_agent() -> str:
    try:
        release = version("rallypoint")
    except PackageNotFoundError:
        release = "dev"
    return f"Rallypoint/{release} (+{settings.BASE_URL})"


def allowed_networks() -> list[IPNetwork]:
    try:
        return [ipaddress.ip_network(n, strict=False) for n in settings.OUTBOUND_ALLOW_NETWORKS]
    except ValueError as exc:
        raise ImproperlyConfigured(f"OUTBOUND_ALLOW_NETWORKS: {exc}") from exc


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses that traffic to ``ip`` may end up at."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if ip.teredo:
        found.extend(ip.teredo)
    if ip in NAT64 or ip in IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def address_refusal(address: str, *, allow: Sequence[IPNetwork] = ()) -> str | None:
    """Why ``address`` may not be contacted, or None when it may."""
    try:
        ip: IPAddress = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return _("This is not a valid network address.")
    candidates: list[IPAddress] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        embedded: list[IPAddress] = list(_embedded_ipv4(ip))
        candidates = embedded if ip.ipv4_mapped else [ip, *embedded]
    for candidate in candidates:
        if candidate in METADATA_ADDRESSES:
            return _("Cloud metadata services are never contacted.")
        if candidate.is_unspecified or candidate.is_multicast:
            return _("This address cannot be contacted.")
        if any(candidate in network for network in allow):
            continue
        if not candidate.is_global or candidate.is_reserved or candidate.is_link_local:
            return _("This address is on a private, local or reserved network.")
    return None


@dataclass(frozen=True)
class _Target:
    url: httpx.URL
    host: str
    port: int
    addresses: tuple[str, ...]


def _vet(url: httpx.URL, resolver: Resolver, allow: Sequence[IPNetwork]) -> _Target:
    """Check ``url`` and resolve it once; return the addresses it may be fetched from."""
    if url.scheme not in DEFAULT_PORTS:
        raise OutboundRefused(_("Only http and https addresses can be fetched."))
    if url.userinfo:
        raise OutboundRefused(_("Addresses with a user name or password are not allowed."))
    host = url.raw_host.decode("ascii").lower().rstrip(".")
    if not host:
        raise OutboundRefused(_("This is not a valid web address."))
    port = url.port or DEFAULT_PORTS[url.scheme]
    if port not in settings.OUTBOUND_ALLOWED_PORTS:
        raise OutboundRefused(_("Port %(port)s is not allowed.") % {"port": port})
    if host in METADATA_HOSTS:
        raise OutboundRefused(_("Cloud metadata services are never contacted."))
    addresses = (host,) if _is_ip(host) else tuple(resolver(host, port))
    if not addresses:
        raise OutboundError(_("The address %(host)s could not be found.") % {"host": host})
    for address in addresses:
        reason = address_refusal(address, allow=allow)
        if reason:
            raise OutboundRefused(
                _("%(host)s cannot be contacted: %(reason)s") % {"host": host, "reason": reason}
            )
    return _Target(url=url, host=host, port=port, addresses=addresses)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _parse(url: str | httpx.URL) -> httpx.URL:
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise OutboundRefused(_("This is not a valid web address.")) from exc


def _join(base: httpx.URL, location: str) -> httpx.URL:
    try:
        return base.join(location)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise OutboundRefused(
            _("The site redirected to an address of a kind that is not allowed.")
        ) from exc


def _timeout(deadline: float) -> httpx.Timeout:
    left = deadline - time.monotonic()
    if left <= 0:
        raise OutboundTimeout(_("The site took too long to answer."))
    return httpx.Timeout(left, connect=min(left, CONNECT_TIMEOUT_SECONDS))


def _send(
    transport: httpx.HTTPTransport,
    target: _Target,
    *,
    method: str,
    headers: Mapping[str, str],
    body: Mapping[str, Any],
    deadline: float,
) -> httpx.Response:
    """Send to the first checked address that accepts a connection."""
    host_header = target.url.netloc.decode("ascii")
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    failure: Exception | None = None
    for address in target.addresses:
        request = httpx.Request(
            method,
            target.url.copy_with(host=address),
            headers={**headers, "Host": host_header},
            extensions={**extensions, "timeout": _timeout(deadline).as_dict()},
            **body,
        )
        try:
            response = transport.handle_request(request)
            response.request = request
            return response
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            failure = exc
        except httpx.TimeoutException as exc:
            raise OutboundTimeout(_("The site took too long to answer.")) from exc
        except httpx.HTTPError as exc:
            raise OutboundError(_("The site could not be reached.")) from exc
    raise OutboundError(_("The site could not be reached.")) from failure


def _decoder(encoding: str) -> zlib._Decompress | None:
    if encoding in {"", "identity"}:
        return None
    if encoding in {"gzip", "x-gzip"}:
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(32 + zlib.MAX_WBITS)
    raise OutboundError(_("The site answered in an encoding that is not supported."))


def _too_large(max_bytes: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        _("The answer is larger than the limit of %(limit)s bytes.") % {"limit": max_bytes}
    )


def _read(response: httpx.Response, *, max_bytes: int, deadline: float) -> bytes:
    """The decoded body, read until ``max_bytes``; raises past it or past the deadline."""
    declared = response.headers.get("content-length", "")
    decoder = _decoder(response.headers.get("content-encoding", "").strip().lower())
    if decoder is None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    body = bytearray()
    try:
        for raw in response.iter_raw():
            pending = raw
            while pending:
                if decoder is None:
                    body += pending
                    pending = b""
                else:
                    body += decoder.decompress(pending, max_bytes - len(body) + 1)
                    pending = decoder.unconsumed_tail
                if len(body) > max_bytes:
                    raise _too_large(max_bytes)
            if time.monotonic() > deadline:
                raise OutboundTimeout(_("The site took too long to answer."))
        if decoder is not None:
            body += decoder.flush()
    except zlib.error as exc:
        raise OutboundError(_("The site sent a damaged answer.")) from exc
    except httpx.TimeoutException as exc:
        raise OutboundTimeout(_("The site took too long to answer.")) from exc
    except httpx.HTTPError as exc:
        raise OutboundError(_("The connection broke while reading the answer.")) from exc
    if len(body) > max_bytes:
        raise _too_large(max_bytes)
    return bytes(body)


def _redirect_method(status: int, method: str) -> str:
    """The method after a redirect, as browsers do it (RFC 9110 section 15.4)."""
    if status == 303 and method != "HEAD":
        return "GET"
    if status in {301, 302} and method == "POST":
        return "GET"
    return method


@dataclass(frozen=True)
class _Hop:
    """One request of an exchange: the first, or one made for a redirect."""

    url: httpx.URL
    method: str
    headers: dict[str, str]
    body: dict[str, Any]


def _follow(hop: _Hop, status: int, location: str) -> _Hop:
    """The request a redirect asks for: checked scheme, method rules, credentials dropped."""
    url = _join(hop.url, location)
    if url.scheme not in DEFAULT_PORTS:
        raise OutboundRefused(_("The site redirected to an address of a kind that is not allowed."))
    method = _redirect_method(status, hop.method)
    headers, body = hop.headers, hop.body
    if method != hop.method:
        body = {}
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    if url.scheme != hop.url.scheme or url.netloc != hop.url.netloc:
        headers = {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS}
    return _Hop(url=url, method=method, headers=headers, body=body)


def safe_request(
    method: str,
    url: str | httpx.URL,
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes | str | None = None,
    json: Any = None,
    data: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
    timeout: float | None = None,
    follow_redirects: bool = True,
    max_redirects: int = MAX_REDIRECTS,
    resolver: Resolver | None = None,
) -> SafeResponse:
    """Make one outbound request under every rule of this module.

    ``timeout`` (seconds) covers the whole exchange, redirects included; defaults come
    from ``OUTBOUND_TIMEOUT_SECONDS`` and ``OUTBOUND_MAX_BYTES``. ``resolver`` maps a
    host name and port to addresses (tests inject one). Raises ``OutboundRefused``,
    ``OutboundTimeout``, ``ResponseTooLarge`` or ``OutboundError``; an HTTP error status
    is not an exception: look at ``status_code``.
    """
    limit = settings.OUTBOUND_MAX_BYTES if max_bytes is None else max_bytes
    total = settings.OUTBOUND_TIMEOUT_SECONDS if timeout is None else timeout
    deadline = time.monotonic() + total
    resolve = resolver or system_resolver
    allow = allowed_networks()
    sent = {"User-Agent": user_agent(), "Accept-Encoding": "gzip, deflate"}
    sent.update({k: v for k, v in (headers or {}).items() if k.lower() != "host"})
    hop = _Hop(
        url=_parse(url),
        method=method.upper(),
        headers=sent,
        body={"content": content, "json": json, "data": data},
    )
    redirects: list[str] = []
    # The transport, not httpx.Client: the client would resolve the Location header of a
    # redirect on its own, and honour proxies from the environment.
    with httpx.HTTPTransport(trust_env=False) as transport:
        while True:
            target = _vet(hop.url, resolve, allow)
            response = _send(
                transport,
                target,
                method=hop.method,
                headers=hop.headers,
                body=hop.body,
                deadline=deadline,
            )
            try:
                location = response.headers.get("location")
                if follow_redirects and location and response.status_code in REDIRECT_STATUSES:
                    if len(redirects) >= max_redirects:
                        raise OutboundRefused(_("The site redirected too many times."))
                    hop = _follow(hop, response.status_code, location)
                    redirects.append(str(hop.url))
                    continue
                reading = hop.method != "HEAD"
                return SafeResponse(
                    url=str(hop.url),
                    status_code=response.status_code,
                    headers=response.headers,
                    content=_read(response, max_bytes=limit, deadline=deadline) if reading else b"",
                    redirects=tuple(redirects),
                )
            finally:
                response.close()


def safe_get(
    url: str | httpx.URL,
    *,
    headers: Mapping[str, str] | None = None,
    max_bytes: int | None = None,
    timeout: float | None = None,
    follow_redirects: bool = True,
    max_redirects: int = MAX_REDIRECTS,
    resolver: Resolver | None = None,
) -> SafeResponse:
    """``safe_request("GET", url, ...)``: for link previews and OpenGraph data."""
    return safe_request(
        "GET",
        url,
        headers=headers,
        max_bytes=max_bytes,
        timeout=timeout,
        follow_redirects=follow_redirects,
        max_redirects=max_redirects,
        resolver=resolver,
    )
