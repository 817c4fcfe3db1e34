"""The server store: PostgreSQL through psycopg 3 and a connection pool, for many workers and web servers.

The schema lives in numbered, append-only migrations under ``migrations/postgres/`` (package data), applied
when a store opens, each once, under an advisory lock (see :mod:`newswatch.store.postgres_migrations`). The
record is ``jsonb``; search uses ``tsvector`` columns with GIN indexes (see
:mod:`newswatch.store.postgres_text`); times are the same fixed-width UTC texts as on SQLite, so both backends
order, filter and page alike. Every read borrows a pooled connection for one transaction; every write is one
transaction. See :class:`newswatch.store.base.Store` for the guarantees; here several writers may write at
once (rows are locked, not the database), and a write that loses a deadlock is retried.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from newswatch.errors import QueryError, StoreError
from newswatch.model import Article, RawInput
from newswatch.store import postgres_feed, postgres_links
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
from newswatch.store.postgres_events import query_events
from newswatch.store.postgres_live import PostgresLive
from newswatch.store.postgres_migrations import migrate
from newswatch.store.postgres_text import INDEX_CHARS, QUERY_LANGUAGES, config_for, search_query
from newswatch.store.postgres_write import BatchWriter
from newswatch.store.queries import ArticleQuery, ArticleSummary, DayCount, Page, QuoteHit, SourceInfo

__all__ = ["PostgresStore", "describe"]

logger = logging.getLogger(__name__)

Connection = psycopg.Connection[tuple[Any, ...]]

_PAGE = 500  # rows read per query while iterating articles() and stories()
_RETRIES = 8  # a write transaction that loses a deadlock (or a serialization conflict) is run again
_BACKOFF = 0.02  # seconds before the second attempt; doubled each time, with jitter, at most 1 s
_LANGUAGE = re.compile(r"[a-z]{2,3}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=12, ShortWord=0"


def describe(dsn: str) -> str:
    """The database a DSN names, for messages: ``postgresql://user@host:port/dbname``, never the password."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "postgresql://(unreadable address)"
    user = str(params.get("user") or "")
    host = str(params.get("host") or "localhost")
    port = str(params.get("port") or "5432")
    dbname = str(params.get("dbname") or user or "postgres")
    return f"postgresql://{user + '@' if user else ''}{host}:{port}/{dbname}"


def _reason(exc: psycopg.Error) -> str:
    """One line saying why, naming what the user can check (never the password or a traceback)."""
    state = exc.sqlstate or ""
    text = " ".join(str(exc).split())
    lowered = text.lower()
    if "FATAL:" in text:  # refused by the server while connecting: unknown database or user, bad password…
        reason = text.rsplit("FATAL:", 1)[1].strip()
        if "password authentication failed" in reason:
            reason += " (check the user and password)"
        elif "database" in reason and "does not exist" in reason:
            reason += " (create it first, e.g. with createdb)"
        return f"cannot connect: {reason}"
    if "connection refused" in lowered:
        return "cannot connect: connection refused (is PostgreSQL running and listening there?)"
    if "failed to resolve host" in lowered or "could not translate host name" in lowered:
        return "cannot connect: unknown host"
    if "timeout expired" in lowered or "timed out" in lowered:
        return "cannot connect: timed out"
    if state in ("40P01", "40001"):
        return "the write conflicted with other writers too often; try again"
    if state == "55P03" or isinstance(exc, pg_errors.QueryCanceled):
        return "the database is busy: a lock or statement took too long"
    if state == "53100":
        return "the database server's disk is full"
    if state.startswith("42"):  # an undefined table or column: a schema our migrations did not make
        return f"the database schema is not the one this newswatch expects: {text[:120]}"
    if isinstance(exc, psycopg.OperationalError):
        return f"lost the connection: {text[:160]}"
    return text[:200] or type(exc).__name__


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


def _reference_value(text: str | None) -> datetime | None:
    if text is None:
        return None
    if text.endswith("Z"):
        return from_utc_text(text)
    return datetime.fromisoformat(text)


def _raw_from_row(row: Sequence[Any]) -> RawInput:
    data, name, url, content_type, reference = row
    return RawInput(bytes(data), name, url, content_type, _reference_value(reference))


class PostgresStore(PostgresLive):
    """A :class:`~newswatch.store.base.Store` in a PostgreSQL database.

    ``dsn`` is a ``postgresql://`` URL or a libpq connection string; the database must exist (its schema is
    created and brought up to date here). ``clock`` gives the current time for ``first_seen`` and
    ``updated_at`` (default: the system clock, UTC). ``pool_size`` is the most connections this store holds
    (one per thread using it at once); ``timeout`` is how long to wait for the server or for a free
    connection before failing with ``StoreError``.
    """

    def __init__(
        self,
        dsn: str,
        *,
        clock: Callable[[], datetime] | None = None,
        pool_size: int = 4,
        timeout: float = 10.0,
    ) -> None:
        self._dsn = dsn
        self._name = describe(dsn)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._timeout = timeout
        self._lock = threading.Lock()
        self._pool: ConnectionPool[Connection] | None = None
        self._configs = self._prepare()
        try:
            self._pool = ConnectionPool(
                dsn,
                min_size=1,
                max_size=max(1, pool_size),
                open=True,
                timeout=timeout,
                kwargs={"autocommit": False, "connect_timeout": max(1, int(timeout))},
                name="newswatch",
            )
        except psycopg.Error as exc:
            raise self._error(exc) from exc

    def __repr__(self) -> str:
        return f"PostgresStore({self._name!r})"

    # --- connection and schema ------------------------------------------------------------------

    def _error(self, exc: psycopg.Error) -> StoreError:
        return StoreError(f"{self._name}: {_reason(exc)}")

    def _prepare(self) -> frozenset[str]:
        """Check that the database answers, migrate it, and read which text search configurations it has."""
        try:
            conn = psycopg.connect(self._dsn, autocommit=False, connect_timeout=max(1, int(self._timeout)))
        except psycopg.Error as exc:
            raise self._error(exc) from None
        try:
            migrate(conn, self._name, lambda: utc_text(self._clock()))
            with conn.transaction():
                rows = conn.execute("SELECT cfgname FROM pg_ts_config").fetchall()
            return frozenset(str(row[0]) for row in rows)
        except psycopg.Error as exc:
            raise self._error(exc) from None
        finally:
            conn.close()

    def _now(self) -> datetime:
        return self._clock()

    def _open_pool(self) -> ConnectionPool[Connection]:
        pool = self._pool
        if pool is None:
            raise StoreError(f"{self._name}: the store is closed")
        return pool

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Driver and pool errors as one-line ``StoreError``s."""
        try:
            yield
        except PoolTimeout:
            raise StoreError(
                f"{self._name}: no connection free within {self._timeout:g} s (raise the pool size)"
            ) from None
        except psycopg.Error as exc:
            raise self._error(exc) from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        """A pooled connection for one transaction: committed when the block ends, rolled back on an
        exception."""
        with self._guard(), self._open_pool().connection() as conn:
            yield conn

    #: One write transaction (the same as a read here: PostgreSQL locks rows, not the database).
    _write = _read

    def _retrying(self, work: Callable[[Connection], Any]) -> Any:
        """Run ``work`` in one write transaction, again when it loses a deadlock or serialization conflict."""
        for attempt in range(1, _RETRIES + 1):
            with self._guard():
                try:
                    with self._open_pool().connection() as conn:
                        return work(conn)
                except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure):
                    if attempt == _RETRIES:
                        raise
                    logger.info("%s: write conflict, trying again (%d)", self._name, attempt)
            # Jitter breaks the lockstep of writers that keep meeting in the same order.
            time.sleep(min(1.0, _BACKOFF * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5))
        raise AssertionError("unreachable")

    # --- writing ----------------------------------------------------------------------------------

    def put(self, article: Article, raw: RawInput) -> PutOutcome:
        return self.put_many([(article, raw)])[0]

    def put_many(self, items: Iterable[tuple[Article, RawInput]]) -> list[PutOutcome]:
        now = utc_text(self._now())
        source = iter(items)
        taken: list[tuple[Article, RawInput]] = []  # read lazily, kept to run the batch again on a conflict

        def batch() -> Iterator[tuple[Article, RawInput]]:
            yield from list(taken)
            for item in source:
                taken.append(item)
                yield item

        def work(conn: Connection) -> list[PutOutcome]:
            writer = BatchWriter(now, self._configs)
            return [writer.put(conn, article, raw) for article, raw in batch()]

        outcomes: list[PutOutcome] = self._retrying(work)
        return outcomes

    # --- reading ----------------------------------------------------------------------------------

    def get(self, article_id: str) -> Article | None:
        with self._read() as conn:
            row = conn.execute("SELECT record FROM articles WHERE id = %s", (article_id,)).fetchone()
        return None if row is None else Article.from_dict(row[0])

    def find_by_guid(self, guid: str, source: str | None) -> Article | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT record FROM articles WHERE guid = %s AND source IS NOT DISTINCT FROM %s"
                " ORDER BY seq LIMIT 1",
                (guid, source),
            ).fetchone()
        return None if row is None else Article.from_dict(row[0])

    def info(self, article_id: str) -> StoredInfo | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT first_seen, updated_at, raw_sha256 FROM articles WHERE id = %s", (article_id,)
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
            filters.append("published_sort >= %s")
            params.append(since)
        if language is not None:
            filters.append("language = %s")
            params.append(language)
        remaining = limit
        after: tuple[str, int] | None = None
        while remaining is None or remaining > 0:
            page = _PAGE if remaining is None else min(_PAGE, remaining)
            where = [*filters, f"({column}, seq) < (%s, %s)"] if after else filters
            sql = (
                f"SELECT {column}, seq, record FROM articles"
                + (" WHERE " + " AND ".join(where) if where else "")
                + f" ORDER BY {column} DESC, seq DESC LIMIT %s"
            )
            with self._read() as conn:
                rows = conn.execute(sql.encode(), (*params, *(after or ()), page)).fetchall()
            for row in rows:
                yield Article.from_dict(row[2])
            if len(rows) < page:
                return
            after = (rows[-1][0], rows[-1][1])
            if remaining is not None:
                remaining -= len(rows)

    def events(self, query: EventQuery) -> Iterator[StoredEvent]:
        with self._read() as conn:
            found = query_events(conn, query)
        yield from found

    def search(self, query: str, *, limit: int = 20, language: str | None = None) -> list[SearchHit]:
        _check_limit(limit)
        code = _check_language(language)
        try:
            query.encode("utf-8")
        except UnicodeEncodeError:
            raise QueryError(f"the query is not valid Unicode text: {query!r}") from None
        words = query_words(query)
        languages = (*QUERY_LANGUAGES, *((code,) if code else ()))
        tsquery, params = search_query(words, [config_for(lang, self._configs) for lang in languages])
        sql = (
            f"WITH q AS (SELECT {tsquery} AS q)"
            " SELECT a.record,"
            " ts_headline(a.search_config, left(coalesce(a.record ->> 'text', ''), %s), q.q, %s),"
            " ts_headline(a.search_config, coalesce(a.title, ''), q.q, %s), ts_rank(a.search, q.q) AS rank"
            " FROM articles AS a, q WHERE a.search @@ q.q"
            + (" AND a.language = %s" if code else "")
            + " ORDER BY rank DESC, a.seq DESC LIMIT %s"
        )
        values = (
            *params,
            INDEX_CHARS,
            _HEADLINE,
            _HEADLINE + ", HighlightAll=true",
            *((code,) if code else ()),
        )
        with self._read() as conn:
            rows = conn.execute(sql.encode(), (*values, limit)).fetchall()
        hits: list[SearchHit] = []
        for record, text_headline, title_headline, rank in rows:
            snippet = (
                text_headline
                if MARK_START in text_headline or MARK_START not in title_headline
                else title_headline
            )
            hits.append(SearchHit(Article.from_dict(record), snippet, float(rank)))
        return hits

    def raw(self, sha256: str) -> RawInput | None:
        key = sha256.strip().lower()
        if not _SHA256.fullmatch(key):
            return None
        with self._read() as conn:
            row = conn.execute(
                "SELECT data, name, url, content_type, reference_date FROM raw_inputs WHERE sha256 = %s",
                (key,),
            ).fetchone()
        return None if row is None else _raw_from_row(row)

    def raw_hashes(self) -> Iterator[str]:
        with self._read() as conn:
            rows = conn.execute(
                "SELECT raw_sha256 FROM articles GROUP BY raw_sha256 ORDER BY min(seq)"
            ).fetchall()
        yield from (str(row[0]) for row in rows)

    def raw_for(self, article_id: str) -> RawInput | None:
        with self._read() as conn:
            row = conn.execute(
                "SELECT r.data, r.name, r.url, r.content_type, r.reference_date"
                " FROM articles AS a JOIN raw_inputs AS r ON r.sha256 = a.raw_sha256 WHERE a.id = %s",
                (article_id,),
            ).fetchone()
        return None if row is None else _raw_from_row(row)

    def count(self) -> int:
        with self._read() as conn:
            row = conn.execute("SELECT count(*) FROM articles").fetchone()
        return int(row[0]) if row else 0

    # --- linking (SQL in postgres_links) ----------------------------------------------------------

    def unlinked(self, article_ids: Sequence[str]) -> list[str]:
        with self._read() as conn:
            return postgres_links.unlinked(conn, article_ids)

    def link_candidates(
        self, keys: Sequence[str], *, exclude: str, evidence: int, min_shared: int, per_key: int, limit: int
    ) -> list[str]:
        with self._read() as conn:
            return postgres_links.candidates(
                conn, keys, exclude=exclude, need=(evidence, min_shared), per_key=per_key, limit=limit
            )

    def link_data(self, article_ids: Sequence[str]) -> list[tuple[Article, dict[str, Any]]]:
        with self._read() as conn:
            return postgres_links.link_data(conn, article_ids)

    def link_fingerprints(self, article_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        with self._read() as conn:
            return postgres_links.link_fingerprints(conn, article_ids)

    def put_links(self, update: LinkUpdate, build: StoryBuilder, *, max_component: int) -> list[str]:
        def work(conn: Connection) -> list[str]:
            return postgres_links.put_links(conn, update, build, max_component)

        written: list[str] = self._retrying(work)
        return written

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
                page = postgres_links.stories(
                    conn, since=since, language=language, limit=remaining, after=after, page=_PAGE
                )
                last = postgres_links.story_key(conn, page[-1].id) if page else None
            yield from page
            if last is None or len(page) < (_PAGE if remaining is None else min(_PAGE, remaining)):
                return
            after = last
            if remaining is not None:
                remaining -= len(page)

    def story_of(self, article_id: str) -> StoredStory | None:
        with self._read() as conn:
            return postgres_links.story_of(conn, article_id)

    def story(self, story_id: str) -> StoredStory | None:
        with self._read() as conn:
            return postgres_links.story(conn, story_id)

    def story_ids(self, article_ids: Sequence[str]) -> dict[str, str]:
        with self._read() as conn:
            return postgres_links.story_ids(conn, article_ids)

    def links_of(self, article_id: str) -> list[tuple[str, str, float]]:
        with self._read() as conn:
            return postgres_links.links_of(conn, article_id)

    def related_of(self, article_id: str, *, limit: int = 50) -> list[tuple[str, float]]:
        _check_limit(limit)
        with self._read() as conn:
            return postgres_links.related_of(conn, article_id, limit)

    # --- the feed, pages and API (SQL in postgres_feed) -------------------------------------------

    def list_articles(
        self, query: ArticleQuery, *, cursor: str | None = None, limit: int = 50
    ) -> Page[ArticleSummary]:
        with self._read() as conn:
            return postgres_feed.list_articles(conn, query, cursor, limit)

    def search_articles(
        self, text: str, query: ArticleQuery, *, cursor: str | None = None, limit: int = 20
    ) -> Page[ArticleSummary]:
        with self._read() as conn:
            return postgres_feed.search_articles(conn, text, query, cursor, limit)

    def event_counts(
        self, actor: str, other: str | None = None, *, since: str | None = None, until: str | None = None
    ) -> list[DayCount]:
        with self._read() as conn:
            return postgres_feed.event_counts(conn, actor, other, since, until)

    def quotes_by(self, actor: str, *, limit: int = 20) -> list[QuoteHit]:
        with self._read() as conn:
            return postgres_feed.quotes_by(conn, actor, limit)

    def sources(self) -> list[SourceInfo]:
        with self._read() as conn:
            return postgres_feed.sources(conn)

    # --- lifetime ---------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
