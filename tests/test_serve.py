"""``newswatch serve`` and ``newswatch demo`` as a user runs them: a real process, a real database, real HTTP
on loopback, stopped with Ctrl-C (SIGINT) or SIGTERM."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

_DATA_HOME = tempfile.mkdtemp(prefix="newswatch-test-data-")
_ADDRESS = re.compile(r"^serving (http://\S+/) \(Ctrl-C to stop\)$")
#: How long a server may take to start: the demo ingests the sample corpus first (~5 s on a busy machine).
_START_TIMEOUT = 120.0


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_") or k == "NEWSWATCH_SHARED"}
    # Never touch the user's own data directory or configuration.
    return {**base, "XDG_DATA_HOME": _DATA_HOME, "NEWSWATCH_CONFIG": os.devnull, **(extra or {})}


def newswatch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newswatch", *args],
        capture_output=True,
        text=True,
        env=_env(env),
        timeout=300,
        check=False,
    )


@dataclass
class Served:
    """A running ``newswatch serve`` or ``demo``: its address, the lines it printed so far, its process."""

    process: subprocess.Popen[str]
    url: str
    stdout: list[str] = field(default_factory=list)

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        """Send ``sig``, wait for the exit; the exit status and everything written on stderr."""
        self.process.send_signal(sig)
        _, err = self.process.communicate(timeout=30)
        return self.process.returncode, err


@contextmanager
def served(*args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """Run ``newswatch ARGS`` until it prints its address; stop it (SIGINT) afterwards if still running."""
    process = subprocess.Popen(
        [sys.executable, "-m", "newswatch", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(env),
    )
    stdout = process.stdout
    assert stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen: list[str] = []
    match = None
    try:
        while match is None:
            try:
                line = lines.get(timeout=_START_TIMEOUT)
            except queue.Empty:
                pytest.fail(f"no address printed within {_START_TIMEOUT:.0f} s; printed: {seen}")
            if line is None:
                err = process.stderr.read() if process.stderr else ""
                pytest.fail(f"exited with {process.wait()} before serving: {seen} {err}")
            seen.append(line)
            match = _ADDRESS.match(line)
        yield Served(process, match[1], seen)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
        reader.join(timeout=5)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("serve") / "sample.db")
    result = newswatch("demo", "--no-serve", "--db", db, "--days", "1")
    assert result.returncode == 0, result.stderr
    return db


def _check_headers(response: httpx.Response) -> None:
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert "server" not in response.headers  # uvicorn does not announce itself


def test_serve_answers_pages_and_api_and_stops_cleanly_on_ctrl_c(sample_db: str) -> None:
    with served("serve", "--db", sample_db, "--port", "0") as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:[1-9]\d*/", server.url), server.url
        with httpx.Client(base_url=server.url, timeout=30) as client:
            page = client.get("/")
            assert page.status_code == 200, page.text[:500]
            assert page.headers["content-type"].startswith("text/html")
            assert "Mirzoyan" in page.text  # an article of the sample corpus, in the feed
            _check_headers(page)
            api = client.get("/api/v1/articles", params={"limit": 5})
            assert api.status_code == 200, api.text[:500]
            assert api.headers["content-type"].startswith("application/json")
            body = api.json()
            assert len(body["items"]) == 5 and body["next"]
            _check_headers(api)
            assert client.get("/no/such/page").status_code == 404
        status, err = server.stop(signal.SIGINT)
    assert status == 0, err
    assert "Traceback" not in err and "error" not in err.lower(), err


def test_sigterm_is_a_clean_stop_too(sample_db: str) -> None:
    with served("serve", "--db", sample_db, "--port", "0") as server:
        assert httpx.get(server.url + "api/v1/articles", timeout=30).status_code == 200
        status, err = server.stop(signal.SIGTERM)
    assert status == 0 and err == "", err


def test_port_and_host_from_the_settings(sample_db: str) -> None:
    with served("serve", "--db", sample_db, env={"NEWSWATCH_SERVE_PORT": "0"}) as server:
        port = int(server.url.rsplit(":", 1)[1].rstrip("/"))
        assert port != 8000
        assert httpx.get(server.url, timeout=30).status_code == 200


def test_port_in_use_is_one_line(sample_db: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = newswatch("serve", "--db", sample_db, "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    assert f"127.0.0.1:{port}" in result.stderr and "--port" in result.stderr


def test_missing_database_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    result = newswatch("serve", "--db", str(missing), "--port", "0")
    assert result.returncode == 1 and result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert not missing.exists()  # a mistyped name does not become an empty database


def test_bad_port_is_a_usage_error(sample_db: str) -> None:
    result = newswatch("serve", "--db", sample_db, "--port", "70000")
    assert result.returncode == 2 and result.stderr.startswith("error: ")


def test_listening_beyond_loopback_is_warned_about(sample_db: str) -> None:
    with served("serve", "--db", sample_db, "--host", "0.0.0.0", "--port", "0") as server:
        port = server.url.rsplit(":", 1)[1]
        assert httpx.get(f"http://127.0.0.1:{port}", timeout=30).status_code == 200
        status, err = server.stop()
    assert status == 0
    assert err.startswith("warning: ") and "read-only" in err and "token" in err, err


def test_loopback_is_not_warned_about(sample_db: str) -> None:
    with served("serve", "--db", sample_db, "--host", "localhost", "--port", "0") as server:
        status, err = server.stop()
    assert status == 0 and err == "", err


def test_demo_serves_the_sample_and_cleans_up(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with served("demo", "--port", "0", env={"TMPDIR": str(scratch)}) as server:
        assert server.stdout[0] == (
            "newswatch demo: sample corpus, 31 inputs: 42 new, 0 updated, 0 unchanged, 0 failed"
        )
        assert list(scratch.iterdir()), "the demo database lives in a temporary folder while serving"
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/").status_code == 200
            items = client.get("/api/v1/articles", params={"limit": 100}).json()["items"]
            assert len(items) == 42
        status, err = server.stop()
    assert status == 0 and "Traceback" not in err, err
    assert list(scratch.iterdir()) == []  # the temporary database is removed on Ctrl-C


def test_demo_refuses_a_busy_port_before_ingesting(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = newswatch("demo", "--port", str(port), "--db", str(tmp_path / "d.db"))
    assert result.returncode == 1 and result.stdout == ""  # nothing ingested
    assert not (tmp_path / "d.db").exists()
    assert result.stderr.startswith("error: cannot listen on")
