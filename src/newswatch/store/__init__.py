"""Where articles are kept: the :class:`Store` interface and :func:`open_store`, which picks the backend.

``open_store("news.db")`` or ``open_store("sqlite:///news.db")`` opens (or creates) a SQLite file;
``sqlite:////abs/path.db`` names an absolute path. ``postgresql://…`` (or ``postgres://…``) opens a
PostgreSQL database, which must exist; its schema is created or brought up to date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from newswatch.errors import StoreError
from newswatch.store.base import (
    MARK_END,
    MARK_START,
    EventQuery,
    Order,
    PutOutcome,
    SearchHit,
    Store,
    StoredEvent,
    StoredInfo,
)
from newswatch.store.sqlite import SqliteStore

__all__ = [
    "MARK_END",
    "MARK_START",
    "EventQuery",
    "Order",
    "PutOutcome",
    "SearchHit",
    "SqliteStore",
    "Store",
    "StoredEvent",
    "StoredInfo",
    "open_store",
]


def _sqlite(path: str, clock: Callable[[], datetime] | None, create: bool) -> Store:
    if not create and not Path(path).exists():
        raise StoreError(f"no database at {path} (ingest something first, or check --db / NEWSWATCH_DB)")
    return SqliteStore(path, clock=clock)


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://(.*)", re.DOTALL)


def open_store(db: str, *, clock: Callable[[], datetime] | None = None, create: bool = True) -> Store:
    """Open the store named by ``db``: a file path, ``sqlite:///path`` or ``postgresql://…``.

    A SQLite file is created with its parent directories when missing (unless ``create`` is false: then a
    missing file is a :class:`StoreError`, so that a mistyped name is not taken for an empty database),
    and its schema brought up to date. ``clock`` gives the store's notion of now (default: the system
    clock, in UTC). A PostgreSQL database is never created here (``create`` only concerns SQLite files).
    """
    if not db or not db.strip():
        raise StoreError("no database given")
    match = _SCHEME.fullmatch(db)
    if match is None:
        return _sqlite(db, clock, create)
    scheme, rest = match[1].lower(), match[2]
    if scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy writes them
        if not rest.startswith("/") or rest == "/":
            raise StoreError(
                f"{db}: write a SQLite URL as sqlite:///relative/path or sqlite:////absolute/path"
            )
        return _sqlite(rest[1:], clock, create)
    if scheme in ("postgresql", "postgres"):
        from newswatch.store.postgres import PostgresStore  # psycopg is imported only when used

        return PostgresStore(db, clock=clock)
    raise StoreError(
        f"unknown database kind {scheme!r}; give a file path, a sqlite:/// URL or a postgresql:// URL"
    )
