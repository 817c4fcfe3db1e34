"""The poller against a real HTTP server on 127.0.0.1 whose feeds change during the test, and a real SQLite
store: new items, 304s, failures and back-off, guards, summaries, robots.txt, politeness, the CLI."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from conftest import Handler, LoopbackServer
from newswatch.ingest.fetch import GuardedTransport, Network
from newswatch.ingest.robots import Robots
from newswatch.ingest.versions import page_id
from newswatch.poller import Poller, backoff_seconds, poll_once
from newswatch.settings import Settings
from newswatch.store import SqliteStore
from newswatch.store.base import from_utc_text
from newswatch.store.live import Source
from newswatch.store.queries import ArticleQuery

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
BODY = (
    "The foreign ministers of Armenia and Azerbaijan met in Geneva on Tuesday and agreed to continue the "
    "talks on the peace treaty next month. The ministries said the meeting was constructive and that the "
    "border commissions would present a schedule for the remaining sections of the border. Observers from "
    "the European Union and the United Nations attended the opening session, and a joint statement is "
    "expected after the next round. Both delegations thanked the Swiss hosts for their support and said "
    "that technical groups would meet in the coming weeks to prepare the documents for the ministers. "
)


def item(n: int, text: str = BODY, *, link: str | None = None) -> str:
    href = link or f"https://wire.example/news/{n}"
    return (
        f"<item><title>Story number {n}</title><link>{href}</link><guid>wire-{n}</guid>"
        f"<pubDate>Tue, 10 Mar 2026 0{n % 10}:00:00 +0000</pubDate>"
        f"<description>Story {n}. {text}</description></item>"
    )


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>https://wire.example/</link>{''.join(items)}</channel></rss>"
    ).encode()


class Feed:
    """A feed route whose body can change; answers 304 to the ETag of its current body."""

    def __init__(self, server: LoopbackServer, path: str = "/feed.xml") -> None:
        self.body = rss()
        self.status = 200
        self.hits = 0
        self.server = server
        self.url = server.handle(path, self._answer)

    @property
    def etag(self) -> str:
        return f'"v{hash(self.body) & 0xFFFFFF:x}"'

    def _answer(self, request: BaseHTTPRequestHandler) -> None:
        self.hits += 1
        if self.status != 200:
            request.send_error(self.status)
            return
        if request.headers.get("If-None-Match") == self.etag:
            request.send_response(304)
            request.send_header("ETag", self.etag)
            request.end_headers()
            return
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Content-Length", str(len(self.body)))
        request.send_header("ETag", self.etag)
        request.end_headers()
        request.wfile.write(self.body)


def _page(title: str, text: str) -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1><p>{text}</p></article></body></html>"
    ).encode()


@pytest.fixture
def local() -> Settings:
    return Settings({}).with_overrides(
        fetch_allow_private=True, fetch_timeout=0.5, poll_host_delay=0, poll_interval=60, poll_max_backoff=600
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "n.db", clock=lambda: NOW) as opened:  # sources added are due at NOW
        yield opened


def _paths(server: LoopbackServer) -> list[str]:
    return [path for path, _headers in server.requests]


def _titles(store: SqliteStore) -> list[str]:
    return sorted(a.title or "" for a in store.articles())


# --- new items, conditional GET ------------------------------------------------------------------------


def test_new_items_are_stored_and_a_second_poll_gets_304(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    feed = Feed(http_server)
    feed.body = rss(item(1), item(2))
    source = store.add_source(feed.url, interval=60)

    report = poll_once(store, local, now=NOW)
    assert report.summary == "1 source polled: 2 new, 0 updated, 0 unchanged, 0 not modified, 0 failed"
    assert _titles(store) == ["Story number 1", "Story number 2"]
    page = store.list_articles(ArticleQuery())
    assert len(page.items) == 2
    polled = store.get_source(source.id)
    assert polled is not None
    assert polled.etag == feed.etag and polled.last_status == 200 and polled.last_error is None
    assert polled.next_poll == "2026-03-10T12:01:00.000000Z"

    later = NOW + timedelta(minutes=1)
    again = poll_once(store, local, now=later)
    assert again.summary == "1 source polled: 0 new, 0 updated, 0 unchanged, 1 not modified, 0 failed"
    feed_requests = [headers for path, headers in http_server.requests if path == "/feed.xml"]
    assert "If-None-Match" not in feed_requests[0]
    assert feed_requests[1]["If-None-Match"] == feed.etag
    assert store.count() == 2
    after = store.get_source(source.id)
    assert after is not None and after.last_status == 304 and after.etag == feed.etag

    feed.body = rss(item(3), item(1), item(2))  # a new item on top
    third = poll_once(store, local, now=later + timedelta(minutes=1))
    assert third.summary == "1 source polled: 1 new, 0 updated, 2 unchanged, 0 not modified, 0 failed"
    assert [a.title for a in third.polls[0].articles] == ["Story number 3"]
    assert store.count() == 3


def test_a_source_language_hint_decides_what_detection_cannot(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    """`sources add --language hy`: items too short to identify (a photo caption "Video: 12") take the
    source's language; items that can be identified keep the language they are written in."""
    feed = Feed(http_server)
    feed.body = rss(
        "<item><link>https://wire.example/v/1</link><guid>v-1</guid><description>Video: 12</description></item>",
        item(2),
    )
    store.add_source(feed.url, interval=60, language="hy")
    poll_once(store, local, now=NOW)
    languages = {a.url: a.language for a in store.articles()}
    assert languages["https://wire.example/v/1"] == "hy"
    assert languages["https://wire.example/news/2"] == "en"


def test_only_due_sources_are_polled(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    feed = Feed(http_server)
    feed.body = rss(item(1))
    store.add_source(feed.url, interval=60)
    poll_once(store, local, now=NOW)
    assert poll_once(store, local, now=NOW + timedelta(seconds=59)).polls == []
    assert feed.hits == 1


def test_without_validators_a_repoll_stores_nothing_twice(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    http_server.route("/plain.xml", rss(item(1), item(2)), content_type="application/rss+xml")
    source = store.add_source(http_server.url("/plain.xml"), interval=60)
    poll_once(store, local, now=NOW)
    again = poll_once(store, local, now=NOW + timedelta(minutes=5), sources=[source])
    assert again.summary == "1 source polled: 0 new, 0 updated, 2 unchanged, 0 not modified, 0 failed"
    assert store.count() == 2


def test_a_changed_article_is_updated_in_place(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    feed = Feed(http_server)
    feed.body = rss(item(1), item(2))
    store.add_source(feed.url, interval=60)
    poll_once(store, local, now=NOW)
    before = {a.title: a for a in store.articles()}

    feed.body = rss(item(1, BODY + "Update: the date of the next round was announced."), item(2))
    report = poll_once(store, local, now=NOW + timedelta(minutes=2))
    assert report.summary == "1 source polled: 0 new, 1 updated, 1 unchanged, 0 not modified, 0 failed"
    after = {a.title: a for a in store.articles()}
    assert store.count() == 2
    assert after["Story number 1"].id == before["Story number 1"].id
    assert after["Story number 1"].text.endswith("the date of the next round was announced.")


# --- failures and back-off -----------------------------------------------------------------------------


def test_error_status_backs_off_and_recovery_clears_it(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    feed = Feed(http_server)
    feed.status = 500
    source = store.add_source(feed.url, interval=60)

    first = poll_once(store, local, now=NOW)
    assert [(p.error, p.status) for p in first.polls] == [("HTTP 500 Internal Server Error", 500)]
    failed = store.get_source(source.id)
    assert failed is not None and failed.errors == 1 and failed.last_error == "HTTP 500 Internal Server Error"
    assert from_utc_text(failed.next_poll) - NOW == timedelta(seconds=120)  # 60 × 2¹

    second_at = from_utc_text(failed.next_poll)
    poll_once(store, local, now=second_at)
    failed = store.get_source(source.id)
    assert failed is not None and failed.errors == 2
    assert from_utc_text(failed.next_poll) - second_at == timedelta(seconds=240)  # doubled

    third_at = from_utc_text(failed.next_poll)
    poll_once(store, local, now=third_at)
    failed = store.get_source(source.id)
    assert failed is not None and from_utc_text(failed.next_poll) - third_at == timedelta(seconds=480)

    feed.status = 200
    feed.body = rss(item(1))
    fourth_at = from_utc_text(failed.next_poll)
    report = poll_once(store, local, now=fourth_at)
    assert report.failures == []
    healed = store.get_source(source.id)
    assert healed is not None and healed.errors == 0 and healed.last_error is None
    assert from_utc_text(healed.next_poll) - fourth_at == timedelta(seconds=60)
    assert store.count() == 1


def test_backoff_is_capped() -> None:
    assert [backoff_seconds(60, n, 600) for n in range(1, 6)] == [120, 240, 480, 600, 600]
    assert backoff_seconds(900, 1, 600) == 900  # never sooner than a healthy source


def test_slow_answer_times_out(http_server: LoopbackServer, local: Settings, store: SqliteStore) -> None:
    def stall(request: BaseHTTPRequestHandler) -> None:
        http_server.stopping.wait(10)

    source = store.add_source(http_server.handle("/slow.xml", stall), interval=60)
    report = poll_once(store, local, now=NOW)
    assert report.failures[0].error == "no answer within 0.5 s (the fetch.timeout setting)"
    stored = store.get_source(source.id)
    assert stored is not None and stored.errors == 1 and stored.last_status is None


def test_endless_body_hits_the_size_limit(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    def endless(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.end_headers()
        try:
            request.wfile.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
            while not http_server.stopping.is_set():
                request.wfile.write(b"<item><title>again</title></item>" * 1000)
        except OSError:
            pass

    store.add_source(http_server.handle("/endless.xml", endless), interval=60)
    report = poll_once(store, local.with_overrides(input_max_bytes=100_000), now=NOW)
    assert report.failures[0].error == "larger than 100000 bytes (the input.max_bytes setting)"
    assert store.count() == 0


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://10.0.0.1/feed.xml", "10.0.0.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://metadata.example/", "metadata.example resolves to 169.254.169.254, which is a link-local"),
    ],
)
def test_redirect_to_a_private_address_is_refused(
    http_server: LoopbackServer, store: SqliteStore, target: str, reason: str
) -> None:
    """Private addresses are refused (fetch.allow_private off) while the test still talks to loopback: the
    stand-in DNS gives news.example a public address for the check, and the transport connects it to the
    loopback server, as test_fetch.py does with the transport's resolver."""
    public = {"news.example": ["93.184.216.34"], "metadata.example": ["169.254.169.254"]}

    def resolve(host: str, port: int) -> list[str]:
        return public[host]

    network = Network(
        transport=GuardedTransport(allow_private=True, resolve=lambda host, port: ["127.0.0.1"]),
        resolve=resolve,
    )
    http_server.route("/feed.xml", status=302, headers={"Location": target})
    source = store.add_source(http_server.url("/feed.xml", host="news.example"), interval=60)
    strict = Settings({}).with_overrides(fetch_timeout=0.5, poll_host_delay=0)

    report = poll_once(store, strict, now=NOW, network=network)
    (failed,) = report.failures
    assert failed.error is not None
    assert failed.error.startswith(f"redirected to {target}, which is refused: ")
    assert reason in failed.error
    assert _paths(http_server) == ["/robots.txt", "/feed.xml"]  # and nothing after the redirect
    stored = store.get_source(source.id)
    assert stored is not None and stored.errors == 1 and store.count() == 0


def test_broken_xml_is_one_line_nothing_stored_still_scheduled(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    feed = Feed(http_server)
    feed.body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</ti'
    source = store.add_source(feed.url, interval=60)
    report = poll_once(store, local, now=NOW)
    (failed,) = report.failures
    assert failed.error is not None and failed.error.startswith("not a readable feed")
    assert "\n" not in failed.error
    assert store.count() == 0
    stored = store.get_source(source.id)
    assert stored is not None and stored.last_error == failed.error and stored.etag is None
    assert from_utc_text(stored.next_poll) == NOW + timedelta(seconds=120)

    feed.body = rss(item(1))  # fixed: the next poll reads it (no 304 from the broken body's ETag)
    assert poll_once(store, local, now=NOW + timedelta(seconds=120)).failures == []
    assert store.count() == 1


# --- summaries, pages, versions, robots.txt ------------------------------------------------------------


def test_a_summary_item_gets_its_page_fetched_once(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    page_url = http_server.route("/news/7", _page("Talks to resume in Geneva", BODY))
    feed = Feed(http_server)
    feed.body = rss(item(7, "Talks resume.", link=page_url), item(1))
    source = store.add_source(feed.url, interval=60)

    report = poll_once(store, local, now=NOW)
    (polled,) = report.polls
    assert (polled.new, polled.pages, polled.skipped) == (2, 1, 0)
    stored = store.get(page_id(page_url))
    assert stored is not None
    assert stored.guid is None and stored.text.startswith(
        "The foreign ministers"
    )  # the page, not the summary
    assert store.count() == 2

    feed.body = rss(item(7, "Talks resume.", link=page_url), item(1), item(2))
    poll_once(store, local, now=NOW + timedelta(minutes=1), sources=[source])
    assert _paths(http_server).count("/news/7") == 1  # a page stored is not fetched again
    assert store.count() == 3


def test_a_page_that_cannot_be_had_leaves_the_summary(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    gone = http_server.url("/news/gone")
    feed = Feed(http_server)
    feed.body = rss(item(8, "Short summary.", link=gone))
    store.add_source(feed.url, interval=60)
    report = poll_once(store, local, now=NOW)
    (polled,) = report.polls
    assert polled.error is None and polled.skipped == 1 and polled.new == 1
    assert "article page: HTTP 404" in polled.notes[0]
    (kept,) = store.articles()
    assert kept.text == "Story 8. Short summary."


def test_page_versions_are_followed(http_server: LoopbackServer, local: Settings, store: SqliteStore) -> None:
    ru_url = http_server.url("/ru/news/9")
    en_url = http_server.url("/en/news/9")
    http_server.route(
        "/en/news/9",
        _page("Talks to resume", BODY).replace(
            b"</head>", f'<link rel="alternate" hreflang="ru" href="{ru_url}"></head>'.encode()
        ),
    )
    russian = (
        "Министры иностранных дел Армении и Азербайджана встретились во вторник в Женеве и договорились "
        "продолжить переговоры о мирном договоре в следующем месяце. В министерствах назвали встречу "
        "конструктивной и сообщили, что пограничные комиссии представят график по оставшимся участкам."
    )
    http_server.route(
        "/ru/news/9", _page("Переговоры продолжатся", russian).replace(b'lang="en"', b'lang="ru"')
    )
    feed = Feed(http_server)
    feed.body = rss(item(9, "Talks resume.", link=en_url))
    store.add_source(feed.url, interval=60)
    poll_once(store, local, now=NOW)
    assert {a.language for a in store.articles()} == {"en", "ru"}
    assert "/ru/news/9" in _paths(http_server)


def test_robots_txt_disallowing_a_path_is_obeyed(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    http_server.route(
        "/robots.txt",
        b"User-agent: *\nDisallow: /private/\n\nUser-agent: newswatch\nDisallow: /private/\nDisallow: /closed.xml\n",
        content_type="text/plain",
    )
    http_server.route("/private/1", _page("Secret", BODY))
    closed = http_server.route("/closed.xml", rss(item(1)), content_type="application/rss+xml")
    feed = Feed(http_server)
    feed.body = rss(item(5, "A summary only.", link=http_server.url("/private/1")))
    store.add_source(feed.url, interval=60)
    store.add_source(closed, interval=60)

    report = poll_once(store, local, now=NOW)
    by_url = {p.source.url: p for p in report.polls}
    assert by_url[closed].error == "robots.txt disallows it for newswatch"
    assert by_url[feed.url].error is None and by_url[feed.url].skipped == 1
    assert "robots.txt disallows it" in by_url[feed.url].notes[0]
    paths = _paths(http_server)
    assert "/private/1" not in paths and "/closed.xml" not in paths
    assert paths.count("/robots.txt") == 1  # cached for the host
    (kept,) = store.articles()
    assert kept.text == "Story 5. A summary only."


@pytest.mark.parametrize(("status", "allowed"), [(404, True), (503, False)])
def test_robots_txt_missing_allows_unavailable_refuses(
    http_server: LoopbackServer, local: Settings, store: SqliteStore, status: int, allowed: bool
) -> None:
    http_server.route("/robots.txt", b"down", status=status, content_type="text/plain")
    feed = Feed(http_server)
    feed.body = rss(item(1))
    source = store.add_source(feed.url, interval=60)
    report = poll_once(store, local, now=NOW)
    assert (report.failures == []) is allowed
    assert (feed.hits == 1) is allowed
    if not allowed:
        assert report.failures[0].error == "robots.txt answered HTTP 503; trying later"
        stored = store.get_source(source.id)
        assert stored is not None and stored.errors == 1


def test_robots_answers_are_kept_for_an_hour() -> None:
    from newswatch.ingest.fetch import Response
    from newswatch.model import RawInput

    asked: list[str] = []
    clock = [0.0]

    def get(url: str) -> Response:
        asked.append(url)
        body = RawInput(data=b"User-agent: *\nDisallow: /x\n", name=url, url=url)
        return Response(status=200, url=url, raw=body)

    robots = Robots(get, "newswatch/1", clock=lambda: clock[0])
    robots.check("https://a.example/feed")
    clock[0] = 3599
    robots.check("https://a.example/other")
    clock[0] = 3601
    robots.check("https://a.example/feed")
    assert asked == ["https://a.example/robots.txt"] * 2


# --- politeness ----------------------------------------------------------------------------------------


def test_one_request_at_a_time_per_host_with_the_delay_between(
    http_server: LoopbackServer, store: SqliteStore
) -> None:
    """Four sources and two summary pages on one host, four workers: the server sees one request at a time,
    each at least poll.host_delay after the previous one ended."""
    times: list[tuple[float, float]] = []
    active = [0, 0]  # now, most
    lock = threading.Lock()

    def timed(body: bytes, content_type: str) -> Handler:
        def answer(request: BaseHTTPRequestHandler) -> None:
            with lock:
                active[0] += 1
                active[1] = max(active)
            start = time.monotonic()
            time.sleep(0.05)
            request.send_response(200)
            request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
            with lock:
                active[0] -= 1
                times.append((start, time.monotonic()))

        return answer

    for n in range(1, 3):
        http_server.handle(f"/page/{n}", timed(_page(f"Page {n}", BODY), "text/html"))
    for n in range(4):
        summary = item(n, "Short.", link=http_server.url(f"/page/{n}")) if n < 2 else item(n + 10)
        http_server.handle(f"/feed{n}.xml", timed(rss(summary), "application/rss+xml"))
        store.add_source(http_server.url(f"/feed{n}.xml"), interval=60)
    http_server.handle("/robots.txt", timed(b"User-agent: *\nAllow: /\n", "text/plain"))

    delay = 0.2
    settings = Settings({}).with_overrides(fetch_allow_private=True, poll_host_delay=delay, poll_workers=4)
    report = poll_once(store, settings, now=NOW)
    assert report.failures == []
    assert active[1] == 1
    times.sort()
    assert len(times) >= 6  # robots.txt, four feeds, the pages
    gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= delay * 0.95


def test_different_hosts_are_fetched_at_the_same_time(store: SqliteStore) -> None:
    """Two hosts (127.0.0.1 and 127.0.0.2), each answering slowly: with two workers the polls overlap."""
    servers = [LoopbackServer(), LoopbackServer()]
    spans: list[tuple[float, float]] = []

    def slow(request: BaseHTTPRequestHandler) -> None:
        start = time.monotonic()
        time.sleep(0.4)
        body = rss(item(len(spans) + 1))
        request.send_response(200)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
        spans.append((start, time.monotonic()))

    try:
        for server in servers:
            server.start()
            server.handle("/feed.xml", slow)
        store.add_source(servers[0].url("/feed.xml"), interval=60)
        store.add_source(servers[1].url("/feed.xml", host="localhost"), interval=60)
        settings = Settings({}).with_overrides(fetch_allow_private=True, poll_host_delay=5, poll_workers=2)
        report = poll_once(store, settings, now=NOW)
        assert report.failures == []
        first, second = sorted(spans)
        assert second[0] < first[1]  # overlapping
    finally:
        for server in servers:
            server.stop()


# --- the loop and the command --------------------------------------------------------------------------


def test_run_polls_until_stopped(http_server: LoopbackServer, local: Settings, store: SqliteStore) -> None:
    feed = Feed(http_server)
    feed.body = rss(item(1))
    store.add_source(feed.url, interval=60)
    stop = threading.Event()
    reports: list[str] = []
    poller = Poller(store, local)
    thread = threading.Thread(
        target=poller.run, args=(stop,), kwargs={"on_report": lambda r: reports.append(r.summary)}
    )
    thread.start()
    deadline = time.monotonic() + 10
    while store.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert store.count() == 1
    assert reports[0] == "1 source polled: 1 new, 0 updated, 0 unchanged, 0 not modified, 0 failed"


_DATA_HOME = tempfile.mkdtemp(prefix="newswatch-test-data-")


def newswatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    full = {**base, "XDG_DATA_HOME": _DATA_HOME, "NEWSWATCH_CONFIG": os.devnull, **env}
    return subprocess.run(
        [sys.executable, "-m", "newswatch", *args], capture_output=True, text=True, env=full, timeout=120
    )


def test_poll_once_command(http_server: LoopbackServer, tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    feed = Feed(http_server)
    feed.body = rss(item(1), item(2))
    broken = http_server.route("/broken.xml", status=500)
    with SqliteStore(db) as store:
        store.add_source(feed.url, interval=60)
        store.add_source(broken, interval=60)
    env = {
        "NEWSWATCH_FETCH_ALLOW_PRIVATE": "1",
        "NEWSWATCH_POLL_HOST_DELAY": "0",
        "NEWSWATCH_FETCH_TIMEOUT": "2",
    }

    first = newswatch("poll", "--once", "--db", str(db), env=env)
    assert first.returncode == 1
    assert first.stderr.splitlines() == [f"error: {broken}: HTTP 500 Internal Server Error"]
    assert first.stdout.splitlines() == [
        "2 sources polled: 2 new, 0 updated, 0 unchanged, 0 not modified, 1 failed"
    ]

    second = newswatch("poll", "--once", "--db", str(db), env=env)  # nothing due yet
    assert (second.returncode, second.stderr) == (0, "")
    assert second.stdout.splitlines() == [
        "0 sources polled: 0 new, 0 updated, 0 unchanged, 0 not modified, 0 failed"
    ]


def test_poll_command_stops_on_sigterm(http_server: LoopbackServer, tmp_path: Path) -> None:
    db = tmp_path / "run.db"
    feed = Feed(http_server)
    feed.body = rss(item(1))
    with SqliteStore(db) as store:
        store.add_source(feed.url, interval=60)
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env = {
        **base,
        "XDG_DATA_HOME": _DATA_HOME,
        "NEWSWATCH_CONFIG": os.devnull,
        "NEWSWATCH_FETCH_ALLOW_PRIVATE": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "newswatch", "poll", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while feed.hits == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out.splitlines()[0] == "polling 1 sources (Ctrl-C to stop)"
    assert out.splitlines()[-1] == "stopped"
    with SqliteStore(db) as store:
        assert store.count() == 1
        (source,) = store.list_sources()
        assert isinstance(source, Source) and source.last_status == 200


@pytest.mark.parametrize("no_poll", [False, True])
def test_serve_polls_in_the_background_unless_told_not_to(
    http_server: LoopbackServer, tmp_path: Path, no_poll: bool
) -> None:
    from test_serve import served

    db = tmp_path / "serve.db"
    feed = Feed(http_server)
    feed.body = rss(item(1))
    with SqliteStore(db) as store:
        store.add_source(feed.url, interval=60)
    args = ["serve", "--db", str(db), "--port", "0", *(["--no-poll"] if no_poll else [])]
    with served(*args, env={"NEWSWATCH_FETCH_ALLOW_PRIVATE": "1"}) as server:
        deadline = time.monotonic() + (3 if no_poll else 30)
        while feed.hits == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        status, err = server.stop(signal.SIGTERM)
    assert status == 0, err
    assert feed.hits == (0 if no_poll else 1)
    with SqliteStore(db) as store:
        assert store.count() == (0 if no_poll else 1)
