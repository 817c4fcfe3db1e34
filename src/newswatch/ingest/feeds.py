"""Feeds: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed 1.0/1.1 read directly.

A feed is untrusted XML. Before feedparser sees it, :func:`guard_xml` refuses any document that declares
entities in its DTD: an external entity (``SYSTEM "file:///etc/passwd"``) is never resolved, and an expansion
bomb is refused before anything is expanded. Real news feeds declare no entities, so nothing is lost.

Items repeated within one feed — the same guid, or the same link once tracking parameters are removed — are
collapsed to one, keeping the fullest content.

An item's link is made absolute against the address the feed was read from, else the feed's own link, and is
kept only when it is an http(s) address: ``javascript:`` and other schemes, or a malformed address, give no
link. JSON Feed fields are read only when they have the type the format gives them (a string; an ``id`` may be
a number): a list where a URL belongs, or a number where HTML belongs, is ignored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import feedparser

from newswatch.errors import HostileInputError, MalformedInputError
from newswatch.extract.encoding import decode, strip_controls, utf16_without_bom
from newswatch.ingest.urls import clean_url, http_url

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
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(data[:8192]):
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
    text = " ".join(strip_controls(str(value)).split())
    return text or None


def _string(value: Any) -> str | None:
    """A JSON Feed field that must be a string: the text, or None for anything else."""
    return _text(value) if isinstance(value, str) else None


def _id(value: Any) -> str | None:
    """A JSON Feed ``id``: a string, or a number read as one (as the format asks readers to)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _string(value)


def _base(base_url: str | None, feed_link: str | None) -> str | None:
    """What relative item links resolve against: where the feed was read from, else the feed's own link."""
    return http_url(base_url) or feed_link


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
    # The bytes are known to be XML (sniffed): say so, or feedparser flags a header-less body as "no
    # Content-type specified" and an empty but valid feed would read as broken.
    headers = {"content-type": "application/xml"}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(data, response_headers=headers)
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        reason = parsed.get("bozo_exception")
        raise MalformedInputError(f"not a readable feed ({reason or 'no items'})")
    meta = parsed.get("feed", {})
    language = _text(meta.get("language"))
    link = http_url(_text(meta.get("link")), base_url)
    base = _base(base_url, link)
    items = []
    for entry in parsed.entries:
        items.append(
            FeedItem(
                guid=_text(entry.get("id")),
                url=http_url(_text(entry.get("link")), base),
                title=_text(entry.get("title")),
                author=_entry_author(entry),
                published=_text(entry.get("published") or entry.get("updated") or entry.get("created")),
                content=strip_controls(_entry_content(entry)),
                language=_text(entry.get("language")) or language,
            )
        )
    return Feed(title=_text(meta.get("title")), url=link, language=language, items=tuple(items))


def _first_string(entry: dict[str, Any], *keys: str) -> str | None:
    """The first of ``keys`` whose value is a non-empty string (other types are ignored)."""
    return next((entry[k] for k in keys if isinstance(entry.get(k), str) and entry[k].strip()), None)


def _json_item(entry: dict[str, Any], base: str | None, language: str | None) -> FeedItem:
    authors = entry.get("authors")
    if not isinstance(authors, list) or not authors:  # JSON Feed 1.0 had one "author"
        authors = [entry["author"]] if isinstance(entry.get("author"), dict) else []
    names = [name for name in (_string(a.get("name")) for a in authors if isinstance(a, dict)) if name]
    links = (http_url(_string(entry.get(key)), base) for key in ("url", "external_url"))
    return FeedItem(
        guid=_id(entry.get("id")),
        url=next((link for link in links if link), None),
        title=_string(entry.get("title")),
        author=", ".join(names) or None,
        published=_text(_first_string(entry, "date_published", "date_modified")),
        content=strip_controls(_first_string(entry, "content_html", "content_text", "summary") or ""),
        language=_string(entry.get("language")) or language,
    )


def _json_feed(data: bytes, base_url: str | None) -> Feed:
    try:
        doc = json.loads(decode(data))
    except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than Python can follow
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise MalformedInputError(f"not a readable JSON Feed ({reason})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise MalformedInputError("not a readable JSON Feed (no items list)")
    language = _string(doc.get("language"))
    home = http_url(_string(doc.get("home_page_url")), base_url)
    base = _base(base_url, home)
    items = [_json_item(entry, base, language) for entry in doc["items"] if isinstance(entry, dict)]
    return Feed(title=_string(doc.get("title")), url=home, language=language, items=tuple(items))


def _collapse(items: tuple[FeedItem, ...]) -> tuple[FeedItem, ...]:
    """One item per guid and per cleaned link; the fullest content wins, the first position is kept."""
    kept: list[FeedItem] = []
    index: dict[str, int] = {}
    for item in items:
        keys = [f"guid:{item.guid}"] if item.guid else []
        url = clean_url(item.url) if item.url else None
        if url:
            keys.append("url:" + url)
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
    feed = _json_feed(data, base_url) if is_json_feed(data) else _rss_atom(data, base_url)
    return Feed(title=feed.title, url=feed.url, language=feed.language, items=_collapse(feed.items))
