"""Feeds: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed 1.0/1.1 read directly.

A feed is untrusted XML. Before feedparser sees it, :func:`guard_xml` refuses any document that declares
entities in its DTD: an external entity (``SYSTEM "file:///etc/passwd"``) is never resolved, and an expansion
bomb is refused before anything is expanded. Real news feeds declare no entities, so nothing is lost.

Items repeated within one feed — the same guid, or the same link once tracking parameters are removed — are
collapsed to one, keeping the fullest content.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import feedparser

from newswatch.errors import HostileInputError, MalformedInputError
from newswatch.extract.encoding import decode
from newswatch.ingest.urls import clean_url

__all__ = ["Feed", "FeedItem", "guard_xml", "is_json_feed", "parse_feed"]

_ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
_EXTERNAL = re.compile(rb"<!ENTITY\s+%?\s*[\w.:-]+\s+(SYSTEM|PUBLIC)\b", re.IGNORECASE)
_JSON_FEED = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/version/')


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry as the feed states it; ``content`` is HTML or text, the fullest the feed carries."""

    guid: str | None
    url: str | None
    title: str | None
    author: str | None
    published: str | None
    content: str
    language: str | None


@dataclass(frozen=True, slots=True)
class Feed:
    title: str | None
    url: str | None
    language: str | None
    items: tuple[FeedItem, ...]


def guard_xml(data: bytes) -> None:
    """Refuse XML that declares entities (external or expanding) before any parser sees it.

    The whole document is scanned (a linear byte search), so padding cannot push a declaration out of view.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = decode(data).encode("utf-8")
    if not _ENTITY.search(data):
        return
    if _EXTERNAL.search(data):
        raise HostileInputError(
            "the feed declares an external XML entity; refused (entities are never resolved)"
        )
    raise HostileInputError("the feed declares XML entities (a possible expansion bomb); refused")


def is_json_feed(data: bytes) -> bool:
    return data.lstrip()[:1] == b"{" and bool(_JSON_FEED.search(data[:4096]))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _entry_content(entry: Any) -> str:
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    candidates = [*contents, entry.get("summary", ""), entry.get("description", "")]
    return max(candidates, key=len) if candidates else ""


def _entry_author(entry: Any) -> str | None:
    if entry.get("author"):
        return _text(entry["author"])
    names = [str(a["name"]) for a in entry.get("authors", []) if isinstance(a, dict) and a.get("name")]
    return _text(", ".join(names)) if names else None


def _rss_atom(data: bytes, base_url: str | None) -> Feed:
    guard_xml(data)
    parsed = feedparser.parse(data, response_headers={"content-location": base_url} if base_url else None)
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception")
        raise MalformedInputError(f"not a readable feed ({reason or 'no items'})")
    meta = parsed.get("feed", {})
    language = _text(meta.get("language"))
    items = []
    for entry in parsed.entries:
        items.append(
            FeedItem(
                guid=_text(entry.get("id")),
                url=_text(entry.get("link")),
                title=_text(entry.get("title")),
                author=_entry_author(entry),
                published=_text(entry.get("published") or entry.get("updated") or entry.get("created")),
                content=_entry_content(entry),
                language=_text(entry.get("language")) or language,
            )
        )
    title, link = _text(meta.get("title")), _text(meta.get("link"))
    return Feed(title=title, url=link, language=language, items=tuple(items))


def _json_feed(data: bytes) -> Feed:
    try:
        doc = json.loads(decode(data))
    except ValueError as exc:
        raise MalformedInputError(f"not a readable JSON Feed ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise MalformedInputError("not a readable JSON Feed (no items list)")
    language = _text(doc.get("language"))
    items = []
    for entry in doc["items"]:
        if not isinstance(entry, dict):
            continue
        authors = entry.get("authors") or ([entry["author"]] if isinstance(entry.get("author"), dict) else [])
        names = [a.get("name") for a in authors if isinstance(a, dict) and a.get("name")]
        content = entry.get("content_html") or entry.get("content_text") or entry.get("summary") or ""
        items.append(
            FeedItem(
                guid=_text(entry.get("id")),
                url=_text(entry.get("url") or entry.get("external_url")),
                title=_text(entry.get("title")),
                author=_text(", ".join(map(str, names))) if names else None,
                published=_text(entry.get("date_published") or entry.get("date_modified")),
                content=str(content),
                language=_text(entry.get("language")) or language,
            )
        )
    title, home = _text(doc.get("title")), _text(doc.get("home_page_url"))
    return Feed(title=title, url=home, language=language, items=tuple(items))


def _collapse(items: tuple[FeedItem, ...]) -> tuple[FeedItem, ...]:
    """One item per guid and per cleaned link; the fullest content wins, the first position is kept."""
    kept: list[FeedItem] = []
    index: dict[str, int] = {}
    for item in items:
        keys = [f"guid:{item.guid}"] if item.guid else []
        if item.url:
            keys.append("url:" + clean_url(item.url))
        position = next((index[k] for k in keys if k in index), None)
        if position is None:
            position = len(kept)
            kept.append(item)
        elif len(item.content) > len(kept[position].content):
            kept[position] = item
        for key in keys:
            index.setdefault(key, position)
    return tuple(kept)


def parse_feed(data: bytes, *, base_url: str | None = None) -> Feed:
    """Parse feed bytes (any encoding) into items, repeated items collapsed."""
    feed = _json_feed(data) if is_json_feed(data) else _rss_atom(data, base_url)
    return Feed(title=feed.title, url=feed.url, language=feed.language, items=_collapse(feed.items))
