"""Fixtures shared by the test modules.

``http_server`` is a real HTTP server on 127.0.0.1, in a thread, for one test. Tell it what to answer with
``http_server.route(path, body, ...)`` (a fixed response) or ``http_server.handle(path, fn)`` (``fn`` gets
the ``BaseHTTPRequestHandler`` and writes the whole response itself); both return the full URL. Paths not
registered answer 404. ``http_server.requests`` records ``(path, headers)`` of every request received, and
``http_server.stopping`` is set at teardown so slow or endless handlers can stop. Loopback is a private
address: fetch it with ``Settings.with_overrides(fetch_allow_private=True)``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

Handler = Callable[[BaseHTTPRequestHandler], None]


class LoopbackServer:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        server = self

        class _RequestHandler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers.items())))
                handler = server.routes.get(urlsplit(self.path).path)
                if handler is None:
                    self.send_error(404)
                else:
                    handler(self)

            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _RequestHandler)
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05})

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def handle(self, path: str, fn: Handler) -> str:
        self.routes[path] = fn
        return self.url(path)

    def route(
        self,
        path: str,
        body: bytes = b"",
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: Mapping[str, str] | None = None,
    ) -> str:
        def answer(request: BaseHTTPRequestHandler) -> None:
            request.send_response(status)
            if content_type is not None:
                request.send_header("Content-Type", content_type)
            request.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                request.send_header(name, value)
            request.end_headers()
            request.wfile.write(body)

        return self.handle(path, answer)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def shared_dir() -> Path:
    """``../shared`` beside the repository (or ``NEWSWATCH_SHARED``): skip when absent, fail in CI.

    Tests that need the public benchmark data call this; ``.ci/run`` sets ``NEWSWATCH_REQUIRE_SHARED=1`` so that
    a missing copy fails the run instead of silently skipping the quality gates.
    """
    root = Path(os.environ.get("NEWSWATCH_SHARED") or Path(__file__).resolve().parents[2] / "shared")
    if not root.is_dir():
        if os.environ.get("NEWSWATCH_REQUIRE_SHARED") == "1":
            pytest.fail(f"shared data not found at {root} (NEWSWATCH_REQUIRE_SHARED=1)")
        pytest.skip(f"shared data not found at {root}")
    return root


def shared_set(name: str) -> Path:
    """A benchmark set under ``shared/benchmarks`` with its ``ground-truth.json``; skipped or failed as above."""
    path = shared_dir() / "benchmarks" / name
    if not (path / "ground-truth.json").exists():
        message = f"benchmark data not found: {path} (set NEWSWATCH_SHARED)"
        if os.environ.get("NEWSWATCH_REQUIRE_SHARED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path
