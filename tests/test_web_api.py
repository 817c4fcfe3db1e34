"""The JSON API under /api/v1 and its OpenAPI document, over a real store (SQLite and PostgreSQL) holding
the sample corpus and one hostile article: every route and filter against the store's own answers, cursor
pages, errors."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from starlette.routing import Route

from conftest import StoreFactory

with warnings.catch_warnings():  # starlette 0.52's test client names an alias anyio 4.12 deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

from newswatch.model import Article, Event, RawInput
from newswatch.runner import ingest_inputs
from newswatch.sample import sample_inputs, sample_reference_date
from newswatch.settings import load_settings
from newswatch.store import Store
from newswatch.store.base import MARK_END, MARK_START, EventQuery, StoredEvent
from newswatch.store.queries import ArticleQuery
from newswatch.views import linked_record, story_detail
from newswatch.web import create_app
from newswatch.web.api import routes, snippet_parts
from newswatch.web.openapi import document

HOSTILE_ID = "f00dbabe00c0ffee"
HOSTILE = Article(
    id=HOSTILE_ID,
    text=(
        "Hostile text <img src=x onerror=alert(1)> about the border commission, with a "
        '<a href="javascript:alert(2)">link</a> and a bell \x07 in it & more.'
    ),
    url="javascript:alert(1)",
    source="evil.example",
    title="<script>alert(1)</script>",
    language="en",
    published="2026-03-10T08:00:00+00:00",
    events=(Event("ACCUSE", "112", "ARM", "AZE", "2026-03-10", None, "Hostile text.", 0, 13, 0.5),),
)


@pytest.fixture(scope="module")
def store(module_store_factory: StoreFactory) -> Store:
    opened = module_store_factory("api")
    ingest_inputs(sample_inputs(), opened, load_settings(env={}), reference_date=sample_reference_date())
    opened.put(HOSTILE, RawInput(b"hostile", "hostile"))
    return opened


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store, load_settings(env={}))) as test_client:
        yield test_client


def _get(client: TestClient, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, (url, response.text)
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def _error(client: TestClient, url: str, status: int) -> str:
    data = _get(client, url, status)
    assert set(data) == {"error"} and "\n" not in data["error"] and "Traceback" not in data["error"]
    return str(data["error"])


def _all_pages(client: TestClient, url: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    seen_urls = set()
    while url:
        assert url not in seen_urls
        seen_urls.add(url)
        page = _get(client, url)
        assert set(page) == {"items", "next", "next_url"}
        assert (page["next"] is None) == (page["next_url"] is None)
        items += page["items"]
        url = page["next_url"]
        if url:
            assert url.startswith("/api/v1/") and f"cursor={page['next']}" in url
    return items


# --- articles -------------------------------------------------------------------------------------------


def test_article_pages_visit_every_article_once(client: TestClient, store: Store) -> None:
    items = _all_pages(client, "/api/v1/articles?limit=7")
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)) == store.count() == 43
    assert ids == [i.id for i in store.list_articles(ArticleQuery(), limit=100).items]
    first = items[0]
    assert (
        first["api_url"] == f"/api/v1/articles/{first['id']}"
        and first["html_url"] == f"/articles/{first['id']}"
    )
    assert "snippet" not in first


@pytest.mark.parametrize(
    "params",
    [
        {"language": "hy"},
        {"source": "caucasus-wire.example"},
        {"actor": "ARM"},
        {"type": "ACCUSE"},
        {"since": "2026-03-01"},
        {"until": "2026-02-25"},
        {"language": "ru", "actor": "AZE", "since": "2026-02-20", "until": "2026-03-04"},
    ],
)
def test_article_filters_answer_as_the_store(
    client: TestClient, store: Store, params: dict[str, str]
) -> None:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    ids = [item["id"] for item in _all_pages(client, f"/api/v1/articles?limit=3&{query}")]
    names = {"type": "event_type"}
    expected = store.list_articles(ArticleQuery(**{names.get(k, k): v for k, v in params.items()}), limit=100)
    assert ids == [item.id for item in expected.items]
    assert ids  # every filter here selects something in the sample
    assert len(ids) < store.count()


def test_article_record_as_served(client: TestClient, store: Store) -> None:
    summary = store.list_articles(ArticleQuery(language="hy"), limit=1).items[0]
    data = _get(client, f"/api/v1/articles/{summary.id}")
    article = store.get(summary.id)
    assert article is not None
    expected = linked_record(store, article, related=5).to_dict()
    story = store.story_of(summary.id)
    assert story is not None
    assert data == {**expected, "story": story.id}
    assert "ա" in json.dumps(data, ensure_ascii=False)  # Armenian text kept as text
    raw = client.get(f"/api/v1/articles/{summary.id}").content.decode("utf-8")
    assert "\\u0561" not in raw and "ա" in raw  # not \u-escaped (ensure_ascii off)


def test_hostile_article_escaped_and_its_javascript_url_never_served(client: TestClient) -> None:
    response = client.get(f"/api/v1/articles/{HOSTILE_ID}")
    assert response.status_code == 200
    raw = response.text
    assert "<script>" not in raw and "<img" not in raw and "javascript:alert(1)" not in raw
    data = response.json()
    assert data["title"] == "<script>alert(1)</script>"  # escaped in transit, the same text once parsed
    assert data["url"] is None
    listed = _get(client, "/api/v1/articles?source=evil.example")["items"]
    assert [i["id"] for i in listed] == [HOSTILE_ID] and listed[0]["url"] is None
    page = client.get("/api/v1/articles?source=evil.example").text
    assert "javascript:alert(1)" not in page and "<script>" not in page


def test_unknown_article_is_404(client: TestClient) -> None:
    assert "0000000000000000" in _error(client, "/api/v1/articles/0000000000000000", 404)
    _error(client, "/api/v1/articles/%3Cscript%3E", 404)


# --- search ---------------------------------------------------------------------------------------------


def test_search_answers_as_the_store_with_plain_and_html_snippets(client: TestClient, store: Store) -> None:
    items = _all_pages(client, "/api/v1/search?q=мина&limit=1")
    expected = store.search_articles("мина", ArticleQuery(), limit=100).items
    assert [i["id"] for i in items] == [e.id for e in expected] and len(items) >= 2
    for item, hit in zip(items, expected, strict=True):
        assert MARK_START not in item["snippet"] and MARK_END not in item["snippet"]
        assert item["matches"] and item["rank"] == hit.rank
        for start, end in item["matches"]:
            assert item["snippet"][start:end].lower().startswith("мин")
        assert "<mark>мин" in item["snippet_html"].lower()
    filtered = _get(client, "/api/v1/search?q=мина&source=ria-region.example")["items"]
    assert [i["id"] for i in filtered] == [
        e.id for e in store.search_articles("мина", ArticleQuery(source="ria-region.example")).items
    ]
    assert filtered and len(filtered) < len(items)


def test_search_snippet_of_hostile_text_is_escaped(client: TestClient) -> None:
    (item,) = _get(client, "/api/v1/search?q=hostile+commission")["items"]
    assert item["id"] == HOSTILE_ID
    assert "<img" not in item["snippet_html"] and "&lt;img" in item["snippet_html"]
    assert item["snippet_html"].count("<mark>") == item["snippet_html"].count("</mark>") >= 1


def test_snippet_parts_repairs_unbalanced_marks() -> None:
    plain, matches, html = snippet_parts(f"a {MARK_START}b<{MARK_START}c{MARK_END} d{MARK_END} {MARK_START}e")
    assert plain == "a b<c d e"
    assert matches == [[2, 5], [8, 9]]
    assert html == "a <mark>b&lt;c</mark> d <mark>e</mark>"


def test_search_errors(client: TestClient) -> None:
    assert "q" in _error(client, "/api/v1/search", 400)
    _error(client, "/api/v1/search?q=%21%21%21", 400)  # nothing to search for
    _error(client, "/api/v1/search?q=" + "x" * 501, 400)


# --- stories --------------------------------------------------------------------------------------------


def test_story_pages_visit_every_story_once(client: TestClient, store: Store) -> None:
    items = _all_pages(client, "/api/v1/stories?limit=4")
    ids = [s["id"] for s in items]
    assert ids == [s.id for s in store.stories()] and len(ids) == len(set(ids)) > 4
    hy = _all_pages(client, "/api/v1/stories?language=hy&limit=3")
    assert [s["id"] for s in hy] == [s.id for s in store.stories(language="hy")]
    assert all("hy" in s["languages"] for s in hy) and len(hy) < len(items)
    since = _get(client, "/api/v1/stories?since=2026-03-01&limit=100")["items"]
    assert [s["id"] for s in since] == [s.id for s in store.stories(since="2026-03-01")]
    first = items[0]
    assert first["size"] == len(first["members"]) and first["representative"]["id"] in {
        m["id"] for m in first["members"]
    }


def test_story_cursor_whose_story_is_gone_asks_to_start_again(client: TestClient) -> None:
    import base64

    cursor = base64.urlsafe_b64encode(b'[2,"s-0000000000000000"]').decode().rstrip("=")
    assert "start again" in _error(client, f"/api/v1/stories?cursor={cursor}", 400)
    _error(client, "/api/v1/stories?cursor=bm90LWpzb24", 400)


def test_story_detail(client: TestClient, store: Store) -> None:
    story = max(store.stories(), key=lambda s: s.size)
    data = _get(client, f"/api/v1/stories/{story.id}")
    detail = story_detail(store, story.id)
    assert detail is not None
    assert data["id"] == story.id and [m["id"] for m in data["members"]] == [m.id for m in story.members]
    assert len(data["events"]) == len(detail.events)
    assert [e["event"]["type"] for e in data["events"]] == [e.type for e, _ in detail.events]
    reports = {r["article"] for e in data["events"] for r in e["reports"]}
    assert reports <= {m.id for m in story.members}
    _error(client, "/api/v1/stories/s-0000000000000000", 404)


# --- events, actors, pairs ------------------------------------------------------------------------------


def _event_keys(items: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    return [(i["article"]["id"], i["event"]["start"], i["event"]["type"]) for i in items]


def _stored_keys(found: list[StoredEvent]) -> list[tuple[str, int, str]]:
    return [(e.article_id, e.event.start, e.event.type) for e in found]


@pytest.mark.parametrize(
    ("params", "query"),
    [
        ("", EventQuery()),
        ("actor=ARM", EventQuery(actor="ARM")),
        ("pair=ARM,AZE", EventQuery(pair=("ARM", "AZE"))),
        ("type=agree", EventQuery(type="AGREE")),
        ("since=2026-03-01&actor=AZE", EventQuery(actor="AZE", since="2026-03-01")),
    ],
)
def test_event_pages_answer_as_the_store(
    client: TestClient, store: Store, params: str, query: EventQuery
) -> None:
    items = _all_pages(client, f"/api/v1/events?limit=40&{params}")
    expected = list(store.events(query))
    assert _event_keys(items) == _stored_keys(expected) and expected
    assert all(i["event"]["negated"] is False for i in items)


def test_event_errors(client: TestClient) -> None:
    assert "pair" in _error(client, "/api/v1/events?pair=ARM", 400)
    assert "type" in _error(client, "/api/v1/events?type=PARTY", 400)
    _error(client, "/api/v1/events?until=2026-03-01", 400)  # events take no until: said, not ignored


def test_actor(client: TestClient, store: Store) -> None:
    data = _get(client, "/api/v1/actors/ARM")
    assert data["actor"]["id"] == "ARM" and data["actor"]["name"] == "Armenia"
    counts = [(c.day, c.type, c.count) for c in store.event_counts("ARM")]
    assert [(c["day"], c["type"], c["count"]) for c in data["event_counts"]] == counts and counts
    recent = list(store.events(EventQuery(actor="ARM")))[-20:][::-1]
    assert _event_keys(data["events"]) == _stored_keys(recent)
    window = _get(client, "/api/v1/actors/ARM?since=2026-02-24&until=2026-02-26&limit=3")
    assert [c["day"] for c in window["event_counts"]] == [
        c.day for c in store.event_counts("ARM", since="2026-02-24", until="2026-02-26")
    ]
    assert all("2026-02-24" <= c["day"] <= "2026-02-26" for c in window["event_counts"])
    assert len(window["events"]) <= 3
    assert all("2026-02-24" <= i["event"]["date"] <= "2026-02-26" for i in window["events"])
    quotes = _get(client, "/api/v1/actors/ararat-mirzoyan?limit=5")["quotes"]
    expected = store.quotes_by("ararat-mirzoyan", limit=5)
    assert [(q["quote"]["text"], q["article"]["id"]) for q in quotes] == [
        (q.quote.text, q.article.id) for q in expected
    ]
    assert quotes and all(q["quote"]["speaker"] == "ararat-mirzoyan" for q in quotes)
    _error(client, "/api/v1/actors/no-such-actor-here", 404)
    _error(client, "/api/v1/actors/ARM?since=2026-03-02&until=2026-03-01", 400)


def test_pair(client: TestClient, store: Store) -> None:
    data = _get(client, "/api/v1/pairs/ARM/AZE?limit=100")
    assert [a["id"] for a in data["actors"]] == ["ARM", "AZE"]
    counts = [(c.day, c.type, c.count) for c in store.event_counts("ARM", "AZE")]
    assert [(c["day"], c["type"], c["count"]) for c in data["event_counts"]] == counts and counts
    assert _event_keys(data["events"]) == _stored_keys(
        list(store.events(EventQuery(pair=("ARM", "AZE"))))[::-1]
    )
    assert data["html_url"] == "/pairs/ARM/AZE" and data["feed_url"] == "/pairs/ARM/AZE/feed.atom"
    _error(client, "/api/v1/pairs/ARM/ARM", 400)
    _error(client, "/api/v1/pairs/ARM/no-such-actor-here", 404)


def test_sources(client: TestClient, store: Store) -> None:
    data = _get(client, "/api/v1/sources")
    assert [s["source"] for s in data["items"]] == [s.source for s in store.sources()]
    assert data["next"] is None and data["items"][0]["articles"] == store.sources()[0].articles
    assert data["items"][0]["feed_url"] == f"/sources/{data['items'][0]['source']}/feed.atom"


# --- errors ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/articles?langauge=hy",  # misspelt: an error, not a wider list
        "/api/v1/articles?limit=0",
        "/api/v1/articles?limit=1000",
        "/api/v1/articles?language=english",
        "/api/v1/articles?since=yesterday",
        "/api/v1/articles?type=WAR",
        "/api/v1/articles?cursor=not-a-cursor",
        "/api/v1/articles?language=en&language=hy",
        "/api/v1/sources?x=1",
    ],
)
def test_bad_parameters_are_400(client: TestClient, url: str) -> None:
    _error(client, url, 400)


def test_unknown_address_method_and_head(client: TestClient) -> None:
    assert "openapi.json" in _error(client, "/api/v1/nothing/here", 404)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.request(method, "/api/v1/articles")
        assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD"
        assert set(response.json()) == {"error"}
    head = client.head("/api/v1/sources")
    assert head.status_code == 200 and head.headers["content-type"].startswith("application/json")


# --- the OpenAPI document -------------------------------------------------------------------------------


def test_openapi_document_is_valid_and_served(client: TestClient) -> None:
    served = _get(client, "/api/v1/openapi.json")
    validate(served)
    assert served == json.loads(json.dumps(document()))


def test_every_route_documented_and_every_documented_path_answers(client: TestClient, store: Store) -> None:
    from newswatch.web import admin, watches

    doc = document()
    paths = set(doc["paths"])
    every = [*admin.api_routes(), *watches.api_routes(), *routes()]
    routed = {
        r.path.replace("{id:int}", "{id}")
        for r in every
        if isinstance(r, Route) and r.name != "api-not-found"
    }
    assert routed == paths
    # Every method a route answers with success is documented (GET/HEAD as "get"), and no other.
    for route in every:
        if not isinstance(route, Route) or route.name == "api-not-found":
            continue
        path = route.path.replace("{id:int}", "{id}")
        documented = set(doc["paths"][path])
        if route.name in ("api-watches", "api-watch"):
            continue  # they take every method and answer 405 themselves: checked below
        methods = {m.lower() for m in (route.methods or ())} - {"head"}
        assert methods <= documented | {"options", "put", "patch", "trace", "post", "delete"}, path
    assert set(doc["paths"]["/watches"]) == {"get", "post"}
    assert set(doc["paths"]["/watches/{id}"]) == {"get", "delete"}
    assert set(doc["paths"]["/sources"]) == {"get", "post"} and set(doc["paths"]["/sources/{id}"]) == {
        "delete"
    }
    story = next(iter(store.stories()))
    samples = {
        "/articles/{id}": f"/articles/{HOSTILE_ID}",
        "/stories/{id}": f"/stories/{story.id}",
        "/actors/{id}": "/actors/ARM",
        "/pairs/{a}/{b}": "/pairs/ARM/AZE",
        "/search": "/search?q=border",
    }
    watch = store.add_watch("openapi-check", ArticleQuery(actor="ARM"))
    samples["/watches/{id}"] = f"/watches/{watch.id}"
    for path, item in doc["paths"].items():
        if "get" not in item:
            continue  # changes are tested with the admin token in test_sources.py and test_watches.py
        url = samples.get(path, path)
        assert not re.search(r"\{\w+\}", url), path
        data = _get(client, f"/api/v1{url}")
        schema = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        OAS31Validator({**schema, "components": doc["components"]}).validate(data)
        for parameter in item["get"]["parameters"]:
            name = parameter["$ref"].rsplit("/", 1)[1]
            assert name in doc["components"]["parameters"]
            where = doc["components"]["parameters"][name]["in"]
            assert (where == "path") == (f"{{{name}}}" in path), (path, name)
    store.remove_watch(str(watch.id))


def test_error_schema_matches_errors(client: TestClient) -> None:
    doc = document()
    schema = {"$ref": "#/components/schemas/Error", "components": doc["components"]}
    OAS31Validator(schema).validate(_get(client, "/api/v1/articles?limit=x", 400))
