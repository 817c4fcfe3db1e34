"""Writing articles to SQLite: one transaction's batch, each raw input hashed and stored at most once,
each article encoded once, with the words of its search indexes."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from newswatch.errors import StoreError
from newswatch.model import Article, RawInput
from newswatch.store import sqlite_feed
from newswatch.store.base import PutOutcome, from_utc_text, sort_key, utc_text

__all__ = ["ARTICLE_COLUMNS", "BatchWriter", "raw_from_row"]

ARTICLE_COLUMNS = (
    "url, guid, source, title, author, language, published, published_precision, content_hash, record, "
    "raw_sha256, updated_at"
)


def _check_text(what: str, value: str | None) -> None:
    if value is None:
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise StoreError(f"{what} is not valid Unicode text: {value!r}") from None


def _reference_text(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.isoformat(timespec="microseconds")
    return utc_text(moment)


def _reference_value(text: str | None) -> datetime | None:
    if text is None:
        return None
    if text.endswith("Z"):
        return from_utc_text(text)
    return datetime.fromisoformat(text)


@dataclass(frozen=True, slots=True)
class _Encoded:
    record: str
    content_hash: str
    sort: str | None


def _encode(article: Article) -> _Encoded:
    """The article as stored, or StoreError when it cannot be serialised faithfully."""
    if not isinstance(article.id, str) or not article.id:
        raise StoreError(f"an article needs a non-empty id, not {article.id!r}")
    try:
        data = article.to_dict()
        data["guid"] = article.guid
        record = json.dumps(data, ensure_ascii=False, allow_nan=False)
        record.encode("utf-8")
        content_hash = article.content_hash
    except (TypeError, ValueError) as exc:  # UnicodeEncodeError is a ValueError
        raise StoreError(f"article {article.id}: cannot be stored: {exc}") from None
    return _Encoded(record, content_hash, sort_key(article.published))


def raw_from_row(row: tuple[Any, ...]) -> RawInput:
    data, name, url, content_type, reference = row
    return RawInput(bytes(data), name, url, content_type, _reference_value(reference))


class BatchWriter:
    """Writes the items of one transaction, hashing and storing each raw input at most once."""

    def __init__(self, now: str) -> None:
        self._now = now
        self._hashes: dict[int, tuple[RawInput, str]] = {}  # id(raw) → (raw kept alive, its sha256)
        self._stored: set[str] = set()

    def put(self, conn: sqlite3.Connection, article: Article, raw: RawInput) -> PutOutcome:
        encoded = _encode(article)
        row = conn.execute("SELECT seq, content_hash FROM articles WHERE id = ?", (article.id,)).fetchone()
        if row is not None and row[1] == encoded.content_hash:
            return "unchanged"
        sha = self._raw(conn, raw)
        language = article.language.strip().lower() if article.language else None
        values = (
            article.url,
            article.guid,
            article.source,
            article.title,
            article.author,
            language,
            article.published,
            article.published_precision,
            encoded.content_hash,
            encoded.record,
            sha,
            self._now,
        )
        if row is None:
            cursor = conn.execute(
                f"INSERT INTO articles (id, {ARTICLE_COLUMNS}, published_sort, first_seen)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (article.id, *values, encoded.sort or self._now, self._now),
            )
            sqlite_feed.write_words(conn, int(cursor.lastrowid or 0), article)
            return "new"
        assignments = ", ".join(f"{name.strip()} = ?" for name in ARTICLE_COLUMNS.split(","))
        conn.execute(
            f"UPDATE articles SET {assignments}, published_sort = coalesce(?, first_seen) WHERE seq = ?",
            (*values, encoded.sort, row[0]),
        )
        sqlite_feed.write_words(conn, row[0], article)
        return "updated"

    def _raw(self, conn: sqlite3.Connection, raw: RawInput) -> str:
        known = self._hashes.get(id(raw))
        if known is not None and known[0] is raw:
            sha = known[1]
        else:
            try:
                sha = raw.sha256
            except TypeError as exc:
                raise StoreError(f"raw input {raw.name!r}: its data is not bytes: {exc}") from None
            self._hashes[id(raw)] = (raw, sha)
        if sha in self._stored:
            return sha
        if conn.execute("SELECT 1 FROM raw_inputs WHERE sha256 = ?", (sha,)).fetchone() is None:
            for what, value in (("name", raw.name), ("url", raw.url), ("content type", raw.content_type)):
                _check_text(f"raw input {what}", value)
            conn.execute(
                "INSERT INTO raw_inputs (sha256, data, name, url, content_type, reference_date, first_seen)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    sha,
                    raw.data,
                    raw.name,
                    raw.url,
                    raw.content_type,
                    _reference_text(raw.reference_date),
                    self._now,
                ),
            )
        self._stored.add(sha)
        return sha
