"""Watches and webhook deliveries on SQLite (migration 0009): placeholder, being written."""

from __future__ import annotations

from newswatch.store.sqlite_access import SqliteAccess

__all__ = ["SqliteWatches"]


class SqliteWatches(SqliteAccess):
    """The store's watch methods."""
