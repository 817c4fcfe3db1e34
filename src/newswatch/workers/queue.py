"""Running a worker, and putting jobs in the queue: procrastinate on the store's PostgreSQL database.

:func:`prepare_queue` creates procrastinate's tables (``procrastinate_*``) when they are missing, under an
advisory lock so that many workers starting at once create them once; newswatch's own migrations never
touch them. :func:`run_worker` opens the store (which runs newswatch's migrations, also under a lock), then
runs procrastinate's worker with ``concurrency`` jobs at once (threads: the tasks are synchronous) and a
stalled-job sweeper beside it: every ``heartbeat`` seconds it gives the jobs of workers whose heartbeat is
older than ``stalled_after`` seconds (a worker killed, or its machine gone) back to the queue. Every worker
sweeps; a job given back by one is skipped by the others. SIGINT/SIGTERM stop a worker gracefully: the
jobs it runs are finished first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import procrastinate
import psycopg
from procrastinate import exceptions as queue_errors
from procrastinate.schema import SchemaManager

from newswatch.errors import ConfigError, StoreError
from newswatch.ingest.inputs import expand_inputs
from newswatch.settings import Settings
from newswatch.workers.locks import LockPool
from newswatch.workers.tasks import INGEST, WorkerPoller, WorkerState, app, host_lock

__all__ = ["SCHEMA_KEY", "WorkerOptions", "enqueue_inputs", "prepare_queue", "run_worker", "worker_dsn"]

log = logging.getLogger(__name__)

#: The advisory lock taken while procrastinate's schema is created ('nwqueue' in ASCII).
SCHEMA_KEY = 0x6E77717565756501
_POSTGRES = re.compile(r"postgres(ql)?://", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    """How a worker runs: jobs at once, heartbeat period and the silence after which a worker is taken
    for dead (its jobs given back to the queue), both in seconds."""

    concurrency: int = 4
    heartbeat: float = 10.0
    stalled_after: float = 30.0
    name: str = "newswatch"

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ConfigError("--concurrency must be at least 1")
        if self.heartbeat <= 0 or self.stalled_after <= self.heartbeat:
            raise ConfigError("--stalled-after must be longer than --heartbeat (both in seconds, above 0)")


def worker_dsn(db: str) -> str:
    """``db`` when it names a PostgreSQL database; else a :class:`ConfigError`: workers share the
    store's PostgreSQL database for their queue."""
    if not _POSTGRES.match(db.strip()):
        raise ConfigError("workers need PostgreSQL: give --db postgresql://… (or NEWSWATCH_DB)")
    return db.strip()


def prepare_queue(dsn: str) -> None:
    """Create procrastinate's schema in the database unless it is there; safe to call from many
    processes at once."""
    try:
        with psycopg.connect(dsn, autocommit=False, connect_timeout=10) as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_KEY,))
            found = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if found is None or found[0] is None:
                conn.execute(SchemaManager.get_schema().encode())
                log.info("created the job queue tables (procrastinate_*)")
    except psycopg.Error as exc:
        raise StoreError(f"cannot prepare the job queue: {' '.join(str(exc).split())[:200]}") from exc


def _connector(dsn: str) -> procrastinate.PsycopgConnector:
    return procrastinate.PsycopgConnector(conninfo=dsn, kwargs={"connect_timeout": 10})


async def _sweep(options: WorkerOptions) -> None:
    """Give the jobs of dead workers back to the queue, every ``heartbeat`` seconds."""
    manager = app.job_manager
    while True:
        await asyncio.sleep(options.heartbeat)
        try:
            await manager.prune_stalled_workers(options.stalled_after)
            stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=options.stalled_after)
        except queue_errors.ConnectorException as exc:
            log.warning("stalled-job sweep: %s", exc)
            continue
        for job in stalled:
            try:
                await manager.retry_job(job)
            except queue_errors.ConnectorException:  # another worker gave it back first
                continue
            log.warning("job %s (%s) of a dead worker given back to the queue", job.id, job.task_name)


async def _work(state: WorkerState, options: WorkerOptions) -> None:
    async with app.open_async():
        sweeper = asyncio.create_task(_sweep(options), name="newswatch-sweep")
        try:
            await app.run_worker_async(
                name=options.name,
                concurrency=options.concurrency,
                additional_context={"newswatch": state},
                update_heartbeat_interval=options.heartbeat,
                stalled_worker_timeout=options.stalled_after,
                fetch_job_polling_interval=min(5.0, options.heartbeat),
                delete_jobs="successful",
            )
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper


def run_worker(db: str, settings: Settings, options: WorkerOptions) -> None:
    """Run a worker on the PostgreSQL database ``db`` until SIGINT or SIGTERM."""
    from newswatch.store.postgres import PostgresStore

    dsn = worker_dsn(db)
    prepare_queue(dsn)
    store = PostgresStore(dsn, pool_size=options.concurrency + 2)
    locks = LockPool(dsn, size=2 * options.concurrency + 2)
    try:
        state = WorkerState(store, settings, WorkerPoller(store, settings, locks=locks))
        with app.replace_connector(_connector(dsn)):
            asyncio.run(_work(state, options))
    finally:
        locks.close()
        store.close()


def enqueue_inputs(db: str, names: Iterable[str], *, reference_date: datetime | None = None) -> int:
    """Queue one ``ingest_url`` job per input (directories expanded, as ``ingest`` does); returns how many.
    Paths must be readable by the workers; addresses are fetched by them, one job per host at a time."""
    dsn = worker_dsn(db)
    prepare_queue(dsn)
    when = reference_date.isoformat() if reference_date else None
    queued = 0
    with app.replace_connector(_connector(dsn)):
        app.open()
        try:
            for name in expand_inputs(names):
                task = app.configure_task(INGEST, lock=host_lock(name))
                task.defer(url=name, reference_date=when)
                queued += 1
        except queue_errors.ConnectorException as exc:
            raise StoreError(f"cannot queue the job: {exc}") from exc
        finally:
            app.close()
    return queued
