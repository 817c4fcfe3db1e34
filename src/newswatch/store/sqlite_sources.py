"""Live sources on SQLite (migration 0008): what the poller fetches, when, and how its last poll went.

A source is polled at once when added (``next_poll`` = now). :meth:`SqliteSources.record_poll` stores a
poll's outcome and the next poll time the poller computed (its back-off included): a failure counts one more
error in a row and keeps the last good validators; a success clears the error, and its ``ETag`` and
``Last-Modified`` replace the old ones unless the answer was a 304, which keeps them.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from newswatch.errors import QueryError
from newswatch.ingest.urls import host_of
from newswatch.settings import default_value
from newswatch.store.base import utc_text
from newswatch.store.live import PollResult, Source
from newswatch.store.sqlite_access import SqliteAccess

__all__ = ["SqliteSources"]

_COLUMNS = (
    "id, url, name, language, interval, site, added, next_poll, etag, last_modified, last_fetch, last_status,"
    " last_error, errors, last_new"
)
_MIN_INTERVAL = 30
_MAX_ERROR = 500  # characters of an error kept


def _source(row: tuple[Any, ...]) -> Source:
    return Source(*row)


def _one_line(text: str) -> str:
    line = " ".join(text.encode("utf-8", "replace").decode("utf-8").split())
    return line if len(line) <= _MAX_ERROR else line[: _MAX_ERROR - 1] + "…"


def _optional(what: str, value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if "\x00" in text:
        raise QueryError(f"{what} holds a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(f"{what} is not valid Unicode text: {value!r}") from None
    return text


def _interval(interval: int | None) -> int:
    if interval is None:
        return int(default_value("poll.interval"))
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < _MIN_INTERVAL:
        raise QueryError(f"interval must be whole seconds, at least {_MIN_INTERVAL}: {interval!r}")
    return interval


def _language(language: str | None) -> str | None:
    code = _optional("language", language)
    if code is None:
        return None
    code = code.lower()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise QueryError(f"language must be an ISO 639-1 code such as 'en', not {language!r}")
    return code


def _select(conn: sqlite3.Connection, where: str, params: tuple[Any, ...]) -> Source | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM live_sources WHERE {where}", params).fetchone()
    return None if row is None else _source(row)


def _key_clause(key: str) -> tuple[str, tuple[Any, ...]]:
    text = _optional("key", key) or ""
    if text.isascii() and text.isdigit():
        return "id = ?", (int(text),)
    return "url = ?", (text,)


class SqliteSources(SqliteAccess):
    """The store's live-source methods (see :class:`~newswatch.store.base.Store`, "live sources")."""

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
            if conn.execute("SELECT 1 FROM live_sources WHERE url = ?", (address,)).fetchone():
                raise QueryError(f"already a source: {address}")
            cursor = conn.execute(
                "INSERT INTO live_sources (url, host, name, language, interval, site, added, next_poll)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, now, now),
            )
            added = _select(conn, "id = ?", (cursor.lastrowid,))
        assert added is not None
        return added

    def remove_source(self, key: str) -> Source | None:
        where, params = _key_clause(key)
        with self._write() as conn:
            found = _select(conn, where, params)
            if found is not None:
                conn.execute("DELETE FROM live_sources WHERE id = ?", (found.id,))
        return found

    def list_sources(self) -> list[Source]:
        with self._read() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM live_sources ORDER BY id").fetchall()
        return [_source(row) for row in rows]

    def get_source(self, source_id: int) -> Source | None:
        with self._read() as conn:
            return _select(conn, "id = ?", (source_id,))

    def due_sources(self, now: datetime, limit: int) -> list[Source]:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise QueryError(f"limit must be a positive whole number, not {limit!r}")
        with self._read() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM live_sources WHERE next_poll <= ? ORDER BY next_poll, id LIMIT ?",
                (utc_text(now), limit),
            ).fetchall()
        return [_source(row) for row in rows]

    def record_poll(self, source_id: int, result: PollResult) -> Source:
        with self._write() as conn:
            if result.error is not None:
                conn.execute(
                    "UPDATE live_sources SET last_fetch = ?, last_status = ?, next_poll = ?, last_error = ?,"
                    " errors = errors + 1 WHERE id = ?",
                    (result.fetched_at, result.status, result.next_poll, _one_line(result.error), source_id),
                )
            else:
                validators = (
                    "etag = coalesce(?, etag), last_modified = coalesce(?, last_modified)"
                    if result.status == 304
                    else "etag = ?, last_modified = ?"
                )
                conn.execute(
                    "UPDATE live_sources SET last_fetch = ?, last_status = ?, next_poll = ?,"
                    f" last_error = NULL, errors = 0, {validators},"
                    " last_new = CASE WHEN ? > 0 THEN ? ELSE last_new END"
                    " WHERE id = ?",
                    (
                        result.fetched_at,
                        result.status,
                        result.next_poll,
                        result.etag,
                        result.last_modified,
                        result.new,
                        result.fetched_at,
                        source_id,
                    ),
                )
            stored = _select(conn, "id = ?", (source_id,))
            if stored is None:
                raise QueryError(f"no source with id {source_id}")
        return stored
