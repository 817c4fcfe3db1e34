"""Live sources on SQLite (migration 0008): placeholder, being written."""

from __future__ import annotations

from newswatch.store.sqlite_access import SqliteAccess

__all__ = ["SqliteSources"]


class SqliteSources(SqliteAccess):
    """The store's live-source methods."""
