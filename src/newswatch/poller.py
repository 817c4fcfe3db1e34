"""The poller: live sources fetched on their schedule, politely, into the same store path as ``ingest``.

One cycle (:meth:`Poller.poll_once`, or :func:`poll_once` for a single run) takes the sources that are due
(:meth:`Store.due_sources`) and, for each:

1. asks robots.txt (:mod:`newswatch.ingest.robots`) whether the address may be fetched;
2. GETs it conditionally with the ``ETag``/``Last-Modified`` of the last answer, within every guard of
   :mod:`newswatch.ingest.fetch`; a ``304`` ends the poll there: nothing changed;
3. runs the pipeline on the body. For a feed, items that carry only a summary (an address and under
   :data:`SUMMARY_CHARS` characters of text) get their article page fetched and stored instead (at most
   ``poll.max_pages`` per poll of a source; a page that cannot be had leaves the summary stored);
4. stores everything the way ``ingest`` does (:func:`newswatch.runner.store_input`: reconciled with what is
   stored, a page's language versions followed within ``fetch.max_versions``, linked), then hands the new
   and updated articles to :func:`newswatch.alerts.match_new`;
5. records the poll (:meth:`Store.record_poll`): the next poll after the source's interval, or after a
   failure ``min(interval × 2^errors, poll.max_backoff)`` (``errors`` counting this one).

Politeness: at most ``poll.workers`` hosts are fetched at once, never two requests to one host at once, and
``poll.host_delay`` seconds between the end of one request to a host and the start of the next (robots.txt,
feeds, pages and versions alike). Sources of one host are polled one after the other by one worker.

:class:`Poller` keeps robots.txt answers and the per-host clock between cycles; :meth:`Poller.run` loops
(poll, deliver due webhooks, sleep until something is due, at most :data:`MAX_SLEEP` seconds) until told
to stop.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import httpx

from newswatch import alerts
from newswatch.errors import MalformedInputError, NewswatchError
from newswatch.ingest.fetch import Network, Response, Validators, fetch_response
from newswatch.ingest.robots import Robots
from newswatch.model import Article, RawInput
from newswatch.pipeline import process, sniff
from newswatch.runner import IngestReport, Notice, StoredArticle, store_input
from newswatch.settings import Settings
from newswatch.store.base import Store, utc_text
from newswatch.store.live import PollResult, Source

__all__ = [
    "DUE_BATCH",
    "MAX_SLEEP",
    "SUMMARY_CHARS",
    "HostGate",
    "PollReport",
    "Poller",
    "SourcePoll",
    "backoff_seconds",
    "is_summary",
    "poll_once",
]

log = logging.getLogger(__name__)

#: A feed item with an address and less text than this carries a summary: its page is fetched.
SUMMARY_CHARS = 600
#: Longest sleep of :meth:`Poller.run` between two looks at what is due.
MAX_SLEEP = 5.0
#: Sources taken per cycle; more that are due are taken by the next cycle, at once.
DUE_BATCH = 500


def backoff_seconds(interval: int, errors: int, max_backoff: int) -> int:
    """Seconds until the next poll of a source after ``errors`` failures in a row (this one included):
    ``interval × 2^errors``, at most ``max_backoff``, never less than ``interval``."""
    return max(interval, min(interval * (1 << min(errors, 32)), max_backoff))


def is_summary(article: Article) -> bool:
    """Whether a feed item carries only a summary: it has an address and little text."""
    return bool(article.url) and len(article.text) < SUMMARY_CHARS


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host.lower()
    except (httpx.InvalidURL, TypeError, ValueError):
        return ""


class HostGate:
    """One request to a host at a time, ``delay`` seconds after the previous one to it ended."""

    def __init__(
        self,
        delay: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._delay = delay
        self._clock = clock
        self._sleep = sleep
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        host = _host(url)
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            last = self._last.get(host)
            if last is not None:
                wait = last + self._delay - self._clock()
                if wait > 0:
                    self._sleep(wait)
            try:
                yield
            finally:
                self._last[host] = self._clock()


@dataclass(frozen=True, slots=True)
class SourcePoll:
    """How the poll of one source went. ``source`` is as stored after it; ``articles`` are the articles
    it stored new or changed; ``skipped`` counts what failed without failing the poll (a page or version
    that could not be had: its summary, or nothing, was stored instead), with ``notes`` saying why."""

    source: Source
    status: int | None
    error: str | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    pages: int = 0
    matched: int = 0
    skipped: int = 0
    notes: tuple[str, ...] = ()
    articles: tuple[Article, ...] = ()

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass(slots=True)
class PollReport:
    """What one cycle did, one :class:`SourcePoll` per source polled, and the new watch matches."""

    polls: list[SourcePoll] = field(default_factory=list)
    matched: int = 0

    @property
    def failures(self) -> list[SourcePoll]:
        return [poll for poll in self.polls if poll.failed]

    @property
    def summary(self) -> str:
        count = len(self.polls)
        total = {key: sum(getattr(p, key) for p in self.polls) for key in ("new", "updated", "unchanged")}
        not_modified = sum(1 for p in self.polls if p.status == 304 and not p.failed)
        return (
            f"{count} source{'s' if count != 1 else ''} polled: {total['new']} new,"
            f" {total['updated']} updated, {total['unchanged']} unchanged, {not_modified} not modified,"
            f" {len(self.failures)} failed"
        )


def _now() -> datetime:
    return datetime.now(UTC)


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Failure(Exception):
    """A source's poll failed; ``status`` is the HTTP status when there was an answer."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class Poller:
    """Polls the store's live sources; keeps robots.txt answers and per-host timing between cycles.

    ``network`` replaces the sockets and DNS (tests); ``clock`` gives the current time (aware UTC). One
    poller may be run by one thread at a time; its cycles use ``poll.workers`` threads of their own.
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        network: Network | None = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.settings = settings
        self._network = network or Network()
        self._clock = clock
        self._gate = HostGate(float(settings["poll.host_delay"]))
        self._robots = Robots(self._get_robots, str(settings["fetch.user_agent"]))
        self._write = threading.Lock()  # one writer: storing, linking and matching, one input at a time
        self._stop = threading.Event()

    # --- fetching -----------------------------------------------------------------------------------

    def _get(self, url: str, *, validators: Validators | None = None, errors: bool = False) -> Response:
        with self._gate.slot(url):
            return fetch_response(
                url, self.settings, validators=validators, network=self._network, error_statuses=errors
            )

    def _get_robots(self, url: str) -> Response:
        return self._get(url, errors=True)

    def fetch_page(self, url: str, settings: Settings) -> RawInput:
        """Fetch one page (an article page, a language version) the polite way: robots.txt asked, the host's
        turn waited for, every guard of the fetch kept. A :data:`~newswatch.ingest.inputs.Fetcher`."""
        self._robots.check(url)
        response = self._get(url)
        assert response.raw is not None  # not conditional: a 304 would have been an error
        return response.raw

    # --- one source ---------------------------------------------------------------------------------

    def _store(self, raw: RawInput, articles: list[Article], report: IngestReport) -> list[StoredArticle]:
        with self._write:
            return store_input(
                self.store,
                raw,
                articles,
                self.settings,
                report,
                reference_date=raw.reference_date,
                fetcher=self.fetch_page,
            )

    def _page_candidates(self, articles: list[Article]) -> list[Article]:
        """The summary items whose page to fetch, the ones not stored yet first: an item stored as a page
        is never fetched again; one stored as a summary (its page failed before) is tried again."""
        fresh: list[Article] = []
        again: list[Article] = []
        for article in articles:
            if not is_summary(article):
                continue
            stored = self.store.get(article.id)
            if stored is None:
                fresh.append(article)
            elif stored.guid is not None:
                again.append(article)
        return fresh + again

    def _pages(
        self, articles: list[Article], report: IngestReport
    ) -> tuple[list[Article], list[StoredArticle], int]:
        """Fetch and store the pages of summary items; returns the items left to store from the feed, what
        the pages stored, and how many pages were fetched."""
        budget = int(self.settings["poll.max_pages"])
        replaced: set[str] = set()
        stored: list[StoredArticle] = []
        fetched = 0
        for item in self._page_candidates(articles) if budget > 0 else []:
            if fetched >= budget or self._stop.is_set():
                break
            assert item.url is not None
            try:
                self._robots.check(item.url)
                fetched += 1
                page = self._get(item.url).raw
                assert page is not None
                if sniff(page.data, page.content_type) == "feed":
                    raise MalformedInputError("a feed, not a page")
                found = process(page, max_bytes=int(self.settings["input.max_bytes"]))
                stored.extend(self._store(page, found, report))
            except NewswatchError as exc:
                report.notices.append(_note(item.url, f"article page: {exc}"))
            except Exception as exc:  # one page's bug must not fail the feed
                report.notices.append(_note(item.url, _bug(item.url, exc)))
            else:
                replaced.add(item.id)
        return [a for a in articles if a.id not in replaced], stored, fetched

    def _fetch_and_store(self, source: Source) -> tuple[Response, list[StoredArticle], IngestReport, int]:
        """Fetch and store one source: its answer, what it stored, the notices, the pages fetched."""
        report = IngestReport()
        self._robots.check(source.url)
        response = self._get(
            source.url, validators=Validators(source.etag, source.last_modified), errors=True
        )
        if response.status >= 400:
            raise _Failure(_status_line(response.status), response.status)
        if response.raw is None:  # 304: nothing changed
            return response, [], report, 0
        raw = response.raw
        articles = process(raw, max_bytes=int(self.settings["input.max_bytes"]), language=source.language)
        pages: list[StoredArticle] = []
        fetched = 0
        if sniff(raw.data, raw.content_type) == "feed":
            articles, pages, fetched = self._pages(articles, report)
        return response, pages + self._store(raw, articles, report), report, fetched

    def _attempt(self, source: Source) -> tuple[Response, list[StoredArticle], IngestReport, int] | _Failure:
        try:
            return self._fetch_and_store(source)
        except _Failure as failure:
            return failure
        except NewswatchError as exc:
            return _Failure(str(exc))
        except Exception as exc:  # a bug on one source must not stop the others
            if os.environ.get("NEWSWATCH_DEBUG") == "1":
                raise
            return _Failure(_bug(source.url, exc))

    def poll_source(self, source: Source, now: datetime) -> SourcePoll:
        """Poll one source, record how it went and when to poll it next. The source's own failures are in
        the result (and its ``last_error``); only a failing store raises."""
        fetched_at = utc_text(now)
        outcome = self._attempt(source)
        if isinstance(outcome, _Failure):
            failure = outcome
            errors = source.errors + 1
            wait = backoff_seconds(source.interval, errors, int(self.settings["poll.max_backoff"]))
            result = PollResult(
                fetched_at=fetched_at,
                next_poll=utc_text(now + timedelta(seconds=wait)),
                status=failure.status,
                error=_one_line(failure.message),
            )
            log.info("poll of %s failed: %s", source.url, result.error)
            return SourcePoll(self.store.record_poll(source.id, result), failure.status, result.error)
        response, stored, report, fetched = outcome
        changed = [s.article for s in stored if s.outcome != "unchanged"]
        matched = 0
        if changed:
            with self._write:
                matched = alerts.match_new(self.store, changed)
            log.info("%s: %d new or updated, %d watch matches", source.url, len(changed), matched)
        result = PollResult(
            fetched_at=fetched_at,
            next_poll=utc_text(now + timedelta(seconds=source.interval)),
            status=response.status,
            etag=response.etag,
            last_modified=response.last_modified,
            new=len(changed),
        )
        outcomes = report.outcomes
        return SourcePoll(
            source=self.store.record_poll(source.id, result),
            status=response.status,
            new=outcomes["new"],
            updated=outcomes["updated"],
            unchanged=outcomes["unchanged"],
            pages=fetched,
            matched=matched,
            skipped=len(report.notices),
            notes=tuple(str(n) for n in report.notices),
            articles=tuple(changed),
        )

    # --- cycles -------------------------------------------------------------------------------------

    def _poll_host(self, sources: Sequence[Source], now: datetime) -> list[SourcePoll]:
        done: list[SourcePoll] = []
        for source in sources:
            if self._stop.is_set():
                break
            try:
                done.append(self.poll_source(source, now))
            except Exception as exc:  # the store failed, or a bug: the source stays due
                if os.environ.get("NEWSWATCH_DEBUG") == "1":
                    raise
                log.error("poll of %s: %s", source.url, exc, exc_info=not isinstance(exc, NewswatchError))
                done.append(SourcePoll(source, None, _one_line(_bug(source.url, exc))))
        return done

    def poll_once(
        self, *, now: datetime | None = None, sources: Sequence[Source] | None = None
    ) -> PollReport:
        """Poll ``sources`` (default: every source due at ``now``), at most ``poll.workers`` hosts at once;
        ``now`` (default: the clock) is the time the next polls are counted from."""
        moment = now or self._clock()
        due = list(sources) if sources is not None else self.store.due_sources(moment, DUE_BATCH)
        by_host: dict[str, list[Source]] = {}
        for source in due:
            by_host.setdefault(_host(source.url), []).append(source)
        report = PollReport()
        if not by_host:
            return report
        workers = min(int(self.settings["poll.workers"]), len(by_host))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="newswatch-poll") as pool:
            for polls in pool.map(lambda group: self._poll_host(group, moment), by_host.values()):
                report.polls.extend(polls)
        report.matched = sum(poll.matched for poll in report.polls)
        return report

    def _sleep_for(self) -> float:
        """Seconds until a source or a delivery is due, at most :data:`MAX_SLEEP`."""
        now = self._clock()
        horizon = now + timedelta(seconds=MAX_SLEEP)
        due = [s.next_poll for s in self.store.due_sources(horizon, 1)]
        due += [d.next_attempt for d in self.store.due_deliveries(horizon, 1) if d.next_attempt]
        if not due:
            return MAX_SLEEP
        soonest = min(datetime.fromisoformat(t.removesuffix("Z")).replace(tzinfo=UTC) for t in due)
        return min(MAX_SLEEP, max(0.0, (soonest - now).total_seconds()))

    def run(self, stop: threading.Event, *, on_report: Callable[[PollReport], None] | None = None) -> None:
        """Poll and deliver until ``stop`` is set: each turn polls what is due, delivers the due webhooks,
        then sleeps until the next source or delivery is due (at most :data:`MAX_SLEEP` seconds). A source
        being polled when ``stop`` is set is finished; the others wait for the next run."""
        self._stop = stop
        while not stop.is_set():
            wait = MAX_SLEEP
            try:
                report = self.poll_once()
                if on_report is not None and report.polls:
                    on_report(report)
                alerts.deliver_due(self.store, self.settings, now=self._clock())
                wait = self._sleep_for()
            except Exception as exc:  # the store failed (or a bug): say so, wait, try again
                if os.environ.get("NEWSWATCH_DEBUG") == "1":
                    raise
                log.error("poller: %s", exc, exc_info=not isinstance(exc, NewswatchError))
            stop.wait(wait)


def _note(url: str, message: str) -> Notice:
    return Notice(url, _one_line(message))


def _status_line(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _bug(name: str, exc: Exception) -> str:
    if isinstance(exc, NewswatchError):
        return str(exc)
    log.error("internal error on %s", name, exc_info=exc)
    return f"internal error ({type(exc).__name__}: {exc}); please report it"


def poll_once(
    store: Store,
    settings: Settings,
    *,
    now: datetime | None = None,
    sources: Sequence[Source] | None = None,
    network: Network | None = None,
) -> PollReport:
    """One cycle of a fresh :class:`Poller`: poll ``sources`` (default: every source due at ``now``)."""
    return Poller(store, settings, network=network).poll_once(now=now, sources=sources)
