"""The SQL of event lists on PostgreSQL: rows of the ``events`` table (kept by a trigger, see migration 0001)
joined with their article, filtered by actor (or its country), pair, type and date."""

from __future__ import annotations

from typing import Any

import psycopg

from newswatch.model import Event
from newswatch.store.base import EventQuery, StoredEvent

__all__ = ["query_events"]


def _where(query: EventQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    # An actor stands for itself and for the people and bodies the article ties to it (its country).
    source = "(e.source = %s OR e.source_country = %s)"
    target = "(e.target = %s OR e.target_country = %s)"
    if query.actor:
        clauses.append(f"({source} OR {target})")
        params += [query.actor] * 4
    if query.pair:
        a, b = query.pair
        clauses.append(f"(({source} AND {target}) OR ({source} AND {target}))")
        params += [a, a, b, b, b, b, a, a]
    if not query.negated:
        clauses.append("NOT e.negated")
    if query.type:
        clauses.append("e.type = %s")
        params.append(query.type.upper())
    if query.since:
        clauses.append("e.date >= %s")
        params.append(query.since[:10])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def query_events(conn: psycopg.Connection[Any], query: EventQuery) -> list[StoredEvent]:
    """Matching events, oldest first (undated first, as on SQLite); each read from its article's record."""
    where, params = _where(query)
    sql = (
        "SELECT a.id, a.url, a.title, a.record -> 'events' -> e.ordinal"
        f" FROM events AS e JOIN articles AS a ON a.seq = e.article_seq{where}"
        " ORDER BY e.date NULLS FIRST, a.published_sort, a.seq, e.ordinal"
    )
    if query.limit is not None:
        sql += " LIMIT %s"
        params.append(query.limit)
    rows = conn.execute(sql.encode(), params).fetchall()
    return [StoredEvent(Event(**data), article_id, url, title) for article_id, url, title, data in rows]
