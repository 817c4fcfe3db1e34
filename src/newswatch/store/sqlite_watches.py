"""Watches and webhook deliveries on SQLite (tables of migration 0009, see docs/watches.md).

A watch is a row of filters; its matches are ``watch_matches`` rows (one per article, however often it
matches again), and a new match of a watch with a webhook gets one ``deliveries`` row, pending until the
receiver takes it or the attempts run out. Deciding what matches and delivering are not the store's work
(:mod:`newswatch.alerts` does both); the store keeps the rows idempotent and the clock.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from newswatch.errors import QueryError
from newswatch.store.base import utc_text
from newswatch.store.listing import check_page_limit, decode_cursor, encode_cursor, summary_row
from newswatch.store.live import Delivery, Watch
from newswatch.store.queries import ArticleQuery, ArticleSummary, Page
from newswatch.store.sqlite_access import SqliteAccess
from newswatch.store.sqlite_feed import SUMMARY_COLUMNS, SUMMARY_JOINS

__all__ = ["SqliteWatches"]

_NAME_CHARS = 100
_WATCH_COLUMNS = "id, name, language, source, actor, event_type, pair_a, pair_b, keyword, webhook, added"
_DELIVERY_COLUMNS = (
    "d.id, d.watch_id, a.id, d.status, d.attempts, d.next_attempt, d.last_error, d.delivered_at, d.created"
)
_BAD_CURSOR = "this page address is not one newswatch gave (start again from the first page)"


def _watch(row: Sequence[Any]) -> Watch:
    watch_id, name, language, source, actor, event_type, pair_a, pair_b, keyword, webhook, added = row
    return Watch(
        id=watch_id,
        name=name,
        query=ArticleQuery(language=language, source=source, actor=actor, event_type=event_type),
        pair=(pair_a, pair_b) if pair_a is not None and pair_b is not None else None,
        keyword=keyword,
        webhook=webhook,
        added=added,
    )


def _delivery(row: Sequence[Any]) -> Delivery:
    return Delivery(*row)


def _text(value: str | None) -> str | None:
    """A filter value stripped, None when empty; QueryError when it is not valid Unicode text."""
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(f"not valid Unicode text: {value!r}") from None
    return value.strip() or None


def _name(name: str) -> str:
    text = _text(name) if isinstance(name, str) else None
    if text is None:
        raise QueryError("a watch needs a name")
    if len(text) > _NAME_CHARS or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise QueryError(f"a watch name is one line of at most {_NAME_CHARS} characters")
    return text


def _select_watch(conn: sqlite3.Connection, where: str, value: Any) -> Watch | None:
    row = conn.execute(f"SELECT {_WATCH_COLUMNS} FROM watches WHERE {where}", (value,)).fetchone()
    return None if row is None else _watch(row)


class SqliteWatches(SqliteAccess):
    """The store's watch methods (see :class:`~newswatch.store.base.Store`, section "watches")."""

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
        language, source, actor = _text(query.language), _text(query.source), _text(query.actor)
        event_type = _text(query.event_type)
        pair_a, pair_b = (_text(pair[0]), _text(pair[1])) if pair is not None else (None, None)
        if pair is not None and (pair_a is None or pair_b is None):
            raise QueryError("a pair is two actor ids")
        words, hook = _text(keyword), _text(webhook)
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
            if conn.execute("SELECT 1 FROM watches WHERE name = ?", (title,)).fetchone() is not None:
                raise QueryError(f"already a watch: {title}")
            cursor = conn.execute(
                "INSERT INTO watches (name, language, source, actor, event_type, pair_a, pair_b, keyword,"
                " webhook, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            found = _select_watch(conn, "id = ?", cursor.lastrowid)
        assert found is not None
        return found

    def remove_watch(self, key: str) -> Watch | None:
        with self._write() as conn:
            found = self._find_watch(conn, key)
            if found is not None:
                conn.execute("DELETE FROM watches WHERE id = ?", (found.id,))
        return found

    def _find_watch(self, conn: sqlite3.Connection, key: str) -> Watch | None:
        """The watch whose id (digits) or, failing that, name is ``key``."""
        text = key.strip() if isinstance(key, str) else ""
        if text.isascii() and text.isdigit() and len(text) < 19:
            found = _select_watch(conn, "id = ?", int(text))
            if found is not None:
                return found
        return _select_watch(conn, "name = ?", text) if text else None

    def find_watch(self, key: str) -> Watch | None:
        with self._read() as conn:
            return self._find_watch(conn, key)

    def list_watches(self) -> list[Watch]:
        with self._read() as conn:
            rows = conn.execute(f"SELECT {_WATCH_COLUMNS} FROM watches ORDER BY id").fetchall()
        return [_watch(row) for row in rows]

    def get_watch(self, watch_id: int) -> Watch | None:
        if isinstance(watch_id, bool) or not isinstance(watch_id, int):
            return None
        with self._read() as conn:
            return _select_watch(conn, "id = ?", watch_id)

    def record_matches(self, watch_id: int, article_ids: Sequence[str], *, deliver: bool) -> int:
        now = utc_text(self._now())
        added = 0
        with self._write() as conn:
            hook = conn.execute("SELECT webhook FROM watches WHERE id = ?", (watch_id,)).fetchone()
            if hook is None:
                return 0
            for article_id in dict.fromkeys(article_ids):
                row = conn.execute("SELECT seq FROM articles WHERE id = ?", (article_id,)).fetchone()
                if row is None:
                    continue
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO watch_matches (watch_id, article_seq, matched_at)"
                    " VALUES (?, ?, ?)",
                    (watch_id, row[0], now),
                )
                if cursor.rowcount != 1:
                    continue
                added += 1
                if deliver and hook[0]:
                    conn.execute(
                        "INSERT OR IGNORE INTO deliveries (watch_id, article_seq, next_attempt, created)"
                        " VALUES (?, ?, ?, ?)",
                        (watch_id, row[0], now, now),
                    )
        return added

    def watch_articles(
        self, watch_id: int, *, cursor: str | None = None, limit: int = 50
    ) -> Page[ArticleSummary]:
        check_page_limit(limit)
        params: list[Any] = [watch_id]
        after = ""
        if cursor is not None:
            last = decode_cursor(cursor, "w")
            if len(last) != 2 or not isinstance(last[0], str) or not isinstance(last[1], int):
                raise QueryError(_BAD_CURSOR)
            after = " AND (matched_at, article_seq) < (?, ?)"
            params += last
        sql = (
            f"SELECT {SUMMARY_COLUMNS}, p.matched_at, p.article_seq FROM (SELECT matched_at, article_seq"
            f" FROM watch_matches WHERE watch_id = ?{after}"
            " ORDER BY matched_at DESC, article_seq DESC LIMIT ?) AS p"
            f" JOIN articles AS a ON a.seq = p.article_seq{SUMMARY_JOINS}"
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
            " WHERE d.status = 'pending' AND d.next_attempt <= ? ORDER BY d.next_attempt, d.id LIMIT ?"
        )
        with self._read() as conn:
            rows = conn.execute(sql, (utc_text(now), limit)).fetchall()
        return [_delivery(row) for row in rows]

    def record_delivery(
        self, delivery_id: int, *, ok: bool, error: str | None, next_attempt: str | None
    ) -> None:
        now = utc_text(self._now())
        with self._write() as conn:
            if ok:
                conn.execute(
                    "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1,"
                    " next_attempt = NULL, delivered_at = ? WHERE id = ?",
                    (now, delivery_id),
                )
            else:
                conn.execute(
                    "UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt = ?,"
                    " status = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END WHERE id = ?",
                    (error, next_attempt, next_attempt, delivery_id),
                )

    def deliveries(self, watch_id: int, *, limit: int = 50) -> list[Delivery]:
        check_page_limit(limit)
        sql = (
            f"SELECT {_DELIVERY_COLUMNS} FROM deliveries AS d JOIN articles AS a ON a.seq = d.article_seq"
            " WHERE d.watch_id = ? ORDER BY d.created DESC, d.id DESC LIMIT ?"
        )
        with self._read() as conn:
            rows = conn.execute(sql, (watch_id, limit)).fetchall()
        return [_delivery(row) for row in rows]
