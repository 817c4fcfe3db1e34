"""The server-rendered pages: feed, article, story, search, actor, actor pair and sources.

Each handler reads the request (filters through :mod:`newswatch.web.filters`), asks the store or
:mod:`newswatch.views`, and renders one template of ``web/templates`` in the reader's interface language
(:mod:`newswatch.web.i18n`). News text is untrusted: templates autoescape everything, and the only
markup built here (the highlighted article text, search snippets) is made of escaped pieces.
A filter that cannot be used is a 400 page with the message and the form; an unknown article or story a
404 page; never a traceback.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from newswatch.errors import QueryError
from newswatch.model import Article, Event
from newswatch.store.base import EventQuery, Store, StoredEvent, StoredStory, sort_key
from newswatch.store.queries import ArticleSummary
from newswatch.views import VERSION_KINDS, linked_record, story_detail
from newswatch.web.chart import ChartLabels, event_chart
from newswatch.web.filters import FILTER_NAMES, ListRequest, parse_list_request, query_string
from newswatch.web.i18n import UI_LANGUAGES, Ui, choose_language, ui
from newswatch.web.markup import Span, highlight, safe_url, snippet_html

__all__ = ["error_page", "routes"]

PAGE_SIZE = 30
SEARCH_SIZE = 20
RELATED_IN_FEED = 3
CHART_DAYS = 30
EVENTS_SHOWN = 100
_COOKIE_AGE = 365 * 24 * 3600


# --- rendering ------------------------------------------------------------------------------------


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("newswatch.web", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["path"] = lambda value: quote(str(value), safe="")
    env.filters["safe_url"] = safe_url
    env.globals["family"] = _family
    return env


def _ui_of(request: Request) -> Ui:
    return ui(
        choose_language(
            request.query_params.get("ui"), request.cookies.get("ui"), request.headers.get("accept-language")
        )
    )


def _ui_links(request: Request) -> list[tuple[str, str, str, bool]]:
    """(code, name, href, current) of every interface language: this page with ``ui=code``."""
    current = _ui_of(request).code
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "ui"]
    return [
        (code, ui(code).name, "?" + urlencode([*params, ("ui", code)]), code == current)
        for code in UI_LANGUAGES
    ]


def _render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    lang = _ui_of(request)
    html = (
        _environment()
        .get_template(template)
        .render(ui=lang, t=lang.t, ui_links=_ui_links(request), atom=context.pop("atom", None), **context)
    )
    response = HTMLResponse(html, status_code=status)
    asked = request.query_params.get("ui")
    if asked and asked.lower() in UI_LANGUAGES:
        response.set_cookie("ui", asked.lower(), max_age=_COOKIE_AGE, httponly=True, samesite="lax")
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def error_page(request: Request, status: int, message: str, *, title_key: str | None = None) -> HTMLResponse:
    """The friendly error page (also for the app's own 404 and 500 handlers)."""
    key = title_key or {404: "not_found", 400: "bad_request"}.get(status, "error_title")
    return _render(request, "error.html", status=status, title_key=key, message=message)


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _form(request: Request) -> dict[str, str]:
    """The filter form's values as the reader typed them."""
    return {name: request.query_params.get(name, "") for name in (*FILTER_NAMES, "q")}


def _family(event_type: str) -> str:
    from newswatch.understand.event_lexicon import event_types

    info = event_types().get(event_type)
    return info.family if info else ""


def _event_type_names() -> list[str]:
    from newswatch.understand.event_lexicon import event_types

    return sorted(event_types())


# --- feed and search ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Version:
    language: str | None
    id: str
    title: str | None


@dataclass(frozen=True, slots=True)
class _Related:
    title: str
    id: str
    story: str


@dataclass(frozen=True, slots=True)
class _Item:
    summary: ArticleSummary
    versions: tuple[_Version, ...]
    related: tuple[_Related, ...]
    snippet: Markup | None = None
    also: tuple[ArticleSummary, ...] = ()  # other articles of its story on this page (folded into it)


class _Stories:
    """Stories read once per request."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.cache: dict[str, StoredStory | None] = {}

    def get(self, story_id: str | None) -> StoredStory | None:
        if story_id is None:
            return None
        if story_id not in self.cache:
            self.cache[story_id] = self.store.story(story_id)
        return self.cache[story_id]


def _version_ids(store: Store, article_id: str) -> list[str]:
    """The article's versions: explicit and translation links, followed two steps."""
    seen, frontier, found = {article_id}, [article_id], []
    for _step in range(2):
        following = []
        for current in frontier:
            for other, kind, _score in store.links_of(current):
                if kind in VERSION_KINDS and other not in seen:
                    seen.add(other)
                    following.append(other)
        found += following
        frontier = following
    return found


def _items(store: Store, summaries: Sequence[ArticleSummary], *, search: bool = False) -> list[_Item]:
    stories = _Stories(store)
    related_ids = {s.id: [other for other, _ in store.related_of(s.id, limit=10)] for s in summaries}
    story_of = store.story_ids(sorted({i for ids in related_ids.values() for i in ids}))
    items = []
    for summary in summaries:
        own = stories.get(summary.story)
        members = {m.id: m for m in own.members} if own else {}
        versions = []
        for other in _version_ids(store, summary.id):
            member = members.get(other)
            if member is not None and member.language != summary.language:
                versions.append(_Version(member.language, member.id, member.title))
        versions.sort(key=lambda v: v.language or "")
        related: list[_Related] = []
        shown = {summary.story}
        for other in related_ids[summary.id]:
            story_id = story_of.get(other)
            if story_id is None or story_id in shown or len(related) >= RELATED_IN_FEED:
                continue
            shown.add(story_id)
            found = stories.get(story_id)
            if found is not None:
                rep = found.representative
                related.append(_Related(rep.title or rep.url or rep.id, rep.id, found.id))
        snippet = snippet_html(summary.snippet) if search and summary.snippet else None
        items.append(_Item(summary, tuple(versions), tuple(related), snippet))
    return items


def _fold(items: Sequence[_Item], language: str) -> list[_Item]:
    """Each story once per page: its articles on the page become one item, at the place of its newest,
    showing the version in the reader's interface language when the page has it, the others listed as
    "also" (the story's other versions and other sources' reports)."""
    groups: dict[str, list[_Item]] = {}
    order: list[str] = []
    for item in items:
        key = item.summary.story or "a-" + item.summary.id
        if key not in groups:
            order.append(key)
        groups.setdefault(key, []).append(item)
    folded = []
    for key in order:
        group = groups[key]
        main = next((i for i in group if i.summary.language == language), group[0])
        others = tuple(i.summary for i in group if i is not main)
        folded.append(replace(main, also=others))
    return folded


def _day_groups(items: Sequence[_Item]) -> list[tuple[str | None, list[_Item]]]:
    """Items under their publication day (as the source states it), in the order given."""
    groups: list[tuple[str | None, list[_Item]]] = []
    for item in items:
        published = item.summary.published
        day = published[:10] if published and sort_key(published) else None
        if groups and groups[-1][0] == day:
            groups[-1][1].append(item)
        else:
            groups.append((day, [item]))
    return groups


def feed(request: Request) -> Response:
    store = _store(request)
    try:
        wanted = parse_list_request(request.query_params, default_limit=PAGE_SIZE)
        page = store.list_articles(wanted.query, cursor=wanted.cursor, limit=wanted.limit)
    except QueryError as exc:
        return _list_page(request, "feed.html", None, [], None, error=str(exc))
    items = _fold(_items(store, page.items), _ui_of(request).code)
    return _list_page(request, "feed.html", wanted, items, page.next)


def _list_page(
    request: Request,
    template: str,
    wanted: ListRequest | None,
    items: list[_Item],
    next_cursor: str | None,
    *,
    error: str | None = None,
    atom_path: str = "/feed.atom",
) -> HTMLResponse:
    older = None
    if wanted is not None and next_cursor:
        changes: dict[str, str | None] = {"cursor": next_cursor}
        if wanted.limit not in (PAGE_SIZE, SEARCH_SIZE):
            changes["limit"] = str(wanted.limit)
        older = "?" + query_string(wanted, **changes)
    atom = None
    if wanted is not None:
        filters = query_string(wanted)
        atom = atom_path + ("?" + filters if filters else "")
    return _render(
        request,
        template,
        status=400 if error else 200,
        groups=_day_groups(items),
        items=items,
        older=older,
        newest=bool(wanted and wanted.cursor),
        error=error,
        form=_form(request),
        event_types=_event_type_names(),
        atom=atom,
    )


def search(request: Request) -> Response:
    store = _store(request)
    try:
        wanted = parse_list_request(request.query_params, default_limit=SEARCH_SIZE, search=True)
        if wanted.text is None:
            return _list_page(request, "search.html", None, [], None)
        page = store.search_articles(wanted.text, wanted.query, cursor=wanted.cursor, limit=wanted.limit)
    except QueryError as exc:
        return _list_page(request, "search.html", None, [], None, error=str(exc))
    items = _items(store, page.items, search=True)
    return _list_page(request, "search.html", wanted, items, page.next, atom_path="/search/feed.atom")


# --- article and story ----------------------------------------------------------------------------


def _actor_names(article: Article) -> dict[str, str]:
    return {actor.id: actor.name for actor in article.actors}


def _name(names: Mapping[str, str], actor_id: str | None) -> str:
    if not actor_id:
        return ""
    if actor_id in names:
        return names[actor_id]
    from newswatch.understand.gazetteer import actor_info

    info = actor_info(actor_id)
    return info.name if info else actor_id


def _spans(article: Article, lang: Ui) -> list[Span]:
    names = _actor_names(article)
    spans = []
    for actor in article.actors:
        note = lang.t("actor_title", name=actor.name, kind=lang.actor_type(actor.type))
        if actor.role:
            note += f", {actor.role}"
        spans += [Span(m.start, m.end, "actor", note) for m in actor.mentions]
    for quote_ in article.quotes:
        note = (
            lang.t("quote_title", speaker=_name(names, quote_.speaker))
            if quote_.speaker
            else lang.t("quote_title_unknown")
        )
        spans.append(Span(quote_.start, quote_.end, "quote", note))
    for event in article.events:
        spans.append(Span(event.start, event.end, "event", _event_note(event, names, lang)))
    return spans


def _event_note(event: Event, names: Mapping[str, str], lang: Ui) -> str:
    note = lang.t(
        "event_title",
        source=_name(names, event.source),
        type=lang.event_type(event.type),
        target=_name(names, event.target) or lang.t("nobody"),
    )
    if event.negated:
        note += f" ({lang.t('negated')})"
    if event.claimed_by:
        note += f" ({lang.t('claimed_by', actor=_name(names, event.claimed_by))})"
    return note


def article_page(request: Request) -> Response:
    store = _store(request)
    lang = _ui_of(request)
    found = store.get(request.path_params["id"])
    if found is None:
        return error_page(request, 404, lang.t("not_found_article"))
    record = linked_record(store, found, related=5)
    names = _actor_names(found)
    story = store.story_of(found.id)
    return _render(
        request,
        "article.html",
        article=record,
        text=highlight(found.text, _spans(found, lang)),
        names=names,
        name=lambda actor_id: _name(names, actor_id),
        story=story,
        original=safe_url(found.url),
    )


def story_page(request: Request) -> Response:
    store = _store(request)
    asked = request.path_params["id"]
    detail = story_detail(store, asked)
    if detail is None:
        return error_page(request, 404, _ui_of(request).t("not_found_story"))
    if detail.story.id != asked:
        return RedirectResponse(f"/stories/{quote(detail.story.id, safe='')}", status_code=301)
    names: dict[str, str] = {}
    for member in detail.articles:
        names.update(_actor_names(member))
    by_id = {a.id: a for a in detail.articles}
    timeline = sorted(detail.articles, key=lambda a: (sort_key(a.published) or "~", a.id))
    return _render(
        request,
        "story.html",
        story=detail.story,
        articles=detail.articles,
        events=[
            (event, reports, sorted({by_id[r[0]].source or "" for r in reports if r[0] in by_id}))
            for event, reports in detail.events
        ],
        timeline=timeline,
        name=lambda actor_id: _name(names, actor_id),
        atom=f"/stories/{quote(detail.story.id, safe='')}/feed.atom",
    )


# --- actors, pairs, sources -----------------------------------------------------------------------


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _actor_view(request: Request, actor: str, other: str | None) -> Response:
    store = _store(request)
    lang = _ui_of(request)
    params = request.query_params
    try:
        checked = parse_list_request(
            {"actor": actor, "since": params.get("since", ""), "until": params.get("until", "")}
        )
        if other is not None:
            parse_list_request({"actor": other})
        since_text, until_text = checked.query.since, checked.query.until
        counts = store.event_counts(actor, other, since=since_text, until=until_text)
    except QueryError as exc:
        return error_page(request, 400, str(exc))
    days = [d for c in counts if (d := _day(c.day)) is not None]
    until = _day(until_text) or max(days, default=None) or datetime.now(UTC).date()
    since = _day(since_text) or until - timedelta(days=CHART_DAYS - 1)
    labels = ChartLabels(
        title=lang.t("chart"),
        families={"cooperation": lang.t("cooperation"), "conflict": lang.t("conflict")},
        empty=lang.t("chart_empty"),
    )
    chart = event_chart(
        counts,
        since,
        until,
        labels=labels,
        day_label=lambda d: lang.date(d, "date_short"),
        number=lang.number,
    )
    query = EventQuery(
        actor=None if other else actor, pair=(actor, other) if other else None, since=since.isoformat()
    )
    latest: deque[StoredEvent] = deque(maxlen=EVENTS_SHOWN)
    for stored in store.events(query):
        day = _day(stored.event.date)
        if day is None or since <= day <= until:
            latest.append(stored)
    quotes = store.quotes_by(actor, limit=10) + (store.quotes_by(other, limit=10) if other else [])
    quotes.sort(key=lambda hit: sort_key(hit.article.published) or "", reverse=True)
    base = (
        f"/actors/{quote(actor, safe='')}"
        if other is None
        else f"/pairs/{quote(actor, safe='')}/{quote(other, safe='')}"
    )
    partners = sorted(
        {x for s in latest for x in (s.event.source, s.event.target) if x and x not in (actor, other)}
    )
    return _render(
        request,
        "actor.html",
        actor=actor,
        other=other,
        actor_name=_name({}, actor),
        other_name=_name({}, other),
        name=lambda actor_id: _name({}, actor_id),
        chart=Markup(chart),
        since=since.isoformat(),
        until=until.isoformat(),
        quotes=quotes[:10],
        events=list(reversed(latest)),
        partners=partners[:20] if other is None else [],
        atom=base + "/feed.atom",
        articles_link="/?" + urlencode({"actor": actor}),
    )


def actor_page(request: Request) -> Response:
    return _actor_view(request, request.path_params["id"], None)


def pair_page(request: Request) -> Response:
    return _actor_view(request, request.path_params["a"], request.path_params["b"])


def sources_page(request: Request) -> Response:
    store = _store(request)
    sources = store.sources()
    return _render(
        request,
        "sources.html",
        sources=sources,
        health=any(s.last_fetch or s.error for s in sources),
        live_sources=store.list_sources(),
        admin=bool(request.app.state.settings["serve.admin_token"]),
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/", feed, name="feed"),
        Route("/articles/{id}", article_page, name="article"),
        Route("/stories/{id}", story_page, name="story"),
        Route("/search", search, name="search"),
        Route("/actors/{id}", actor_page, name="actor"),
        Route("/pairs/{a}/{b}", pair_page, name="pair"),
        Route("/sources", sources_page, name="sources"),
    ]
