"""Writing articles on PostgreSQL: one :class:`BatchWriter` per transaction of ``put_many``.

Safe with many writers at once (workers on several hosts): the article row is locked (``FOR UPDATE``) before
it is compared, a new one is inserted with ``ON CONFLICT DO NOTHING`` (a concurrent writer that stored the
same id first turns ours into a comparison), and raw inputs with ``ON CONFLICT DO NOTHING``. The article's
foreign key to its raw input is checked at commit, so the raw bytes are written only once an article is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import psycopg

from newswatch.errors import StoreError
from newswatch.model import Article, RawInput
from newswatch.store.base import PutOutcome, sort_key, utc_text
from newswatch.store.listing import lead
from newswatch.store.postgres_text import LEMMAS_SQL, SEARCH_SQL, indexed

__all__ = ["BatchWriter", "check_text", "reference_text"]

_ARTICLE_FIELDS = (
    "url",
    "guid",
    "source",
    "title",
    "author",
    "language",
    "published",
    "published_precision",
    "content_hash",
    "raw_sha256",
    "updated_at",
    "search_config",
    "lead",
)


def check_text(what: str, value: str | None) -> None:
    """StoreError unless ``value`` is text PostgreSQL can hold (valid Unicode, no NUL character)."""
    if value is None:
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise StoreError(f"{what} is not valid Unicode text: {value!r}") from None
    if "\x00" in value:
        raise StoreError(f"{what} holds a NUL character, which PostgreSQL cannot store: {value[:60]!r}")


def reference_text(moment: Any) -> str | None:
    """A raw input's reference date as stored: UTC text when aware, ISO text as given when naive."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return str(moment.isoformat(timespec="microseconds"))
    return utc_text(moment)


@dataclass(frozen=True, slots=True)
class _Encoded:
    record: str
    content_hash: str
    sort: str | None


def _encode(article: Article) -> _Encoded:
    """The article as stored, or StoreError when it cannot be stored faithfully."""
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
    if "\\u0000" in record and _has_nul(data):
        raise StoreError(f"article {article.id}: cannot be stored: it holds a NUL character")
    return _Encoded(record, content_hash, sort_key(article.published))


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class BatchWriter:
    """Writes the items of one transaction, hashing and storing each raw input at most once."""

    def __init__(self, now: str, configs: frozenset[str]) -> None:
        self._now = now
        self._configs = configs  # the text search configurations the server has
        self._hashes: dict[int, tuple[RawInput, str]] = {}  # id(raw) → (raw kept alive, its sha256)
        self._stored: set[str] = set()

    def put(self, conn: psycopg.Connection[Any], article: Article, raw: RawInput) -> PutOutcome:
        encoded = _encode(article)
        row = conn.execute(
            "SELECT seq, content_hash FROM articles WHERE id = %s FOR UPDATE", (article.id,)
        ).fetchone()
        if row is not None and row[1] == encoded.content_hash:
            return "unchanged"
        sha = self._sha(raw)
        values = self._values(article, encoded, sha)
        if row is None:
            inserted = conn.execute(
                f"INSERT INTO articles (id, {', '.join(_ARTICLE_FIELDS)}, record, published_sort, first_seen,"
                " search, lemmas) VALUES (%(id)s, "
                + ", ".join(f"%({name})s" for name in _ARTICLE_FIELDS)
                + f", %(record)s::jsonb, %(sort)s, %(now)s, {SEARCH_SQL}, {LEMMAS_SQL})"
                " ON CONFLICT (id) DO NOTHING RETURNING seq",
                {**values, "sort": encoded.sort or self._now},
            ).fetchone()
            if inserted is not None:
                self._raw(conn, raw, sha)
                return "new"
            # another writer stored this id since we looked: compare with what it stored
            row = conn.execute(
                "SELECT seq, content_hash FROM articles WHERE id = %s FOR UPDATE", (article.id,)
            ).fetchone()
            if row is None or row[1] == encoded.content_hash:
                return "unchanged"
        assignments = ", ".join(f"{name} = %({name})s" for name in _ARTICLE_FIELDS)
        conn.execute(
            f"UPDATE articles SET {assignments}, record = %(record)s::jsonb,"
            f" published_sort = coalesce(%(sort)s, first_seen), search = {SEARCH_SQL}, lemmas = {LEMMAS_SQL}"
            " WHERE seq = %(seq)s",
            {**values, "sort": encoded.sort, "seq": row[0]},
        )
        self._raw(conn, raw, sha)
        return "updated"

    def _values(self, article: Article, encoded: _Encoded, sha: str) -> dict[str, Any]:
        language = article.language.strip().lower() if article.language else None
        for what, value in (
            ("url", article.url),
            ("guid", article.guid),
            ("source", article.source),
            ("language", language),
            ("published", article.published),
        ):
            check_text(f"article {article.id}: {what}", value)
        search = indexed(article, language, self._configs)
        return {
            "id": article.id,
            "url": article.url,
            "guid": article.guid,
            "source": article.source,
            "title": article.title,
            "author": article.author,
            "language": language,
            "published": article.published,
            "published_precision": article.published_precision,
            "content_hash": encoded.content_hash,
            "raw_sha256": sha,
            "updated_at": self._now,
            "search_config": search.config,
            "lead": lead(article.text or ""),
            "record": encoded.record,
            "now": self._now,
            **search.params(),
        }

    def _sha(self, raw: RawInput) -> str:
        known = self._hashes.get(id(raw))
        if known is not None and known[0] is raw:
            return known[1]
        try:
            sha = raw.sha256
        except TypeError as exc:
            raise StoreError(f"raw input {raw.name!r}: its data is not bytes: {exc}") from None
        self._hashes[id(raw)] = (raw, sha)
        return sha

    def _raw(self, conn: psycopg.Connection[Any], raw: RawInput, sha: str) -> None:
        if sha in self._stored:
            return
        if conn.execute("SELECT 1 FROM raw_inputs WHERE sha256 = %s", (sha,)).fetchone() is None:
            for what, value in (("name", raw.name), ("url", raw.url), ("content type", raw.content_type)):
                check_text(f"raw input {what}", value)
            conn.execute(
                "INSERT INTO raw_inputs (sha256, data, name, url, content_type, reference_date, first_seen)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
                (
                    sha,
                    raw.data,
                    raw.name,
                    raw.url,
                    raw.content_type,
                    reference_text(raw.reference_date),
                    self._now,
                ),
            )
        self._stored.add(sha)
