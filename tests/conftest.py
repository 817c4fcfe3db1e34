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
import queue
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from newswatch.store import Store, open_store

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


# --- both backends ---------------------------------------------------------------------------------------

POSTGRES_ADMIN = os.environ.get("NEWSWATCH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin_connection() -> Any:
    """An autocommit connection to the PostgreSQL server's admin database; skip (or fail in CI) without one."""
    import psycopg

    try:
        return psycopg.connect(POSTGRES_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())[:200]
        if os.environ.get("NEWSWATCH_REQUIRE_POSTGRES") == "1":
            pytest.fail(
                f"PostgreSQL not reachable at {POSTGRES_ADMIN} (NEWSWATCH_REQUIRE_POSTGRES=1): {reason}"
            )
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN}: {reason}")


def postgres_url(database: str) -> str:
    """The URL of ``database`` on the test server."""
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + database


class PostgresTemplate:
    """A database migrated once per test session, which fresh test databases copy (much faster than
    running the migrations for every test), and a thread that drops the test databases in the background."""

    def __init__(self) -> None:
        self.name: str | None = None
        self._doomed: queue.Queue[str | None] = queue.Queue()
        self._reaper: threading.Thread | None = None

    def get(self, admin: Any) -> str:
        if self.name is None:
            from newswatch.store.postgres import PostgresStore

            name = f"nw_template_{secrets.token_hex(4)}"
            admin.execute(f'CREATE DATABASE "{name}"')
            self.name = name
            PostgresStore(postgres_url(name)).close()
        return self.name

    def discard(self, database: str) -> None:
        """Drop ``database`` soon, while the next tests run."""
        if self._reaper is None:
            self._reaper = threading.Thread(target=self._reap, daemon=True)
            self._reaper.start()
        self._doomed.put(database)

    def _reap(self) -> None:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            while (database := self._doomed.get()) is not None:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

    def close(self) -> None:
        if self._reaper is not None:
            self._doomed.put(None)
            self._reaper.join()
        if self.name is not None:
            self.discard(self.name)
            self._doomed.put(None)
            self._reap()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate]:
    template = PostgresTemplate()
    try:
        yield template
    finally:
        template.close()


class StoreFactory:
    """Fresh databases of one backend for one test, and the stores opened on them (closed at teardown)."""

    def __init__(self, kind: str, tmp_path: Path, template: PostgresTemplate) -> None:
        self.kind = kind
        self._tmp_path = tmp_path
        self._template = template
        self._databases: dict[str, str] = {}  # name → SQLite path or PostgreSQL database name
        self._stores: list[Store] = []
        self._admin: Any = _admin_connection() if kind == "postgresql" else None

    def url(self, name: str = "main", *, blank: bool = False) -> str:
        """The ``--db`` value of the database ``name``, created on first use: with the current schema and
        no articles, or (``blank``) without any table (to test migrations)."""
        if name not in self._databases:
            if self.kind == "sqlite":
                self._databases[name] = str(self._tmp_path / f"{name}.db")
            else:
                database = f"nw_{secrets.token_hex(6)}"
                template = "" if blank else f' TEMPLATE "{self._template.get(self._admin)}"'
                self._admin.execute(f'CREATE DATABASE "{database}"{template}')
                self._databases[name] = database
        if self.kind == "sqlite":
            return self._databases[name]
        return postgres_url(self._databases[name])

    def __call__(self, name: str = "main", *, clock: Callable[[], datetime] | None = None) -> Store:
        store = open_store(self.url(name), clock=clock)
        self._stores.append(store)
        return store

    def rows(self, name: str, sql: str) -> list[tuple[Any, ...]]:
        """Run plain SQL on database ``name`` (committed) and give its rows, to look under the store."""
        if self.kind == "sqlite":
            conn = sqlite3.connect(self.url(name))
            try:
                found = conn.execute(sql).fetchall()
                conn.commit()
                return found
            finally:
                conn.close()
        import psycopg

        with psycopg.connect(self.url(name), autocommit=True) as pg:
            cursor = pg.execute(sql.encode())
            return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        for store in self._stores:
            store.close()
        if self._admin is not None:
            self._admin.close()
            for database in self._databases.values():
                self._template.discard(database)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_factory(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_template: PostgresTemplate
) -> Iterator[StoreFactory]:
    factory = StoreFactory(str(request.param), tmp_path, postgres_template)
    try:
        yield factory
    finally:
        factory.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_store_factory(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_template: PostgresTemplate,
) -> Iterator[StoreFactory]:
    """``store_factory`` shared by the tests of one module: a store built once per backend (an ingested
    corpus, say) and read by many tests. Use it in module-scoped fixtures only."""
    kind = str(request.param)
    factory = StoreFactory(kind, tmp_path_factory.mktemp(kind), postgres_template)
    try:
        yield factory
    finally:
        factory.close()
