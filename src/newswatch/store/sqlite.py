"""The embedded store: one SQLite file (standard-library ``sqlite3``, FTS5 for search).

The schema lives in numbered, append-only migrations under ``migrations/sqlite/`` (package data); opening
a database applies the missing ones, each in its own transaction, and refuses a database written by a newer
newswatch. The connection runs in WAL mode so that readers never wait for the writer; every write is one
``BEGIN IMMEDIATE`` transaction. See :class:`newswatch.store.base.Store` for the guarantees.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from newswatch.errors import QueryError, StoreError
from newswatch.model import Article, RawInput
from newswatch.store import sqlite_feed, sqlite_links
from newswatch.store.base import (
    MARK_END,
    MARK_START,
    EventQuery,
    LinkUpdate,
    Order,
    PutOutcome,
    SearchHit,
    StoredEvent,
    StoredInfo,
    StoredStory,
    StoryBuilder,
    from_utc_text,
    parse_since,
    query_words,
    utc_text,
)
from newswatch.store.queries import ArticleQuery, ArticleSummary, DayCount, Page, QuoteHit, SourceInfo
from newswatch.store.sqlite_events import query_events
from newswatch.store.sqlite_migrations import Migration, load_migrations, migrate
from newswatch.store.sqlite_sources import SqliteSources
from newswatch.store.sqlite_watches import SqliteWatches
from newswatch.store.sqlite_write import BatchWriter, raw_from_row

__all__ = ["Migration", "SqliteStore", "load_migrations"]

logger = logging.getLogger(__name__)

_PAGE = 500  # rows read per query while iterating articles()
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _reason(exc: sqlite3.Error, busy_timeout: float) -> str:
    text = str(exc)
    lowered = text.lower()
    if "file is not a database" in lowered:
        return "not a SQLite database (is this the right file?)"
    if "database is locked" in lowered or "database is busy" in lowered:
        return f"the database is busy: another writer held it for more than {busy_timeout:g} s"
    if "disk is full" in lowered:
        return "the disk is full"
    if "unable to open" in lowered:
        return "cannot open the database file"
    return text


def _check_limit(limit: int | None) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise QueryError(f"limit must be a positive whole number, not {limit!r}")


def _check_language(language: str | None) -> str | None:
    if language is None:
        return None
    code = language.strip().lower()
    if not _LANGUAGE.fullmatch(code):
        raise QueryError(f"language must be an ISO 639-1 code such as 'en', not {language!r}")
    return code


class SqliteStore(SqliteSources, SqliteWatches):
    """A :class:`~newswatch.store.base.Store` in one SQLite file.

    ``path`` is the database file (created with its parent directories when missing) or ``":memory:"``.
    ``clock`` gives the current time for ``first_seen`` and ``updated_at`` (default: the system clock, UTC).
    ``busy_timeout`` is how long a write waits for another writer before failing with ``StoreError``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Callable[[], datetime] | None = None,
        busy_timeout: float = 5.0,
    ) -> None:
        self._name = os.fspath(path)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._conn = self._connect()

    def __repr__(self) -> str:
        return f"SqliteStore({self._name!r})"

    # --- connection and schema ------------------------------------------------------------------

    def _error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(f"{self._name}: {_reason(exc, self._busy_timeout)}")

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        except (UnicodeEncodeError, OverflowError):
            # sqlite3 cannot bind a lone surrogate or an integer beyond 64 bits (a forged filter or cursor)
            raise QueryError(
                "not a value the store can look up (invalid text or a number out of range)"
            ) from None

    def _connect(self) -> sqlite3.Connection:
        if self._name != ":memory:":
            target = Path(self._name)
            if target.is_dir():
                raise StoreError(f"{self._name}: is a directory, not a database file")
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{self._name}: cannot create its directory: {exc.strerror}") from None
        try:
            conn = sqlite3.connect(
                self._name, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            with self._guard():
                conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA synchronous = NORMAL")
                self._migrate(conn)
                sqlite_feed.fill_pending(conn)  # words of articles stored before migration 0007
        except BaseException:
            conn.close()
            raise
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        migrate(conn, self._name, lambda: utc_text(self._now()))

    def _now(self) -> datetime:
        return self._clock()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(f"{self._name}: the store is closed")
        return self._conn

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._guard():
            yield self._connection()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back on any exception."""
        with self._lock:
            conn = self._connection()
            with self._guard():
                conn.execute("BEGIN IMMEDIATE")
            try:
                with self._guard():
                    yield conn
                    conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error as exc:  # the rollback failing is worth a log line, not a mask
                        logger.error("%s: rollback failed: %s", self._name, exc)
                raise

    # --- writing ----------------------------------------------------------------------------------

    def put(self, article: Article, raw: RawInput) -> PutOutcome:
        return self.put_many([(article, raw)])[0]

    def put_many(self, items: Iterable[tuple[Article, RawInput]]) -> list[PutOutcome]:
        outcomes: list[PutOutcome] = []
        writer = BatchWriter(utc_text(self._now()))
        with self._write() as conn:
            for article, raw in items:
                outcomes.append(writer.put(conn, article, raw))
        return outcomes

    # --- reading ----------------------------------------------------------------------------------

    def get(self, article_id: str) -> Article | None:
        with self._read() as conn:
            row = conn.execute("SELECT record FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else Article.from_dict(json.loads(row[0]))

    def find_by_guid(self, guid: str, source: str | None) -> Article | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT record FROM articles WHERE guid = ? AND source IS ? ORDER BY seq LIMIT 1",
                (guid, source),
            ).fetchone()
        return None if row is None else Article.from_dict(json.loads(row[0]))

    def info(self, article_id: str) -> StoredInfo | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT first_seen, updated_at, raw_sha256 FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        if row is None:
            return None
        return StoredInfo(from_utc_text(row[0]), from_utc_text(row[1]), row[2])

    def articles(
        self,
        *,
        since: str | None = None,
        language: str | None = None,
        limit: int | None = None,
        order: Order = "published",
    ) -> Iterator[Article]:
        if order not in ("published", "first_seen"):
            raise QueryError(f"order must be 'published' or 'first_seen', not {order!r}")
        _check_limit(limit)
        return self._iter_articles(parse_since(since), _check_language(language), limit, order)

    def _iter_articles(
        self, since: str | None, language: str | None, limit: int | None, order: Order
    ) -> Iterator[Article]:
        column = "published_sort" if order == "published" else "first_seen"
        filters: list[str] = []
        params: list[Any] = []
        if since is not None:
            filters.append("published_sort >= ?")
            params.append(since)
        if language is not None:
            filters.append("language = ?")
            params.append(language)
        remaining = limit
        after: tuple[str, int] | None = None
        while remaining is None or remaining > 0:
            page = _PAGE if remaining is None else min(_PAGE, remaining)
            where = [*filters, f"({column}, seq) < (?, ?)"] if after else filters
            sql = (
                f"SELECT {column}, seq, record FROM articles"
                + (" WHERE " + " AND ".join(where) if where else "")
                + f" ORDER BY {column} DESC, seq DESC LIMIT ?"
            )
            with self._read() as conn:
                rows = conn.execute(sql, (*params, *(after or ()), page)).fetchall()
            for row in rows:
                yield Article.from_dict(json.loads(row[2]))
            if len(rows) < page:
                return
            after = (rows[-1][0], rows[-1][1])
            if remaining is not None:
                remaining -= len(rows)

    def events(self, query: EventQuery) -> Iterator[StoredEvent]:
        with self._read() as conn:
            found = list(query_events(conn, query))
        yield from found

    def search(self, query: str, *, limit: int = 20, language: str | None = None) -> list[SearchHit]:
        _check_limit(limit)
        code = _check_language(language)
        try:
            query.encode("utf-8")
        except UnicodeEncodeError:
            raise QueryError(f"the query is not valid Unicode text: {query!r}") from None
        match = " ".join('"' + word.replace('"', '""') + '"' for word in query_words(query))
        sql = (
            "SELECT a.record, snippet(articles_fts, -1, ?, ?, '…', 16), articles_fts.rank"
            " FROM articles_fts JOIN articles AS a ON a.seq = articles_fts.rowid"
            " WHERE articles_fts MATCH ?"
            + (" AND a.language = ?" if code else "")
            + " ORDER BY articles_fts.rank LIMIT ?"
        )
        params: tuple[Any, ...] = (MARK_START, MARK_END, match, *((code,) if code else ()), limit)
        with self._lock:
            conn = self._connection()
            try:
                rows = conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:
                if "fts5" in str(exc).lower():  # quoting should prevent it; never let it surface raw
                    raise QueryError(f"cannot search for {query!r}: {exc}") from exc
                raise self._error(exc) from exc
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        return [SearchHit(Article.from_dict(json.loads(r[0])), r[1], -float(r[2])) for r in rows]

    def raw(self, sha256: str) -> RawInput | None:
        key = sha256.strip().lower()
        if not _SHA256.fullmatch(key):
            return None
        with self._read() as conn:
            row = conn.execute(
                "SELECT data, name, url, content_type, reference_date FROM raw_inputs WHERE sha256 = ?",
                (key,),
            ).fetchone()
        return None if row is None else raw_from_row(row)

    def raw_hashes(self) -> Iterator[str]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT raw_sha256 FROM articles GROUP BY raw_sha256 ORDER BY min(seq)"
            ).fetchall()
        yield from (row[0] for row in rows)

    def raw_for(self, article_id: str) -> RawInput | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT r.data, r.name, r.url, r.content_type, r.reference_date"
                " FROM articles AS a JOIN raw_inputs AS r ON r.sha256 = a.raw_sha256 WHERE a.id = ?",
                (article_id,),
            ).fetchone()
        return None if row is None else raw_from_row(row)

    def count(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])

    # --- linking (SQL in sqlite_links) ------------------------------------------------------------

    def unlinked(self, article_ids: Sequence[str]) -> list[str]:
        with self._read() as conn:
            return sqlite_links.unlinked(conn, article_ids)

    def link_candidates(
        self, keys: Sequence[str], *, exclude: str, evidence: int, min_shared: int, per_key: int, limit: int
    ) -> list[str]:
        with self._read() as conn:
            return sqlite_links.candidates(
                conn, keys, exclude=exclude, need=(evidence, min_shared), per_key=per_key, limit=limit
            )

    def link_data(self, article_ids: Sequence[str]) -> list[tuple[Article, dict[str, Any]]]:
        with self._read() as conn:
            return sqlite_links.link_data(conn, article_ids)

    def link_fingerprints(self, article_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        with self._read() as conn:
            return sqlite_links.link_fingerprints(conn, article_ids)

    def put_links(self, update: LinkUpdate, build: StoryBuilder, *, max_component: int) -> list[str]:
        try:
            json.dumps(update.fingerprint, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"article {update.article_id}: fingerprint cannot be stored: {exc}") from None
        with self._write() as conn:
            return sqlite_links.put_links(conn, update, build, max_component)

    def stories(
        self, *, since: str | None = None, language: str | None = None, limit: int | None = None
    ) -> Iterator[StoredStory]:
        _check_limit(limit)
        return self._iter_stories(parse_since(since), _check_language(language), limit)

    def _iter_stories(
        self, since: str | None, language: str | None, limit: int | None
    ) -> Iterator[StoredStory]:
        remaining = limit
        after: tuple[str, str] | None = None
        while remaining is None or remaining > 0:
            with self._read() as conn:
                page = sqlite_links.stories(
                    conn, since=since, language=language, limit=remaining, after=after, page=_PAGE
                )
                last = sqlite_links.story_key(conn, page[-1].id) if page else None
            yield from page
            if last is None or len(page) < (_PAGE if remaining is None else min(_PAGE, remaining)):
                return
            after = last
            if remaining is not None:
                remaining -= len(page)

    def story_of(self, article_id: str) -> StoredStory | None:
        with self._read() as conn:
            return sqlite_links.story_of(conn, article_id)

    def story(self, story_id: str) -> StoredStory | None:
        with self._read() as conn:
            return sqlite_links.story(conn, story_id)

    def story_ids(self, article_ids: Sequence[str]) -> dict[str, str]:
        with self._read() as conn:
            return sqlite_links.story_ids(conn, article_ids)

    def links_of(self, article_id: str) -> list[tuple[str, str, float]]:
        with self._read() as conn:
            return sqlite_links.links_of(conn, article_id)

    def related_of(self, article_id: str, *, limit: int = 50) -> list[tuple[str, float]]:
        _check_limit(limit)
        with self._read() as conn:
            return sqlite_links.related_of(conn, article_id, limit)

    # --- the feed, pages and API (SQL in sqlite_feed) ---------------------------------------------

    def list_articles(
        self, query: ArticleQuery, *, cursor: str | None = None, limit: int = 50
    ) -> Page[ArticleSummary]:
        with self._read() as conn:
            return sqlite_feed.list_articles(conn, query, cursor, limit)

    def search_articles(
        self, text: str, query: ArticleQuery, *, cursor: str | None = None, limit: int = 20
    ) -> Page[ArticleSummary]:
        with self._read() as conn:
            return sqlite_feed.search_articles(conn, text, query, cursor, limit)

    def event_counts(
        self, actor: str, other: str | None = None, *, since: str | None = None, until: str | None = None
    ) -> list[DayCount]:
        with self._read() as conn:
            return sqlite_feed.event_counts(conn, actor, other, since, until)

    def quotes_by(self, actor: str, *, limit: int = 20) -> list[QuoteHit]:
        with self._read() as conn:
            return sqlite_feed.quotes_by(conn, actor, limit)

    def sources(self) -> list[SourceInfo]:
        with self._read() as conn:
            return sqlite_feed.sources(conn)

    # --- lifetime ---------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                try:
                    conn.close()
                except sqlite3.Error as exc:
                    raise self._error(exc) from exc

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
