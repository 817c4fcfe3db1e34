"""The SQL of event lists on PostgreSQL: rows of the ``events`` table (kept by a trigger, see migration 0001)
joined with their article, filtered by actor (or its country), pair, type and date."""

from __future__ import annotations

from typing import Any

import psycopg

from newswatch.model import Event
from newswatch.store.base import EventQuery, StoredEvent
from newswatch.store.listing import event_where

__all__ = ["query_events"]


def query_events(conn: psycopg.Connection[Any], query: EventQuery) -> list[StoredEvent]:
    """Matching events, oldest first (undated first, as on SQLite); each read from its article's record."""
    where, params = event_where(query, mark="%s", not_negated="NOT e.negated")
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
