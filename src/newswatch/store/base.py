"""The storage interface every backend implements, its result types and its backend-neutral helpers.

Everything above the store (the runner, the CLI, the web app) speaks :class:`Store` and nothing else; the
SQL of each backend lives in its own module under ``newswatch.store``. The helpers at the bottom (time
stamps, the sort key of ``published``, the words of a search query) are pure functions shared by the
backends so that they order and search alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, Protocol, Self

from newswatch.errors import QueryError
from newswatch.model import Article, Event, RawInput
from newswatch.store.live import Delivery, PollResult, Source, Watch
from newswatch.store.queries import ArticleQuery, ArticleSummary, DayCount, Page, QuoteHit, SourceInfo

__all__ = [
    "MARK_END",
    "MARK_START",
    "EventQuery",
    "LinkRow",
    "LinkUpdate",
    "Order",
    "PutOutcome",
    "SearchHit",
    "Store",
    "StoredEvent",
    "StoredInfo",
    "StoredStory",
    "StoryBuilder",
    "StoryMember",
    "StoryRecord",
    "from_utc_text",
    "parse_since",
    "query_words",
    "sort_key",
    "utc_text",
]

#: What :meth:`Store.put` did: stored a new article, replaced a changed one in place, or nothing.
PutOutcome = Literal["new", "updated", "unchanged"]

#: The order of :meth:`Store.articles`, newest first either way.
Order = Literal["published", "first_seen"]

#: Markers around the matched words in :attr:`SearchHit.snippet`. They are private-use characters, not
#: markup: a web page escapes the snippet first and then turns them into ``<mark>``/``</mark>``.
MARK_START = "\ue000"
MARK_END = "\ue001"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result.

    ``snippet`` is a short excerpt of the title or text with every matched word between
    :data:`MARK_START` and :data:`MARK_END`. ``rank`` is the relevance: higher is better, and it is only
    comparable between hits of the same search.
    """

    article: Article
    snippet: str
    rank: float


@dataclass(frozen=True, slots=True)
class StoredInfo:
    """What the store knows about an article besides its record (all times aware, in UTC)."""

    first_seen: datetime
    updated_at: datetime
    raw_sha256: str


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Which events to list: all of them by default; every field given narrows the list."""

    actor: str | None = None  # source or target, or their country/organisation as the article gives it
    pair: tuple[str, str] | None = None  # between these two (or their people and bodies), either way round
    type: str | None = None  # PLOVER type
    since: str | None = None  # ISO date; events on or after it
    negated: bool = False  # also list events the text says did not happen ("did not accuse")
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event with the article it was reported in."""

    event: Event
    article_id: str
    article_url: str | None
    article_title: str | None


#: A link between two stored articles: (article id, article id, kind, score).
LinkRow = tuple[str, str, str, float]


@dataclass(frozen=True, slots=True)
class LinkUpdate:
    """What linking found for one article: its fingerprint (JSON-ready), the keys it is indexed under,
    how many distinct actor ids its ``day|actor`` evidence keys name, its accepted links to other
    stored articles (other article id, kind, score) and the articles it found most related (other article
    id, score), which are related reading, not links: they make no story."""

    article_id: str
    content_hash: str
    fingerprint: dict[str, Any]
    keys: tuple[str, ...]
    evidence: int
    links: tuple[tuple[str, str, float], ...]
    related: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A story as the store writes it (built by the link layer from a component's articles and links)."""

    id: str
    articles: tuple[str, ...]
    representative: str
    first_seen: str | None
    sources: tuple[str, ...]
    languages: tuple[str, ...]


#: Builds the stories of one connected component from its articles and the links between them.
StoryBuilder = Callable[[list[Article], list[LinkRow]], list[StoryRecord]]


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One article of a stored story, as lists show it."""

    id: str
    title: str | None
    url: str | None
    language: str | None
    source: str | None
    published: str | None


@dataclass(frozen=True, slots=True)
class StoredStory:
    """A stored story: its representative article and every member (ordered by publication, then id)."""

    id: str
    first_seen: str | None
    representative: StoryMember
    sources: tuple[str, ...]
    languages: tuple[str, ...]
    members: tuple[StoryMember, ...]

    @property
    def size(self) -> int:
        return len(self.members)


class Store(Protocol):
    """Where articles and the raw inputs they came from are kept.

    Guarantees, for every backend:

    * **Times are UTC.** The store's own times (``first_seen``, ``updated_at``) come from the clock given to
      the backend and are kept and returned as aware UTC datetimes. A raw input's ``reference_date`` comes
      back as the same instant (in UTC when it was aware; a naive one comes back naive, as given).
    * **Writes are idempotent.** An article is identified by its ``id``. Putting the same record again
      changes nothing and answers ``"unchanged"``; a record with a known id and a different
      ``content_hash`` replaces the stored one in place (``id`` and ``first_seen`` kept, ``updated_at``
      set, the search index replaced) and answers ``"updated"``; an unknown id answers ``"new"``.
    * **Raw inputs are content-addressed.** The bytes of a :class:`~newswatch.model.RawInput` are kept once
      per SHA-256, however many articles came from them, and only when some article stored by a put points
      at them (an ``"unchanged"`` article keeps pointing at the input it was first stored from).
    * **Writes are atomic.** :meth:`put` and :meth:`put_many` run in one transaction each: the article rows,
      their raw inputs and the search index are all written or, on any error (including an exception
      raised by the iterable given to :meth:`put_many`), none of them.
    * **Errors are ours.** Every failure is a :class:`~newswatch.errors.StoreError` (a damaged or foreign
      database, a record that cannot be stored, a busy database) or a
      :class:`~newswatch.errors.QueryError` (a bad search or filter); no driver exception escapes.
    * **Threads and processes.** One store object may be shared by threads: its calls are serialised.
      Many readers (other store objects, other processes) may read while one writer writes, and see the
      data as of the last committed write. Writes from several store objects are serialised by the
      database; a writer that cannot get the lock within the backend's busy timeout gets a ``StoreError``.
      Run one writer (the runner) and as many readers (the web app, the CLI) as you like.
    """

    def put(self, article: Article, raw: RawInput) -> PutOutcome:
        """Store one article and the raw input it came from, in one transaction."""
        ...

    def put_many(self, items: Iterable[tuple[Article, RawInput]]) -> list[PutOutcome]:
        """Store many articles (a feed's items) in one transaction; one outcome per item, in order."""
        ...

    def get(self, article_id: str) -> Article | None:
        """The stored article with this id, or None."""
        ...

    def info(self, article_id: str) -> StoredInfo | None:
        """When the article was first seen and last changed, and its raw input's hash; None if unknown."""
        ...

    def find_by_guid(self, guid: str, source: str | None) -> Article | None:
        """The stored feed item with this guid from this source (the site), or None."""
        ...

    def articles(
        self,
        *,
        since: str | None = None,
        language: str | None = None,
        limit: int | None = None,
        order: Order = "published",
    ) -> Iterator[Article]:
        """Stored articles, newest first.

        ``order="published"`` sorts by the publication time normalised to UTC; an article without
        ``published`` sorts (and is filtered by ``since``) at the time it was first seen. A date without a
        time counts as midnight UTC of that day, a time without an offset as UTC. ``order="first_seen"``
        sorts by when the store first saw the article. ``since`` (an ISO 8601 date or datetime) keeps the
        articles whose publication time, as just defined, is at or after it, in either order. ``language``
        keeps one ISO 639-1 language. Arguments are checked when called (``QueryError``); the rows are read
        lazily, in pages, so articles stored during the iteration may or may not appear.
        """
        ...

    def events(self, query: EventQuery) -> Iterator[StoredEvent]:
        """Events of stored articles that match ``query``, oldest first (by event date, then article)."""
        ...

    def search(self, query: str, *, limit: int = 20, language: str | None = None) -> list[SearchHit]:
        """Full-text search over title and text, best first.

        The query is plain words, all of which must occur (in any order; case and diacritics ignored);
        punctuation and search-engine syntax are taken as separators, never as operators. A query without
        any letter or digit raises ``QueryError``.
        """
        ...

    def raw(self, sha256: str) -> RawInput | None:
        """The raw input with this SHA-256 (hex), or None."""
        ...

    def raw_hashes(self) -> Iterator[str]:
        """The SHA-256 of every raw input some stored article currently comes from, in storage order."""
        ...

    def raw_for(self, article_id: str) -> RawInput | None:
        """The raw input the stored article was last stored from (to reprocess it), or None."""
        ...

    def count(self) -> int:
        """The number of stored articles."""
        ...

    # --- linking (see docs/linking.md, "In the store") ---

    def unlinked(self, article_ids: Sequence[str]) -> list[str]:
        """Those of ``article_ids`` that are stored and not linked in their current version (no
        fingerprint, or one of an older content hash), in the order given."""
        ...

    def link_candidates(
        self, keys: Sequence[str], *, exclude: str, evidence: int, min_shared: int, per_key: int, limit: int
    ) -> list[str]:
        """Ids of linked articles indexed under any of ``keys`` (the newest ``per_key`` of each key), those
        sharing the most keys first, at most ``limit``; ``exclude`` (the article itself) left out.

        An article found under a band key (``b…``) is always a candidate; one found only under
        ``day|actor`` evidence keys must share at least ``min(min_shared, evidence, its own evidence)``
        of them (``evidence``: the distinct actor ids of the asking article) — a symmetric rule, so the
        result does not depend on which of two articles arrived first."""
        ...

    def link_data(self, article_ids: Sequence[str]) -> list[tuple[Article, dict[str, Any]]]:
        """Link views of the records of those ``article_ids`` that have a stored fingerprint, with that
        fingerprint (JSON data). A link view holds id, url, source, title, language, published and
        translations — all that scoring reads besides the fingerprint; a backend may return more."""
        ...

    def link_fingerprints(self, article_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored fingerprints (JSON data) of those ``article_ids`` that have one, by article id."""
        ...

    def put_links(self, update: LinkUpdate, build: StoryBuilder, *, max_component: int) -> list[str]:
        """In one transaction: replace the article's fingerprint, keys and links, then rebuild the stories
        of the connected components it touches (before and after; at most ``max_component`` articles)
        with ``build``. Returns the ids of the stories written."""
        ...

    def stories(
        self, *, since: str | None = None, language: str | None = None, limit: int | None = None
    ) -> Iterator[StoredStory]:
        """Stored stories, newest first (by their earliest article); ``since`` keeps stories first seen at
        or after it, ``language`` those with an article in that language."""
        ...

    def story_of(self, article_id: str) -> StoredStory | None:
        """The story the article belongs to, or None (not stored, or not linked yet)."""
        ...

    def story(self, story_id: str) -> StoredStory | None:
        """The story with this id. A story id is ``s-`` + the id of its earliest article, so an id that
        is no longer stored (its story merged into an earlier one, or split) leads to the story holding
        that article now; None when there is none."""
        ...

    def story_ids(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The story id of each of ``article_ids`` that is in a story."""
        ...

    def links_of(self, article_id: str) -> list[tuple[str, str, float]]:
        """The article's links: (other article id, kind, score), best score first."""
        ...

    def related_of(self, article_id: str, *, limit: int = 50) -> list[tuple[str, float]]:
        """Articles related to this one, from either side of a related row: (other article id, score),
        best first (ties by id), at most ``limit``."""
        ...

    # --- the feed, pages and API (see newswatch.store.queries) ---

    def list_articles(
        self, query: ArticleQuery, *, cursor: str | None = None, limit: int = 50
    ) -> Page[ArticleSummary]:
        """Articles matching ``query``, newest ``published`` first (undated last; the same time: the one
        stored last first); one page of at most ``limit`` after ``cursor``. A malformed cursor or filter
        is a ``QueryError``."""
        ...

    def search_articles(
        self, text: str, query: ArticleQuery, *, cursor: str | None = None, limit: int = 20
    ) -> Page[ArticleSummary]:
        """Full-text search over title and text that also finds inflected forms (the words' lemmas, in
        English, Armenian and Russian), with the filters of ``query``; best match first, each with its
        snippet and rank. A query with nothing to search for is a ``QueryError`` (a friendly message)."""
        ...

    def event_counts(
        self, actor: str, other: str | None = None, *, since: str | None = None, until: str | None = None
    ) -> list[DayCount]:
        """Events per day and type involving ``actor`` (with ``other``: between the two, either way),
        negated ones left out, each counted once per story (its reports in the story's versions, copies
        and other sources' articles are one event), sorted by day then type."""
        ...

    def quotes_by(self, actor: str, *, limit: int = 20) -> list[QuoteHit]:
        """The latest quotes whose speaker is ``actor``, newest article first."""
        ...

    def sources(self) -> list[SourceInfo]:
        """Every source with its number of articles and latest article, most articles first."""
        ...

    # --- live sources (see docs/sources.md; records in newswatch.store.live) ---

    def add_source(
        self,
        url: str,
        *,
        name: str | None = None,
        language: str | None = None,
        interval: int | None = None,
        site: str | None = None,
    ) -> Source:
        """Add a source to poll, due at once. ``interval`` (seconds, at least 30) defaults to the setting
        ``poll.interval``; ``site`` is the page its feed was found on. A url already added is a
        ``QueryError`` ("already a source: …")."""
        ...

    def remove_source(self, key: str) -> Source | None:
        """Remove the source with this id (digits) or url; the removed source, or None when there is none."""
        ...

    def list_sources(self) -> list[Source]:
        """Every source, in the order they were added."""
        ...

    def get_source(self, source_id: int) -> Source | None:
        """The source with this id, or None."""
        ...

    def due_sources(self, now: datetime, limit: int) -> list[Source]:
        """At most ``limit`` sources whose next poll is at or before ``now``, the longest due first."""
        ...

    def record_poll(self, source_id: int, result: PollResult) -> Source:
        """Store how a poll went and when to poll next (``result.next_poll``, as the poller computed it).

        An error counts one more failure in a row and keeps the validators; a success clears the error and
        the count, and stores the answer's ``ETag``/``Last-Modified`` (a 304 keeps the old ones unless it
        sends new ones). ``last_new`` is set when the poll found new or updated articles. An unknown id is a
        ``QueryError``."""
        ...

    # --- watches (see docs/watches.md; records in newswatch.store.live) ---

    def add_watch(
        self,
        name: str,
        query: ArticleQuery,
        *,
        pair: tuple[str, str] | None = None,
        keyword: str | None = None,
        webhook: str | None = None,
    ) -> Watch:
        """Save a watch: ``query``'s language, source, actor and event type (no since/until), an actor
        ``pair``, a ``keyword``. At least one filter is needed and names are unique (``QueryError``).
        Matches are not looked for here (:func:`newswatch.alerts.create_watch` does it)."""
        ...

    def remove_watch(self, key: str) -> Watch | None:
        """Remove the watch with this id (digits) or name, with its matches and deliveries; the removed
        watch, or None when there is none."""
        ...

    def find_watch(self, key: str) -> Watch | None:
        """The watch with this id (digits) or name, or None."""
        ...

    def list_watches(self) -> list[Watch]:
        """Every watch, in the order they were added."""
        ...

    def get_watch(self, watch_id: int) -> Watch | None:
        """The watch with this id, or None."""
        ...

    def record_matches(self, watch_id: int, article_ids: Sequence[str], *, deliver: bool) -> int:
        """Record that these stored articles match the watch; returns how many matches are new. Idempotent:
        a match is stored once, and only a new match of a watch with a webhook gets a delivery (pending,
        due now) when ``deliver`` is true. Unknown articles or watch: ignored."""
        ...

    def watch_articles(
        self, watch_id: int, *, cursor: str | None = None, limit: int = 50
    ) -> Page[ArticleSummary]:
        """The watch's matches, the newest match first (matched together: the one stored last first), one
        page after ``cursor``."""
        ...

    def due_deliveries(self, now: datetime, limit: int) -> list[Delivery]:
        """At most ``limit`` pending deliveries whose next attempt is at or before ``now``, soonest first."""
        ...

    def record_delivery(
        self, delivery_id: int, *, ok: bool, error: str | None, next_attempt: str | None
    ) -> None:
        """Count one attempt: ``ok`` makes it delivered; otherwise ``error`` is kept as its last error and it
        stays pending until ``next_attempt`` (a UTC text), or fails for good when that is None."""
        ...

    def deliveries(self, watch_id: int, *, limit: int = 50) -> list[Delivery]:
        """The watch's delivery log, newest first."""
        ...

    def close(self) -> None:
        """Release the database; further calls raise ``StoreError``. Closing twice is harmless."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


# --- helpers shared by the backends -------------------------------------------------------------------


def utc_text(moment: datetime) -> str:
    """A fixed-width, sortable UTC text for a time: ``2026-01-28T09:30:00.000000Z``.

    A naive datetime is taken as UTC.
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_utc_text(text: str) -> datetime:
    """The aware UTC datetime of a text written by :func:`utc_text`."""
    return datetime.fromisoformat(text.removesuffix("Z")).replace(tzinfo=UTC)


_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2}))?")


def sort_key(published: str | None) -> str | None:
    """The UTC sort text of an ISO 8601 ``published`` value, or None when there is none or it is unreadable.

    ``2026-01-28`` → midnight UTC of that day; ``2026-01-28T10:00:00+04:00`` → ``…T06:00:00…Z``; a time
    without an offset is taken as UTC; a bare year or year-month (``2026``, ``2026-01``) → its first day.
    """
    if not published:
        return None
    text = published.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        match = _PARTIAL_DATE.fullmatch(text)
        if match is None:
            return None
        try:
            moment = datetime(int(match[1]), int(match[2] or 1), 1)
        except ValueError:
            return None
    return utc_text(moment)


def parse_since(since: str | None) -> str | None:
    """The sort text of a ``since`` filter, or ``QueryError`` when it is not an ISO 8601 date or datetime."""
    if since is None:
        return None
    key = sort_key(since)
    if key is None:
        raise QueryError(f"since: not an ISO 8601 date or datetime: {since!r}")
    return key


_WORD_CHAR = re.compile(r"[^\W_]")
_CONTROLS = {code: " " for code in (*range(0x20), 0x7F)}  # NUL ends an FTS5 string: make them spaces


def query_words(query: str) -> list[str]:
    """The words of a user's search query: its whitespace-separated chunks that hold a letter or digit.

    Chunks are kept whole (``don't``, ``U.N.``, ``title:``) so that each backend can hand them to its own
    tokenizer as a quoted phrase. Raises ``QueryError`` when no chunk holds a letter or digit.
    """
    words = [chunk for chunk in query.translate(_CONTROLS).split() if _WORD_CHAR.search(chunk)]
    if not words:
        raise QueryError(f"nothing to search for in {query!r}: give at least one word")
    return words
