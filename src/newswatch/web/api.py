"""The JSON API under ``/api/v1``: the store's lists and records as JSON, read-only.

Every list answers ``{"items": [...], "next": cursor-or-null, "next_url": url-or-null}``; give ``next`` back
as ``cursor`` (or follow ``next_url``) for the following page. Every error is ``{"error": "one line"}``
with 400 (a parameter that cannot be used, an unknown parameter), 404 (an unknown id or address), 405 (a
method other than GET or HEAD) or 503 (the database could not answer). The document of it all is
:mod:`newswatch.web.openapi`, served at ``/api/v1/openapi.json``; docs/web.md says the same in prose.

Articles and searches are paged by the store's own cursors. Stories and events have no cursor in the
store, so their cursor holds the position and the key of the last item given: the next page is read
from the start of the list and checked against that key (a list that changed before the position is
looked through for the key; when the key is gone, the answer is a 400 asking to start again).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from itertools import islice
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from newswatch.errors import QueryError, StoreError
from newswatch.model import Article
from newswatch.store.base import (
    MARK_END,
    MARK_START,
    EventQuery,
    Store,
    StoredEvent,
    StoredStory,
    StoryMember,
)
from newswatch.store.queries import ArticleQuery, ArticleSummary, DayCount, QuoteHit, SourceInfo
from newswatch.understand.gazetteer import actor_info
from newswatch.views import linked_record, story_detail
from newswatch.web.filters import ListRequest, parse_list_request, query_string

__all__ = ["PREFIX", "api_json", "public_url", "routes", "snippet_parts"]

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Where :func:`routes` are mounted (web/app.py).
PREFIX = "/api/v1"
#: Every method a route takes, so that the others get our JSON 405 rather than Starlette's text.
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
_EVENT_LIMIT = 100  # events listed by default (and at most, with MAX_LIMIT) per page
_RECENT = 20  # quotes and events on an actor or pair answer by default


class ApiError(Exception):
    """An answer other than 200: its status and one line for the user."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# --- JSON ---------------------------------------------------------------------------------------------

# Characters that matter to an HTML or JavaScript reader of the JSON: escaped as \uXXXX (still the same
# JSON string), so a response sniffed or pasted into a page cannot open a tag.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")


def api_json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """``data`` as UTF-8 JSON (non-ASCII kept as is; ``<``, ``>`` and ``&`` escaped)."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m[0]], text)
    return Response(text.encode("utf-8"), status, headers=dict(headers or {}), media_type="application/json")


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    return api_json({"error": " ".join(message.split())[:500]}, status, headers)


Handler = Callable[[Request], Any]


def _endpoint(handler: Handler) -> Callable[[Request], Response]:
    """A Starlette endpoint answering GET and HEAD with the handler's data as JSON and every failure
    as a one-line JSON error (never a traceback)."""

    @functools.wraps(handler)
    def run(request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return _error(405, f"method {request.method} not allowed: use GET", {"Allow": "GET, HEAD"})
        try:
            return api_json(handler(request))
        except ApiError as error:
            return _error(error.status, error.message)
        except QueryError as error:
            return _error(400, str(error))
        except StoreError:
            log.exception("store error serving %s", request.url.path)
            return _error(503, "the database could not answer; try again later")

    return run


# --- shapes -------------------------------------------------------------------------------------------


def public_url(url: str | None) -> str | None:
    """``url`` when it is an http or https address, else None: no other scheme is ever served as a link."""
    if url and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def snippet_parts(snippet: str) -> tuple[str, list[list[int]], str]:
    """A search snippet with MARK_START/MARK_END as plain text, the [start, end) offsets of its matches
    in that text, and as HTML (escaped first, then the marks as ``<mark>``); unbalanced marks (news text
    may hold the same characters) are repaired, never passed on."""
    from html import escape

    plain: list[str] = []
    html: list[str] = []
    matches: list[list[int]] = []
    length = 0
    start: int | None = None
    for part in re.split(f"([{MARK_START}{MARK_END}])", snippet):
        if part == MARK_START:
            if start is None:
                start = length
                html.append("<mark>")
        elif part == MARK_END:
            if start is not None:
                if length > start:
                    matches.append([start, length])
                start = None
                html.append("</mark>")
        elif part:
            plain.append(part)
            html.append(escape(part, quote=False))
            length += len(part)
    if start is not None:
        if length > start:
            matches.append([start, length])
        html.append("</mark>")
    return "".join(plain), matches, "".join(html)


def _summary(item: ArticleSummary) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "title": item.title,
        "url": public_url(item.url),
        "source": item.source,
        "language": item.language,
        "published": item.published,
        "lead": item.lead,
        "story": item.story,
        "api_url": f"{PREFIX}/articles/{item.id}",
        "html_url": f"/articles/{item.id}",
    }
    if item.snippet is not None:
        plain, matches, html = snippet_parts(item.snippet)
        data.update(snippet=plain, matches=matches, snippet_html=html, rank=item.rank)
    return data


def _member(member: StoryMember) -> dict[str, Any]:
    data = asdict(member)
    data["url"] = public_url(member.url)
    data.update(api_url=f"{PREFIX}/articles/{member.id}", html_url=f"/articles/{member.id}")
    return data


def _story(story: StoredStory) -> dict[str, Any]:
    return {
        "id": story.id,
        "first_seen": story.first_seen,
        "size": story.size,
        "sources": list(story.sources),
        "languages": list(story.languages),
        "representative": _member(story.representative),
        "members": [_member(m) for m in story.members],
        "api_url": f"{PREFIX}/stories/{story.id}",
        "html_url": f"/stories/{story.id}",
    }


def _event(stored: StoredEvent) -> dict[str, Any]:
    return {
        "event": asdict(stored.event),
        "article": {
            "id": stored.article_id,
            "title": stored.article_title,
            "url": public_url(stored.article_url),
            "api_url": f"{PREFIX}/articles/{stored.article_id}",
            "html_url": f"/articles/{stored.article_id}",
        },
    }


def _quote(hit: QuoteHit) -> dict[str, Any]:
    return {"quote": asdict(hit.quote), "article": _summary(hit.article)}


def _count(day: DayCount) -> dict[str, Any]:
    return {"day": day.day, "type": day.type, "count": day.count}


def _source(info: SourceInfo) -> dict[str, Any]:
    data = asdict(info)
    data["feed_url"] = f"/sources/{info.source}/feed.atom"
    return data


def served_record(article: Article) -> dict[str, Any]:
    """The article record's links other than http(s) made null (the record is served as stored)."""
    data = article.to_dict()
    data["url"] = public_url(data["url"])
    for link in (*data["translations"], *data["related"]):
        link["url"] = public_url(link["url"])
    return data


# --- parameters and pages -----------------------------------------------------------------------------


def _params(request: Request, allowed: Sequence[str]) -> dict[str, str]:
    """The query parameters, each given at most once and each one of ``allowed`` (a misspelt filter is
    an error, not a silently wider answer)."""
    params = request.query_params
    for name in params:
        if name not in allowed:
            raise ApiError(400, f"unknown parameter {name[:40]!r}; this address takes {', '.join(allowed)}")
        if len(params.getlist(name)) > 1:
            raise ApiError(400, f"{name}: given more than once")
    return dict(params)


def _path_id(request: Request, name: str, what: str) -> str:
    value: str = request.path_params[name]
    if not _ID.fullmatch(value):
        raise ApiError(404, f"no {what} {value[:40]!r}")
    return value


def _page_url(path: str, query: str, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return f"{PREFIX}{path}?{query + '&' if query else ''}cursor={cursor}"


def _listing(items: list[Any], cursor: str | None, path: str, query: str) -> dict[str, Any]:
    return {"items": items, "next": cursor, "next_url": _page_url(path, query, cursor)}


def _walk_cursor(position: int, key: str) -> str:
    blob = json.dumps([position, key], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(blob).decode("ascii").rstrip("=")


def _read_walk_cursor(cursor: str) -> tuple[int, str]:
    try:
        position, key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):
        raise ApiError(400, "cursor: not a cursor from a previous page") from None
    if not isinstance(position, int) or not isinstance(key, str) or position < 1:
        raise ApiError(400, "cursor: not a cursor from a previous page")
    return position, key


def _walk(
    read: Callable[[int | None], Iterable[T]], key: Callable[[T], str], cursor: str | None, limit: int
) -> tuple[list[T], str | None]:
    """One page of a list the store reads from its start only (``read(n)``: its first ``n`` items, all
    with None). See the module docstring."""
    start = 0
    if cursor is None:
        rows = list(read(limit + 1))
    else:
        position, last = _read_walk_cursor(cursor)
        rows = list(read(position + limit + 1))
        if len(rows) >= position and key(rows[position - 1]) == last:
            start = position
        else:  # items were added or removed before the position: find the last item given
            rows = list(read(None))
            found = next((i for i, row in enumerate(rows) if key(row) == last), None)
            if found is None:
                raise ApiError(400, "cursor: the list changed and that page's last item is gone; start again")
            start = found + 1
    page = rows[start : start + limit]
    if not page or len(rows) <= start + limit:
        return page, None
    return page, _walk_cursor(start + len(page), key(page[-1]))


def _event_key(stored: StoredEvent) -> str:
    event = stored.event
    identity = f"{stored.article_id}|{event.start}|{event.end}|{event.type}|{event.source}|{event.target}"
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def _listed(request: Request, allowed: Sequence[str], **kwargs: Any) -> ListRequest:
    return parse_list_request(_params(request, allowed), **kwargs)


def _until(stored: StoredEvent, until: str | None) -> bool:
    return until is None or (stored.event.date is not None and stored.event.date[:10] <= until[:10])


def _actor(store: Store, actor: str) -> dict[str, Any]:
    """An actor's name and kind from the gazetteer; 404 when neither it nor the store knows the id."""
    info = actor_info(actor)
    if info is None:
        mentioned = store.list_articles(ArticleQuery(actor=actor), limit=1).items
        if not mentioned and not list(store.events(EventQuery(actor=actor, limit=1))):
            raise ApiError(404, f"no actor {actor!r}")
    return {
        "id": actor,
        "name": info.name if info else None,
        "type": info.type if info else None,
        "country": info.country if info else None,
        "html_url": f"/actors/{actor}",
        "feed_url": f"/actors/{actor}/feed.atom",
    }


# --- handlers -----------------------------------------------------------------------------------------

_FILTERS = ("language", "source", "actor", "type", "since", "until", "cursor", "limit")


def articles(request: Request) -> dict[str, Any]:
    listed = _listed(request, _FILTERS)
    page = request.app.state.store.list_articles(listed.query, cursor=listed.cursor, limit=listed.limit)
    query = query_string(listed, limit=str(listed.limit) if "limit" in request.query_params else None)
    return _listing([_summary(i) for i in page.items], page.next, "/articles", query)


def article(request: Request) -> dict[str, Any]:
    _params(request, ())
    store: Store = request.app.state.store
    article_id = _path_id(request, "id", "article")
    found = store.get(article_id)
    if found is None:
        raise ApiError(404, f"no article {article_id!r}")
    record = served_record(linked_record(store, found, related=request.app.state.settings["link.related"]))
    story = store.story_of(article_id)
    record["story"] = story.id if story else None
    return record


def search(request: Request) -> dict[str, Any]:
    listed = _listed(request, ("q", *_FILTERS), default_limit=20, search=True)
    if listed.text is None:
        raise ApiError(400, "q: give the words to search for")
    page = request.app.state.store.search_articles(
        listed.text, listed.query, cursor=listed.cursor, limit=listed.limit
    )
    query = query_string(listed, limit=str(listed.limit) if "limit" in request.query_params else None)
    return _listing([_summary(i) for i in page.items], page.next, "/search", query)


def stories(request: Request) -> dict[str, Any]:
    params = _params(request, ("language", "since", "cursor", "limit"))
    listed = parse_list_request(params)
    store: Store = request.app.state.store
    query = listed.query

    def read(count: int | None) -> Iterable[StoredStory]:
        found = store.stories(since=query.since, language=query.language, limit=count)
        return islice(found, count) if count is not None else found

    page, cursor = _walk(read, lambda s: s.id, listed.cursor, listed.limit)
    kept = {k: v for k, v in params.items() if k in ("language", "since", "limit") and v.strip()}
    return _listing([_story(s) for s in page], cursor, "/stories", _encode(kept))


def story(request: Request) -> dict[str, Any]:
    _params(request, ())
    story_id = _path_id(request, "id", "story")
    detail = story_detail(request.app.state.store, story_id)
    if detail is None:
        raise ApiError(404, f"no story {story_id!r}")
    data = _story(detail.story)
    data["events"] = [
        {"event": asdict(event), "reports": [{"article": a, "index": i} for a, i in reports]}
        for event, reports in detail.events
    ]
    return data


def _pair(value: str) -> tuple[str, str]:
    a, comma, b = value.partition(",")
    a, b = a.strip(), b.strip()
    if not comma or not _ID.fullmatch(a) or not _ID.fullmatch(b):
        raise ApiError(400, f"pair: two actor ids with a comma, like ARM,AZE, not {value[:40]!r}")
    return a, b


def events(request: Request) -> dict[str, Any]:
    params = _params(request, ("actor", "pair", "type", "since", "cursor", "limit"))
    listed = parse_list_request({k: v for k, v in params.items() if k != "pair"}, default_limit=_EVENT_LIMIT)
    pair = _pair(params["pair"]) if params.get("pair", "").strip() else None
    query = EventQuery(
        actor=listed.query.actor, pair=pair, type=listed.query.event_type, since=listed.query.since
    )
    store: Store = request.app.state.store

    def read(count: int | None) -> Iterable[StoredEvent]:
        return store.events(EventQuery(query.actor, query.pair, query.type, query.since, limit=count))

    page, cursor = _walk(read, _event_key, listed.cursor, listed.limit)
    kept = {k: v for k, v in params.items() if k != "cursor" and v.strip()}
    return _listing([_event(e) for e in page], cursor, "/events", _encode(kept))


def _recent(request: Request, query: EventQuery, until: str | None, limit: int) -> list[dict[str, Any]]:
    found = [e for e in request.app.state.store.events(query) if _until(e, until)]
    return [_event(e) for e in reversed(found[-limit:])]


def actor(request: Request) -> dict[str, Any]:
    listed = _listed(request, ("since", "until", "limit"), default_limit=_RECENT)
    actor_id = _path_id(request, "id", "actor")
    store: Store = request.app.state.store
    query = listed.query
    return {
        "actor": _actor(store, actor_id),
        "since": query.since,
        "until": query.until,
        "event_counts": [
            _count(c) for c in store.event_counts(actor_id, since=query.since, until=query.until)
        ],
        "quotes": [_quote(q) for q in store.quotes_by(actor_id, limit=listed.limit)],
        "events": _recent(request, EventQuery(actor=actor_id, since=query.since), query.until, listed.limit),
    }


def pair(request: Request) -> dict[str, Any]:
    listed = _listed(request, ("since", "until", "limit"), default_limit=_RECENT)
    a, b = _path_id(request, "a", "actor"), _path_id(request, "b", "actor")
    if a == b:
        raise ApiError(400, f"a pair is two different actors, not {a!r} twice")
    store: Store = request.app.state.store
    query = listed.query
    return {
        "actors": [_actor(store, a), _actor(store, b)],
        "since": query.since,
        "until": query.until,
        "event_counts": [_count(c) for c in store.event_counts(a, b, since=query.since, until=query.until)],
        "events": _recent(request, EventQuery(pair=(a, b), since=query.since), query.until, listed.limit),
        "html_url": f"/pairs/{a}/{b}",
        "feed_url": f"/pairs/{a}/{b}/feed.atom",
    }


def sources(request: Request) -> dict[str, Any]:
    _params(request, ())
    return _listing([_source(s) for s in request.app.state.store.sources()], None, "/sources", "")


def openapi(request: Request) -> dict[str, Any]:
    from newswatch.web.openapi import document

    _params(request, ())
    return document()


def not_found(request: Request) -> dict[str, Any]:
    raise ApiError(404, f"no API address {request.url.path[:80]!r}; see {PREFIX}/openapi.json")


def _encode(params: Mapping[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(sorted(params.items()))


#: The documented routes: (path, handler), in the order of the OpenAPI document.
ENDPOINTS: tuple[tuple[str, Handler], ...] = (
    ("/articles", articles),
    ("/articles/{id}", article),
    ("/search", search),
    ("/stories", stories),
    ("/stories/{id}", story),
    ("/events", events),
    ("/actors/{id}", actor),
    ("/pairs/{a}/{b}", pair),
    ("/sources", sources),
    ("/openapi.json", openapi),
)


def routes() -> list[BaseRoute]:
    """The API's routes, to mount at :data:`PREFIX`; anything else under it is a JSON 404."""
    found: list[BaseRoute] = [
        Route(path, _endpoint(handler), methods=_ALL_METHODS, name=f"api-{handler.__name__}")
        for path, handler in ENDPOINTS
    ]
    found.append(Route("/{rest:path}", _endpoint(not_found), methods=_ALL_METHODS, name="api-not-found"))
    return found
