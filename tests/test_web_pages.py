"""The server-rendered pages over a real store (SQLite and PostgreSQL) with the sample corpus (and one
hostile article): every route, every filter, paging, versions, errors, escaping, search marks, interface languages and
the SVG chart."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence
from datetime import date
from html import unescape

import pytest

from conftest import StoreFactory

with warnings.catch_warnings():  # starlette 0.52's test client names an alias anyio 4.12 deprecates
    warnings.simplefilter("ignore", DeprecationWarning)
    from starlette.testclient import TestClient

from newswatch.model import Actor, Article, Event, Link, Mention, Quote, RawInput, Translation
from newswatch.runner import ingest_inputs
from newswatch.sample import sample_inputs, sample_reference_date
from newswatch.settings import load_settings
from newswatch.store import Store
from newswatch.store.queries import ArticleQuery, ArticleSummary, DayCount
from newswatch.web import create_app
from newswatch.web.app import CSP
from newswatch.web.chart import ChartLabels, event_chart
from newswatch.web.i18n import UI_LANGUAGES, choose_language, ui, ui_keys
from newswatch.web.markup import Span, highlight, safe_url, snippet_html

HOSTILE_ID = "hostile0000000001"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
HOSTILE_TEXT = (
    f"Armenia said {SCRIPT} was found. Officials quoted {IMG} in full.\n\n"
    "A second paragraph about javascript:alert(1) links."
)
ITEM_LINK = re.compile(r'<h3><a href="/articles/([^"]+)">')
ALSO = re.compile(r'<p class="also">(.*?)</p>', re.S)
ALSO_LINK = re.compile(r'<a href="/articles/([^"]+)" hreflang')


def _hostile() -> Article:
    start = HOSTILE_TEXT.index(SCRIPT)
    return Article(
        id=HOSTILE_ID,
        text=HOSTILE_TEXT,
        url="javascript:alert(1)",
        source="evil.example",
        title=f"Breaking {SCRIPT} {IMG}",
        author=IMG,
        language="en",
        published="2026-03-10T10:00:00+00:00",
        translations=(Translation("hy", "javascript:alert(1)", SCRIPT),),
        related=(Link(f"More {IMG}", "javascript:alert(1)"),),
        actors=(Actor("ARM", f"Armenia {SCRIPT}", "country", mentions=(Mention(0, 7, "Armenia"),)),),
        quotes=(Quote(f"x{SCRIPT}", SCRIPT, start, start + len(SCRIPT), True),),
        events=(Event("ACCUSE", "112", "ARM", f"AZE{IMG}", None, None, "s", 0, 40, 0.9),),
    )


@pytest.fixture(scope="module")
def store(module_store_factory: StoreFactory) -> Store:
    opened = module_store_factory("pages")
    report = ingest_inputs(
        sample_inputs(), opened, load_settings(env={}), reference_date=sample_reference_date()
    )
    assert not report.failures
    opened.put(_hostile(), RawInput(b"hostile", "hostile"))
    return opened


@pytest.fixture(scope="module")
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store, load_settings(env={})), raise_server_exceptions=True) as test_client:
        yield test_client


def _ids(html: str) -> list[str]:
    return ITEM_LINK.findall(html)


def _folded(summaries: Sequence[ArticleSummary], language: str = "en") -> list[str]:
    """The items a feed page shows for ``summaries``: each story once, at its newest article's place, as
    its version in the interface language when the page has one."""
    groups: dict[str, list[ArticleSummary]] = {}
    for summary in summaries:
        groups.setdefault(summary.story or summary.id, []).append(summary)
    return [next((s for s in g if s.language == language), g[0]).id for g in groups.values()]


def _sample_id(store: Store, language: str, *, with_story: bool = True) -> str:
    for article in store.articles(language=language):
        if article.id != HOSTILE_ID and (not with_story or store.story_of(article.id) is not None):
            return article.id
    raise AssertionError(f"no {language} article")


# --- routes ---------------------------------------------------------------------------------------


def test_every_route_answers_with_its_content(client: TestClient, store: Store) -> None:
    article_id = _sample_id(store, "en")
    article = store.get(article_id)
    story = store.story_of(article_id)
    assert article is not None and article.title and story is not None
    pages = {
        "/": '<h2 class="day">',
        f"/articles/{article_id}": unescape_safe(article.title),
        f"/stories/{story.id}": '<ol class="timeline">',
        "/search?q=Zakharova": "<mark>",
        "/search": 'name="q"',
        "/actors/ARM": '<svg xmlns="http://www.w3.org/2000/svg" class="chart"',
        "/pairs/ARM/AZE": '<svg xmlns="http://www.w3.org/2000/svg" class="chart"',
        "/sources": "ria-region.example",
    }
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["content-security-policy"] == CSP
        assert expected in response.text, path
        assert "<script" not in response.text.lower()
        assert ' style="' not in response.text  # the CSP forbids inline style attributes
    assert client.get("/static/style.css").status_code == 200


def unescape_safe(text: str) -> str:
    """A title as it appears in HTML (escaped)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")


def test_feed_items_are_grouped_under_day_headers_newest_first(client: TestClient, store: Store) -> None:
    html = client.get("/?limit=100").text
    days = re.findall(r'<h2 class="day"><time datetime="(\d{4}-\d{2}-\d{2})">([^<]+)</time>', html)
    assert len(days) >= 5
    assert [d for d, _ in days] == sorted({d for d, _ in days}, reverse=True)  # once each, newest first
    assert ("2026-03-04", "Wednesday, March 4, 2026") in days
    listed = store.list_articles(ArticleQuery(), limit=100).items
    assert _ids(html) == _folded(listed)
    assert len(_folded(listed)) < len(listed)  # each story once: its versions and reports fold into one item
    also = {i for block in ALSO.findall(html) for i in ALSO_LINK.findall(block)}
    shown = set(_ids(html)) | also
    assert shown == {s.id for s in listed}  # nothing lost: every article is an item or listed under one
    assert '<link rel="alternate" type="application/atom+xml"' in html and 'href="/feed.atom"' in html


@pytest.mark.parametrize(
    ("name", "value", "query"),
    [
        ("language", "hy", ArticleQuery(language="hy")),
        ("source", "ria-region.example", ArticleQuery(source="ria-region.example")),
        ("actor", "ARM", ArticleQuery(actor="ARM")),
        ("type", "ACCUSE", ArticleQuery(event_type="ACCUSE")),
        ("since", "2026-03-01", ArticleQuery(since="2026-03-01")),
        ("until", "2026-02-20", ArticleQuery(until="2026-02-20")),
    ],
)
def test_every_filter_narrows_the_feed(
    client: TestClient, store: Store, name: str, value: str, query: ArticleQuery
) -> None:
    everything = _ids(client.get("/?limit=100").text)
    response = client.get("/", params={name: value, "limit": "100"})
    assert response.status_code == 200
    shown = _ids(response.text)
    assert shown == _folded(store.list_articles(query, limit=100).items)
    assert 0 < len(shown) < len(everything)
    assert f'href="/feed.atom?{name}={value}"' in response.text  # the feed of the same filters
    assert f'value="{value}"' in response.text or f'value="{value}" selected' in response.text


def test_pages_follow_the_older_link_to_the_end(client: TestClient, store: Store) -> None:
    seen: list[str] = []
    path: str | None = "/?limit=7&language=en"
    pages = 0
    while path is not None:
        html = client.get(path).text
        page = _ids(html)
        assert 0 < len(page) <= 7
        seen += page
        older = re.search(r'<a rel="next" class="older" href="([^"]+)">', html)
        path = "/" + unescape(older.group(1)) if older else None
        pages += 1
    listed = store.list_articles(ArticleQuery(language="en"), limit=100).items
    expected = [i for start in range(0, len(listed), 7) for i in _folded(listed[start : start + 7])]
    assert seen == expected and pages == -(-len(listed) // 7) and pages > 1


def test_available_in_leads_to_the_armenian_version(client: TestClient, store: Store) -> None:
    html = client.get("/?language=en&limit=100").text
    links = re.findall(r'<a href="/articles/([^"]+)" hreflang="hy" class="version">Armenian</a>', html)
    assert links
    page = client.get(f"/articles/{links[0]}")
    assert page.status_code == 200
    armenian = store.get(links[0])
    assert armenian is not None and armenian.language == "hy" and armenian.title
    assert '<article class="article" lang="hy">' in page.text
    assert unescape_safe(armenian.title) in page.text


# --- article, story -------------------------------------------------------------------------------


def test_article_page_highlights_and_explains(client: TestClient, store: Store) -> None:
    article = next(
        a for a in store.articles(language="en") if a.events and a.quotes and a.url and a.id != HOSTILE_ID
    )
    html = client.get(f"/articles/{article.id}").text
    assert html.count('<span class="hl') >= len(article.events)
    assert re.search(r'<span class="hl [^"]*actor[^"]*" title="[^"]+">', html)
    assert re.search(r'<span class="hl [^"]*quote[^"]*" title="Quote by [^"]+">', html)
    assert re.search(r'<span class="hl [^"]*event[^"]*" title="Event: [^"]+ → [^"]+ → [^"]+">', html)
    assert '<aside class="legend"' in html
    first = article.events[0]
    assert f'<a href="/actors/{first.source}">' in html
    assert 'rel="noopener noreferrer nofollow" class="original">' in html and f'href="{article.url}"' in html


def test_story_page_lists_versions_events_and_timeline(client: TestClient, store: Store) -> None:
    story = max(store.stories(), key=lambda s: s.size)
    html = client.get(f"/stories/{story.id}").text
    for member in story.members:
        assert f'href="/articles/{member.id}"' in html
    timeline = html[html.index('<ol class="timeline">') :]
    assert len(re.findall(r"<li>", timeline)) == story.size
    assert re.search(r'<span class="reports">\d+ reports</span>', html)
    assert f'href="/stories/{story.id}/feed.atom"' in html


def test_an_old_story_id_leads_to_the_story(client: TestClient, store: Store) -> None:
    story = max(store.stories(), key=lambda s: s.size)
    later = next(m.id for m in story.members if "s-" + m.id != story.id)
    response = client.get(f"/stories/s-{later}", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == f"/stories/{story.id}"


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/articles/no-such-article", 404, "There is no article with this id."),
        ("/stories/s-nothing", 404, "There is no story with this id."),
        ("/?since=yesterday", 400, "since: not a date like 2026-03-04"),
        ("/?type=HUG", 400, "type: &#39;HUG&#39; is not an event type"),
        ("/?since=2026-03-05&until=2026-03-01", 400, "is after until"),
        ("/?cursor=%21%21", 400, "cursor"),
        ("/search?q=%21%21%21", 400, "<form"),
        ("/search?q=x&language=armenian", 400, "language: not a language code"),
        ("/actors/ARM?since=never", 400, "since: not a date"),
        ("/pairs/ARM/%3Cscript%3E", 400, "actor: not an actor id"),
    ],
)
def test_errors_are_friendly_pages(client: TestClient, path: str, status: int, words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert words in response.text
    assert '<p class="error" role="alert">' in response.text
    assert "Traceback" not in response.text and "<script" not in response.text
    assert response.headers["content-security-policy"] == CSP


def test_a_bad_filter_keeps_the_form_with_what_was_typed(client: TestClient) -> None:
    html = client.get("/?since=soon&source=ria-region.example").text
    assert 'value="soon"' in html and 'value="ria-region.example"' in html and "<form" in html


# --- hostile text ---------------------------------------------------------------------------------


def test_a_hostile_article_renders_escaped_and_without_script_links(client: TestClient, store: Store) -> None:
    for path in (f"/articles/{HOSTILE_ID}", "/", "/?source=evil.example", "/search?q=alert", "/sources"):
        html = client.get(path).text
        lowered = html.lower()
        assert "<script" not in lowered, path
        assert "<img" not in lowered, path
        assert not re.search(r"href\s*=\s*[\"']?\s*javascript:", lowered), path
    html = client.get(f"/articles/{HOSTILE_ID}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "No address of the original is known." in html  # the javascript: URL is no link
    assert re.search(r'<span class="hl [^"]*quote[^"]*" title="[^"<>]*">&lt;script&gt;', html)


def test_search_snippets_are_escaped_then_marked(client: TestClient, store: Store) -> None:
    hits = store.search_articles("alert", ArticleQuery(source="evil.example")).items
    assert hits and hits[0].snippet
    html = client.get("/search?q=alert&source=evil.example").text
    assert "<mark>alert</mark>" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert snippet_html("<b>\ue000x\ue001</b>") == "&lt;b&gt;<mark>x</mark>&lt;/b&gt;"
    assert 'href="/search/feed.atom?q=alert&amp;source=evil.example"' in html


def test_highlight_escapes_every_piece_and_nests_nothing_wrongly() -> None:
    text = "A <b>&</b> said B.\n\nNext one."
    spans = [
        Span(0, 1, "actor", 'A "x"'),
        Span(0, 18, "event", "E<1>"),
        Span(3, 6, "quote", "Q"),
        Span(5, 999, "x", ""),
    ]
    html = str(highlight(text, spans))
    assert html.startswith('<p><span class="hl actor event" title="A &#34;x&#34; · E&lt;1&gt;">A</span>')
    assert '<span class="hl event quote" title="E&lt;1&gt; · Q">b&gt;&amp;</span>' in html  # cut at edges
    assert "&lt;b&gt;" not in html  # split across spans, but every piece escaped
    assert "<b>" not in html and html.count("<p>") == 2 and "Next one." in html


def test_safe_url_keeps_only_http_addresses() -> None:
    assert safe_url("https://news.example/a?b=1") == "https://news.example/a?b=1"
    for bad in (
        "javascript:alert(1)",
        " JAVASCRIPT:alert(1)",
        "data:text/html,x",
        "//evil",
        "/local",
        None,
        "",
    ):
        assert safe_url(bad) is None


# --- actors, sources ------------------------------------------------------------------------------


def test_pair_page_draws_one_bar_group_per_day_with_events(client: TestClient, store: Store) -> None:
    counts = store.event_counts("ARM", "AZE")
    assert counts
    days = sorted({c.day for c in counts})
    last = date.fromisoformat(days[-1])
    shown = [d for d in days if (last - date.fromisoformat(d)).days < 30]
    html = client.get("/pairs/ARM/AZE").text
    assert re.findall(r'<g class="day" data-day="([\d-]+)">', html) == shown
    assert f'name="until" value="{days[-1]}"' in html
    assert 'href="/pairs/ARM/AZE/feed.atom"' in html
    everything = client.get(f"/pairs/ARM/AZE?since={days[0]}&until={days[-1]}").text
    assert re.findall(r'<g class="day" data-day="([\d-]+)">', everything) == days


def test_actor_page_shows_quotes_and_events(client: TestClient, store: Store) -> None:
    quotes = store.quotes_by("maria-zakharova", limit=10)
    assert quotes
    html = client.get("/actors/maria-zakharova?since=2026-01-01").text
    assert unescape_safe(quotes[0].quote.text) in html
    assert '<table class="events">' in html


def test_sources_page_lists_every_source(client: TestClient, store: Store) -> None:
    html = client.get("/sources").text
    for source in store.sources():
        assert f'<a href="/?source={source.source}">{source.source}</a>' in html
        assert f'<td class="number">{source.articles}</td>' in html


def test_chart_is_one_group_per_day_stacked_by_family() -> None:
    counts = [
        DayCount("2026-03-01", "AGREE", 2),
        DayCount("2026-03-01", "ACCUSE", 1),
        DayCount("2026-03-03", "ASSAULT", 4),
        DayCount("2026-02-01", "AGREE", 9),  # outside the period
        DayCount("2026-03-02", "NOT-A-TYPE", 5),
    ]
    svg = event_chart(counts, date(2026, 3, 1), date(2026, 3, 7), labels=ChartLabels(title="T <&>"))
    assert re.findall(r'<g class="day" data-day="([\d-]+)">', svg) == ["2026-03-01", "2026-03-03"]
    assert (
        '<rect class="cooperation" data-count="2"' in svg and '<rect class="conflict" data-count="1"' in svg
    )
    assert '<rect class="conflict" data-count="4"' in svg and "T &lt;&amp;&gt;" in svg
    assert "style=" not in svg
    empty = event_chart([], date(2026, 3, 1), date(2026, 3, 7))
    assert '<g class="day"' not in empty and "No events in this period." in empty


# --- interface languages --------------------------------------------------------------------------


def test_every_interface_language_has_the_same_keys() -> None:
    english = ui_keys("en")
    for code in UI_LANGUAGES:
        assert ui_keys(code) == english, code
        assert len(ui(code).months) == 12 and len(ui(code).weekdays) == 7


def test_the_interface_language_switches(client: TestClient, store: Store) -> None:
    armenian = client.get("/?ui=hy")
    assert '<html lang="hy">' in armenian.text and ui("hy").t("nav_feed") in armenian.text
    assert "2026 թ. մարտի 4, չորեքշաբթի" in armenian.text  # dates in Armenian
    assert armenian.cookies.get("ui") == "hy"
    with TestClient(client.app) as fresh:
        assert '<html lang="en">' in fresh.get("/").text
        russian = fresh.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
        assert '<html lang="ru">' in russian.text and "среда, 4 марта 2026 г." in russian.text
        fresh.cookies.set("ui", "hy")
        assert '<html lang="hy">' in fresh.get("/sources").text
    assert 'href="?limit=5&amp;ui=ru"' in client.get("/?limit=5&ui=en").text  # the switch keeps the filters


def test_choose_language_and_numbers() -> None:
    assert choose_language("ru", "hy", "en") == "ru"
    assert choose_language("xx", "hy", "ru") == "hy"
    assert choose_language(None, None, "de-DE, hy;q=0.8, ru;q=0.9") == "ru"
    assert choose_language(None, None, "ru;q=0, de") == "en"
    assert ui("en").number(1234567) == "1,234,567" and ui("ru").number(1234567) == "1\u00a0234\u00a0567"
    assert ui("hy").number(1234.5) == "1\u00a0234,50"
    assert ui("ru").date("2026-03-04") == "4 марта 2026 г." and ui("en").date("garbage") == "garbage"
