"""What the feed, the pages and the API ask of a store, and the shapes of the answers.

Lists are read a page at a time with an opaque ``cursor`` (the last item's sort key, encoded): the
answer's ``next`` is given back to read the following page, so a page costs one index range read
however deep it is, and items stored meanwhile neither repeat nor go missing from the pages still to
come. Filters are the same for every list: :class:`ArticleQuery`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from newswatch.model import Quote

__all__ = [
    "ArticleQuery",
    "ArticleSummary",
    "DayCount",
    "Page",
    "QuoteHit",
    "SourceInfo",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Which articles to list: all by default; every field given narrows the list.

    ``since`` and ``until`` are ISO dates (or datetimes) compared with ``published``, both inclusive
    (``until=2026-03-04`` keeps the whole of that day). ``actor`` is an actor id the article mentions,
    ``event_type`` a PLOVER type of an event it reports (negated events do not count).
    """

    language: str | None = None
    source: str | None = None
    actor: str | None = None
    event_type: str | None = None
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, and the cursor of the next page (None on the last)."""

    items: tuple[T, ...]
    next: str | None


@dataclass(frozen=True, slots=True)
class ArticleSummary:
    """An article as lists show it: no full text, a short lead, its story."""

    id: str
    title: str | None
    url: str | None
    source: str | None
    language: str | None
    published: str | None
    lead: str  # the first ~300 characters of the text, cut at a word
    story: str | None  # story id, None until linked
    snippet: str | None = None  # search only: matched words between MARK_START and MARK_END
    rank: float | None = None  # search only: higher is better


@dataclass(frozen=True, slots=True)
class DayCount:
    """How many events of one PLOVER type happened on one day (event date, else the article's), each
    event counted once per story however many articles reported it."""

    day: str  # YYYY-MM-DD
    type: str
    count: int


@dataclass(frozen=True, slots=True)
class QuoteHit:
    """A quote with the article it appeared in."""

    quote: Quote
    article: ArticleSummary


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A source (the host articles came from) as the sources page shows it.

    ``last_fetch`` and ``error`` are filled by live sources (the poller) once they exist.
    """

    source: str
    articles: int
    latest: str | None  # the newest ``published``
    last_seen: str | None  # when an article of it was last stored (UTC text)
    last_fetch: str | None = None
    error: str | None = None
