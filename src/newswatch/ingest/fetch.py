"""Fetching one URL over HTTP(S), with the guards an address from the outside world needs.

:func:`fetch` returns the body as raw, undecoded bytes (charset detection happens later) in a
:class:`~newswatch.model.RawInput`. What it refuses, and why:

* any scheme but ``http`` and ``https`` (:class:`BlockedURLError`);
* a host that resolves to a private, loopback, link-local, reserved, multicast, unspecified or otherwise
  non-global address, IPv4-mapped, 6to4 and NAT64 forms included, unless ``fetch.allow_private`` is set
  (:class:`BlockedURLError`). The check runs on every redirect hop, before any byte is sent;
* a body above ``input.max_bytes``, announced or streamed, after decompression (:class:`InputTooLargeError`);
* error statuses (:class:`HTTPStatusError`), timeouts, connection and protocol failures (:class:`FetchError`).

:func:`fetch_response` is the same GET for the poller: conditional (``If-None-Match``/``If-Modified-Since``
from :class:`Validators`; a ``304`` comes back without a body), with the status and the new validators in
its :class:`Response`, and the network's seams (:class:`Network`) in one argument.

DNS rebinding: the default transport (:class:`GuardedTransport`) resolves the host itself at connect time,
checks every address it got, and opens the socket to one of those checked addresses, so a second DNS
answer can never slip in between the check and the connection. TLS still verifies the certificate against
the host name in the URL, and the ``Host`` header is the URL's.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpcore
import httpx

from newswatch.errors import BlockedURLError, FetchError, HTTPStatusError, InputTooLargeError
from newswatch.model import RawInput
from newswatch.settings import Settings

__all__ = [
    "ALLOWED_SCHEMES",
    "GuardedTransport",
    "Network",
    "Resolver",
    "Response",
    "Validators",
    "blocked_reason",
    "check_host",
    "check_url",
    "fetch",
    "fetch_response",
    "system_resolve",
]

#: ``resolve(host, port)`` → the IP addresses (as text) a connection to ``host`` may use.
Resolver = Callable[[str, int], list[str]]

ALLOWED_SCHEMES = frozenset({"http", "https"})
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,application/rss+xml,*/*;q=0.8"
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address_reason(ip: _Address) -> str | None:
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            inner = _address_reason(embedded)
            if ip.ipv4_mapped:  # a dual-stack socket connects to the IPv4 address itself
                return None if inner is None else f"IPv4-mapped {inner}"
            if inner is not None:
                return f"{inner} (embedded in IPv6)"
    for flag, label in (
        ("is_unspecified", "unspecified"),
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_reserved", "reserved"),
        ("is_private", "private"),
    ):
        if getattr(ip, flag):
            return label
    if not ip.is_global:
        return "non-global"
    return None


def blocked_reason(address: str) -> str | None:
    """Why ``address`` must not be fetched without ``fetch.allow_private`` (``"private"``…), else None."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unparsable"
    return _address_reason(ip)


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses ``getaddrinfo`` gives for a TCP connection to ``host``, in its order, without repeats."""
    found: list[str] = []
    for family, _type, _proto, _name, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        if family in (socket.AF_INET, socket.AF_INET6):
            address = str(sockaddr[0])
            if address not in found:
                found.append(address)
    return found


def _ip_literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def check_host(host: str, port: int, *, allow_private: bool, resolve: Resolver = system_resolve) -> list[str]:
    """Resolve ``host`` and return its addresses, refusing it if any of them is not public.

    An IP literal is taken as it is (no lookup). Raises :class:`BlockedURLError` for a refused address and
    :class:`FetchError` when the name does not resolve.
    """
    literal = _ip_literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = resolve(host, port)
        except (OSError, UnicodeError) as exc:
            detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise FetchError(f"cannot resolve host {host!r}: {detail}") from None
        if not addresses:
            raise FetchError(f"cannot resolve host {host!r}: no addresses")
    if not allow_private:
        for address in addresses:
            reason = blocked_reason(address)
            if reason is not None:
                where = host if literal is not None else f"{host} resolves to {address}, which"
                raise BlockedURLError(
                    f"{where} is a {reason} address; set fetch.allow_private to fetch such addresses"
                )
    return addresses


def _default_port(url: httpx.URL) -> int:
    return url.port or (443 if url.scheme == "https" else 80)


def check_url(url: str | httpx.URL, *, allow_private: bool, resolve: Resolver = system_resolve) -> httpx.URL:
    """Parse ``url`` and refuse it unless it is http(s) to an allowed host; returns the parsed URL."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(f"not a valid URL ({exc})") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        shown = f"{parsed.scheme}:" if parsed.scheme else "a URL without a scheme"
        raise BlockedURLError(f"only http and https URLs are fetched, not {shown}")
    if not parsed.raw_host:
        raise FetchError("the URL names no host")
    if not allow_private:  # nothing to refuse otherwise; the transport resolves when it connects
        host = parsed.raw_host.decode("ascii")
        check_host(host, _default_port(parsed), allow_private=False, resolve=resolve)
    return parsed


class _GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses that passed :func:`check_host`."""

    def __init__(self, *, allow_private: bool, resolve: Resolver) -> None:
        self._allow_private = allow_private
        self._resolve = resolve

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = check_host(host, port, allow_private=self._allow_private, resolve=self._resolve)
        failure: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None  # check_host never returns an empty list
        raise failure


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport that checks the address of every connection it opens, then connects to it.

    Proxies from the environment are not used (a proxy would make the address check meaningless).
    Raises :class:`BlockedURLError` or :class:`FetchError` from inside the request when a host is refused
    or does not resolve; ``resolve`` is the seam tests use to stand in for DNS.
    """

    def __init__(self, *, allow_private: bool = False, resolve: Resolver = system_resolve) -> None:
        # HTTPTransport.__init__ only builds ``_pool``; build it here with our backend instead of twice.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_GuardedBackend(allow_private=allow_private, resolve=resolve),
        )


class _BoundedBody:
    """Collects a response body, decompressing gzip/deflate itself, and stops just past ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self._limit = limit
        self._chunks: list[bytes] = []
        self._total = 0
        self._deflate_fallback = False
        self._inflater: zlib._Decompress | None
        if encoding in ("", "identity"):
            self._inflater = None
        elif encoding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)
            self._deflate_fallback = True
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding!r}")

    def _keep(self, data: bytes) -> None:
        self._total += len(data)
        if self._total > self._limit:
            raise InputTooLargeError(f"larger than {self._limit} bytes (the input.max_bytes setting)")
        self._chunks.append(data)

    def feed(self, chunk: bytes) -> None:
        if self._inflater is None:
            self._keep(chunk)
            return
        budget = self._limit - self._total + 1  # never 0: max_length=0 would mean "no limit"
        try:
            out = self._inflater.decompress(chunk, budget)
        except zlib.error:
            if not self._deflate_fallback or self._total:
                raise FetchError("the compressed body is corrupt") from None
            # "deflate" is sent both zlib-wrapped and raw; retry the first chunk as raw deflate.
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            self._deflate_fallback = False
            self.feed(chunk)
            return
        self._deflate_fallback = False
        self._keep(out)

    def result(self) -> bytes:
        if self._inflater is not None:
            try:
                self._keep(self._inflater.flush())
            except zlib.error:
                raise FetchError("the compressed body is corrupt") from None
        return b"".join(self._chunks)


def _read_body(response: httpx.Response, limit: int) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise InputTooLargeError(
            f"the server announces {int(declared)} bytes, more than the {limit}-byte limit "
            "(the input.max_bytes setting)"
        )
    if response.is_stream_consumed:  # built in memory (httpx.MockTransport): httpx has decoded it already
        if len(response.content) > limit:
            raise InputTooLargeError(f"larger than {limit} bytes (the input.max_bytes setting)")
        return response.content
    body = _BoundedBody(response.headers.get("content-encoding", "").strip().lower(), limit)
    for chunk in response.iter_raw():
        body.feed(chunk)
    return body.result()


def _redirect_target(response: httpx.Response, current: httpx.URL, where: str) -> httpx.URL | None:
    """The next URL when ``response`` is a redirect, None when it is the answer; raises on error statuses."""
    status = response.status_code
    if status in _REDIRECT_STATUSES:
        location = response.headers.get("location", "").strip()
        if not location:
            raise HTTPStatusError(f"HTTP {status} redirect without a Location header{where}")
        try:
            return current.join(location)
        except httpx.InvalidURL:
            raise FetchError(f"redirect to an invalid URL {location!r}{where}") from None
    if not 200 <= status < 300:
        reason = f" {response.reason_phrase}" if response.reason_phrase else ""
        raise HTTPStatusError(f"HTTP {status}{reason}{where}")
    return None


def _transport_failure(exc: Exception, where: str, timeout: float) -> FetchError:
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(f"no answer within {timeout:g} s{where} (the fetch.timeout setting)")
    if isinstance(exc, httpx.ConnectError):
        what = "could not connect"
    elif isinstance(exc, httpx.RemoteProtocolError):
        what = "the server broke the HTTP protocol"
    elif isinstance(exc, httpx.ReadError | httpx.WriteError):
        what = "the connection failed"
    else:
        what = "the request failed"
    detail = " ".join(str(exc).split()) or type(exc).__name__
    return FetchError(f"{what}{where}: {detail}")


def _aware_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Network:
    """The seams of the network: ``transport`` replaces the sockets (tests pass ``httpx.MockTransport`` or a
    :class:`GuardedTransport` with its own resolver), ``resolve`` stands in for DNS in the address check each
    hop passes before the transport sees it. The default is the real network."""

    transport: httpx.BaseTransport | None = None
    resolve: Resolver = system_resolve


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional GET sends: the ``ETag`` and ``Last-Modified`` of the last answer, when known."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        sent = {"If-None-Match": _validator(self.etag), "If-Modified-Since": _validator(self.last_modified)}
        return {name: value for name, value in sent.items() if value}


@dataclass(frozen=True, slots=True)
class Response:
    """The final answer of :func:`fetch_response`: its status, its body (None for ``304 Not Modified``, which
    has none, and for an error status) and the validators to send next time. ``url`` is the address after
    redirects."""

    status: int
    url: str
    raw: RawInput | None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


_VALIDATOR_CHARS = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]{0,1022}[\x21-\x7e])?")


def _validator(value: str | None) -> str | None:
    """A validator as it may be stored and sent back: printable ASCII of at most 1024 characters, else None
    (a header a server sent is untrusted text; a line break in it must never reach the next request)."""
    if value is None:
        return None
    value = value.strip()
    return value if _VALIDATOR_CHARS.fullmatch(value) else None


def fetch(
    url: str,
    settings: Settings,
    *,
    transport: httpx.BaseTransport | None = None,
    now: Callable[[], datetime] | None = None,
) -> RawInput:
    """GET ``url`` within the guards of the ``fetch.*`` and ``input.max_bytes`` settings.

    ``transport`` replaces the network (tests pass ``httpx.MockTransport``). With ``fetch.allow_private``
    off, each hop's host is still resolved and checked before the transport sees it, so a mock then needs
    IP literals; with it on, made-up names work. ``now`` is the clock for ``reference_date``. Only
    :mod:`newswatch.errors` exceptions leave this function.
    """
    response = fetch_response(url, settings, network=Network(transport=transport), now=now)
    assert response.raw is not None  # only a conditional request gets a 304 back
    return response.raw


def fetch_response(
    url: str,
    settings: Settings,
    *,
    validators: Validators | None = None,
    network: Network | None = None,
    now: Callable[[], datetime] | None = None,
    error_statuses: bool = False,
) -> Response:
    """GET ``url`` like :func:`fetch`, conditionally, and return the answer with its status and validators.

    With ``validators`` the request carries ``If-None-Match`` / ``If-Modified-Since`` and a ``304`` answer
    comes back with ``raw=None`` (without them, a 304 is an error status as before). ``error_statuses``
    returns a final 4xx/5xx answer (its body read within the same limit) instead of raising
    :class:`HTTPStatusError`: robots.txt tells a 404 from a 503 this way. Every guard of :func:`fetch`
    holds: the scheme and address check of every hop (with ``network.resolve``), the timeouts, the body
    limit and the redirect limit.
    """
    network = network or Network()
    allow_private = bool(settings["fetch.allow_private"])
    limit = int(settings["input.max_bytes"])
    max_redirects = int(settings["fetch.max_redirects"])
    timeout = float(settings["fetch.timeout"])
    fetched_at = _aware_utc((now or (lambda: datetime.now(UTC)))())
    resolve = network.resolve

    current = check_url(url, allow_private=allow_private, resolve=resolve)
    headers = {
        "User-Agent": str(settings["fetch.user_agent"]),
        "Accept": _ACCEPT,
        "Accept-Encoding": "gzip, deflate",
        **(validators.headers() if validators else {}),
    }
    conditional = "If-None-Match" in headers or "If-Modified-Since" in headers
    # The transport is driven directly, not through httpx.Client: the client would try to build the next
    # request of every redirect itself (and fail on Locations such as "javascript:…"), and it keeps cookies
    # and environment proxies that a guarded fetch does not want.
    sender = network.transport or GuardedTransport(allow_private=allow_private, resolve=resolve)
    timeouts = httpx.Timeout(timeout).as_dict()
    visited = {str(current)}
    where = ""  # after a redirect, messages say which URL failed; the caller names the one given
    try:
        for hop in range(max_redirects + 1):
            where = f" at {current}" if hop else ""
            request = httpx.Request("GET", current, headers=headers, extensions={"timeout": timeouts})
            response = sender.handle_request(request)
            response.request = request
            try:
                status = response.status_code
                final = (status == 304 and conditional) or (error_statuses and status >= 400)
                target = None if final else _redirect_target(response, current, where)
                if target is None:
                    return Response(
                        status=status,
                        url=str(current),
                        raw=None
                        if final
                        else RawInput(
                            data=_read_body(response, limit),
                            name=url,
                            url=str(current),
                            content_type=response.headers.get("content-type"),
                            reference_date=fetched_at,
                        ),
                        etag=_validator(response.headers.get("etag")),
                        last_modified=_validator(response.headers.get("last-modified")),
                    )
            finally:
                response.close()
            try:
                current = check_url(target, allow_private=allow_private, resolve=resolve)
            except BlockedURLError as exc:
                raise BlockedURLError(f"redirected to {target}, which is refused: {exc}") from None
            if str(current) in visited:
                raise FetchError(f"redirect loop back to {current}")
            visited.add(str(current))
        raise FetchError(f"more than {max_redirects} redirects (the fetch.max_redirects setting)")
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise _transport_failure(exc, where, timeout) from None
    finally:
        if network.transport is None:
            sender.close()
