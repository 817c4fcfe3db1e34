"""The SQL of the feed, the pages and the API on SQLite: article lists with filters and cursors, search by
lemma, events per day, quotes by speaker and sources (tables of migration 0007, see docs/store.md, "Feed
queries"). Functions over an open connection; the caller (:class:`~newswatch.store.sqlite.SqliteStore`)
holds the lock and, for writes, the transaction."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from newswatch.errors import QueryError
from newswatch.model import Article, Quote
from newswatch.store.base import parse_since, query_words
from newswatch.store.listing import (
    SEARCH_CANDIDATES,
    check_page_limit,
    decode_cursor,
    encode_cursor,
    feed_language,
    lead,
    snippet,
    summary_row,
    until_bound,
)
from newswatch.store.queries import ArticleQuery, ArticleSummary, DayCount, Page, QuoteHit, SourceInfo
from newswatch.understand.lemmas import fold, lemmas, query_forms

__all__ = [
    "SUMMARY_COLUMNS",
    "SUMMARY_JOINS",
    "event_counts",
    "fill_pending",
    "lead",
    "list_articles",
    "quotes_by",
    "search_articles",
    "sources",
    "write_words",
]

_PENDING_BATCH = 200  # articles given their words per transaction when an old database is opened


SUMMARY_COLUMNS = (
    "a.id, a.title, a.url, a.source, a.language, a.published,"
    " coalesce(w.lead, json_extract(a.record, '$.text')), w.lead IS NULL, m.story_id"
)
SUMMARY_JOINS = (
    " LEFT JOIN article_words AS w ON w.article_seq = a.seq"
    " LEFT JOIN story_members AS m ON m.article_seq = a.seq"
)


# --- writing ------------------------------------------------------------------------------------------


def write_words(conn: sqlite3.Connection, seq: int, article: Article) -> None:
    """Replace the lead and lemmas of the article stored at ``seq`` (its lemma index follows by trigger)."""
    values = (
        lead(article.text or ""),
        " ".join(lemmas(article.title or "", article.language)),
        " ".join(lemmas(article.text or "", article.language)),
    )
    conn.execute("DELETE FROM article_words WHERE article_seq = ?", (seq,))
    conn.execute(
        "INSERT INTO article_words (article_seq, lead, title_lemmas, text_lemmas) VALUES (?, ?, ?, ?)",
        (seq, *values),
    )
    conn.execute("DELETE FROM words_pending WHERE article_seq = ?", (seq,))


def fill_pending(conn: sqlite3.Connection) -> int:
    """Give the articles stored before migration 0007 their words, a batch per write transaction; returns
    how many were filled. Cheap when there are none (one primary-key read)."""
    filled = 0
    while conn.execute("SELECT 1 FROM words_pending LIMIT 1").fetchone() is not None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            rows = conn.execute(
                "SELECT p.article_seq, a.record FROM words_pending AS p"
                " LEFT JOIN articles AS a ON a.seq = p.article_seq ORDER BY p.article_seq LIMIT ?",
                (_PENDING_BATCH,),
            ).fetchall()
            for seq, record in rows:
                if record is None:  # deleted meanwhile
                    conn.execute("DELETE FROM words_pending WHERE article_seq = ?", (seq,))
                else:
                    write_words(conn, seq, Article.from_dict(json.loads(record)))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        filled += len(rows)
    return filled


# --- checking what is asked ---------------------------------------------------------------------------


# --- filters ------------------------------------------------------------------------------------------


class _Filter:
    """The WHERE clauses of an :class:`ArticleQuery` over ``articles AS a``, the key (``sort``, ``seq``)
    of the driving index (the actor's or the event type's rows when given, else the article's)."""

    def __init__(self, query: ArticleQuery) -> None:
        self.language = feed_language(query.language)
        self.since = parse_since(query.since)
        self.until = until_bound(query.until)
        self.actor = query.actor.strip() if query.actor else None
        self.type = query.event_type.strip().upper() if query.event_type else None
        self.source = query.source.strip() if query.source else None

    def driven(self) -> tuple[str, str, str, list[str], list[Any]]:
        """(FROM clause, sort column, seq column, clauses, params) reading the feed order from an index:
        the actor's rows when an actor is given, else the event type's, else the articles'."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.actor is None and self.type is None:
            source, sort, seq = "articles AS a", "a.feed_sort", "a.seq"
        else:
            table, column, value = (
                ("article_actors", "actor", self.actor)
                if self.actor is not None
                else ("article_types", "type", self.type)
            )
            source = f"{table} AS k JOIN articles AS a ON a.seq = k.article_seq"
            sort, seq = "k.feed_sort", "k.article_seq"
            clauses.append(f"k.{column} = ?")
            params.append(value)
            if self.actor is not None and self.type is not None:
                clauses.append(_exists("article_types", "type"))
                params.append(self.type)
        more, more_params = self.common(sort)
        return source, sort, seq, clauses + more, params + more_params

    def common(self, sort: str) -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.language is not None:
            clauses.append("a.language = ?")
            params.append(self.language)
        if self.source is not None:
            clauses.append("a.source = ?")
            params.append(self.source)
        if self.since is not None:
            clauses.append(f"{sort} >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append(f"{sort} > '' AND {sort} {self.until[0]} ?")
            params.append(self.until[1])
        return clauses, params

    def all(self) -> tuple[list[str], list[Any]]:
        """Every filter as clauses over ``articles AS a`` alone (for search)."""
        clauses, params = self.common("a.feed_sort")
        for table, column, value in (
            ("article_actors", "actor", self.actor),
            ("article_types", "type", self.type),
        ):
            if value is not None:
                clauses.append(_exists(table, column))
                params.append(value)
        return clauses, params


def _exists(table: str, column: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM {table} AS x WHERE x.{column} = ?"
        " AND x.feed_sort = a.feed_sort AND x.article_seq = a.seq)"
    )


# --- lists --------------------------------------------------------------------------------------------


def list_articles(
    conn: sqlite3.Connection, query: ArticleQuery, cursor: str | None, limit: int
) -> Page[ArticleSummary]:
    """Newest ``published`` first (undated last), ties by storage order (newest first): one index range."""
    check_page_limit(limit)
    where = _Filter(query)
    source, sort, seq, clauses, params = where.driven()
    if cursor is not None:
        after = decode_cursor(cursor, "l")
        if len(after) != 2 or not isinstance(after[0], str) or not isinstance(after[1], int):
            raise QueryError("this page address is not one newswatch gave (start again from the first page)")
        clauses.append(f"({sort}, {seq}) < (?, ?)")
        params += after
    inner = (
        f"SELECT {seq} AS seq, {sort} AS sort FROM {source}"
        + (" WHERE " + " AND ".join(clauses) if clauses else "")
        + f" ORDER BY {sort} DESC, {seq} DESC LIMIT ?"
    )
    sql = (
        f"SELECT {SUMMARY_COLUMNS}, p.sort, p.seq FROM ({inner}) AS p JOIN articles AS a ON a.seq = p.seq"
        f"{SUMMARY_JOINS} ORDER BY p.sort DESC, p.seq DESC"
    )
    rows = conn.execute(sql, (*params, limit + 1)).fetchall()
    items = tuple(summary_row(row) for row in rows[:limit])
    following = encode_cursor("l", rows[limit - 1][9], rows[limit - 1][10]) if len(rows) > limit else None
    return Page(items, following)


def _match(text: str) -> tuple[str, set[str]]:
    """The FTS5 expression of a user's query over the lemma index (each word: any of its forms; every word
    must match) and the folded lemmas that count as a match in a snippet."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError("the query is not valid Unicode text") from None
    terms: list[str] = []
    targets: set[str] = set()
    for chunk in query_words(text):
        forms = query_forms(chunk)
        if not forms:
            continue
        terms.append("(" + " OR ".join('"' + form.replace('"', '""') + '"' for form in forms) + ")")
        targets.update(fold(part) for form in forms for part in form.split())
    if not terms:
        raise QueryError(f"nothing to search for in {text!r}: give at least one word")
    return " AND ".join(terms), targets


def search_articles(
    conn: sqlite3.Connection, text: str, query: ArticleQuery, cursor: str | None, limit: int
) -> Page[ArticleSummary]:
    """Best first (BM25 over the lemmas, a title word worth two text words) among the
    :data:`SEARCH_CANDIDATES` most recently stored matches; pages by offset within them."""
    check_page_limit(limit)
    match, targets = _match(text)
    clauses, params = _Filter(query).all()
    offset = 0
    if cursor is not None:
        after = decode_cursor(cursor, "s")
        if len(after) != 1 or not isinstance(after[0], int) or not 0 < after[0] < SEARCH_CANDIDATES:
            raise QueryError("this page address is not one newswatch gave (start again from the first page)")
        offset = after[0]
    # The newest matches in index order (no ranking yet: a frequent word matches a large part of the
    # store), then BM25 over those only; the page's rows are read afterwards, by primary key.
    candidates = (
        "SELECT f.rowid AS seq, f.rank AS rank FROM articles_lemma_fts AS f"
        + (" JOIN articles AS a ON a.seq = f.rowid" if clauses else "")
        + " WHERE articles_lemma_fts MATCH ?"
        + "".join(f" AND {clause}" for clause in clauses)
        + " ORDER BY f.rowid DESC LIMIT ?"
    )
    sql = f"SELECT seq, rank FROM ({candidates}) ORDER BY rank, seq DESC LIMIT ? OFFSET ?"
    try:
        ranked = conn.execute(sql, (match, *params, SEARCH_CANDIDATES, limit + 1, offset)).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" in str(exc).lower():  # quoting should prevent it; never let it surface raw
            raise QueryError(f"cannot search for {text!r}: try plain words") from exc
        raise
    page = ranked[:limit]
    rows = {
        row[9]: row
        for row in conn.execute(
            f"SELECT {SUMMARY_COLUMNS}, a.seq, json_extract(a.record, '$.text')"
            f" FROM articles AS a{SUMMARY_JOINS}"
            f" WHERE a.seq IN ({','.join('?' * len(page))})",
            [seq for seq, _ in page],
        )
    }
    items = tuple(
        summary_row(row, snippet(row[1], row[10] or "", row[4], targets), -float(rank))
        for seq, rank in page
        if (row := rows.get(seq)) is not None
    )
    following = offset + limit
    more = len(ranked) > limit and following < SEARCH_CANDIDATES
    return Page(items, encode_cursor("s", following) if more else None)


# --- actors and sources -------------------------------------------------------------------------------


_EVENT_COLUMNS = ("source", "source_country", "target", "target_country")


def event_counts(
    conn: sqlite3.Connection, actor: str, other: str | None, since: str | None, until: str | None
) -> list[DayCount]:
    """Per day (the event's date, else the article's publication day) and type, negated events left out;
    an actor stands for itself and the people and bodies the article ties to it, as in ``events()``. An
    event is counted once per story: its reports in the story's articles (same day, type, source and
    target) are one event.

    The events are found through the indexes on each actor column (with the date range when given; an
    undated event is checked against its article's day), not by reading the whole ``events`` table."""
    if not actor or not actor.strip():
        raise QueryError("event counts need an actor")
    first = parse_since(since)
    last = until_bound(until)
    low = first[:10] if first else None
    high = (last[1][:10], last[0]) if last else None
    a = actor.strip()
    # 1. candidates: the events naming the actor in any column (each lookup one index range)
    branches: list[str] = []
    params: list[Any] = []
    dated = " AND date >= ?" if low else ""
    dated += f" AND date {high[1]} ?" if high else ""
    for column in _EVENT_COLUMNS:
        if low or high:
            branches.append(f"SELECT article_seq, ordinal FROM events WHERE {column} = ?{dated}")
            params += [a, *([low] if low else []), *([high[0]] if high else [])]
            branches.append(f"SELECT article_seq, ordinal FROM events WHERE {column} = ? AND date IS NULL")
        else:
            branches.append(f"SELECT article_seq, ordinal FROM events WHERE {column} = ?")
        params.append(a)
    # 2. the exact test: the pair, negation, and the day of an undated event
    source = "(e.source = ? OR e.source_country = ?)"
    target = "(e.target = ? OR e.target_country = ?)"
    if other:
        b = other.strip()
        who = f"(({source} AND {target}) OR ({source} AND {target}))"
        params += [a, a, b, b, b, b, a, a]
    else:
        who = f"({source} OR {target})"
        params += [a] * 4
    day = (
        "CASE WHEN length(e.date) >= 10 THEN substr(e.date, 1, 10) ELSE (SELECT"
        " CASE WHEN length(r.published) >= 10 THEN substr(r.published, 1, 10)"
        " ELSE substr(r.published_sort, 1, 10) END FROM articles AS r WHERE r.seq = e.article_seq) END"
    )
    bounds: list[str] = []
    if low:
        bounds.append("day >= ?")
        params.append(low)
    if high:
        bounds.append(f"day {high[1]} ?")
        params.append(high[0])
    # 3. each event once per story: the reports of one story's articles (its versions, copies and other
    #    sources' reports) with the same day, type, source and target are one event (GDELT counts each)
    story = (
        "coalesce((SELECT m.story_id FROM story_members AS m WHERE m.article_seq = e.article_seq),"
        " 'a' || e.article_seq)"
    )
    sql = (
        f"WITH hit (article_seq, ordinal) AS ({' UNION '.join(branches)})"
        " SELECT day, type, count(DISTINCT event) FROM"
        f" (SELECT {day} AS day, e.type AS type,"
        f" {story} || '|' || coalesce(e.source, '') || '|' || coalesce(e.target, '') AS event FROM hit"
        " JOIN events AS e ON e.article_seq = hit.article_seq AND e.ordinal = hit.ordinal"
        f" WHERE e.negated = 0 AND {who})"
        + (" WHERE " + " AND ".join(bounds) if bounds else "")
        + " GROUP BY day, type ORDER BY day, type"
    )
    return [DayCount(day, kind, count) for day, kind, count in conn.execute(sql, params)]


def quotes_by(conn: sqlite3.Connection, actor: str, limit: int) -> list[QuoteHit]:
    """The newest quotes of a speaker: newest article first, in the order of the text within one."""
    check_page_limit(limit)
    sql = (
        f"SELECT {SUMMARY_COLUMNS}, json_extract(a.record, '$.quotes[' || q.ordinal || ']')"
        " FROM (SELECT article_seq, ordinal, feed_sort FROM quotes WHERE speaker = ?"
        "       ORDER BY feed_sort DESC, article_seq DESC, ordinal LIMIT ?) AS q"
        f" JOIN articles AS a ON a.seq = q.article_seq{SUMMARY_JOINS}"
        " ORDER BY q.feed_sort DESC, q.article_seq DESC, q.ordinal"
    )
    rows = conn.execute(sql, (actor, limit)).fetchall()
    return [QuoteHit(Quote(**json.loads(row[9])), summary_row(row)) for row in rows]


def sources(conn: sqlite3.Connection) -> list[SourceInfo]:
    """Every source with its article count (kept by triggers), newest publication and last stored time, and
    the health of the live sources filed under it (migration 0008): when one was last fetched and their
    current errors. A live source without articles yet (a failing one, say) is listed with none."""
    sql = (
        "WITH health AS (SELECT host, max(last_fetch) AS last_fetch, group_concat(last_error, '; ') AS error"
        "   FROM live_sources WHERE host IS NOT NULL GROUP BY host)"
        " SELECT s.source, s.articles,"
        " (SELECT published FROM articles WHERE source = s.source AND feed_sort > ''"
        "   ORDER BY feed_sort DESC LIMIT 1),"
        " (SELECT max(first_seen) FROM articles WHERE source = s.source), h.last_fetch, h.error"
        " FROM source_counts AS s LEFT JOIN health AS h ON h.host = s.source WHERE s.articles > 0"
        " UNION ALL"
        " SELECT h.host, 0, NULL, NULL, h.last_fetch, h.error FROM health AS h"
        " WHERE NOT EXISTS (SELECT 1 FROM source_counts WHERE source = h.host AND articles > 0)"
        " ORDER BY 2 DESC, 1"
    )
    return [SourceInfo(*row) for row in conn.execute(sql)]
