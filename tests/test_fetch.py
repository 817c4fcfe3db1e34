"""fetch(): real HTTP on 127.0.0.1 for the happy and unhappy paths; refused addresses never see traffic."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler

import httpx
import pytest

from conftest import LoopbackServer
from newswatch.errors import BlockedURLError, FetchError, HTTPStatusError, InputTooLargeError
from newswatch.ingest.fetch import GuardedTransport, blocked_reason, check_host, check_url, fetch
from newswatch.settings import Settings

PAGE = "<html><head><title>Ceasefire talks</title></head><body><p>Both sides met today.</p></body></html>"
RUSSIAN = "<html><body><p>Сегодня в городе шёл сильный дождь, и набережную закрыли.</p></body></html>"
CLOCK = datetime(2026, 1, 28, 9, 30, tzinfo=UTC)


@pytest.fixture
def local() -> Settings:
    """Settings that may fetch loopback, with a short timeout so slow routes fail fast."""
    return Settings({}).with_overrides(fetch_allow_private=True, fetch_timeout=0.5)


def _recording_transport() -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"<p>must not be reached</p>")

    return httpx.MockTransport(answer), seen


# --- the normal path ------------------------------------------------------------------------------------


def test_fetches_a_page_with_its_metadata(http_server: LoopbackServer, local: Settings) -> None:
    url = http_server.route("/article", PAGE.encode())
    raw = fetch(url, local, now=lambda: CLOCK)
    assert raw.data == PAGE.encode()
    assert raw.name == url
    assert raw.url == url
    assert raw.content_type == "text/html; charset=utf-8"
    assert raw.reference_date == CLOCK


def test_sends_the_configured_user_agent(http_server: LoopbackServer, local: Settings) -> None:
    url = http_server.route("/article", PAGE.encode())
    fetch(url, local.with_overrides(fetch_user_agent="newswatch-test/9"))
    assert http_server.requests[0][1]["User-Agent"] == "newswatch-test/9"


def test_reference_date_is_aware_utc(http_server: LoopbackServer, local: Settings) -> None:
    url = http_server.route("/article", PAGE.encode())
    yerevan = timezone(timedelta(hours=4))
    raw = fetch(url, local, now=lambda: datetime(2026, 1, 28, 13, 30, tzinfo=yerevan))
    assert raw.reference_date == CLOCK
    assert raw.reference_date is not None and raw.reference_date.utcoffset() == timedelta(0)


def test_body_without_charset_is_returned_undecoded(http_server: LoopbackServer, local: Settings) -> None:
    body = RUSSIAN.encode("windows-1251")
    url = http_server.route("/ru", body, content_type="text/html")
    raw = fetch(url, local)
    assert raw.data == body
    assert raw.content_type == "text/html"


def test_gzip_body_is_decompressed(http_server: LoopbackServer, local: Settings) -> None:
    url = http_server.route("/gz", gzip.compress(PAGE.encode()), headers={"Content-Encoding": "gzip"})
    assert fetch(url, local).data == PAGE.encode()


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_both_kinds_of_deflate_are_decompressed(
    http_server: LoopbackServer, local: Settings, wbits: int
) -> None:
    packer = zlib.compressobj(wbits=wbits)
    body = packer.compress(PAGE.encode()) + packer.flush()
    url = http_server.route("/deflate", body, headers={"Content-Encoding": "deflate"})
    assert fetch(url, local).data == PAGE.encode()


def test_made_up_host_with_a_transport_needs_no_dns_when_private_is_allowed(local: Settings) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"<p>ok</p>", headers={"Content-Type": "text/html"})

    raw = fetch("https://news.example/a", local, transport=httpx.MockTransport(answer))
    assert raw.data == b"<p>ok</p>"
    assert [str(r.url) for r in seen] == ["https://news.example/a"]


# --- redirects ------------------------------------------------------------------------------------------


def test_follows_a_redirect_chain(http_server: LoopbackServer, local: Settings) -> None:
    final = http_server.route("/final", PAGE.encode())
    http_server.route("/second", status=302, headers={"Location": "/final"})
    first = http_server.route("/first", status=301, headers={"Location": http_server.url("/second")})
    raw = fetch(first, local)
    assert raw.data == PAGE.encode()
    assert raw.url == final
    assert raw.name == first
    assert [path for path, _ in http_server.requests] == ["/first", "/second", "/final"]


def test_stops_after_max_redirects(http_server: LoopbackServer, local: Settings) -> None:
    http_server.route("/end", PAGE.encode())
    for n in range(3):
        http_server.route(f"/hop{n}", status=302, headers={"Location": f"/hop{n + 1}" if n < 2 else "/end"})
    with pytest.raises(FetchError, match="more than 2 redirects"):
        fetch(http_server.url("/hop0"), local.with_overrides(fetch_max_redirects=2))
    assert len(http_server.requests) == 3


def test_redirect_loop_is_an_error(http_server: LoopbackServer, local: Settings) -> None:
    http_server.route("/ping", status=302, headers={"Location": "/pong"})
    url = http_server.route("/pong", status=307, headers={"Location": "/ping"})
    with pytest.raises(FetchError, match="redirect loop back to"):
        fetch(url, local)
    assert len(http_server.requests) == 2


@pytest.mark.parametrize("target", ["file:///etc/passwd", "javascript:alert(1)", "ftp://127.0.0.1/x"])
def test_redirect_to_a_refused_scheme(http_server: LoopbackServer, local: Settings, target: str) -> None:
    url = http_server.route("/jump", status=302, headers={"Location": target})
    with pytest.raises(BlockedURLError, match="only http and https"):
        fetch(url, local)
    assert len(http_server.requests) == 1


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://localhost/admin"])
def test_each_hop_is_checked_for_its_address(target: str) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"Location": target})

    # 8.8.8.8 is only a name here: the mock transport answers, no packet leaves the machine.
    with pytest.raises(BlockedURLError, match=r"which is refused: .*address"):
        fetch("http://8.8.8.8/start", Settings({}), transport=httpx.MockTransport(answer))
    assert [str(r.url) for r in seen] == ["http://8.8.8.8/start"]


def test_redirect_without_location(http_server: LoopbackServer, local: Settings) -> None:
    url = http_server.route("/nowhere", status=302)
    with pytest.raises(HTTPStatusError, match="without a Location"):
        fetch(url, local)


# --- error statuses and failures ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 500])
def test_error_status(http_server: LoopbackServer, local: Settings, status: int) -> None:
    url = http_server.route("/broken", b"sorry", status=status)
    with pytest.raises(HTTPStatusError) as caught:
        fetch(url, local)
    assert str(caught.value) == {404: "HTTP 404 Not Found", 500: "HTTP 500 Internal Server Error"}[status]


def test_error_status_after_redirect_names_the_failing_url(
    http_server: LoopbackServer, local: Settings
) -> None:
    gone = http_server.route("/gone", status=404)
    start = http_server.route("/old", status=301, headers={"Location": "/gone"})
    with pytest.raises(HTTPStatusError) as caught:
        fetch(start, local)
    assert str(caught.value) == f"HTTP 404 Not Found at {gone}"


def test_slow_server_times_out(http_server: LoopbackServer, local: Settings) -> None:
    def stall(request: BaseHTTPRequestHandler) -> None:
        http_server.stopping.wait(30)  # released at teardown; the client gave up long before

    url = http_server.handle("/slow", stall)
    with pytest.raises(FetchError, match=r"no answer within 0\.5 s \(the fetch\.timeout setting\)"):
        fetch(url, local)


def test_connection_refused(local: Settings) -> None:
    idle = LoopbackServer()  # bound, never started, then closed: its port refuses connections
    url = idle.url("/")
    idle._httpd.server_close()
    with pytest.raises(FetchError, match="could not connect"):
        fetch(url, local)


def test_content_length_longer_than_the_body(http_server: LoopbackServer, local: Settings) -> None:
    def short(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Length", "1000")
        request.end_headers()
        request.wfile.write(b"only a bit")

    url = http_server.handle("/short", short)
    with pytest.raises(FetchError, match="broke the HTTP protocol"):
        fetch(url, local)


def test_content_length_shorter_than_the_body_caps_it(http_server: LoopbackServer, local: Settings) -> None:
    def long(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Length", "5")
        request.end_headers()
        request.wfile.write(b"x" * 100_000)

    url = http_server.handle("/long", long)
    assert fetch(url, local).data == b"xxxxx"


# --- size limits ----------------------------------------------------------------------------------------


def test_announced_size_above_the_limit_is_refused_up_front(
    http_server: LoopbackServer, local: Settings
) -> None:
    def boast(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Length", str(10**12))
        request.end_headers()
        request.wfile.write(b"tiny")

    url = http_server.handle("/boast", boast)
    with pytest.raises(InputTooLargeError, match=r"announces 1000000000000 bytes.*input\.max_bytes"):
        fetch(url, local)


def test_endless_body_is_cut_at_the_limit(http_server: LoopbackServer, local: Settings) -> None:
    sent: list[int] = []

    def endless(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/plain")
        request.end_headers()
        try:
            while not http_server.stopping.is_set():
                request.wfile.write(b"news " * 13_000)
                sent.append(65_000)
        except OSError:  # the client hung up, as it should
            pass

    url = http_server.handle("/endless", endless)
    with pytest.raises(
        InputTooLargeError, match=r"larger than 200000 bytes \(the input\.max_bytes setting\)"
    ):
        fetch(url, local.with_overrides(input_max_bytes=200_000))


def test_body_exactly_at_the_limit_is_accepted(http_server: LoopbackServer, local: Settings) -> None:
    url = http_server.route("/exact", b"a" * 4096, content_type="text/plain")
    assert len(fetch(url, local.with_overrides(input_max_bytes=4096)).data) == 4096
    with pytest.raises(InputTooLargeError):
        fetch(url, local.with_overrides(input_max_bytes=4095))


def test_gzip_bomb_is_cut_at_the_limit(http_server: LoopbackServer, local: Settings) -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))  # ~64 KB on the wire
    url = http_server.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(InputTooLargeError, match=r"input\.max_bytes"):
        fetch(url, local.with_overrides(input_max_bytes=1024 * 1024))


def test_corrupt_gzip_is_a_fetch_error(http_server: LoopbackServer, local: Settings) -> None:
    url = http_server.route("/bad-gz", b"this is not gzip", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="corrupt"):
        fetch(url, local)


def test_unknown_content_encoding_is_a_fetch_error(http_server: LoopbackServer, local: Settings) -> None:
    url = http_server.route("/br", b"\x1b\x00", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="unsupported Content-Encoding"):
        fetch(url, local)


# --- refused schemes and addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/a", "javascript:alert(1)", "data:text/html,hi", "gopher://h/1"],
)
def test_only_http_and_https(url: str) -> None:
    transport, seen = _recording_transport()
    with pytest.raises(BlockedURLError, match="only http and https"):
        fetch(url, Settings({}).with_overrides(fetch_allow_private=True), transport=transport)
    assert seen == []


def test_loopback_is_refused_by_default(http_server: LoopbackServer) -> None:
    url = http_server.route("/article", PAGE.encode())
    with pytest.raises(BlockedURLError, match=r"loopback address; set fetch\.allow_private"):
        fetch(url, Settings({}))
    with pytest.raises(BlockedURLError, match="loopback"):
        fetch(http_server.url("/article", host="localhost"), Settings({}))
    assert http_server.requests == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]:8080/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped loopback"),
        ("http://[::ffff:10.0.0.1]/", "IPv4-mapped private"),
        ("http://[::ffff:169.254.169.254]/", "IPv4-mapped link-local"),
        ("http://192.168.1.1/", "private"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[fd00::1]/", "private"),
        ("http://224.0.0.1/", "multicast"),
        ("http://100.64.0.1/", "non-global"),
        ("http://2130706433/", "loopback"),  # 127.0.0.1 as one number; getaddrinfo parses it locally
    ],
)
def test_private_addresses_are_refused_without_traffic(url: str, reason: str) -> None:
    transport, seen = _recording_transport()
    with pytest.raises(BlockedURLError, match=reason):
        fetch(url, Settings({}), transport=transport)
    assert seen == []


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
        ("2002:7f00:1::", "loopback (embedded in IPv6)"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", "private (embedded in IPv6)"),  # NAT64 wrapping 10.0.0.1
        ("240.0.0.1", "reserved"),
        ("ff02::1", "multicast"),
        ("not-an-ip", "unparsable"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
    ],
)
def test_blocked_reason(address: str, reason: str | None) -> None:
    assert blocked_reason(address) == reason


def test_a_name_is_refused_if_any_of_its_addresses_is_private() -> None:
    def resolve(host: str, port: int) -> list[str]:
        return ["8.8.8.8", "10.0.0.7"]

    with pytest.raises(BlockedURLError, match=r"news\.example resolves to 10\.0\.0\.7"):
        check_host("news.example", 443, allow_private=False, resolve=resolve)
    assert check_host("news.example", 443, allow_private=True, resolve=resolve) == ["8.8.8.8", "10.0.0.7"]


def test_unresolvable_name_is_a_fetch_error() -> None:
    def resolve(host: str, port: int) -> list[str]:
        raise OSError(-2, "Name or service not known")

    with pytest.raises(FetchError, match=r"cannot resolve host 'nowhere\.invalid'"):
        check_url("http://nowhere.invalid/", allow_private=False, resolve=resolve)


@pytest.mark.parametrize("url", ["http:///path", "http://[::1/"])
def test_malformed_urls(url: str) -> None:
    with pytest.raises(FetchError):
        fetch(url, Settings({}))


# --- the transport checks the address it actually connects to -------------------------------------------


def test_transport_refuses_loopback_before_connecting(http_server: LoopbackServer) -> None:
    url = http_server.route("/article", PAGE.encode())
    with (
        httpx.Client(transport=GuardedTransport()) as client,
        pytest.raises(BlockedURLError, match="loopback"),
    ):
        client.get(url)
    assert http_server.requests == []


def test_transport_refuses_what_the_resolver_says_is_private() -> None:
    calls: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append((host, port))
        return ["10.0.0.1"]

    with httpx.Client(transport=GuardedTransport(resolve=resolve)) as client, pytest.raises(BlockedURLError):
        client.get("https://news.example/feed")
    assert calls == [("news.example", 443)]


def test_transport_connects_to_the_address_it_resolved(http_server: LoopbackServer) -> None:
    """The name never reaches system DNS: the socket goes to the checked address, the Host header keeps it."""
    http_server.route("/article", PAGE.encode())

    def resolve(host: str, port: int) -> list[str]:
        assert host == "news.example"
        return ["127.0.0.1"]

    transport = GuardedTransport(allow_private=True, resolve=resolve)
    with httpx.Client(transport=transport) as client:
        response = client.get(http_server.url("/article", host="news.example"))
    assert response.content == PAGE.encode()
    assert http_server.requests[0][1]["Host"] == f"news.example:{http_server.port}"


def test_no_httpx_exception_escapes_a_dead_route(http_server: LoopbackServer, local: Settings) -> None:
    def hang_up(request: BaseHTTPRequestHandler) -> None:
        request.close_connection = True  # answer nothing at all

    url = http_server.handle("/silent", hang_up)
    with pytest.raises(FetchError, match="broke the HTTP protocol"):
        fetch(url, local)
