"""The records every part of newswatch speaks.

An :class:`Article` is the article record of the product guide: the CLI prints it, the store keeps it and
the API serves it. Records are frozen; a stage returns a new record with :func:`dataclasses.replace`.

:class:`RawInput` is what came in (bytes plus where they came from), before any parsing. The store keeps
its bytes content-addressed so that every article can be reprocessed when the pipeline improves.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = [
    "Actor",
    "Article",
    "Event",
    "Link",
    "Mention",
    "Precision",
    "Quote",
    "RawInput",
    "Translation",
    "article_id",
]

#: How much of ``published`` the source stated: a time, a full date, or a month and day whose year was
#: taken from the reference date (capture or fetch time).
Precision = Literal["datetime", "date", "inferred-year"]


@dataclass(frozen=True, slots=True)
class RawInput:
    """Bytes as they arrived, with where they came from.

    ``name`` is what the user typed (a path, a URL or ``-``) and is used in error messages. ``url`` is
    the address the bytes were fetched from after redirects (None for local files). ``reference_date``
    resolves year-less datelines: the file's modification time, the fetch time or ``--reference-date``.
    """

    data: bytes
    name: str
    url: str | None = None
    content_type: str | None = None
    reference_date: datetime | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True, slots=True)
class Translation:
    """Another language version of the same article."""

    language: str
    url: str | None = None
    title: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    """A "Read more" link given by the publisher, or a related story found by linking.

    ``id`` is the stored article the link leads to and ``story`` its story, when known: a related story
    is shown by its representative article; a publisher's link gets them when that page is stored too.
    """

    title: str
    url: str | None = None
    id: str | None = None
    story: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    type: Literal["country", "organization", "person", "place"]
    country: str | None = None
    role: str | None = None
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True, slots=True)
class Quote:
    speaker: str | None
    text: str
    start: int
    end: int
    direct: bool
    cue: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    type: str
    cameo: str
    source: str
    target: str | None
    date: str | None
    location: str | None
    sentence: str
    start: int
    end: int
    confidence: float
    negated: bool = False
    claimed_by: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """The article record. Field names are a public contract (see ``docs/record.md``).

    ``published`` is an ISO 8601 date or datetime exactly as precise as the source states it, or None
    when the input does not say; never the fetch time. ``guid`` is the feed item's identifier when the
    article came from a feed; it is part of the identity, not of the printed record.
    """

    id: str
    text: str
    url: str | None = None
    source: str | None = None
    title: str | None = None
    author: str | None = None
    language: str | None = None
    published: str | None = None
    published_precision: Precision | None = None
    translations: tuple[Translation, ...] = ()
    related: tuple[Link, ...] = ()
    actors: tuple[Actor, ...] = ()
    quotes: tuple[Quote, ...] = ()
    events: tuple[Event, ...] = ()
    guid: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data, in the field order of the guide."""
        data = asdict(self)
        data.pop("guid")
        for key in ("translations", "related", "actors", "quotes", "events"):
            data[key] = list(data[key])
        for actor in data["actors"]:
            actor["mentions"] = list(actor["mentions"])
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        actors = tuple(
            Actor(**{**a, "mentions": tuple(Mention(**m) for m in a.get("mentions", ()))})
            for a in data.get("actors", ())
        )
        return cls(
            id=data["id"],
            text=data["text"],
            url=data.get("url"),
            source=data.get("source"),
            title=data.get("title"),
            author=data.get("author"),
            language=data.get("language"),
            published=data.get("published"),
            published_precision=data.get("published_precision"),
            translations=tuple(Translation(**t) for t in data.get("translations", ())),
            related=tuple(Link(**r) for r in data.get("related", ())),
            actors=actors,
            quotes=tuple(Quote(**q) for q in data.get("quotes", ())),
            events=tuple(Event(**e) for e in data.get("events", ())),
            guid=data.get("guid"),
        )

    @property
    def content_hash(self) -> str:
        """A digest of everything in the record but its id: equal hashes mean nothing changed."""
        data = self.to_dict()
        data.pop("id")
        blob = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()


def article_id(
    *, url: str | None, guid: str | None, feed_url: str | None, text: str, title: str | None = None
) -> str:
    """The stable id of an article: the same identity gives the same id on every run and machine.

    Identity is, in order: the article's URL; a feed item's guid scoped by its feed; else its title and
    text, scoped by its feed when it came from one (a local capture with no address: edited text is a
    different article).
    """
    if url:
        key = "url:" + url
    elif guid:
        key = f"guid:{feed_url or ''}#{guid}"
    elif feed_url:
        key = f"item:{feed_url}#{' '.join((title or '').split())}\n{' '.join(text.split())}"
    else:
        key = "text:" + " ".join(text.split())
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
