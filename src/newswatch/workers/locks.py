"""Locks that hold across every worker process: PostgreSQL session advisory locks on pooled connections.

Two kinds, both released by the server when a worker dies (its connections close, even after ``SIGKILL``):

* :class:`WriteLock` — one key for the whole database. A worker stores and links one input at a time *in
  the whole deployment* (what the single-process runner does in one process): linking reads the stored
  candidates and then writes, so two inputs linked at once could each miss the other. Fetching and the
  pipeline — most of the time of a job — run outside it, in parallel.
* :class:`PostgresHostGate` — one key per host (``hashtext(host)`` under the class :data:`HOST_CLASS`), a
  :class:`~newswatch.poller.HostGate` for many processes: one request to a host at a time across all
  workers, and ``poll.host_delay`` seconds between two. The lock is taken before the request and released
  ``delay`` seconds after it ended, so the next request to that host, from any worker, starts no sooner.
  No table keeps the time of the last request; the price is that the job holding the lock waits out the
  delay after its last request to the host.

The lock-ordering rule that keeps them free of deadlocks: a host lock may be taken while the write lock is
held (a page's language versions are fetched while its input is stored), never the other way round.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from newswatch.errors import StoreError
from newswatch.poller import HostGate

__all__ = ["HOST_CLASS", "WRITE_KEY", "LockPool", "PostgresHostGate", "WriteLock"]

log = logging.getLogger(__name__)

#: The advisory lock (one bigint) held while an input is stored and linked ('nwwrite' in ASCII).
WRITE_KEY = 0x6E77777269746501
#: The first half of a host's advisory lock (two int4 keys: this, ``hashtext(host)``); 'nwh' in ASCII.
HOST_CLASS = 0x6E7768

Connection = psycopg.Connection[tuple[Any, ...]]


class LockPool:
    """Autocommit connections that hold session advisory locks, apart from the store's pool (a lock held
    on a store connection would be released or leaked by whoever borrows it next)."""

    def __init__(self, dsn: str, *, size: int, timeout: float = 30.0) -> None:
        try:
            self._pool: ConnectionPool[Connection] = ConnectionPool(
                dsn,
                min_size=1,
                max_size=max(1, size),
                open=True,
                timeout=timeout,
                kwargs={"autocommit": True},
                name="newswatch-locks",
            )
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the lock connections: {' '.join(str(exc).split())[:160]}") from exc

    @contextmanager
    def hold(self, lock_sql: str, params: tuple[Any, ...], unlock_sql: str) -> Iterator[None]:
        """Hold the lock ``lock_sql`` takes for the block; ``unlock_sql`` releases it afterwards."""
        try:
            with self._pool.connection() as conn:
                conn.execute(lock_sql.encode(), params)
                try:
                    yield
                finally:
                    conn.execute(unlock_sql.encode(), params)
        except (psycopg.Error, PoolTimeout) as exc:
            raise StoreError(f"lost a lock connection: {' '.join(str(exc).split())[:160]}") from exc

    def close(self) -> None:
        self._pool.close()


class WriteLock:
    """Store and link one input at a time across every worker (see the module docstring)."""

    def __init__(self, pool: LockPool) -> None:
        self._pool = pool

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._pool.hold("SELECT pg_advisory_lock(%s)", (WRITE_KEY,), "SELECT pg_advisory_unlock(%s)"):
            yield


def host_of(url: str) -> str:
    """The host of ``url`` in lower case, or '' when it has none."""
    try:
        return httpx.URL(url).host.lower()
    except (httpx.InvalidURL, TypeError, ValueError):
        return ""


class PostgresHostGate(HostGate):
    """:class:`~newswatch.poller.HostGate` across processes: one request to a host at a time in the whole
    deployment, ``delay`` seconds after the previous one ended (the lock is released that much later)."""

    def __init__(
        self,
        pool: LockPool,
        delay: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(delay, clock=clock, sleep=sleep)
        self._pool = pool
        self._wait = delay
        self._pause = sleep

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        with self._pool.hold(
            "SELECT pg_advisory_lock(%s, hashtext(%s))",
            (HOST_CLASS, host_of(url)),
            "SELECT pg_advisory_unlock(%s, hashtext(%s))",
        ):
            try:
                yield
            finally:
                if self._wait > 0:
                    self._pause(self._wait)
