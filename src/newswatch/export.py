"""Exports of stored articles: JSON Lines (the full record) and CSV (one flat row per article)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from newswatch.link.events import Report
from newswatch.model import Article, Event
from newswatch.store.base import StoredEvent

if TYPE_CHECKING:
    from newswatch.views import StoryDetail

__all__ = [
    "CSV_COLUMNS",
    "EVENT_COLUMNS",
    "STORY_COLUMNS",
    "ActorLabel",
    "Labeler",
    "write_csv",
    "write_events",
    "write_jsonl",
    "write_stories",
]

CSV_COLUMNS = (
    "id", "published", "published_precision", "language", "source", "url", "title", "author",
    "translations", "related", "text",
)  # fmt: skip


def write_jsonl(articles: Iterable[Article], out: TextIO) -> int:
    """One article record per line; returns how many were written."""
    count = 0
    for article in articles:
        out.write(article.to_json() + "\n")
        count += 1
    return count


def write_csv(articles: Iterable[Article], out: TextIO) -> int:
    """A header and one row per article.

    Translations are ``lang url`` pairs and related titles, both joined by `` | ``.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for article in articles:
        writer.writerow(
            [
                article.id,
                article.published or "",
                article.published_precision or "",
                article.language or "",
                article.source or "",
                article.url or "",
                article.title or "",
                article.author or "",
                " | ".join(f"{t.language} {t.url or ''}".strip() for t in article.translations),
                " | ".join(link.title for link in article.related),
                article.text,
            ]
        )
        count += 1
    return count


EVENT_COLUMNS = (
    "date", "source_id", "source_name", "source_country", "target_id", "target_name", "target_country",
    "type", "cameo", "negated", "claimed_by", "location", "confidence", "article_id", "article_url",
    "sentence",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ActorLabel:
    """How an actor id is shown in an export: its name and its country (affiliation)."""

    name: str
    country: str | None


Labeler = Callable[[str | None, str], ActorLabel | None]


def _event_row(stored: StoredEvent, label: Labeler) -> dict[str, object]:
    event = stored.event
    source, target = label(event.source, stored.article_id), label(event.target, stored.article_id)
    return {
        "date": event.date or "",
        "source_id": event.source or "",
        "source_name": source.name if source else "",
        "source_country": (source.country or "") if source else "",
        "target_id": event.target or "",
        "target_name": target.name if target else "",
        "target_country": (target.country or "") if target else "",
        "type": event.type,
        "cameo": event.cameo,
        "negated": event.negated,
        "claimed_by": event.claimed_by or "",
        "location": event.location or "",
        "confidence": event.confidence,
        "article_id": stored.article_id,
        "article_url": stored.article_url or "",
        "sentence": event.sentence,
    }


def write_events(
    events: Iterable[StoredEvent],
    out: TextIO,
    *,
    fmt: str,
    label: Labeler,
) -> int:
    """Events as GDELT-like rows: CSV with :data:`EVENT_COLUMNS`, or JSON Lines with the same keys."""
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=EVENT_COLUMNS, lineterminator="\n")
        writer.writeheader()
    count = 0
    for stored in events:
        row = _event_row(stored, label)
        if writer is not None:
            writer.writerow(row)
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


STORY_COLUMNS = (
    "id", "first_seen", "title", "url", "size", "sources", "languages", "articles", "events",
)  # fmt: skip


def _story_event(event: Event, reports: Sequence[Report]) -> dict[str, object]:
    return {
        "type": event.type,
        "cameo": event.cameo,
        "source": event.source,
        "target": event.target,
        "date": event.date,
        "location": event.location,
        "negated": event.negated,
        "sentence": event.sentence,
        "confidence": event.confidence,
        "reports": len(reports),
        "mentions": [{"article": article_id, "event": index} for article_id, index in reports],
    }


def write_stories(stories: Iterable[StoryDetail], out: TextIO, *, fmt: str) -> int:
    """One row per story: its id, first-seen time, the representative article's title and address, its
    size, sources and languages, and its events counted once. CSV (:data:`STORY_COLUMNS`, lists joined by
    ``" | "``, ``articles`` the member ids, ``events`` how many distinct events) or JSON Lines (lists as
    lists; ``articles`` as objects with the member's ``id``, ``title``, ``url``, ``language``, ``source``
    and ``published``; ``events`` as objects with the event's fields, the number of ``reports`` and their
    ``mentions``: the article id and the index of the event in that article's ``events``)."""
    writer = None
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(STORY_COLUMNS)
    count = 0
    for detail in stories:
        story = detail.story
        rep = story.representative
        if writer is not None:
            writer.writerow(
                [
                    story.id,
                    story.first_seen or "",
                    rep.title or "",
                    rep.url or "",
                    story.size,
                    " | ".join(story.sources),
                    " | ".join(story.languages),
                    " | ".join(m.id for m in story.members),
                    len(detail.events),
                ]
            )
        else:
            row = {
                "id": story.id,
                "first_seen": story.first_seen,
                "title": rep.title,
                "url": rep.url,
                "representative": rep.id,
                "size": story.size,
                "sources": list(story.sources),
                "languages": list(story.languages),
                "articles": [
                    {
                        "id": m.id,
                        "title": m.title,
                        "url": m.url,
                        "language": m.language,
                        "source": m.source,
                        "published": m.published,
                    }
                    for m in story.members
                ],
                "events": [_story_event(event, reports) for event, reports in detail.events],
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
