"""The jobs workers run, as procrastinate tasks of one app (:data:`app`), and what they share in a worker.

* ``newswatch.ingest_url(url, reference_date=None)`` — one input (an http(s) address, or a path the worker
  can read) through the runner: read (politely, for an address), pipeline, store and link, watch matches.
  Jobs of one host carry ``lock="host:<host>"``: they run one after the other, whichever worker takes them.
* ``newswatch.poll_source(source_id)`` — one live source through :meth:`Poller.poll_source` (robots.txt,
  conditional GET, summary pages, versions, store, link, watch matches, record the poll); locked per host
  like ingest jobs, and queued once per source (``queueing_lock="source-<id>"``).
* ``newswatch.schedule_polls`` — periodic (every 10 s, deferred once per tick across all workers):
  queues ``poll_source`` for every due source.
* ``newswatch.deliver_due`` — periodic (every 10 s): POSTs the due webhook deliveries; ``lock`` keeps two
  runs from overlapping.

At least once, idempotent: a job taken up again after its worker died stores nothing twice (articles are
content-addressed and reconciled with what is stored; links are rebuilt from the stored versions; watch
matches and deliveries are recorded once). A retried job matches every article of its input against the
watches, not only the ones it changed: the first attempt may have stored them and died before matching.
Input errors (a bad page, a failed fetch) end the job with a line in the log; only a store failure makes
procrastinate retry it (:data:`RETRY`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import procrastinate
from procrastinate import JobContext
from procrastinate.exceptions import AlreadyEnqueued

from newswatch import alerts
from newswatch.errors import NewswatchError, StoreError
from newswatch.ingest.inputs import read_input
from newswatch.model import Article, RawInput
from newswatch.pipeline import process
from newswatch.poller import DUE_BATCH, Poller
from newswatch.runner import IngestReport, StoredArticle, store_input
from newswatch.settings import Settings
from newswatch.store.base import Store, utc_text
from newswatch.store.live import Source
from newswatch.workers.locks import LockPool, PostgresHostGate, WriteLock, host_of

__all__ = [
    "INGEST",
    "POLL",
    "RETRY",
    "WorkerPoller",
    "WorkerState",
    "app",
    "host_lock",
]

log = logging.getLogger(__name__)

#: Task names, as stored in the jobs table.
INGEST = "newswatch.ingest_url"
POLL = "newswatch.poll_source"
#: A job whose store failed (the database restarting, a lost connection) is run again, 5 times at most.
RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=3, retry_exceptions={StoreError})
#: Every 10 seconds: the 6th cron column counts seconds (the 1st is minutes).
_EVERY_10S = "* * * * * */10"

#: The app the tasks belong to. Its connector is replaced by one on the database's address where it is
#: used (``app.replace_connector(...)``, see :mod:`newswatch.workers.queue`).
app = procrastinate.App(connector=procrastinate.PsycopgConnector())


def host_lock(url: str) -> str | None:
    """The procrastinate ``lock`` of a job that fetches ``url``: one job per host at a time."""
    host = host_of(url)
    return f"host:{host}" if host else None


class WorkerPoller(Poller):
    """A :class:`Poller` for workers: requests go through a :class:`PostgresHostGate` (politeness across
    all workers), storing through the deployment-wide :class:`WriteLock`, and the articles each thread
    stores are collected for a retried job's watch matching."""

    def __init__(self, store: Store, settings: Settings, *, locks: LockPool) -> None:
        super().__init__(store, settings)
        self._gate = PostgresHostGate(locks, float(settings["poll.host_delay"]))
        self.write_lock = WriteLock(locks)
        self._stored = threading.local()

    def _store(self, raw: RawInput, articles: list[Article], report: IngestReport) -> list[StoredArticle]:
        with self.write_lock.held():
            stored = super()._store(raw, articles, report)
        collected: list[StoredArticle] | None = getattr(self._stored, "articles", None)
        if collected is not None:
            collected.extend(stored)
        return stored

    def collect(self) -> list[StoredArticle]:
        """Start collecting what this thread stores; the list returned fills up as it does."""
        collected: list[StoredArticle] = []
        self._stored.articles = collected
        return collected


@dataclass(frozen=True, slots=True)
class WorkerState:
    """What the tasks of one worker process share (given to them as procrastinate's additional context)."""

    store: Store
    settings: Settings
    poller: WorkerPoller


def _state(context: JobContext) -> WorkerState:
    state = context.additional_context["newswatch"]
    assert isinstance(state, WorkerState)
    return state


def _retried(context: JobContext) -> bool:
    return context.job.attempts > 0


def _match(store: Store, stored: list[StoredArticle], *, every: bool) -> int:
    chosen = [s.article for s in stored if every or s.outcome != "unchanged"]
    return alerts.match_new(store, chosen) if chosen else 0


def ingest(state: WorkerState, url: str, reference_date: datetime | None, *, retried: bool) -> str:
    """Read, process, store and link one input the way ``newswatch ingest`` does; match the watches.
    Returns a line saying what happened; raises only :class:`StoreError` (the job is then retried)."""
    settings, poller = state.settings, state.poller
    report = IngestReport(inputs=1)
    try:
        raw = read_input(url, settings, reference_date=reference_date, fetcher=poller.fetch_page)
        articles = process(raw, max_bytes=int(settings["input.max_bytes"]))
        with poller.write_lock.held():
            stored = store_input(
                state.store,
                raw,
                articles,
                settings,
                report,
                reference_date=reference_date or raw.reference_date,
                fetcher=poller.fetch_page,
            )
    except StoreError:
        raise
    except NewswatchError as exc:
        log.warning("%s: %s", url, exc)
        return f"{url}: failed: {exc}"
    except Exception as exc:  # a bug on one input: logged, not retried (it would fail the same way)
        log.error("internal error on %s", url, exc_info=exc)
        return f"{url}: internal error ({type(exc).__name__})"
    matched = _match(state.store, stored, every=retried)
    for notice in report.notices:
        log.info("%s", notice)
    return f"{url}: {report.summary}, {matched} watch matches"


@app.task(name=INGEST, pass_context=True, retry=RETRY)
def ingest_url(context: JobContext, url: str, reference_date: str | None = None) -> str:
    """One input through the runner (see :func:`ingest`)."""
    when = datetime.fromisoformat(reference_date) if reference_date else None
    return ingest(_state(context), url, when, retried=_retried(context))


def poll(state: WorkerState, source: Source, now: datetime, *, retried: bool) -> str:
    """Poll one source (unless it is not due: another job polled it since this one was queued)."""
    if not retried and source.next_poll > utc_text(now):
        return f"{source.url}: not due"
    collected = state.poller.collect()
    result = state.poller.poll_source(source, now)
    matched = result.matched + (_match(state.store, collected, every=True) if retried else 0)
    if result.failed:
        return f"{source.url}: failed: {result.error}"
    return f"{source.url}: {result.new} new, {result.updated} updated, {matched} watch matches"


@app.task(name=POLL, pass_context=True, retry=RETRY)
def poll_source(context: JobContext, source_id: int) -> str:
    """One live source (see :func:`poll`)."""
    state = _state(context)
    source = state.store.get_source(source_id)
    if source is None:
        return f"source {source_id}: removed"
    return poll(state, source, datetime.now(UTC), retried=_retried(context))


def queue_due(state: WorkerState, context_app: procrastinate.App, now: datetime) -> int:
    """Queue ``poll_source`` for every due source not queued yet; returns how many were queued."""
    queued = 0
    for source in state.store.due_sources(now, DUE_BATCH):
        options: dict[str, Any] = {"queueing_lock": f"source-{source.id}", "lock": host_lock(source.url)}
        try:
            context_app.configure_task(POLL, **options).defer(source_id=source.id)
        except AlreadyEnqueued:
            continue
        queued += 1
    return queued


@app.periodic(cron=_EVERY_10S, periodic_id="schedule")
@app.task(name="newswatch.schedule_polls", pass_context=True, queueing_lock="newswatch.schedule_polls")
def schedule_polls(context: JobContext, timestamp: int) -> int:
    """Queue the polls of the due sources (one run per tick across all workers). Due by the later of the
    tick and the clock: a tick caught up after a worker starts may be minutes old."""
    now = max(datetime.fromtimestamp(timestamp, UTC), datetime.now(UTC))
    return queue_due(_state(context), context.app, now)


@app.periodic(cron=_EVERY_10S, periodic_id="deliver")
@app.task(
    name="newswatch.deliver_due",
    pass_context=True,
    queueing_lock="newswatch.deliver_due",
    lock="newswatch.deliver_due",
)
def deliver_due(context: JobContext, timestamp: int) -> int:
    """POST the due webhook deliveries; two runs never overlap (``lock``)."""
    state = _state(context)
    return alerts.deliver_due(state.store, state.settings)
