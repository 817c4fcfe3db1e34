"""Atom 1.0 feeds (RFC 4287) of every list view and search, so that any query can be followed in a reader.

``/feed.atom`` (the main feed, with the filters of ``/``), ``/search/feed.atom?q=…``,
``/actors/{id}/feed.atom``, ``/pairs/{a}/{b}/feed.atom`` (articles reporting an event between the two),
``/stories/{id}/feed.atom`` and ``/sources/{source}/feed.atom``. The XML is built with lxml, so news text
is escaped as text and never read as markup; characters XML cannot hold are dropped. Ids are ``tag:``
URIs that do not depend on the host the app is reached at: an entry is
``tag:newswatch,2026:article:{id}`` in every feed it appears in. Links are absolute, from the request's
base URL; the original article is linked (``rel="related"``) only when it is an http or https address.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from newswatch.errors import QueryError, StoreError
from newswatch.model import Article
from newswatch.store.base import MARK_END, MARK_START, EventQuery, Store, from_utc_text, sort_key
from newswatch.store.queries import ArticleQuery, ArticleSummary
from newswatch.understand.gazetteer import actor_info
from newswatch.web.api import public_url
from newswatch.web.filters import ListRequest, parse_list_request, query_string

__all__ = ["CONTENT_TYPE", "TAG", "entry_id", "lead_of", "routes", "xml_text"]

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
#: The tagging entity of every id (RFC 4151): stable whatever host the app is served from.
TAG = "tag:newswatch,2026:"
_EMPTY_UPDATED = "1970-01-01T00:00:00Z"  # an empty feed never changed
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
_LEAD = 300
_STORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")

# Characters XML 1.0 cannot carry (C0 controls but tab and newlines, surrogates, U+FFFE/U+FFFF) and the
# search marks: dropped from every text written.
_CONTROLS = [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]
_NOT_XML = dict.fromkeys([*_CONTROLS, *range(0xD800, 0xE000), 0xFFFE, 0xFFFF, ord(MARK_START), ord(MARK_END)])


def xml_text(text: str | None) -> str:
    """``text`` with the characters XML 1.0 cannot hold removed."""
    return (text or "").translate(_NOT_XML)


def entry_id(article_id: str) -> str:
    """The id of an article's entry: the same in every feed, on every host."""
    return f"{TAG}article:{article_id}"


def lead_of(text: str, size: int = _LEAD) -> str:
    """The first ``size`` characters of ``text``, cut at a word (``…`` added when cut)."""
    flat = " ".join(text.split())
    if len(flat) <= size:
        return flat
    cut = flat[:size].rsplit(" ", 1)[0] or flat[:size]
    return cut.rstrip(",;:") + "…"


def rfc3339(value: str | None) -> str | None:
    """An ISO 8601 ``published`` as an RFC 3339 UTC time (a date alone as midnight UTC), or None."""
    key = sort_key(value)
    return None if key is None else from_utc_text(key).strftime("%Y-%m-%dT%H:%M:%SZ")


class FeedError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Feed:
    """What one feed says besides its entries: where it is, what page it mirrors, what it is called."""

    path: str  # the feed's own path, e.g. /feed.atom
    query: str  # its filters as a query string (no cursor)
    html: str  # the path and query of the matching HTML page
    title: str
    next_cursor: str | None = None


# --- building -----------------------------------------------------------------------------------------


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def _entry_updated(store: Store, item: ArticleSummary) -> str:
    stamp = rfc3339(item.published)
    if stamp is None:  # undated: when the store first saw it
        info = store.info(item.id)
        stamp = info.first_seen.strftime("%Y-%m-%dT%H:%M:%SZ") if info else _EMPTY_UPDATED
    return stamp


def render(request: Request, feed: Feed, items: Sequence[ArticleSummary]) -> bytes:
    """The feed document of ``items`` (in the order given)."""
    store: Store = request.app.state.store
    base = str(request.base_url).rstrip("/")
    updated = [_entry_updated(store, item) for item in items]
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    identity = "&".join(p for p in feed.query.split("&") if p and not p.startswith("limit="))
    _sub(root, "id", f"{TAG}feed:{feed.path}" + (f"?{identity}" if identity else ""))  # any page size
    _sub(root, "title", feed.title, type="text")
    _sub(root, "updated", max(updated, default=_EMPTY_UPDATED))
    self_url = f"{base}{feed.path}" + (f"?{feed.query}" if feed.query else "")
    _sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=f"{base}{feed.html}")
    if feed.next_cursor is not None:
        joiner = "&" if feed.query else ""
        href = f"{base}{feed.path}?{feed.query}{joiner}{urlencode({'cursor': feed.next_cursor})}"
        _sub(root, "link", rel="next", type="application/atom+xml", href=href)
    _sub(_sub(root, "author"), "name", "newswatch")
    _sub(root, "generator", "newswatch")
    for item, stamp in zip(items, updated, strict=True):
        entry = _sub(root, "entry")
        if item.language:
            entry.set(XML_LANG, xml_text(item.language))
        _sub(entry, "id", entry_id(item.id))
        title = xml_text(item.title).strip() or lead_of(xml_text(item.lead), 80) or item.id
        _sub(entry, "title", title, type="text")
        _sub(entry, "updated", stamp)
        published = rfc3339(item.published)
        if published is not None:
            _sub(entry, "published", published)
        page = f"{base}/articles/{quote(item.id, safe='')}"
        _sub(entry, "link", rel="alternate", type="text/html", href=page)
        original = public_url(item.url)
        if original is not None:
            _sub(entry, "link", rel="related", type="text/html", href=original)
        _sub(_sub(entry, "author"), "name", item.source or "unknown source")
        if item.lead:
            _sub(entry, "summary", item.lead, type="text")
        if item.story:
            _sub(entry, "category", term=item.story, label="story")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))


def _summary(store: Store, article: Article) -> ArticleSummary:
    story = store.story_of(article.id)
    return ArticleSummary(
        id=article.id,
        title=article.title,
        url=article.url,
        source=article.source,
        language=article.language,
        published=article.published,
        lead=lead_of(article.text),
        story=story.id if story else None,
    )


def _newest_first(articles: Iterable[Article]) -> list[Article]:
    found = list(articles)
    found.sort(key=lambda a: a.id, reverse=True)
    found.sort(key=lambda a: sort_key(a.published) or "", reverse=True)  # undated last
    return found


# --- feeds --------------------------------------------------------------------------------------------

FeedHandler = Callable[[Request], tuple[Feed, Sequence[ArticleSummary]]]


def _endpoint(handler: FeedHandler) -> Callable[[Request], Response]:
    @functools.wraps(handler)
    def run(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return _error(405, f"method {request.method} not allowed: use GET", {"Allow": "GET, HEAD"})
        try:
            feed, items = handler(request)
            body = render(request, feed, items)
        except FeedError as error:
            return _error(error.status, error.message)
        except QueryError as error:
            return _error(400, str(error))
        except StoreError:
            return _error(503, "the database could not answer; try again later")
        return Response(body, media_type=CONTENT_TYPE)

    return run


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    line = "error: " + " ".join(message.split())[:500] + "\n"
    return Response(line, status, headers=headers, media_type="text/plain; charset=utf-8")


def _listed(request: Request, **changes: str | None) -> ListRequest:
    params = dict(request.query_params)
    params.update({k: v for k, v in changes.items() if v is not None})
    return parse_list_request(params, search=True)


def _filters_query(listed: ListRequest, **drop: None) -> str:
    extra = {"limit": str(listed.limit)} if listed.limit != 50 else {}
    return query_string(listed, **{**extra, **drop})


def _describe(listed: ListRequest) -> str:
    query = listed.query
    parts = [
        f"{name} {value}"
        for name, value in (
            ("language", query.language),
            ("source", query.source),
            ("actor", query.actor),
            ("type", query.event_type),
            ("since", query.since),
            ("until", query.until),
        )
        if value
    ]
    return ", ".join(parts)


def _check_path(value: str, name: str) -> str:
    try:
        parse_list_request({name: value})
    except QueryError:
        raise FeedError(404, f"no {name} {value[:40]!r}") from None
    return value


def main_feed(request: Request) -> tuple[Feed, Sequence[ArticleSummary]]:
    listed = _listed(request)
    page = request.app.state.store.list_articles(listed.query, cursor=listed.cursor, limit=listed.limit)
    query = _filters_query(listed, q=None)
    described = _describe(listed)
    title = f"newswatch: {described}" if described else "newswatch"
    html = "/" + (f"?{query}" if query else "")
    return Feed("/feed.atom", query, html, title, page.next), page.items


def search_feed(request: Request) -> tuple[Feed, Sequence[ArticleSummary]]:
    listed = _listed(request)
    if listed.text is None:
        raise FeedError(400, "q: give the words to search for")
    page = request.app.state.store.search_articles(
        listed.text, listed.query, cursor=listed.cursor, limit=listed.limit
    )
    query = _filters_query(listed)
    described = _describe(listed)
    title = f"newswatch: search “{listed.text}”" + (f" ({described})" if described else "")
    return Feed("/search/feed.atom", query, f"/search?{query}", title, page.next), page.items


def actor_feed(request: Request) -> tuple[Feed, Sequence[ArticleSummary]]:
    actor = _check_path(request.path_params["id"], "actor")
    listed = _listed(request, actor=actor)
    page = request.app.state.store.list_articles(listed.query, cursor=listed.cursor, limit=listed.limit)
    unknown = not page.items and actor_info(actor) is None and listed.cursor is None
    if unknown and not request.app.state.store.list_articles(ArticleQuery(actor=actor), limit=1).items:
        raise FeedError(404, f"no actor {actor!r}")
    query = _filters_query(listed, q=None, actor=None)
    info = actor_info(actor)
    title = f"newswatch: {info.name if info else actor}"
    path = f"/actors/{quote(actor, safe='')}"
    return Feed(
        f"{path}/feed.atom", query, path + (f"?{query}" if query else ""), title, page.next
    ), page.items


def pair_feed(request: Request) -> tuple[Feed, Sequence[ArticleSummary]]:
    """Articles reporting an event between the two (either way round, their people and bodies included,
    negated events not counted), newest first; ``since`` and ``until`` are on the event's date."""
    a = _check_path(request.path_params["a"], "actor")
    b = _check_path(request.path_params["b"], "actor")
    if a == b:
        raise FeedError(400, f"a pair is two different actors, not {a!r} twice")
    listed = _listed(request)
    query = listed.query
    store: Store = request.app.state.store
    ids: dict[str, None] = {}
    for stored in store.events(EventQuery(pair=(a, b), type=query.event_type, since=query.since)):
        date = stored.event.date
        if query.until is None or (date is not None and date[:10] <= query.until[:10]):
            ids[stored.article_id] = None
    articles = [
        found
        for article_id in ids
        if (found := store.get(article_id)) is not None
        and (query.language is None or found.language == query.language)
        and (query.source is None or found.source == query.source)
    ]
    chosen = _newest_first(articles)[: listed.limit]
    kept = _filters_query(listed, q=None, actor=None)
    names = [(info.name if (info := actor_info(x)) else x) for x in (a, b)]
    path = f"/pairs/{quote(a, safe='')}/{quote(b, safe='')}"
    feed = Feed(
        f"{path}/feed.atom", kept, path + (f"?{kept}" if kept else ""), f"newswatch: {' and '.join(names)}"
    )
    return feed, [_summary(store, found) for found in chosen]


def story_feed(request: Request) -> tuple[Feed, Sequence[ArticleSummary]]:
    story_id: str = request.path_params["id"]
    if not _STORY.fullmatch(story_id):
        raise FeedError(404, f"no story {story_id[:40]!r}")
    store: Store = request.app.state.store
    story = store.story(story_id)
    if story is None:
        raise FeedError(404, f"no story {story_id!r}")
    articles = _newest_first(a for m in story.members if (a := store.get(m.id)) is not None)
    title = story.representative.title or story.id
    path = f"/stories/{quote(story.id, safe='')}"
    return Feed(f"{path}/feed.atom", "", path, f"newswatch: {title}"), [_summary(store, a) for a in articles]


def source_feed(request: Request) -> tuple[Feed, Sequence[ArticleSummary]]:
    source = _check_path(request.path_params["source"], "source")
    listed = _listed(request, source=source)
    store: Store = request.app.state.store
    page = store.list_articles(listed.query, cursor=listed.cursor, limit=listed.limit)
    if not page.items and listed.cursor is None and all(s.source != source for s in store.sources()):
        raise FeedError(404, f"no source {source!r}")
    query = _filters_query(listed, q=None, source=None)
    html = "/?" + _filters_query(listed, q=None)
    return Feed(
        f"/sources/{quote(source, safe='')}/feed.atom", query, html, f"newswatch: {source}", page.next
    ), page.items


#: Every feed: (path, handler).
FEEDS: tuple[tuple[str, FeedHandler], ...] = (
    ("/feed.atom", main_feed),
    ("/search/feed.atom", search_feed),
    ("/actors/{id}/feed.atom", actor_feed),
    ("/pairs/{a}/{b}/feed.atom", pair_feed),
    ("/stories/{id}/feed.atom", story_feed),
    ("/sources/{source}/feed.atom", source_feed),
)


def routes() -> list[BaseRoute]:
    """The feeds' routes (top level, before the pages')."""
    return [
        Route(path, _endpoint(handler), methods=_METHODS, name=f"atom-{handler.__name__}")
        for path, handler in FEEDS
    ]
