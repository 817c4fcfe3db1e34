"""Language versions of a web page: fetched with it (bounded, guarded, depth one), stored, never twice.

A real HTTP server on 127.0.0.1 serves one statement in English, Armenian and Russian; the English page names
the other two with ``hreflang`` alternates, and they name the others back (and a French page nobody serves)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from conftest import LoopbackServer
from newswatch.ingest.versions import page_id, version_urls, versions_to_fetch
from newswatch.model import Article, RawInput, Translation
from newswatch.runner import IngestReport, _store_versions, ingest_inputs
from newswatch.settings import Settings
from newswatch.store import SqliteStore

TEXTS = {
    "en": (
        "Border commissions to meet again in Gabala",
        "Yerevan, March 3, 2026. The Ministry of Foreign Affairs of Armenia said on Tuesday that the border "
        "commissions of Armenia and Azerbaijan will meet again next week in Gabala. The ministry called the "
        "talks constructive and said both sides agreed on a schedule for the remaining sections of the border. "
        "Its spokesperson said the next round would deal with the northern sections.",
    ),
    "hy": (
        "Սահմանային հանձնաժողովները կրկին կհանդիպեն Գաբալայում",
        "Երևան, 2026 թ. մարտի 3։ Հայաստանի արտաքին գործերի նախարարությունը երեքշաբթի հայտարարեց, որ "
        "Հայաստանի և Ադրբեջանի սահմանային հանձնաժողովները հաջորդ շաբաթ կրկին կհանդիպեն Գաբալայում։ "
        "Նախարարությունը բանակցությունները կառուցողական անվանեց և նշեց, որ կողմերը համաձայնեցին սահմանի "
        "մնացած հատվածների ժամանակացույցի շուրջ։ Խոսնակի խոսքով՝ հաջորդ փուլը կվերաբերի հյուսիսային "
        "հատվածներին։",
    ),
    "ru": (
        "Пограничные комиссии снова встретятся в Габале",
        "Ереван, 3 марта 2026 года. Министерство иностранных дел Армении заявило во вторник, что пограничные "
        "комиссии Армении и Азербайджана снова встретятся на следующей неделе в Габале. В министерстве "
        "назвали переговоры конструктивными и сообщили, что стороны согласовали график по оставшимся "
        "участкам границы. По словам пресс-секретаря, следующий раунд будет посвящён северным участкам.",
    ),
}


def _page(language: str, alternates: dict[str, str]) -> bytes:
    title, text = TEXTS[language]
    links = "".join(
        f'<link rel="alternate" hreflang="{lang}" href="{url}">' for lang, url in alternates.items()
    )
    return (
        f'<!doctype html><html lang="{language}"><head><meta charset="utf-8"><title>{title}</title>{links}'
        f"</head><body><article><h1>{title}</h1><p>{text}</p></article></body></html>"
    ).encode()


def _serve(server: LoopbackServer, *, ru_status: int = 200) -> dict[str, str]:
    """Route the three pages; returns their URLs by language. Every page lists all of them (itself too)."""
    urls = {lang: server.url(f"/{lang}/statement") for lang in ("en", "hy", "ru")}
    elsewhere = {**urls, "fr": server.url("/fr/statement")}  # listed by the versions only: never fetched
    server.route("/en/statement", _page("en", urls))
    server.route("/hy/statement", _page("hy", elsewhere))
    server.route("/ru/statement", _page("ru", elsewhere), status=ru_status)
    return urls


def _paths(server: LoopbackServer) -> list[str]:
    return [path for path, _headers in server.requests]


@pytest.fixture
def local() -> Settings:
    """Loopback is a private address: these settings may fetch it, with a short timeout."""
    return Settings({}).with_overrides(fetch_allow_private=True, fetch_timeout=2)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "n.db") as opened:
        yield opened


# --- the runner: page and versions stored ------------------------------------------------------------------


def test_a_page_from_the_web_brings_its_versions(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    urls = _serve(http_server)
    report = ingest_inputs([urls["en"]], store, local)
    assert report.failures == [] and report.notices == []
    assert report.outcomes["new"] == 3
    stored = {lang: store.get(page_id(url)) for lang, url in urls.items()}
    assert {lang: a.language if a else None for lang, a in stored.items()} == {lang: lang for lang in urls}
    # Each version lists the others and a French page: versions of versions are not followed.
    assert sorted(_paths(http_server)) == ["/en/statement", "/hy/statement", "/ru/statement"]


def test_the_versions_join_the_page_s_story(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    urls = _serve(http_server)
    ingest_inputs([urls["en"]], store, local)
    story = store.story_of(page_id(urls["en"]))
    assert story is not None
    assert {m.id for m in story.members} == {page_id(url) for url in urls.values()}


def test_the_bound_is_fetch_max_versions(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    urls = _serve(http_server)
    report = ingest_inputs([urls["en"]], store, local.with_overrides(fetch_max_versions=1))
    assert report.outcomes["new"] == 2
    assert _paths(http_server) == ["/en/statement", "/hy/statement"]  # the page's first version only
    assert store.get(page_id(urls["ru"])) is None


def test_zero_versions_fetches_none(http_server: LoopbackServer, local: Settings, store: SqliteStore) -> None:
    urls = _serve(http_server)
    report = ingest_inputs([urls["en"]], store, local.with_overrides(fetch_max_versions=0))
    assert report.outcomes["new"] == 1
    assert _paths(http_server) == ["/en/statement"]


def test_a_failing_version_is_a_notice_and_the_rest_is_stored(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    urls = _serve(http_server, ru_status=500)
    report = ingest_inputs([urls["en"]], store, local)
    assert report.failures == []
    assert [n.message for n in report.notices] == [f"version ru {urls['ru']}: HTTP 500 Internal Server Error"]
    assert report.outcomes["new"] == 2
    assert store.get(page_id(urls["en"])) is not None and store.get(page_id(urls["hy"])) is not None
    assert store.get(page_id(urls["ru"])) is None
    assert report.summary == "1 input: 2 new, 0 updated, 0 unchanged, 0 failed"


def test_re_ingest_stores_nothing_twice_and_fetches_no_stored_version(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    urls = _serve(http_server)
    ingest_inputs([urls["en"]], store, local)
    http_server.requests.clear()
    again = ingest_inputs([urls["en"]], store, local)
    assert again.outcomes == {"unchanged": 1}
    assert store.count() == 3
    assert _paths(http_server) == ["/en/statement"]


def test_a_version_ingested_before_is_not_fetched_again(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    urls = _serve(http_server)
    ingest_inputs([urls["hy"]], store, local.with_overrides(fetch_max_versions=0))
    http_server.requests.clear()
    report = ingest_inputs([urls["en"]], store, local)
    assert _paths(http_server) == ["/en/statement", "/ru/statement"]
    assert report.outcomes["new"] == 2 and store.count() == 3


def test_a_local_file_fetches_nothing(
    http_server: LoopbackServer, local: Settings, store: SqliteStore, tmp_path: Path
) -> None:
    urls = _serve(http_server)
    path = tmp_path / "statement.html"
    path.write_bytes(_page("en", urls))
    report = ingest_inputs([str(path)], store, local)
    assert report.outcomes == {"new": 1}
    assert http_server.requests == []


def test_a_feed_s_items_are_not_followed(
    http_server: LoopbackServer, local: Settings, store: SqliteStore
) -> None:
    urls = _serve(http_server)
    items = "".join(
        f"<item><title>{TEXTS[lang][0]}</title><link>{url}</link><guid>{url}</guid>"
        f"<description>{TEXTS[lang][1]}</description></item>"
        for lang, url in urls.items()
    )
    feed = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>MFA</title>{items}'
    feed += "</channel></rss>"
    feed_url = http_server.route("/feed.xml", feed.encode(), content_type="application/rss+xml")
    report = ingest_inputs([feed_url], store, local)
    assert report.outcomes == {"new": 3}
    assert _paths(http_server) == ["/feed.xml"]


# --- the same guards as any URL ----------------------------------------------------------------------------


def test_a_version_at_a_private_address_is_refused_without_traffic(
    http_server: LoopbackServer, store: SqliteStore
) -> None:
    """The page came from the web (its raw input has a URL); its version points at loopback, and
    ``fetch.allow_private`` is off: a notice, and the server never sees a request."""
    urls = _serve(http_server)
    page_url = "https://mfa.example/en/statement"
    raw = RawInput(data=_page("en", {"hy": urls["hy"]}), name=page_url, url=page_url)
    article = Article(
        id=page_id(page_url), text=TEXTS["en"][1], url=page_url, translations=(Translation("hy", urls["hy"]),)
    )
    report = IngestReport()
    found = _store_versions(store, raw, [article], Settings({}), report, None)
    assert found == []
    assert len(report.notices) == 1
    assert report.notices[0].message.startswith(f"version hy {urls['hy']}: ")
    assert "loopback address; set fetch.allow_private" in report.notices[0].message
    assert http_server.requests == []


# --- choosing the versions (pure) -------------------------------------------------------------------------


def _article(*translations: Translation, url: str | None = "https://mfa.example/en/statement") -> Article:
    return Article(id="x", text="t", url=url, translations=translations)


def test_version_urls_skip_own_repeated_and_non_web_addresses() -> None:
    article = _article(
        Translation("en", "https://mfa.example/en/statement#top"),  # the page itself
        Translation("hy", "https://mfa.example/hy/statement?utm_source=x"),
        Translation("hy", "https://MFA.example/hy/statement"),  # the same once cleaned
        Translation("ru", "ftp://mfa.example/ru/statement"),
        Translation("ru", None),
        Translation("ru", "https://mfa.example/ru/statement"),
        Translation("fr", "https://mfa.example/fr/statement"),
    )
    assert version_urls(article, own_url="https://mfa.example/en/statement?from_rss=1", limit=5) == [
        "https://mfa.example/hy/statement?utm_source=x",
        "https://mfa.example/ru/statement",
        "https://mfa.example/fr/statement",
    ]
    assert version_urls(article, own_url=None, limit=2) == [
        "https://mfa.example/hy/statement?utm_source=x",
        "https://mfa.example/ru/statement",
    ]
    assert version_urls(article, own_url=None, limit=0) == []


def test_version_urls_spell_addresses_as_fetched_and_drop_unreadable_ones() -> None:
    article = _article(
        Translation("hy", "https://mfa.example/hy/հայտարարություն"),
        Translation("ru", "https://mfa.example/ru/\x1b[31m"),
    )
    assert version_urls(article, own_url=None, limit=5) == [
        "https://mfa.example/hy/" + quote("հայտարարություն")
    ]


def _never(_article_id: str) -> bool:
    return False


def test_versions_to_fetch_only_for_web_pages() -> None:
    article = _article(Translation("hy", "https://mfa.example/hy/statement"))
    page = b"<html><body><p>statement</p></body></html>"
    web = RawInput(data=page, name="https://mfa.example/en/statement", url="https://mfa.example/en/statement")
    local = RawInput(data=page, name="statement.html")
    feed = RawInput(data=b"<rss><channel></channel></rss>", name=web.name, url=web.url)
    assert [v.url for v in versions_to_fetch(web, [article], limit=5, is_stored=_never)] == [
        "https://mfa.example/hy/statement"
    ]
    assert versions_to_fetch(local, [article], limit=5, is_stored=_never) == []
    assert versions_to_fetch(feed, [article], limit=5, is_stored=_never) == []
    stored = {page_id("https://mfa.example/hy/statement")}
    assert versions_to_fetch(web, [article], limit=5, is_stored=stored.__contains__) == []
