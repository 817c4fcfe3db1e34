"""The SQL of the feed, the pages and the API on PostgreSQL: article lists with filters and cursors, search by
lemma, events per day, quotes by speaker and sources (tables of migration 0002). The same functions,
arguments and answers as :mod:`newswatch.store.sqlite_feed`, over an open psycopg connection; the caller
(:class:`~newswatch.store.postgres.PostgresStore`) holds the transaction.

The checks of what is asked (limits, dates, languages), the cursors' encoding and the search snippets are
SQLite's own functions, so both backends refuse, page and mark alike; a cursor names a row of one database
and is not meant to work on another. Text PostgreSQL cannot hold (NUL, lone surrogates) in a filter or a
cursor is a ``QueryError`` here, not a database error."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import Connection

from newswatch.errors import QueryError
from newswatch.model import Quote
from newswatch.store.base import parse_since, query_words
from newswatch.store.listing import (
    SEARCH_CANDIDATES,
    check_page_limit,
    decode_cursor,
    encode_cursor,
    feed_language,
    snippet,
    summary_row,
    until_bound,
)
from newswatch.store.queries import ArticleQuery, ArticleSummary, DayCount, Page, QuoteHit, SourceInfo
from newswatch.understand.lemmas import fold, query_forms

__all__ = ["SEARCH_CANDIDATES", "event_counts", "list_articles", "quotes_by", "search_articles", "sources"]

Conn = Connection[Any]

_BAD_CURSOR = "this page address is not one newswatch gave (start again from the first page)"
_MAX_SEQ = 2**63 - 1
#: Relevance weights of ts_rank for the weights D, C, B (text) and A (title): a title word is worth two.
_WEIGHTS = "{0.1, 0.2, 0.5, 1.0}"

_SUMMARY = "a.id, a.title, a.url, a.source, a.language, a.published, a.lead, false, m.story_id"
_SUMMARY_JOINS = " LEFT JOIN story_members AS m ON m.article_seq = a.seq"


def _text(value: str, what: str) -> str:
    """``value`` when PostgreSQL can hold it as text, else a QueryError naming ``what``."""
    if "\x00" in value:
        raise QueryError(f"{what}: a NUL character is not allowed")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise QueryError(f"{what}: not valid Unicode text") from None
    return value


# --- filters ------------------------------------------------------------------------------------------


class _Filter:
    """The WHERE clauses of an :class:`ArticleQuery` over ``articles AS a`` (as ``sqlite_feed._Filter``),
    with the key (``sort``, ``seq``) of the driving index."""

    def __init__(self, query: ArticleQuery) -> None:
        self.language = feed_language(query.language)
        self.since = parse_since(query.since)
        self.until = until_bound(query.until)
        self.actor = _text(query.actor.strip(), "actor") if query.actor else None
        self.type = _text(query.event_type.strip().upper(), "event type") if query.event_type else None
        self.source = _text(query.source.strip(), "source") if query.source else None

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
            clauses.append(f"k.{column} = %s")
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
            clauses.append("a.language = %s")
            params.append(self.language)
        if self.source is not None:
            clauses.append("a.source = %s")
            params.append(self.source)
        if self.since is not None:
            clauses.append(f"{sort} >= %s")
            params.append(self.since)
        if self.until is not None:
            clauses.append(f"{sort} > '' AND {sort} {self.until[0]} %s")
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
        f"EXISTS (SELECT 1 FROM {table} AS x WHERE x.{column} = %s"
        " AND x.feed_sort = a.feed_sort AND x.article_seq = a.seq)"
    )


# --- lists --------------------------------------------------------------------------------------------


def list_articles(conn: Conn, query: ArticleQuery, cursor: str | None, limit: int) -> Page[ArticleSummary]:
    """Newest ``published`` first (undated last), ties by storage order (newest first): one index range."""
    check_page_limit(limit)
    where = _Filter(query)
    source, sort, seq, clauses, params = where.driven()
    if cursor is not None:
        after = decode_cursor(cursor, "l")
        if (
            len(after) != 2
            or not isinstance(after[0], str)
            or isinstance(after[1], bool)
            or not isinstance(after[1], int)
            or not 0 <= after[1] <= _MAX_SEQ
        ):
            raise QueryError(_BAD_CURSOR)
        try:
            _text(after[0], "cursor")
        except QueryError:
            raise QueryError(_BAD_CURSOR) from None
        clauses.append(f"({sort}, {seq}) < (%s, %s)")
        params += after
    inner = (
        f"SELECT {seq} AS seq, {sort} AS sort FROM {source}"
        + (" WHERE " + " AND ".join(clauses) if clauses else "")
        + f" ORDER BY {sort} DESC, {seq} DESC LIMIT %s"
    )
    sql = (
        f"SELECT {_SUMMARY}, p.sort, p.seq FROM ({inner}) AS p JOIN articles AS a ON a.seq = p.seq"
        f"{_SUMMARY_JOINS} ORDER BY p.sort DESC, p.seq DESC"
    )
    rows = conn.execute(sql, (*params, limit + 1)).fetchall()
    items = tuple(summary_row(row) for row in rows[:limit])
    following = encode_cursor("l", rows[limit - 1][9], rows[limit - 1][10]) if len(rows) > limit else None
    return Page(items, following)


# --- search -------------------------------------------------------------------------------------------


def _match(text: str) -> tuple[str, list[str], set[str]]:
    """The tsquery expression (SQL) of a user's query over the lemma column, its parameters, and the folded
    lemmas that count as a match in a snippet. Each query word is any of its forms (a form of several words
    is a phrase), every word must match; the forms are folded as the stored lemmas are and parsed by
    ``phraseto_tsquery('simple', …)``, so nothing the user types is ever tsquery syntax."""
    _text(text, "the query")
    terms: list[str] = []
    params: list[str] = []
    targets: set[str] = set()
    for chunk in query_words(text):
        folded = [" ".join(fold(part) for part in form.split()) for form in query_forms(chunk)]
        folded = [form for form in dict.fromkeys(folded) if form]
        if not folded:
            continue
        terms.append("(" + " || ".join(["phraseto_tsquery('simple', %s)"] * len(folded)) + ")")
        params += folded
        targets.update(part for form in folded for part in form.split())
    if not terms:
        raise QueryError(f"nothing to search for in {text!r}: give at least one word")
    return " && ".join(terms), params, targets


def search_articles(
    conn: Conn, text: str, query: ArticleQuery, cursor: str | None, limit: int
) -> Page[ArticleSummary]:
    """Best first among the :data:`SEARCH_CANDIDATES` most recently stored matches; pages by offset within
    them. A match is by lemma (the ``lemmas`` column, GIN-indexed); the rank is ``ts_rank`` over the lemmas
    (a title word worth two text words) plus ``ts_rank`` over the words as written, stemmed by the
    article's own language configuration (the ``search`` column), so that the words as asked rank first."""
    check_page_limit(limit)
    tsquery, match_params, targets = _match(text)
    clauses, params = _Filter(query).all()
    offset = 0
    if cursor is not None:
        after = decode_cursor(cursor, "s")
        if (
            len(after) != 1
            or isinstance(after[0], bool)
            or not isinstance(after[0], int)
            or not 0 < after[0] < SEARCH_CANDIDATES
        ):
            raise QueryError(_BAD_CURSOR)
        offset = after[0]
    # The query is made a tsquery value first and then given as a constant: inside a CTE the planner
    # cannot see its terms, guesses a few thousand matches for a word that has hundreds of thousands, and
    # reads and sorts them all; as a constant it walks the primary key backwards and stops at the
    # SEARCH_CANDIDATES-th match. Then the newest matches are ranked, and the page's rows read by key.
    value = conn.execute(f"SELECT ({tsquery})::text", match_params).fetchone()
    terms = value[0] if value is not None else ""
    sql = (
        "WITH c AS (SELECT a.seq FROM articles AS a WHERE a.lemmas @@ %s::tsquery"
        + "".join(f" AND {clause}" for clause in clauses)
        + " ORDER BY a.seq DESC LIMIT %s)"
        f" SELECT a.seq, ts_rank('{_WEIGHTS}', a.lemmas, %s::tsquery)"
        " + ts_rank(a.search, plainto_tsquery(a.search_config, %s)) AS rank"
        " FROM c JOIN articles AS a ON a.seq = c.seq ORDER BY rank DESC, a.seq DESC LIMIT %s OFFSET %s"
    )
    ranked = (
        conn.execute(sql, (terms, *params, SEARCH_CANDIDATES, terms, text, limit + 1, offset)).fetchall()
        if terms
        else []
    )
    page = ranked[:limit]
    rows = {
        row[9]: row
        for row in conn.execute(
            f"SELECT {_SUMMARY}, a.seq, a.record ->> 'text' FROM articles AS a{_SUMMARY_JOINS}"
            " WHERE a.seq = ANY(%s)",
            ([seq for seq, _ in page],),
        )
    }
    items = tuple(
        summary_row(row, snippet(row[1], row[10] or "", row[4], targets), float(rank))
        for seq, rank in page
        if (row := rows.get(seq)) is not None
    )
    following = offset + limit
    more = len(ranked) > limit and following < SEARCH_CANDIDATES
    return Page(items, encode_cursor("s", following) if more else None)


# --- actors and sources -------------------------------------------------------------------------------


_EVENT_COLUMNS = ("source", "source_country", "target", "target_country")


def event_counts(
    conn: Conn, actor: str, other: str | None, since: str | None, until: str | None
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
    a = _text(actor.strip(), "actor")
    # 1. candidates: the events naming the actor in any column (each lookup one index range)
    branches: list[str] = []
    params: list[Any] = []
    dated = " AND date >= %s" if low else ""
    dated += f" AND date {high[1]} %s" if high else ""
    for column in _EVENT_COLUMNS:
        if low or high:
            branches.append(f"SELECT article_seq, ordinal FROM events WHERE {column} = %s{dated}")
            params += [a, *([low] if low else []), *([high[0]] if high else [])]
            branches.append(f"SELECT article_seq, ordinal FROM events WHERE {column} = %s AND date IS NULL")
        else:
            branches.append(f"SELECT article_seq, ordinal FROM events WHERE {column} = %s")
        params.append(a)
    # 2. the exact test: the pair, negation, and the day of an undated event
    source = "(e.source = %s OR e.source_country = %s)"
    target = "(e.target = %s OR e.target_country = %s)"
    if other:
        b = _text(other.strip(), "other actor")
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
        bounds.append("day >= %s")
        params.append(low)
    if high:
        bounds.append(f"day {high[1]} %s")
        params.append(high[0])
    # 3. each event once per story: the reports of one story's articles (its versions, copies and other
    #    sources' reports) with the same day, type, source and target are one event (GDELT counts each)
    story = (
        "coalesce((SELECT m.story_id FROM story_members AS m WHERE m.article_seq = e.article_seq),"
        " 'a' || e.article_seq)"
    )
    sql = (
        f"WITH hit (article_seq, ordinal) AS ({' UNION '.join(branches)})"
        ' SELECT day COLLATE "C", type, count(DISTINCT event) FROM'
        f" (SELECT {day} AS day, e.type AS type,"
        f" {story} || '|' || coalesce(e.source, '') || '|' || coalesce(e.target, '') AS event FROM hit"
        " JOIN events AS e ON e.article_seq = hit.article_seq AND e.ordinal = hit.ordinal"
        f" WHERE NOT e.negated AND {who}) AS x"
        + (" WHERE " + " AND ".join(bounds) if bounds else "")
        + " GROUP BY 1, 2 ORDER BY 1, 2"
    )
    return [DayCount(day, kind, int(count)) for day, kind, count in conn.execute(sql, params)]


def quotes_by(conn: Conn, actor: str, limit: int) -> list[QuoteHit]:
    """The newest quotes of a speaker: newest article first, in the order of the text within one."""
    check_page_limit(limit)
    sql = (
        f"SELECT {_SUMMARY}, a.record -> 'quotes' -> q.ordinal"
        " FROM (SELECT article_seq, ordinal, feed_sort FROM quotes WHERE speaker = %s"
        "       ORDER BY feed_sort DESC, article_seq DESC, ordinal LIMIT %s) AS q"
        f" JOIN articles AS a ON a.seq = q.article_seq{_SUMMARY_JOINS}"
        " ORDER BY q.feed_sort DESC, q.article_seq DESC, q.ordinal"
    )
    rows = conn.execute(sql, (_text(actor, "speaker"), limit)).fetchall()
    return [QuoteHit(Quote(**row[9]), summary_row(row)) for row in rows if isinstance(row[9], dict)]


def _counted(row: Sequence[Any]) -> SourceInfo:
    source, count, latest, seen, last_fetch, error = row
    return SourceInfo(source, int(count), latest, seen, last_fetch, error)


def sources(conn: Conn) -> list[SourceInfo]:
    """Every source with its article count (kept by triggers), newest publication and last stored time, and
    (once the live sources' table exists) the health of the live sources filed under it: when one was last
    fetched and their current errors. A live source without articles yet is listed with none."""
    counted = (
        " SELECT s.source, s.articles,"
        " (SELECT published FROM articles WHERE source = s.source AND feed_sort > ''"
        "   ORDER BY feed_sort DESC LIMIT 1),"
        " (SELECT max(first_seen) FROM articles WHERE source = s.source)"
    )
    live = conn.execute("SELECT to_regclass('live_sources') IS NOT NULL").fetchone()
    if live is None or not live[0]:
        sql = (
            f"{counted}, NULL::text, NULL::text FROM source_counts AS s WHERE s.articles > 0"
            " ORDER BY 2 DESC, 1"
        )
    else:
        sql = (
            'WITH health AS (SELECT host COLLATE "C" AS host, max(last_fetch) AS last_fetch,'
            "   string_agg(last_error, '; ') AS error FROM live_sources WHERE host IS NOT NULL GROUP BY 1)"
            f"{counted}, h.last_fetch, h.error"
            " FROM source_counts AS s LEFT JOIN health AS h ON h.host = s.source WHERE s.articles > 0"
            " UNION ALL"
            " SELECT h.host, 0, NULL, NULL, h.last_fetch, h.error FROM health AS h"
            " WHERE NOT EXISTS (SELECT 1 FROM source_counts WHERE source = h.host AND articles > 0)"
            " ORDER BY 2 DESC, 1"
        )
    return [_counted(row) for row in conn.execute(sql)]
