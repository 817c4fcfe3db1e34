"""Finding what to poll for an address a user gives: the feed itself, or the feed a site's page links to.

:func:`feed_links` is pure: the ``<link rel="alternate" type="application/rss+xml">`` (Atom, RDF and JSON
Feed too) of an HTML page, made absolute against the page's ``<base href>`` or its own address, RSS and
Atom before JSON Feed, each group in document order. :func:`find_source` fetches the address once with the
guarded :func:`~newswatch.ingest.fetch.fetch` (every ``fetch.*`` guard applies) and says what to add: the
feed; the first feed the page links to (checked with one more fetch) with the page as its site; or the page
itself, polled as a page, when it links to none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import lxml.html
from lxml import etree

from newswatch.errors import BlockedURLError, FetchError, InputError, MalformedInputError, QueryError
from newswatch.extract.encoding import decode
from newswatch.ingest.feeds import parse_feed
from newswatch.ingest.fetch import fetch
from newswatch.ingest.inputs import Fetcher, check_content
from newswatch.ingest.urls import clean_url, http_url
from newswatch.model import RawInput
from newswatch.pipeline import sniff
from newswatch.settings import Settings

__all__ = ["FeedLink", "Found", "feed_links", "find_source", "parse_interval", "resolve_source"]

#: Feed types a page may link to, the preferred first (RSS and Atom are what every reader polls).
_FEED_TYPES = {
    "application/rss+xml": 0,
    "application/atom+xml": 0,
    "application/rdf+xml": 0,
    "application/feed+json": 1,
    "application/json": 2,
}

_INTERVAL = re.compile(r"(\d{1,9})\s*([smhd]?)")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_INTERVAL = 30

FoundKind = Literal["feed", "discovered", "page"]


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a page links to."""

    url: str
    type: str
    title: str | None


@dataclass(frozen=True, slots=True)
class Found:
    """What to poll for an address: ``kind`` is ``feed`` (the address is a feed), ``discovered`` (the feed
    the page at ``site`` links to) or ``page`` (a page that links to no feed, polled itself)."""

    kind: FoundKind
    url: str
    site: str | None
    title: str | None


def _norm(text: str | None) -> str | None:
    value = " ".join((text or "").split())
    return value or None


def _tree(html: str) -> Any:
    try:
        cleaned = re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1)
        return lxml.html.document_fromstring(cleaned or "<html></html>")
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html></html>")


def _base(tree: Any, url: str | None) -> str | None:
    for base in tree.xpath("//base[@href]"):
        return http_url(base.get("href"), url) or url
    return url


def feed_links(html: str, url: str | None = None) -> list[FeedLink]:
    """The feeds the page links to, preferred first; relative addresses resolved, non-http(s) ones dropped."""
    tree = _tree(html)
    base = _base(tree, url)
    found: list[tuple[int, int, FeedLink]] = []
    seen: set[str] = set()
    for position, link in enumerate(tree.xpath("//link[@rel][@href][@type]")):
        if "alternate" not in str(link.get("rel", "")).lower().split():
            continue
        kind = str(link.get("type", "")).split(";")[0].strip().lower()
        href = http_url(link.get("href"), base)
        target = clean_url(href) if href else None
        if kind not in _FEED_TYPES or target is None or target in seen:
            continue
        seen.add(target)
        found.append((_FEED_TYPES[kind], position, FeedLink(target, kind, _norm(link.get("title")))))
    return [link for _, _, link in sorted(found, key=lambda item: item[:2])]


def _page_title(html: str) -> str | None:
    titles = _tree(html).xpath("//title")
    return _norm(titles[0].text_content()) if titles else None


def _feed_title(raw: RawInput) -> str | None:
    return _norm(parse_feed(raw.data, base_url=raw.url).title)


def _address(raw: RawInput, given: str) -> str:
    return clean_url(raw.url or given) or given


def find_source(url: str, settings: Settings, *, fetcher: Fetcher = fetch) -> Found:
    """What to poll for ``url``: fetched once (twice when its page links to a feed) within the fetch guards.

    Raises :class:`~newswatch.errors.FetchError` (refused, unreachable, an HTTP error) or
    :class:`~newswatch.errors.InputError` (empty, binary, not a feed or a page, a hostile or broken feed).
    """
    raw = fetcher(url, settings)
    check_content(raw)
    kind = sniff(raw.data, raw.content_type)
    address = _address(raw, url)
    if kind == "feed":
        return Found("feed", address, None, _feed_title(raw))
    if kind != "html":
        raise MalformedInputError("neither a feed nor a web page")
    html = decode(raw.data, raw.content_type)
    links = feed_links(html, raw.url or url)
    if not links:
        return Found("page", address, None, _page_title(html))
    feed_url = links[0].url
    try:
        feed_raw = fetcher(feed_url, settings)
        check_content(feed_raw)
        if sniff(feed_raw.data, feed_raw.content_type) != "feed":
            raise MalformedInputError("not a feed")
        title = _feed_title(feed_raw)
    except (InputError, FetchError) as exc:
        raise type(exc)(f"the feed the page links to, {feed_url}: {exc}") from None
    return Found("discovered", _address(feed_raw, feed_url), address, title or links[0].title)


def parse_interval(value: str | int) -> int:
    """Seconds between polls from ``900``, ``"900"``, ``"15m"``, ``"2h"`` or ``"1d"``; at least 30 seconds,
    else :class:`~newswatch.errors.QueryError`."""
    seconds = 0
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str):
        match = _INTERVAL.fullmatch(value.strip().lower())
        seconds = int(match[1]) * _UNITS[match[2]] if match else 0
    if seconds < MIN_INTERVAL:
        raise QueryError(f"{value!r} is not an interval of at least {MIN_INTERVAL} seconds (900, 15m, 2h)")
    return seconds


def resolve_source(url: str, settings: Settings, *, check: bool = True) -> Found:
    """What to add for an address a user gives: only http(s) addresses; with ``check``, what
    :func:`find_source` finds, else the address itself taken as a feed. Errors name the address."""
    address = clean_url(url) if http_url(url) else None
    if address is None:
        raise BlockedURLError(f"{url!r} is not an http or https address")
    if not check:
        return Found("feed", address, None, None)
    try:
        return find_source(address, settings)
    except (InputError, FetchError) as exc:
        raise type(exc)(f"{address}: {exc}") from None
