"""Workers on PostgreSQL: two ``newswatch worker`` processes, one killed with SIGKILL in the middle of a job,
end with exactly what a single-process ``newswatch ingest`` stores; and two workers polling live sources
on one host poll each source once and keep the host's politeness between them.

The corpus is the sample (every file, queued as ``ingest_url`` jobs) plus one capture served by a loopback
server that holds its first request open: the first worker takes that job first (it is queued first) and
is killed while it waits for the answer, with another job of its own running beside it. The stalled-job
sweep of the other worker must give the job back (the server sees a second request), and the database
must then hold the same article ids and content hashes, stories and events as a plain ``ingest`` of the
same inputs into a fresh database.

The polling test serves three feeds on one loopback host and logs when every request to it started and
ended: the periodic scheduler must queue each source once (not once per worker), and the requests of both
workers together must never overlap and must keep ``poll.host_delay`` between them.

Skipped without PostgreSQL (failed with NEWSWATCH_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from conftest import LoopbackServer, PostgresTemplate, StoreFactory
from newswatch.sample import sample_inputs, sample_reference_date
from newswatch.store import EventQuery, Store
from newswatch.workers import enqueue_inputs
from newswatch.workers.tasks import app

_HEARTBEAT = "0.5"
_STALLED_AFTER = "2"
_TIMEOUT = 180.0


@pytest.fixture
def postgres(tmp_path: Path, postgres_template: PostgresTemplate) -> Iterator[StoreFactory]:
    factory = StoreFactory("postgresql", tmp_path, postgres_template)
    try:
        yield factory
    finally:
        factory.close()


def _env(host_delay: float = 0) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    # The held capture must still be held when its worker is killed, however slow the machine: a fetch
    # that timed out first would end its job (as a failed input) and leave nothing to take up again.
    env.update(
        NEWSWATCH_FETCH_ALLOW_PRIVATE="1",
        NEWSWATCH_POLL_HOST_DELAY=str(host_delay),
        NEWSWATCH_FETCH_TIMEOUT=str(_TIMEOUT * 2),
    )
    return env


def _worker(db: str, *, concurrency: int, host_delay: float = 0) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "newswatch", "worker", "--db", db, "--concurrency", str(concurrency)]
    command += ["--heartbeat", _HEARTBEAT, "--stalled-after", _STALLED_AFTER]
    return subprocess.Popen(command, env=_env(host_delay), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(condition: Callable[[], bool], what: str, workers: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + _TIMEOUT
    while not condition():
        for proc in workers:
            if proc.poll() is not None and proc.returncode != -signal.SIGKILL:
                _, err = proc.communicate()
                pytest.fail(
                    f"a worker exited ({proc.returncode}) while waiting for {what}: {err.decode()[-2000:]}"
                )
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _jobs(postgres: StoreFactory, name: str, status: str) -> int:
    rows = postgres.rows(
        name,
        "SELECT count(*) FROM procrastinate_jobs"
        f" WHERE task_name = 'newswatch.ingest_url' AND status = '{status}'",
    )
    return int(rows[0][0])


def _holdings(store: Store) -> dict[str, Any]:
    """What a database holds, in terms that must not depend on how or in what order it was filled."""
    return {
        "articles": {a.id: a.content_hash for a in store.articles()},
        "stories": {(s.id, tuple(sorted(m.id for m in s.members))) for s in store.stories()},
        "events": sum(1 for _ in store.events(EventQuery())),
    }


def _slow_capture(http_server: LoopbackServer, body: bytes) -> tuple[str, threading.Event, list[float]]:
    """A text capture whose first request is held open until ``release`` is set; every request is logged."""
    release = threading.Event()
    seen: list[float] = []

    def answer(request: BaseHTTPRequestHandler) -> None:
        seen.append(time.monotonic())
        if len(seen) == 1:
            release.wait(_TIMEOUT)
        try:
            request.send_response(200)
            request.send_header("Content-Type", "text/plain; charset=utf-8")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except OSError:  # the worker that asked was killed
            pass

    return http_server.handle("/slow/capture.txt", answer), release, seen


def test_two_workers_one_killed_store_what_one_process_stores(
    postgres: StoreFactory, http_server: LoopbackServer
) -> None:
    files = sample_inputs()
    captures = [f for f in files if "/captures/" in f]
    slow_url, release, seen = _slow_capture(http_server, Path(captures[0]).read_bytes())
    inputs = [slow_url, *files]
    reference = sample_reference_date()
    queued_db = postgres.url("workers")
    single_db = postgres.url("single")
    assert enqueue_inputs(queued_db, inputs, reference_date=reference) == len(inputs)

    first = _worker(queued_db, concurrency=2)
    workers = [first]
    try:
        _wait_for(lambda: len(seen) >= 1, "the first worker to fetch the held capture", workers)
        second = _worker(queued_db, concurrency=2)
        workers.append(second)
        total = len(inputs)
        _wait_for(
            lambda: _jobs(postgres, "workers", "todo") <= total // 2,
            "half of the jobs to be done",
            workers,
        )
        assert _jobs(postgres, "workers", "doing") >= 1  # the first worker is in the middle of the held job
        first.kill()
        first.communicate(timeout=10)
        release.set()
        _wait_for(
            lambda: _jobs(postgres, "workers", "todo") + _jobs(postgres, "workers", "doing") == 0,
            "every job to be done, the dead worker's included",
            workers,
        )
        assert len(seen) >= 2, "the killed worker's job was not taken up again"
        assert _jobs(postgres, "workers", "failed") == 0
        second.send_signal(signal.SIGTERM)
        out, err = second.communicate(timeout=30)
        assert second.returncode == 0, err.decode()[-2000:]
        assert b"stopped" in out
    finally:
        release.set()
        for proc in workers:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=10)

    command = [sys.executable, "-m", "newswatch", "ingest", "--db", single_db]
    single = subprocess.run(
        [*command, "--reference-date", reference.isoformat(), *inputs],
        env=_env(),
        capture_output=True,
        timeout=_TIMEOUT,
        check=False,
    )
    assert single.returncode == 0, single.stderr.decode()[-2000:]

    by_workers = _holdings(postgres("workers"))
    by_one = _holdings(postgres("single"))
    assert len(by_one["articles"]) >= len(files)
    assert by_one["stories"] and by_one["events"] > 0
    assert by_workers["articles"] == by_one["articles"]
    assert by_workers["stories"] == by_one["stories"]
    assert by_workers["events"] == by_one["events"]
    rows = postgres.rows("workers", "SELECT count(*), count(DISTINCT id) FROM articles")
    assert rows[0] == (len(by_one["articles"]), len(by_one["articles"]))  # nothing stored twice


# --- polling under workers ---------------------------------------------------------------------------

_HOST_DELAY = 0.3
_TOLERANCE = 0.05
_STORY = (
    "The foreign ministers met in Geneva on Tuesday and agreed to continue the talks on the peace treaty "
    "next month. The ministries said the meeting was constructive and that the border commissions would "
    "present a schedule for the remaining sections of the border. Observers from the European Union and "
    "the United Nations attended the opening session, and a joint statement is expected after the next "
    "round. Both delegations thanked the hosts and said that technical groups would meet in the coming "
    "weeks to prepare the documents for the ministers. "
)


def _rss(numbers: range) -> bytes:
    items = "".join(
        f"<item><title>Story number {n}</title><link>https://wire.example/news/{n}</link>"
        f"<guid>wire-{n}</guid><pubDate>Tue, 10 Mar 2026 0{n}:00:00 +0000</pubDate>"
        f"<description>Story {n}. {_STORY}</description></item>"
        for n in numbers
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>https://wire.example/</link>{items}</channel></rss>"
    ).encode()


class _Visits:
    """Every request to the loopback host, whatever its path: ``(path, started, ended)``, monotonic."""

    def __init__(self) -> None:
        self.log: list[tuple[str, float, float]] = []
        self._guard = threading.Lock()

    def timed(
        self, answer: Callable[[BaseHTTPRequestHandler], None]
    ) -> Callable[[BaseHTTPRequestHandler], None]:
        def handler(request: BaseHTTPRequestHandler) -> None:
            started = time.monotonic()
            try:
                answer(request)
            finally:
                with self._guard:
                    self.log.append((request.path, started, time.monotonic()))

        return handler

    def paths(self, path: str) -> int:
        with self._guard:
            return sum(1 for seen, _, _ in self.log if seen == path)

    def ordered(self) -> list[tuple[str, float, float]]:
        with self._guard:
            return sorted(self.log, key=lambda visit: visit[1])


def _feed(body: bytes) -> Callable[[BaseHTTPRequestHandler], None]:
    """An RSS feed with an ETag, answering 304 to it."""
    etag = f'"v{len(body):x}"'

    def answer(request: BaseHTTPRequestHandler) -> None:
        if request.headers.get("If-None-Match") == etag:
            request.send_response(304)
            request.send_header("ETag", etag)
            request.end_headers()
            return
        request.send_response(200)
        request.send_header("Content-Type", "application/rss+xml")
        request.send_header("Content-Length", str(len(body)))
        request.send_header("ETag", etag)
        request.end_headers()
        request.wfile.write(body)

    return answer


def _no_robots(request: BaseHTTPRequestHandler) -> None:
    request.send_error(404)


def _periodic_gaps() -> dict[str, set[float]]:
    """The seconds between the next few runs of each periodic task of the workers' app."""
    start = datetime(2026, 3, 10, 12, 0, 5, tzinfo=UTC).timestamp()
    gaps: dict[str, set[float]] = {}
    for (name, _), periodic in app.periodic_registry.periodic_tasks.items():
        runs = periodic.croniter
        runs.set_current(start_time=start)
        times = [float(runs.get_next(ret_type=float)) for _ in range(4)]
        gaps[name] = {b - a for a, b in itertools.pairwise(times)}
    return gaps


def test_two_workers_poll_each_source_once_and_keep_the_host_delay(
    postgres: StoreFactory, http_server: LoopbackServer
) -> None:
    # The periodic scheduler must tick every 10 s (what tasks.py promises); checked first so that the
    # outcome does not hang on the minute of the wall clock the test happens to run in.
    assert _periodic_gaps() == {"newswatch.schedule_polls": {10.0}, "newswatch.deliver_due": {10.0}}
    visits = _Visits()
    http_server.handle("/robots.txt", visits.timed(_no_robots))
    paths = [f"/feed-{k}.xml" for k in range(3)]
    store = postgres("polls")
    for k, path in enumerate(paths):
        url = http_server.handle(path, visits.timed(_feed(_rss(range(2 * k + 1, 2 * k + 3)))))
        store.add_source(url, interval=3600)  # due now; not due again during the test
    db = postgres.url("polls")

    workers = [_worker(db, concurrency=2, host_delay=_HOST_DELAY) for _ in range(2)]
    try:
        _wait_for(lambda: store.count() >= 6, "the six items of the three feeds", workers)
        _wait_for(
            lambda: (
                postgres.rows(
                    "polls",
                    "SELECT count(*) FROM procrastinate_jobs"
                    " WHERE task_name = 'newswatch.poll_source' AND status IN ('todo', 'doing')",
                )[0][0]
                == 0
            ),
            "the poll jobs to end",
            workers,
        )
        time.sleep(2 * _HOST_DELAY)  # a second poll of a feed, if one was queued, would come now
        for proc in workers:
            proc.send_signal(signal.SIGTERM)
        for proc in workers:
            out, err = proc.communicate(timeout=30)
            assert proc.returncode == 0, err.decode()[-2000:]
            assert b"stopped" in out
    finally:
        for proc in workers:
            if proc.poll() is None:
                proc.kill()
                proc.communicate(timeout=10)

    assert {path: visits.paths(path) for path in paths} == dict.fromkeys(paths, 1)
    assert visits.paths("/robots.txt") <= 2  # asked once by each worker process at most
    ordered = visits.ordered()
    for (before, _, ended), (after, started, _) in itertools.pairwise(ordered):
        assert started - ended >= _HOST_DELAY - _TOLERANCE, (
            f"{after} started {started - ended:.3f} s after {before} ended (host delay {_HOST_DELAY} s)"
        )
    titles = sorted(a.title or "" for a in store.articles())
    assert titles == [f"Story number {n}" for n in range(1, 7)]
    rows = postgres.rows("polls", "SELECT count(*), count(DISTINCT id), count(DISTINCT url) FROM articles")
    assert rows[0] == (6, 6, 6)  # nothing stored twice
    sources = postgres.rows("polls", "SELECT count(*) FROM live_sources WHERE last_status = 200")
    assert sources[0][0] == 3


def test_a_worker_needs_postgresql(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "newswatch", "worker", "--db", str(tmp_path / "news.db")],
        env=_env(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1
    assert run.stderr.decode().strip() == (
        "error: workers need PostgreSQL: give --db postgresql://… (or NEWSWATCH_DB)"
    )
