"""The SQL of event lists on SQLite: rows of the ``events`` table (kept by triggers, see migrations 0003 and
0004) joined with their article, filtered by actor (or its country), pair, type and date."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator

from newswatch.model import Event
from newswatch.store.base import EventQuery, StoredEvent
from newswatch.store.listing import event_where

__all__ = ["query_events"]


def query_events(conn: sqlite3.Connection, query: EventQuery) -> Iterator[StoredEvent]:
    """Matching events, oldest first; each read from its article's record, the single truth."""
    where, params = event_where(query, mark="?", not_negated="e.negated = 0")
    sql = (
        "SELECT a.id, a.url, a.title, json_extract(a.record, '$.events[' || e.ordinal || ']')"
        f" FROM events AS e JOIN articles AS a ON a.seq = e.article_seq{where}"
        " ORDER BY e.date, a.published_sort, a.seq, e.ordinal"
    )
    if query.limit is not None:
        sql += " LIMIT ?"
        params.append(query.limit)
    for article_id, url, title, event_json in conn.execute(sql, params):
        yield StoredEvent(Event(**json.loads(event_json)), article_id, url, title)
