"""Workers on PostgreSQL: two ``newswatch worker`` processes, one killed with SIGKILL in the middle of a job,
end with exactly what a single-process ``newswatch ingest`` stores.

The corpus is the sample (every file, queued as ``ingest_url`` jobs) plus one capture served by a loopback
server that holds its first request open: the first worker takes that job first (it is queued first) and
is killed while it waits for the answer, with another job of its own running beside it. The stalled-job
sweep of the other worker must give the job back (the server sees a second request), and the database
must then hold the same article ids and content hashes, stories and events as a plain ``ingest`` of the
same inputs into a fresh database. Skipped without PostgreSQL (failed with NEWSWATCH_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from conftest import LoopbackServer, PostgresTemplate, StoreFactory
from newswatch.sample import sample_inputs, sample_reference_date
from newswatch.store import EventQuery, Store
from newswatch.workers import enqueue_inputs

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


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env.update(NEWSWATCH_FETCH_ALLOW_PRIVATE="1", NEWSWATCH_POLL_HOST_DELAY="0")
    return env


def _worker(db: str, *, concurrency: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "newswatch", "worker", "--db", db, "--concurrency", str(concurrency)]
    command += ["--heartbeat", _HEARTBEAT, "--stalled-after", _STALLED_AFTER]
    return subprocess.Popen(command, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)


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
