"""What the SQLite store's parts share: read and write access to the one connection, and the clock.

:class:`~newswatch.store.sqlite.SqliteStore` implements it; the mixins that keep one concept's methods
in their own module (live sources, watches) build on it, so ``sqlite.py`` stays one concept too.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from datetime import datetime

__all__ = ["SqliteAccess"]


class SqliteAccess(ABC):
    @abstractmethod
    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        """The connection, under the store's lock, for reads."""

    @abstractmethod
    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back on any exception."""

    @abstractmethod
    def _now(self) -> datetime:
        """The store's clock (aware, UTC)."""
