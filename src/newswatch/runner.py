"""The runner: inputs in, records out or stored — one input's failure never stops the others.

This is where reading, the pure pipeline and the store meet. The CLI and (later) the web app and the
workers call these functions; they hold no pipeline logic of their own.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from newswatch.errors import NewswatchError
from newswatch.export import ActorLabel
from newswatch.identity import reconcile
from newswatch.ingest.fetch import fetch
from newswatch.ingest.inputs import Fetcher, expand_inputs, read_input
from newswatch.ingest.versions import read_version, version_message, versions_to_fetch
from newswatch.linking import LinkConfig, link_stored
from newswatch.model import Article, RawInput
from newswatch.pipeline import process
from newswatch.settings import Settings
from newswatch.store.base import PutOutcome, Store

__all__ = [
    "Failure",
    "IngestReport",
    "Notice",
    "StoredArticle",
    "actor_labels",
    "extract_inputs",
    "ingest_inputs",
    "read_and_process",
    "reprocess_store",
    "store_input",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that could not be used, and why, in one line."""

    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know about an input that did not fail (an empty feed)."""

    name: str
    message: str

    def __str__(self) -> str:
        return f"{self.name}: {self.message}"


_EMPTY = "no articles in it (a feed without items)"


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """One article as the store now holds it, and what storing it did."""

    article: Article
    outcome: PutOutcome


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: article outcomes (new, updated, unchanged) and the inputs that failed."""

    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    inputs: int = 0

    @property
    def summary(self) -> str:
        counts = self.outcomes
        return (
            f"{self.inputs} input{'s' if self.inputs != 1 else ''}: {counts['new']} new, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, {len(self.failures)} failed"
        )


def read_and_process(
    name: str, settings: Settings, *, reference_date: datetime | None = None
) -> tuple[RawInput, list[Article]]:
    """Read one input (file, URL or ``-``) and run the pipeline on it."""
    raw = read_input(name, settings, reference_date=reference_date)
    return raw, process(raw, max_bytes=settings["input.max_bytes"])


def _unexpected(name: str, exc: Exception) -> Failure:
    """A bug met on one input: logged with its traceback, reported as one line, the run goes on.

    ``NEWSWATCH_DEBUG=1`` lets it propagate instead, traceback and all.
    """
    if os.environ.get("NEWSWATCH_DEBUG") == "1":
        raise exc
    log.error("internal error on %s", name, exc_info=exc)
    return Failure(name, f"internal error ({type(exc).__name__}: {exc}); please report it")


def extract_inputs(
    names: Iterable[str], settings: Settings, *, reference_date: datetime | None = None
) -> Iterator[Article | Failure | Notice]:
    """Records for every input, in order; a failing input yields a :class:`Failure` and the run goes on."""
    for name in expand_inputs(names):
        try:
            _raw, articles = read_and_process(name, settings, reference_date=reference_date)
        except NewswatchError as exc:
            yield Failure(name, str(exc))
            continue
        except Exception as exc:  # one input's bug must not stop the others
            yield _unexpected(name, exc)
            continue
        if not articles:
            yield Notice(name, _EMPTY)
        yield from articles


def _store_each(
    store: Store, articles: list[Article], raw: RawInput, *, only_from: str | None = None
) -> list[StoredArticle]:
    """Store one input's articles in one transaction, after reconciling each with what is stored; each
    article as stored (its id may be a stored feed item's) with its outcome, in the order given.

    With ``only_from`` (a raw input's hash), only articles whose stored version came from that input are
    written: reprocessing an old copy of a feed must not undo a newer one.
    """
    chosen_all: list[Article | None] = []
    for article in articles:
        same_guid = store.find_by_guid(article.guid, article.source) if article.guid else None
        chosen = reconcile(article, same_id=store.get(article.id), same_guid=same_guid)
        if chosen is not None and only_from is not None:
            info = store.info(chosen.id)
            chosen = chosen if info is not None and info.raw_sha256 == only_from else None
        chosen_all.append(chosen)
    written = iter(store.put_many((chosen, raw) for chosen in chosen_all if chosen is not None))
    return [
        StoredArticle(article, "unchanged") if chosen is None else StoredArticle(chosen, next(written))
        for article, chosen in zip(articles, chosen_all, strict=True)
    ]


def _store_all(
    store: Store, articles: list[Article], raw: RawInput, *, only_from: str | None = None
) -> list[PutOutcome]:
    """The outcomes of :func:`_store_each`."""
    return [stored.outcome for stored in _store_each(store, articles, raw, only_from=only_from)]


def _store_versions(
    store: Store,
    raw: RawInput,
    articles: list[Article],
    settings: Settings,
    report: IngestReport,
    reference_date: datetime | None,
    fetcher: Fetcher = fetch,
) -> list[tuple[list[Article], list[StoredArticle]]]:
    """Fetch, process and store the language versions of a page read from the web, each in a transaction
    of its own (see :mod:`newswatch.ingest.versions`); returns each version's articles as processed and as
    stored. A version that cannot be used is a notice on the page's input, never its failure."""
    stored: list[tuple[list[Article], list[StoredArticle]]] = []
    chosen = versions_to_fetch(
        raw,
        articles,
        limit=int(settings["fetch.max_versions"]),
        is_stored=lambda article_id: store.get(article_id) is not None,
    )
    for version in chosen:
        try:
            version_raw, version_articles = read_version(
                version, settings, reference_date=reference_date, fetcher=fetcher
            )
            outcomes = _store_each(store, version_articles, version_raw)
            report.outcomes.update(s.outcome for s in outcomes)
        except NewswatchError as exc:
            report.notices.append(Notice(raw.name, version_message(version, str(exc))))
        except Exception as exc:  # a bug on one version must not fail the page
            bug = _unexpected(version.url or raw.name, exc)
            report.notices.append(Notice(raw.name, version_message(version, bug.message)))
        else:
            stored.append((version_articles, outcomes))
    return stored


def store_input(
    store: Store,
    raw: RawInput,
    articles: list[Article],
    settings: Settings,
    report: IngestReport,
    *,
    reference_date: datetime | None = None,
    fetcher: Fetcher = fetch,
) -> list[StoredArticle]:
    """Store what one input gave, the way ``ingest`` does: its articles in one transaction (reconciled with
    what is stored), then a web page's language versions (fetched with ``fetcher``, each in a transaction of
    its own), then linking. Returns every article stored or left unchanged, versions included, with its
    outcome; ``report`` gets the outcomes and the notices (a version that could not be used)."""
    outcomes = _store_each(store, articles, raw)
    report.outcomes.update(s.outcome for s in outcomes)
    versions = _store_versions(store, raw, articles, settings, report, reference_date, fetcher)
    processed = articles + [article for version_articles, _ in versions for article in version_articles]
    link_stored(store, processed, LinkConfig.from_settings(settings))
    return outcomes + [s for _, version_outcomes in versions for s in version_outcomes]


def ingest_inputs(
    names: Iterable[str],
    store: Store,
    settings: Settings,
    *,
    reference_date: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Read, process and store every input; each input is stored in one transaction of its own, and what
    is new or changed is matched against the watches (their webhooks are delivered by the poller)."""
    from newswatch.alerts import match_new

    report = IngestReport()
    for name in expand_inputs(names):
        report.inputs += 1
        try:
            raw, articles = read_and_process(name, settings, reference_date=reference_date)
            stored = store_input(store, raw, articles, settings, report, reference_date=reference_date)
            match_new(store, [s.article for s in stored if s.outcome != "unchanged"])
        except NewswatchError as exc:
            report.failures.append(Failure(name, str(exc)))
        except Exception as exc:  # one input's bug must not stop the others
            report.failures.append(_unexpected(name, exc))
        else:
            if not articles:
                report.notices.append(Notice(name, _EMPTY))
        if progress:
            progress(name)
    return report


def reprocess_store(
    store: Store, settings: Settings, *, progress: Callable[[str], None] | None = None
) -> IngestReport:
    """Run the current pipeline again over the kept raw input of every stored article.

    Articles are updated in place when the pipeline now says something different (new lexicons, better
    extraction); ids, first-seen times and everything else stored stay. Each raw input is one transaction.
    """
    report = IngestReport()
    for sha in list(store.raw_hashes()):
        raw = store.raw(sha)
        if raw is None:
            continue
        report.inputs += 1
        try:
            articles = process(raw, max_bytes=max(settings["input.max_bytes"], len(raw.data)))
            report.outcomes.update(_store_all(store, articles, raw, only_from=sha))
            link_stored(store, articles, LinkConfig.from_settings(settings))
        except NewswatchError as exc:
            report.failures.append(Failure(raw.name, str(exc)))
        except Exception as exc:  # one input's bug must not stop the others
            report.failures.append(_unexpected(raw.name, exc))
        if progress:
            progress(raw.name)
    return report


def actor_labels(store: Store) -> Callable[[str | None, str], ActorLabel | None]:
    """Names and countries for actor ids in exports: the gazetteer's for known actors, else the name the
    article itself gives (people found by a role cue), read once per article."""
    from newswatch.understand.actors import actor_info

    records: dict[str, Article | None] = {}

    def label(actor_id: str | None, article_id: str) -> ActorLabel | None:
        if not actor_id:
            return None
        info = actor_info(actor_id)
        if info is not None:
            return ActorLabel(info.name, info.country)
        if article_id not in records:
            records[article_id] = store.get(article_id)
        article = records[article_id]
        actor = next((a for a in article.actors if a.id == actor_id), None) if article else None
        return ActorLabel(actor.name, actor.country) if actor else ActorLabel(actor_id, None)

    return label
