"""Live sources and watches on PostgreSQL (tables of migration 0003): the store's sections "live sources" and
"watches", with the same arguments, checks and answers as :mod:`newswatch.store.sqlite_sources` and
:mod:`newswatch.store.sqlite_watches` (whose checks are reused here, so both backends refuse alike).

Several workers may share the database: adding a source or a watch is checked and inserted in one statement
(``ON CONFLICT``), and matches and deliveries are unique rows inserted with ``ON CONFLICT DO NOTHING``, so a
match recorded twice at once is still recorded, and delivered, once. Text PostgreSQL cannot hold (a NUL) is a
``QueryError`` when the caller gave it and dropped when it came from the network (an error text, a validator).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from psycopg import Connection

from newswatch.errors import QueryError
from newswatch.ingest.urls import host_of
from newswatch.store.base import utc_text
from newswatch.store.listing import check_page_limit, decode_cursor, encode_cursor, summary_row
from newswatch.store.live import Delivery, PollResult, Source, Watch
from newswatch.store.postgres_feed import _SUMMARY, _SUMMARY_JOINS
from newswatch.store.queries import ArticleQuery, ArticleSummary, Page
from newswatch.store.sqlite_sources import _interval, _language, _one_line, _optional
from newswatch.store.sqlite_watches import _name, _text, _watch

__all__ = ["PostgresLive"]

Conn = Connection[Any]

_SOURCE_COLUMNS = (
    "id, url, name, language, interval, site, added, next_poll, etag, last_modified, last_fetch, last_status,"
    " last_error, errors, last_new"
)
_WATCH_COLUMNS = "id, name, language, source, actor, event_type, pair_a, pair_b, keyword, webhook, added"
_DELIVERY_COLUMNS = (
    "d.id, d.watch_id, a.id, d.status, d.attempts, d.next_attempt, d.last_error, d.delivered_at, d.created"
)
_BAD_CURSOR = "this page address is not one newswatch gave (start again from the first page)"
_LOOKUP = "not a value the store can look up (invalid text or a number out of range)"  # as on SQLite
_MAX_ID = 2**63 - 1


def _unicode(value: str) -> str:
    """``value``, or QueryError when it is not valid Unicode text (a lone surrogate), as on SQLite."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(_LOOKUP) from None
    return value


def _given(what: str, value: str | None) -> str | None:
    """A text the caller gave, or QueryError when PostgreSQL cannot hold it."""
    if value is not None and "\x00" in value:
        raise QueryError(f"{what} holds a NUL character")
    return value


def _received(value: str | None) -> str | None:
    """A text that came from elsewhere (an answer's header, an error), made storable."""
    if value is None:
        return None
    return value.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _row_id(value: int) -> int:
    """``value`` when it can be looked up as a row id (64 bits), else QueryError, as on SQLite."""
    if isinstance(value, int) and not -_MAX_ID - 1 <= value <= _MAX_ID:
        raise QueryError(_LOOKUP)
    return value


def _source(conn: Conn, where: str, params: tuple[Any, ...]) -> Source | None:
    row = conn.execute(f"SELECT {_SOURCE_COLUMNS} FROM live_sources WHERE {where}", params).fetchone()
    return None if row is None else Source(*row)


def _source_key(key: str) -> tuple[str, tuple[Any, ...]]:
    """The WHERE clause of a source's id (digits) or url."""
    text = _optional("key", key) or ""
    if text.isascii() and text.isdigit():
        return "id = %s", (_row_id(int(text)),)
    return "md5(url) = md5(%s) AND url = %s", (text, text)


def _select_watch(conn: Conn, where: str, value: Any) -> Watch | None:
    row = conn.execute(f"SELECT {_WATCH_COLUMNS} FROM watches WHERE {where}", (value,)).fetchone()
    return None if row is None else _watch(row)


def _find_watch(conn: Conn, key: str) -> Watch | None:
    """The watch whose id (digits) or, failing that, name is ``key``."""
    text = _unicode(key.strip()) if isinstance(key, str) else ""
    if not text or "\x00" in text:  # no name holds a NUL
        return None
    if text.isascii() and text.isdigit() and len(text) < 19:
        found = _select_watch(conn, "id = %s", int(text))
        if found is not None:
            return found
    return _select_watch(conn, "name = %s", text)


class PostgresLive(ABC):
    """The store's live-source and watch methods (see :class:`~newswatch.store.base.Store`, sections "live
    sources" and "watches"); :class:`~newswatch.store.postgres.PostgresStore` inherits them."""

    @abstractmethod
    def _read(self) -> AbstractContextManager[Conn]:
        """A pooled connection for one transaction."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[Conn]:
        """One write transaction: committed when the block ends, rolled back on any exception."""

    @abstractmethod
    def _now(self) -> datetime:
        """The store's clock (aware, UTC)."""

    # --- live sources ---

    def add_source(
        self,
        url: str,
        *,
        name: str | None = None,
        language: str | None = None,
        interval: int | None = None,
        site: str | None = None,
    ) -> Source:
        address = _optional("url", url)
        if address is None or host_of(address) is None:
            raise QueryError(f"not a web address: {url!r}")
        site_url = _optional("site", site)
        values = (
            address,
            host_of(site_url or address),
            _optional("name", name),
            _language(language),
            _interval(interval),
            site_url,
        )
        now = utc_text(self._now())
        with self._write() as conn:
            known = conn.execute(
                "SELECT 1 FROM live_sources WHERE md5(url) = md5(%s) AND url = %s", (address, address)
            ).fetchone()
            row = (
                None
                if known
                else conn.execute(
                    "INSERT INTO live_sources (url, host, name, language, interval, site, added, next_poll)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (md5(url)) DO NOTHING"
                    f" RETURNING {_SOURCE_COLUMNS}",
                    (*values, now, now),
                ).fetchone()
            )
        if row is None:  # known, or added by another writer since
            raise QueryError(f"already a source: {address}")
        return Source(*row)

    def remove_source(self, key: str) -> Source | None:
        where, params = _source_key(key)
        with self._write() as conn:
            row = conn.execute(
                f"DELETE FROM live_sources WHERE {where} RETURNING {_SOURCE_COLUMNS}", params
            ).fetchone()
        return None if row is None else Source(*row)

    def list_sources(self) -> list[Source]:
        with self._read() as conn:
            rows = conn.execute(f"SELECT {_SOURCE_COLUMNS} FROM live_sources ORDER BY id").fetchall()
        return [Source(*row) for row in rows]

    def get_source(self, source_id: int) -> Source | None:
        with self._read() as conn:
            return _source(conn, "id = %s", (_row_id(source_id),))

    def due_sources(self, now: datetime, limit: int) -> list[Source]:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise QueryError(f"limit must be a positive whole number, not {limit!r}")
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_SOURCE_COLUMNS} FROM live_sources WHERE next_poll <= %s"
                " ORDER BY next_poll, id LIMIT %s",
                (utc_text(now), limit),
            ).fetchall()
        return [Source(*row) for row in rows]

    def record_poll(self, source_id: int, result: PollResult) -> Source:
        number = _row_id(source_id)
        fetched_at, next_poll = _given("fetched_at", result.fetched_at), _given("next_poll", result.next_poll)
        with self._write() as conn:
            if result.error is not None:
                row = conn.execute(
                    "UPDATE live_sources SET last_fetch = %s, last_status = %s, next_poll = %s,"
                    f" last_error = %s, errors = errors + 1 WHERE id = %s RETURNING {_SOURCE_COLUMNS}",
                    (fetched_at, result.status, next_poll, _received(_one_line(result.error)), number),
                ).fetchone()
            else:
                validators = (
                    "etag = coalesce(%s::text, etag), last_modified = coalesce(%s::text, last_modified)"
                    if result.status == 304
                    else "etag = %s::text, last_modified = %s::text"
                )
                row = conn.execute(
                    "UPDATE live_sources SET last_fetch = %s, last_status = %s, next_poll = %s,"
                    f" last_error = NULL, errors = 0, {validators},"
                    " last_new = CASE WHEN %s > 0 THEN %s ELSE last_new END"
                    f" WHERE id = %s RETURNING {_SOURCE_COLUMNS}",
                    (
                        fetched_at,
                        result.status,
                        next_poll,
                        _received(result.etag),
                        _received(result.last_modified),
                        result.new,
                        fetched_at,
                        number,
                    ),
                ).fetchone()
        if row is None:
            raise QueryError(f"no source with id {source_id}")
        return Source(*row)

    # --- watches ---

    def add_watch(
        self,
        name: str,
        query: ArticleQuery,
        *,
        pair: tuple[str, str] | None = None,
        keyword: str | None = None,
        webhook: str | None = None,
    ) -> Watch:
        if query.since is not None or query.until is not None:
            raise QueryError("a watch follows what comes next: it takes no since or until")
        title = _name(name)
        language, source = _given("language", _text(query.language)), _given("source", _text(query.source))
        actor, event_type = _given("actor", _text(query.actor)), _given("event type", _text(query.event_type))
        pair_a, pair_b = (_text(pair[0]), _text(pair[1])) if pair is not None else (None, None)
        if pair is not None and (pair_a is None or pair_b is None):
            raise QueryError("a pair is two actor ids")
        pair_a, pair_b = _given("pair", pair_a), _given("pair", pair_b)
        words, hook = _given("keyword", _text(keyword)), _given("webhook", _text(webhook))
        if not any((language, source, actor, event_type, pair_a, words)):
            raise QueryError("a watch needs at least one filter (it would match every article)")
        values = (
            title,
            language.lower() if language else None,
            source,
            actor,
            event_type.upper() if event_type else None,
            pair_a,
            pair_b,
            words,
            hook,
            utc_text(self._now()),
        )
        with self._write() as conn:
            known = conn.execute("SELECT 1 FROM watches WHERE name = %s", (title,)).fetchone()
            row = (
                None
                if known
                else conn.execute(
                    "INSERT INTO watches (name, language, source, actor, event_type, pair_a, pair_b, keyword,"
                    " webhook, added) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
                    f" ON CONFLICT (name) DO NOTHING RETURNING {_WATCH_COLUMNS}",
                    values,
                ).fetchone()
            )
        if row is None:  # known, or added by another writer since
            raise QueryError(f"already a watch: {title}")
        return _watch(row)

    def remove_watch(self, key: str) -> Watch | None:
        with self._write() as conn:
            found = _find_watch(conn, key)
            if found is not None:
                conn.execute("DELETE FROM watches WHERE id = %s", (found.id,))
        return found

    def find_watch(self, key: str) -> Watch | None:
        with self._read() as conn:
            return _find_watch(conn, key)

    def list_watches(self) -> list[Watch]:
        with self._read() as conn:
            rows = conn.execute(f"SELECT {_WATCH_COLUMNS} FROM watches ORDER BY id").fetchall()
        return [_watch(row) for row in rows]

    def get_watch(self, watch_id: int) -> Watch | None:
        if isinstance(watch_id, bool) or not isinstance(watch_id, int):
            return None
        with self._read() as conn:
            return _select_watch(conn, "id = %s", _row_id(watch_id))

    def record_matches(self, watch_id: int, article_ids: Sequence[str], *, deliver: bool) -> int:
        number = _row_id(watch_id)
        wanted = [_unicode(i) for i in dict.fromkeys(article_ids) if "\x00" not in i]  # no id holds a NUL
        if not wanted:
            return 0
        now = utc_text(self._now())
        with self._write() as conn:
            # FOR SHARE: the watch cannot be removed before this transaction ends
            hook = conn.execute("SELECT webhook FROM watches WHERE id = %s FOR SHARE", (number,)).fetchone()
            if hook is None:
                return 0
            added = [
                row[0]
                for row in conn.execute(
                    "WITH wanted AS (SELECT a.seq, min(u.n) AS n"
                    "   FROM unnest(%s::text[]) WITH ORDINALITY AS u (id, n)"
                    "   JOIN articles AS a ON a.id = u.id GROUP BY a.seq),"
                    " added AS (INSERT INTO watch_matches (watch_id, article_seq, matched_at)"
                    "   SELECT %s, seq, %s FROM wanted ORDER BY seq"  # one lock order for every writer
                    "   ON CONFLICT DO NOTHING RETURNING article_seq)"
                    " SELECT w.seq FROM added JOIN wanted AS w ON w.seq = added.article_seq ORDER BY w.n",
                    (wanted, number, now),
                )
            ]
            if added and deliver and hook[0]:
                conn.execute(
                    "INSERT INTO deliveries (watch_id, article_seq, next_attempt, created)"
                    " SELECT %s, s.seq, %s, %s FROM unnest(%s::bigint[]) WITH ORDINALITY AS s (seq, n)"
                    " ORDER BY s.n ON CONFLICT DO NOTHING",
                    (number, now, now, added),
                )
        return len(added)

    def watch_articles(
        self, watch_id: int, *, cursor: str | None = None, limit: int = 50
    ) -> Page[ArticleSummary]:
        check_page_limit(limit)
        params: list[Any] = [_row_id(watch_id)]
        after = ""
        if cursor is not None:
            last = decode_cursor(cursor, "w")
            if (
                len(last) != 2
                or not isinstance(last[0], str)
                or "\x00" in last[0]
                or isinstance(last[1], bool)
                or not isinstance(last[1], int)
            ):
                raise QueryError(_BAD_CURSOR)
            _unicode(last[0])
            _row_id(last[1])
            after = " AND (matched_at, article_seq) < (%s, %s)"
            params += last
        sql = (
            f"SELECT {_SUMMARY}, p.matched_at, p.article_seq FROM (SELECT matched_at, article_seq"
            f" FROM watch_matches WHERE watch_id = %s{after}"
            " ORDER BY matched_at DESC, article_seq DESC LIMIT %s) AS p"
            f" JOIN articles AS a ON a.seq = p.article_seq{_SUMMARY_JOINS}"
            " ORDER BY p.matched_at DESC, p.article_seq DESC"
        )
        with self._read() as conn:
            rows = conn.execute(sql, (*params, limit + 1)).fetchall()
        items = tuple(summary_row(row) for row in rows[:limit])
        more = len(rows) > limit
        return Page(items, encode_cursor("w", rows[limit - 1][9], rows[limit - 1][10]) if more else None)

    def due_deliveries(self, now: datetime, limit: int) -> list[Delivery]:
        check_page_limit(limit)
        sql = (
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries AS d JOIN articles AS a ON a.seq = d.article_seq"
            " WHERE d.status = 'pending' AND d.next_attempt <= %s ORDER BY d.next_attempt, d.id LIMIT %s"
        )
        with self._read() as conn:
            rows = conn.execute(sql, (utc_text(now), limit)).fetchall()
        return [Delivery(*row) for row in rows]

    def record_delivery(
        self, delivery_id: int, *, ok: bool, error: str | None, next_attempt: str | None
    ) -> None:
        number = _row_id(delivery_id)
        now = utc_text(self._now())
        with self._write() as conn:
            if ok:
                conn.execute(
                    "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1,"
                    " next_attempt = NULL, delivered_at = %s WHERE id = %s",
                    (now, number),
                )
            else:
                conn.execute(
                    "UPDATE deliveries SET attempts = attempts + 1, last_error = %s, next_attempt = %s,"
                    " status = %s WHERE id = %s",
                    (
                        _received(error),
                        _given("next_attempt", next_attempt),
                        "failed" if next_attempt is None else "pending",
                        number,
                    ),
                )

    def deliveries(self, watch_id: int, *, limit: int = 50) -> list[Delivery]:
        check_page_limit(limit)
        sql = (
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries AS d JOIN articles AS a ON a.seq = d.article_seq"
            " WHERE d.watch_id = %s ORDER BY d.created DESC, d.id DESC LIMIT %s"
        )
        with self._read() as conn:
            rows = conn.execute(sql, (_row_id(watch_id), limit)).fetchall()
        return [Delivery(*row) for row in rows]
