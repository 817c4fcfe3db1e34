"""Atom 1.0 feeds over a real store (SQLite and PostgreSQL) holding the sample corpus and one hostile
article: each feed parsed by feedparser without error, checked against the Atom rules (RFC 4287), compared with the store's
own answers, and the hostile article escaped with its javascript: address never linked."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator

import feedparser
import pytest
from lxml import etree

from conftest import StoreFactory

with warnings.catch_warnings():  # starlette 0.52's test client names an alias anyio 4.12 deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

from newswatch.model import Article, Event, RawInput
from newswatch.runner import ingest_inputs
from newswatch.sample import sample_inputs, sample_reference_date
from newswatch.settings import load_settings
from newswatch.store import Store
from newswatch.store.base import EventQuery
from newswatch.store.queries import ArticleQuery
from newswatch.web import create_app
from newswatch.web.atom import entry_id, lead_of, xml_text

A = "{http://www.w3.org/2005/Atom}"
BASE = "http://testserver"
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
HOSTILE_ID = "f00dbabe00c0ffee"
HOSTILE = Article(
    id=HOSTILE_ID,
    text=(
        "Hostile text <img src=x onerror=alert(1)> about the border commission, with a "
        '<a href="javascript:alert(2)">link</a>, a bell \x07 and a form feed \x0c in it & more.'
    ),
    url="javascript:alert(1)",
    source="evil.example",
    title="<script>alert(1)</script>\x01]]>",
    language="en",
    published="2026-03-10T08:00:00+00:00",
    events=(Event("ACCUSE", "112", "ARM", "AZE", "2026-03-10", None, "Hostile text.", 0, 13, 0.5),),
)


@pytest.fixture(scope="module")
def store(module_store_factory: StoreFactory) -> Store:
    opened = module_store_factory("atom")
    ingest_inputs(sample_inputs(), opened, load_settings(env={}), reference_date=sample_reference_date())
    opened.put(HOSTILE, RawInput(b"hostile", "hostile"))
    return opened


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store, load_settings(env={}))) as test_client:
        yield test_client


def _feed(client: TestClient, url: str) -> tuple[etree._Element, bytes]:
    """The feed at ``url``, checked against feedparser and the Atom rules; its root and bytes."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.text)
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, (url, parsed.get("bozo_exception"))
    assert parsed.version == "atom10"
    root = etree.fromstring(response.content)
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{A}{name}")) == 1 and root.findtext(f"{A}{name}"), (url, name)
    assert RFC3339.fullmatch(root.findtext(f"{A}updated") or "")
    links = {link.get("rel"): link for link in root.findall(f"{A}link")}
    assert links["self"].get("href", "").startswith(f"{BASE}/")
    assert links["alternate"].get("type") == "text/html" and links["alternate"].get("href", "").startswith(
        BASE
    )
    assert root.find(f"{A}author/{A}name") is not None
    entries = root.findall(f"{A}entry")
    ids = [entry.findtext(f"{A}id") for entry in entries]
    assert len(ids) == len(set(ids)) == len(parsed.entries)
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{A}{name}")) == 1 and entry.findtext(f"{A}{name}"), (url, name)
        assert RFC3339.fullmatch(entry.findtext(f"{A}updated") or "")
        published = entry.findtext(f"{A}published")
        assert published is None or RFC3339.fullmatch(published)
        alternate = [link for link in entry.findall(f"{A}link") if link.get("rel") == "alternate"]
        assert len(alternate) == 1 and alternate[0].get("href", "").startswith(f"{BASE}/articles/")
        for link in entry.findall(f"{A}link"):
            assert link.get("href", "").startswith(("http://", "https://"))
    newest = max((entry.findtext(f"{A}updated") or "" for entry in entries), default=None)
    if newest is not None:
        assert root.findtext(f"{A}updated") == newest
    assert parsed.feed.id == root.findtext(f"{A}id")
    return root, response.content


def _article_ids(root: etree._Element) -> list[str]:
    prefix = "tag:newswatch,2026:article:"
    ids = [entry.findtext(f"{A}id") or "" for entry in root.findall(f"{A}entry")]
    assert all(i.startswith(prefix) for i in ids)
    return [i.removeprefix(prefix) for i in ids]


def test_main_feed_is_the_first_page_of_the_feed(client: TestClient, store: Store) -> None:
    root, body = _feed(client, "/feed.atom")
    expected = store.list_articles(ArticleQuery(), limit=50).items
    assert _article_ids(root) == [a.id for a in expected]
    again, body_again = _feed(client, "/feed.atom")
    assert _article_ids(again) == _article_ids(root) and body == body_again  # stable ids, stable document
    assert root.findtext(f"{A}id") == "tag:newswatch,2026:feed:/feed.atom"
    entry = next(e for e in root.findall(f"{A}entry") if e.findtext(f"{A}id") == entry_id(expected[0].id))
    assert entry.get("{http://www.w3.org/XML/1998/namespace}lang") == expected[0].language
    assert entry.findtext(f"{A}summary") == xml_text(expected[0].lead)
    related = [link.get("href") for link in entry.findall(f"{A}link") if link.get("rel") == "related"]
    assert related == []  # the hostile article: its javascript: address is no link
    for entry, item in zip(root.findall(f"{A}entry"), expected, strict=True):
        related = [link.get("href") for link in entry.findall(f"{A}link") if link.get("rel") == "related"]
        http = item.url is not None and item.url.startswith(("http://", "https://"))
        assert related == ([item.url] if http else [])
    assert any(e.find(f"{A}link[@rel='related']") is not None for e in root.findall(f"{A}entry"))


@pytest.mark.parametrize(
    ("params", "query"),
    [
        ("language=hy", ArticleQuery(language="hy")),
        ("actor=AZE&since=2026-03-01", ArticleQuery(actor="AZE", since="2026-03-01")),
        ("type=ACCUSE", ArticleQuery(event_type="ACCUSE")),
        ("until=2026-02-20", ArticleQuery(until="2026-02-20")),
    ],
)
def test_main_feed_filters(client: TestClient, store: Store, params: str, query: ArticleQuery) -> None:
    root, _ = _feed(client, f"/feed.atom?{params}")
    ids = _article_ids(root)
    assert ids == [a.id for a in store.list_articles(query, limit=50).items] and ids
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links["self"] == f"{BASE}/feed.atom?{params}" and links["alternate"] == f"{BASE}/?{params}"
    assert root.findtext(f"{A}id") == f"tag:newswatch,2026:feed:/feed.atom?{params}"


def test_feed_pages_follow_next_links(client: TestClient, store: Store) -> None:
    seen: list[str] = []
    url: str | None = "/feed.atom?limit=10"
    while url:
        root, _ = _feed(client, url)
        seen += _article_ids(root)
        following = [link.get("href") for link in root.findall(f"{A}link") if link.get("rel") == "next"]
        url = (following[0] or "").removeprefix(BASE) if following else None
    assert len(seen) == len(set(seen)) == store.count()


def test_search_feed(client: TestClient, store: Store) -> None:
    root, _ = _feed(client, "/search/feed.atom?q=мина")
    assert _article_ids(root) == [a.id for a in store.search_articles("мина", ArticleQuery()).items]
    assert len(_article_ids(root)) >= 2
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links["alternate"] == f"{BASE}/search?q=%D0%BC%D0%B8%D0%BD%D0%B0"
    assert "мина" in (root.findtext(f"{A}title") or "")
    response = client.get("/search/feed.atom")
    assert response.status_code == 400 and response.text.startswith("error: ")


def test_actor_feed(client: TestClient, store: Store) -> None:
    root, _ = _feed(client, "/actors/ararat-mirzoyan/feed.atom?language=ru")
    expected = store.list_articles(ArticleQuery(actor="ararat-mirzoyan", language="ru"), limit=50).items
    assert _article_ids(root) == [a.id for a in expected] and expected
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links["alternate"] == f"{BASE}/actors/ararat-mirzoyan?language=ru"
    assert client.get("/actors/no-such-actor-here/feed.atom").status_code == 404


def test_pair_feed_lists_the_articles_with_events_between_the_two(client: TestClient, store: Store) -> None:
    root, _ = _feed(client, "/pairs/ARM/AZE/feed.atom?limit=100")
    ids = _article_ids(root)
    expected = {e.article_id for e in store.events(EventQuery(pair=("ARM", "AZE")))}
    assert set(ids) == expected and len(ids) == len(expected) and HOSTILE_ID in ids
    dates = [entry.findtext(f"{A}published") or "" for entry in root.findall(f"{A}entry")]
    assert [d for d in dates if d] == sorted((d for d in dates if d), reverse=True)  # newest first
    since, _ = _feed(client, "/pairs/ARM/AZE/feed.atom?since=2026-03-01")
    later = {e.article_id for e in store.events(EventQuery(pair=("ARM", "AZE"), since="2026-03-01"))}
    assert set(_article_ids(since)) == later and later < expected
    assert client.get("/pairs/ARM/ARM/feed.atom").status_code == 400


def test_story_feed(client: TestClient, store: Store) -> None:
    story = max(store.stories(), key=lambda s: s.size)
    root, _ = _feed(client, f"/stories/{story.id}/feed.atom")
    assert sorted(_article_ids(root)) == sorted(m.id for m in story.members)
    categories = {c.get("term") for c in root.iter(f"{A}category")}
    assert categories == {story.id}
    assert client.get("/stories/s-0000000000000000/feed.atom").status_code == 404


def test_source_feed(client: TestClient, store: Store) -> None:
    root, _ = _feed(client, "/sources/ria-region.example/feed.atom")
    expected = store.list_articles(ArticleQuery(source="ria-region.example"), limit=50).items
    assert _article_ids(root) == [a.id for a in expected] and expected
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{A}link")}
    assert links["alternate"] == f"{BASE}/?source=ria-region.example"
    assert client.get("/sources/nowhere.example/feed.atom").status_code == 404
    assert client.get("/sources/%3Cbad%3E/feed.atom").status_code == 404


def test_hostile_article_is_text_and_its_javascript_url_is_never_a_link(client: TestClient) -> None:
    for url in ("/feed.atom", "/sources/evil.example/feed.atom", "/pairs/ARM/AZE/feed.atom"):
        root, body = _feed(client, url)
        entry = next(e for e in root.findall(f"{A}entry") if e.findtext(f"{A}id") == entry_id(HOSTILE_ID))
        assert entry.findtext(f"{A}title") == "<script>alert(1)</script>]]>"  # control character dropped
        assert b"<script>" not in body and b"<img" not in body and b"&lt;script&gt;" in body
        assert b"javascript:alert(1)" not in body
        hrefs = [link.get("href") or "" for link in root.iter(f"{A}link")]
        assert not any("javascript" in href for href in hrefs)
        assert "\x07" not in (entry.findtext(f"{A}summary") or "")


def test_errors_and_methods(client: TestClient) -> None:
    response = client.post("/feed.atom")
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD"
    for url in ("/feed.atom?language=english", "/feed.atom?since=soon", "/feed.atom?cursor=nope"):
        response = client.get(url)
        assert response.status_code == 400 and response.text.startswith("error: ")
        assert "Traceback" not in response.text and response.text.count("\n") == 1
    assert client.head("/feed.atom").status_code == 200


def test_text_helpers() -> None:
    assert xml_text("a\x00b\x0bc\ud800d\ue000e\tf") == "abcde\tf"
    assert lead_of("word " * 100, 20) == "word word word word…"
    assert lead_of("  short\n text ") == "short text"
