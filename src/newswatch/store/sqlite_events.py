"""The SQL of event lists on SQLite: rows of the ``events`` table (kept by triggers, see migrations 0003 and
0004) joined with their article, filtered by actor (or its country), pair, type and date."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from newswatch.model import Event
from newswatch.store.base import EventQuery, StoredEvent

__all__ = ["query_events"]


def _where(query: EventQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    # An actor stands for itself and for the people and bodies the article ties to it (its country).
    source = "(e.source = ? OR e.source_country = ?)"
    target = "(e.target = ? OR e.target_country = ?)"
    if query.actor:
        clauses.append(f"({source} OR {target})")
        params += [query.actor] * 4
    if query.pair:
        a, b = query.pair
        clauses.append(f"(({source} AND {target}) OR ({source} AND {target}))")
        params += [a, a, b, b, b, b, a, a]
    if not query.negated:
        clauses.append("e.negated = 0")
    if query.type:
        clauses.append("e.type = ?")
        params.append(query.type.upper())
    if query.since:
        clauses.append("e.date >= ?")
        params.append(query.since[:10])
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def query_events(conn: sqlite3.Connection, query: EventQuery) -> Iterator[StoredEvent]:
    """Matching events, oldest first; each read from its article's record, the single truth."""
    where, params = _where(query)
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
