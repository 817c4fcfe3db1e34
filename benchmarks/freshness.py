"""Freshness: from an item's publication to (a) its place in the feed and (b) its webhook delivery.

A publisher runs in this process: one HTTP server on each of 127.0.0.1–127.0.0.4 (four hosts), 25 RSS feeds on
each (100 sources), robots.txt answering 404, ETag and 304 like a real site. During ``--seconds`` it publishes
``--items`` items at even intervals, each to a random feed (seeded), on top of that feed (newest first, the
last 20 kept); each item carries its full text (about 700 characters: no page to fetch). Each feed starts with one item
(an empty RSS channel is not a readable feed), read by the first round before publishing starts. A webhook receiver on
127.0.0.5 records when each delivery arrives.

newswatch runs as ``newswatch serve`` runs it: a fresh SQLite store, the 100 feeds added as sources with
``--interval`` seconds (the shortest the setting allows is 30), one watch whose keyword every item contains,
with the receiver as its webhook, and a :class:`~newswatch.poller.Poller` in a thread (``poll.workers`` 4,
``poll.host_delay`` 0 as the hosts are distinct, ``fetch.allow_private`` on for loopback). A watcher thread
reads the newest page of ``store.list_articles`` every 0.2 s (a reader on its own connection, as the web app
is).

Measured per item: *to feed* = first seen by the watcher − publication; *to webhook* = delivery received −
publication. Both include the wait for the next poll (up to the interval), the fetch, the pipeline, storing,
linking and matching; the webhook also the delivery loop's turn. After publishing ends, the run waits up to
``--interval`` + 30 s for the last items.

Run from the repository root: ``nice python -m benchmarks.freshness [--seconds 240] [--items 200]
[--interval 30] [--write]``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.common import markdown_table, run_header, update_results

from newswatch.poller import Poller
from newswatch.settings import Settings
from newswatch.store import SqliteStore
from newswatch.store.queries import ArticleQuery

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")
RECEIVER = "127.0.0.5"
FEEDS_PER_HOST = 25
KEPT = 20
KEYWORD = "ceasefire"
TEXT = (
    "The foreign ministers of Armenia and Azerbaijan met on Tuesday and agreed to extend the ceasefire along "
    "the border for another month, their ministries said. The border commissions will present a schedule "
    "for the remaining sections, and observers from the European Union and the United Nations will attend "
    "the next round of talks. Both delegations said that technical groups would meet in the coming weeks to "
    "prepare the documents, and the mediators welcomed what they called a constructive meeting. A joint "
    "statement is expected after the ministers meet again next month in Geneva, officials said on Tuesday."
)


class Publisher:
    """The 100 feeds, their items and when each item was published (monotonic seconds)."""

    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}  # feed path on host → item XML, newest first
        self.published: dict[str, float] = {}  # item url → monotonic time of publication
        self.lock = threading.Lock()
        self.servers: list[ThreadingHTTPServer] = []

    def feed_urls(self) -> list[str]:
        return [f"http://{host}:{self.port}/feed/{n}.xml" for host in HOSTS for n in range(FEEDS_PER_HOST)]

    def start(self) -> None:
        publisher = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                key = f"{self.headers.get('Host', '').split(':')[0]}{self.path}"
                with publisher.lock:
                    items = publisher.items.get(key)
                    body = None if items is None else _rss(items)
                if body is None:
                    self.send_error(404)
                    return
                etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        first = ThreadingHTTPServer((HOSTS[0], 0), Handler)
        self.port = int(first.server_address[1])
        self.servers = [first] + [ThreadingHTTPServer((host, self.port), Handler) for host in HOSTS[1:]]
        for server in self.servers:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        for host in HOSTS:
            for n in range(FEEDS_PER_HOST):
                self.items[f"{host}/feed/{n}.xml"] = []

    def publish(self, number: int, feed: str) -> None:
        host, path = feed.removeprefix("http://").split(":", 1)
        path = path.split("/", 1)[1]
        url = f"http://{host}/news/{number}"
        when = time.time()
        xml = (
            f"<item><title>Ministers extend the ceasefire, report {number}</title><link>{url}</link>"
            f"<guid>item-{number}</guid><pubDate>{format_datetime(_utc(when))}</pubDate>"
            f"<description>Report {number}. {TEXT}</description></item>"
        )
        with self.lock:
            self.published[url] = time.monotonic()
            key = f"{host}/{path}"
            self.items[key] = [xml, *self.items[key]][:KEPT]

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def _utc(seconds: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC)


def _rss(items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>http://wire.example/</link>{''.join(items)}</channel></rss>"
    ).encode()


class Receiver:
    """The webhook receiver: when each article url was delivered (monotonic seconds)."""

    def __init__(self) -> None:
        self.received: dict[str, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = json.loads(self.rfile.read(length))
                receiver.received.setdefault(str(data["article"]["url"]), time.monotonic())
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((RECEIVER, 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://{RECEIVER}:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _watch_feed(db: Path, seen: dict[str, float], stop: threading.Event) -> None:
    with SqliteStore(db) as reader:
        while not stop.is_set():
            page = reader.list_articles(ArticleQuery(), limit=100)
            now = time.monotonic()
            for summary in page.items:
                if summary.url:
                    seen.setdefault(summary.url, now)
            stop.wait(0.2)


def _stats(values: list[float]) -> tuple[str, str, str]:
    if not values:
        return "–", "–", "–"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{statistics.median(ordered):.1f}", f"{p95:.1f}", f"{ordered[-1]:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=240.0, help="How long items are published.")
    parser.add_argument("--items", type=int, default=200, help="Items published in that time.")
    parser.add_argument("--interval", type=int, default=30, help="Seconds between two polls of a source.")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--write", action="store_true", help="Write the section of benchmarks/RESULTS.md.")
    args = parser.parse_args(argv)

    publisher = Publisher()
    publisher.start()
    receiver = Receiver()
    workdir = Path(tempfile.mkdtemp(prefix="newswatch-freshness-"))
    db = workdir / "fresh.db"
    settings = Settings({}).with_overrides(
        fetch_allow_private=True, poll_host_delay=0, poll_workers=4, poll_interval=args.interval
    )
    store = SqliteStore(db)
    for url in publisher.feed_urls():
        store.add_source(url, interval=args.interval)
    store.add_watch("ceasefire", ArticleQuery(), keyword=KEYWORD, webhook=receiver.url)

    stop = threading.Event()
    poller = Poller(store, settings)
    cycles: list[float] = []

    def timed_run() -> None:
        poller.run(stop, on_report=lambda report: cycles.append(float(len(report.polls))))

    rng = random.Random(args.seed)
    feeds = publisher.feed_urls()
    for number, feed in enumerate(feeds):  # a feed without items is no feed: each starts with one
        publisher.publish(-1 - number, feed)
    seen: dict[str, float] = {}
    threads = [
        threading.Thread(target=timed_run, name="poller"),
        threading.Thread(target=_watch_feed, args=(db, seen, stop), name="watcher"),
    ]
    for thread in threads:
        thread.start()
    seeded = time.monotonic() + 600  # the first round reads the 100 seed items (not measured)
    while time.monotonic() < seeded and len(seen) < len(feeds):
        time.sleep(0.5)
    publisher.published.clear()
    gap = args.seconds / max(args.items, 1)
    started = time.monotonic()
    for number in range(args.items):
        target = started + number * gap
        time.sleep(max(0.0, target - time.monotonic()))
        publisher.publish(number, rng.choice(feeds))
    deadline = time.monotonic() + args.interval + 30
    while (
        time.monotonic() < deadline and sum(u in receiver.received for u in publisher.published) < args.items
    ):
        time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join()
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    sources = store.list_sources()
    store.close()
    publisher.stop()
    receiver.stop()

    to_feed = [seen[url] - at for url, at in publisher.published.items() if url in seen]
    to_hook = [
        receiver.received[url] - at for url, at in publisher.published.items() if url in receiver.received
    ]
    failed = sum(1 for s in sources if s.last_error)
    rows = [
        ("in the feed (`store.list_articles`)", len(to_feed), *_stats(to_feed)),
        ("delivered to the webhook", len(to_hook), *_stats(to_hook)),
    ]
    table = markdown_table(["from publication to", "items", "median s", "p95 s", "worst s"], rows)
    for line in table:
        print(line)
    print(
        f"{len(cycles)} poll cycles with work; sources with an error at the end: {failed}; load {' '.join(load)}"
    )
    if args.write:
        command = "python -m benchmarks.freshness " + " ".join(argv if argv is not None else sys.argv[1:])
        body = [
            "## Freshness (benchmarks/freshness.py)",
            "",
            *run_header(command.strip(), ["httpx", "feedparser"]),
            "",
            f"100 RSS sources on 4 loopback hosts (25 each), polled every {args.interval} s by one `Poller` "
            "(4 workers, `poll.host_delay` 0, conditional GET); "
            f"{args.items} items published over {args.seconds:g} s, each to a random feed, full text in the "
            "feed; one watch matching every item, its webhook a loopback receiver. Times from publication "
            "(the item appears in its feed) to the watcher's first sight of it in `store.list_articles` "
            "(read every 0.2 s) and to the webhook's arrival. The goal is at most 60 s. "
            f"Load average at the end: {' '.join(load)}.",
            "",
            *table,
        ]
        update_results("freshness", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
