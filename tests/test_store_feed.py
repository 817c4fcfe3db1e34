"""The feed's queries (list_articles, search_articles, event_counts, quotes_by, sources) on both backends,
checked against brute-force answers computed from the stored records, over the ingested sample corpus."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import StoreFactory
from newswatch.errors import QueryError
from newswatch.model import Article, RawInput
from newswatch.runner import ingest_inputs
from newswatch.sample import sample_inputs, sample_reference_date
from newswatch.settings import load_settings
from newswatch.store import MARK_END, MARK_START, SqliteStore, Store
from newswatch.store.base import sort_key
from newswatch.store.listing import LEAD_CHARS, lead
from newswatch.store.queries import ArticleQuery, ArticleSummary
from newswatch.understand.lemmas import lemma, lemmas, query_forms


@pytest.fixture(scope="module")
def store(module_store_factory: StoreFactory) -> Store:
    opened = module_store_factory("sample")
    report = ingest_inputs(
        sample_inputs(), opened, load_settings(env={}), reference_date=sample_reference_date()
    )
    assert not report.failures
    return opened


@pytest.fixture(scope="module")
def records(store: Store) -> list[Article]:
    found = list(store.articles())
    assert len(found) > 30
    return found


def _key(article: Article) -> str:
    """The feed order of an article as the brute force sees it: its publication key, '' when undated."""
    if not (article.published or "").strip():
        return ""
    return sort_key(article.published) or ""


def _all(store: Store, query: ArticleQuery, limit: int = 7) -> list[ArticleSummary]:
    items: list[ArticleSummary] = []
    cursor: str | None = None
    for _ in range(1000):
        page = store.list_articles(query, cursor=cursor, limit=limit)
        assert len(page.items) <= limit
        items += page.items
        if page.next is None:
            return items
        assert len(page.items) == limit
        cursor = page.next
    raise AssertionError("pagination does not end")


# --- list_articles --------------------------------------------------------------------------------


def test_pages_visit_every_article_once_newest_first(store: Store, records: list[Article]) -> None:
    items = _all(store, ArticleQuery(), limit=7)
    ids = [item.id for item in items]
    assert len(ids) == len(set(ids)) == len(records)
    assert set(ids) == {a.id for a in records}
    by_id = {a.id: a for a in records}
    keys = [_key(by_id[i]) for i in ids]
    assert keys == sorted(keys, reverse=True)
    assert len(set(keys)) > 10  # the sample spans many times: the order is not trivially met


def test_a_summary_holds_a_short_lead_and_the_story(store: Store, records: list[Article]) -> None:
    by_id = {a.id: a for a in records}
    stories = store.story_ids(list(by_id))
    for item in _all(store, ArticleQuery(), limit=50):
        article = by_id[item.id]
        assert (item.title, item.url, item.source, item.language, item.published) == (
            article.title,
            article.url,
            article.source,
            article.language,
            article.published,
        )
        assert item.story == stories.get(item.id)
        assert item.lead == lead(article.text)
        assert len(item.lead) <= LEAD_CHARS + 1
        assert " ".join(article.text.split()).startswith(item.lead.removesuffix("…"))
    assert any(item.story for item in _all(store, ArticleQuery(), limit=50))


def test_lead_cuts_at_a_word() -> None:
    text = "word " * 100
    cut = lead(text)
    assert cut.endswith("word…") and len(cut) <= LEAD_CHARS + 1
    assert lead("  short\n text ") == "short text"


def _filters(records: list[Article]) -> list[ArticleQuery]:
    actors = Counter(x.id for a in records for x in {x.id: x for x in a.actors}.values())
    types = Counter(e.type for a in records for e in a.events if not e.negated)
    sources = Counter(a.source for a in records if a.source)
    actor = actors.most_common(3)[-1][0]
    kind = types.most_common(2)[-1][0]
    source = sources.most_common(1)[0][0]
    return [
        ArticleQuery(language="hy"),
        ArticleQuery(language="RU"),
        ArticleQuery(source=source),
        ArticleQuery(actor=actor),
        ArticleQuery(actor="ARM"),
        ArticleQuery(event_type=kind),
        ArticleQuery(event_type=kind.lower()),
        ArticleQuery(since="2026-03-04"),
        ArticleQuery(until="2026-03-04"),
        ArticleQuery(since="2026-02-24", until="2026-03-02"),
        ArticleQuery(since="2026-03-04T12:00:00+00:00", until="2026-03-06T12:00:00Z"),
        ArticleQuery(until="2026-02"),
        ArticleQuery(actor="ARM", language="en", since="2026-02-20"),
        ArticleQuery(actor="AZE", event_type=kind),
        ArticleQuery(event_type=kind, source=source, until="2026-03-06"),
        ArticleQuery(language="hy", source=source),
        ArticleQuery(actor="no-such-actor"),
    ]


def _brute(records: list[Article], query: ArticleQuery) -> set[str]:
    since = sort_key(query.since) if query.since else None
    until = {
        "2026-03-04": "2026-03-05T00:00:00.000000Z",
        "2026-03-02": "2026-03-03T00:00:00.000000Z",
        "2026-03-06": "2026-03-07T00:00:00.000000Z",
        "2026-02": "2026-03-01T00:00:00.000000Z",
    }.get(query.until or "")
    until_at = sort_key(query.until) if query.until and until is None else None
    kept = set()
    for a in records:
        key = _key(a)
        if query.language and a.language != query.language.lower():
            continue
        if query.source and a.source != query.source:
            continue
        if query.actor and query.actor not in {x.id for x in a.actors}:
            continue
        if query.event_type and not any(
            e.type == query.event_type.upper() and not e.negated for e in a.events
        ):
            continue
        if since and not (key and key >= since):
            continue
        if until and not (key and key < until):
            continue
        if until_at and not (key and key <= until_at):
            continue
        kept.add(a.id)
    return kept


def test_every_filter_narrows_as_the_records_say(store: Store, records: list[Article]) -> None:
    by_id = {a.id: a for a in records}
    sizes = set()
    for query in _filters(records):
        items = _all(store, query, limit=7)
        ids = [item.id for item in items]
        assert len(ids) == len(set(ids)), query
        assert set(ids) == _brute(records, query), query
        keys = [_key(by_id[i]) for i in ids]
        assert keys == sorted(keys, reverse=True), query
        sizes.add(len(ids))
    assert 0 in sizes and len(sizes) > 8  # filters that keep nothing, and many that keep something else


def test_undated_articles_come_last_and_no_date_filter_keeps_them(store_factory: StoreFactory) -> None:
    raw = RawInput(b"undated", "undated")
    with store_factory("u") as store:
        store.put(Article(id="undated", text="No date here.", language="en"), raw)
        store.put(Article(id="dated", text="A date.", language="en", published="2020-01-01"), raw)
        store.put(Article(id="later", text="Later.", language="en", published="2021-05-01T10:00"), raw)
        assert [i.id for i in store.list_articles(ArticleQuery()).items] == ["later", "dated", "undated"]
        assert [i.id for i in store.list_articles(ArticleQuery(until="2030-01-01")).items] == [
            "later",
            "dated",
        ]
        assert [i.id for i in store.list_articles(ArticleQuery(since="2020-06")).items] == ["later"]
        pages = [store.list_articles(ArticleQuery(), limit=1)]
        while pages[-1].next:
            pages.append(store.list_articles(ArticleQuery(), cursor=pages[-1].next, limit=1))
        assert [p.items[0].id for p in pages] == ["later", "dated", "undated"]


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "garbage",
        "!!!",
        "WyJzIiwxMF0",
        "WyJsIl0",
        "eyJhIjoxfQ",
        "bnVsbA",
        "W10",
        "WyJsIiwxLDJd",
        "x" * 500,
    ],
)
def test_a_cursor_not_given_by_the_store_is_a_query_error(store: Store, cursor: str) -> None:
    with pytest.raises(QueryError):
        store.list_articles(ArticleQuery(), cursor=cursor, limit=5)


@pytest.mark.parametrize(
    "query",
    [
        ArticleQuery(language="english"),
        ArticleQuery(since="yesterday"),
        ArticleQuery(until="2026-13-45"),
        ArticleQuery(until="soon"),
    ],
)
def test_a_bad_filter_is_a_query_error(store: Store, query: ArticleQuery) -> None:
    with pytest.raises(QueryError):
        store.list_articles(query)
    with pytest.raises(QueryError):
        store.search_articles("Armenia", query)


@pytest.mark.parametrize("limit", [0, -1, 501, True])
def test_a_bad_limit_is_a_query_error(store: Store, limit: int) -> None:
    with pytest.raises(QueryError):
        store.list_articles(ArticleQuery(), limit=limit)


# --- search ---------------------------------------------------------------------------------------


def _words(article: Article) -> list[str]:
    return re.findall(r"[^\W_]+", f"{article.title or ''} {article.text}")


def _has_lemma(article: Article, wanted: str) -> bool:
    return wanted in lemmas(f"{article.title or ''} {article.text}", article.language)


EVERYTHING = ArticleQuery()


def _search_all(store: Store, text: str, query: ArticleQuery = EVERYTHING) -> list[ArticleSummary]:
    items: list[ArticleSummary] = []
    cursor: str | None = None
    while True:
        page = store.search_articles(text, query, cursor=cursor, limit=7)
        items += page.items
        if page.next is None:
            return items
        cursor = page.next


def test_search_finds_inflected_russian_forms(store: Store, records: list[Article]) -> None:
    nominative = {i.id for i in _search_all(store, "Армения")}
    genitive = {i.id for i in _search_all(store, "Армении")}
    assert nominative == genitive == {a.id for a in records if _has_lemma(a, "армения")}
    # an article that has only the accusative "Армению" is found by the genitive
    only_accusative = [a for a in records if "Армению" in _words(a) and "Армении" not in _words(a)]
    assert only_accusative and {a.id for a in only_accusative} <= genitive
    assert not {a.id for a in records if a.language == "en"} & genitive


def test_search_finds_inflected_armenian_forms(store: Store, records: list[Article]) -> None:
    found = {i.id for i in _search_all(store, "կառավարության")}  # genitive of "government"
    others = [
        a
        for a in records
        if "կառավարության" not in _words(a) and {"կառավարությունը", "կառավարությանը"} & set(_words(a))
    ]
    assert others and {a.id for a in others} <= found
    assert found == {a.id for a in records if _has_lemma(a, "կառավարություն")}


def test_search_finds_english_forms_and_needs_every_word(store: Store, records: list[Article]) -> None:
    talks = {i.id for i in _search_all(store, "talk")}
    assert talks == {a.id for a in records if _has_lemma(a, "talk")} and talks
    both = {i.id for i in _search_all(store, "talks Bayramov")}
    assert both == {a.id for a in records if _has_lemma(a, "talk") and _has_lemma(a, "bayramov")}
    assert both and both < talks


def test_search_marks_the_matched_forms_in_the_snippet(store: Store) -> None:
    hits = store.search_articles("Армения", ArticleQuery(), limit=20).items
    assert hits
    for hit in hits:
        assert hit.snippet and hit.rank is not None
        marked = re.findall(f"{MARK_START}(.*?){MARK_END}", hit.snippet)
        assert marked and all(lemma(word, "ru") == "армения" for word in marked)
    assert any(f"{MARK_START}Армении{MARK_END}" in (hit.snippet or "") for hit in hits)
    ranks = [hit.rank for hit in hits if hit.rank is not None]
    assert ranks == sorted(ranks, reverse=True)


def test_search_takes_the_filters(store: Store, records: list[Article]) -> None:
    query = ArticleQuery(language="ru", actor="maria-zakharova", since="2026-03-01")
    found = {i.id for i in _search_all(store, "Армении", query)}
    assert found == {a.id for a in records if _has_lemma(a, "армения")} & _brute(records, query)
    assert found


def test_search_pages_are_disjoint_and_cursors_checked(store: Store) -> None:
    everything = _search_all(store, "Армения")
    ids = [i.id for i in everything]
    assert len(ids) == len(set(ids)) > 7
    listed = store.list_articles(ArticleQuery(), limit=3).next
    assert listed is not None
    with pytest.raises(QueryError):  # a list's cursor is not a search's
        store.search_articles("Армения", ArticleQuery(), cursor=listed)
    with pytest.raises(QueryError):
        store.search_articles("Армения", ArticleQuery(), cursor="junk")


@pytest.mark.parametrize(
    "text",
    [
        '"',
        "AND",
        "*",
        "NEAR(",
        "OR NOT",
        "title:",
        "-",
        "^",
        '"Армения',
        "a AND OR b",
        "(((",
        "x*",
        "NEAR(a b)",
    ],
)
def test_malformed_queries_answer_or_refuse_politely(store: Store, text: str) -> None:
    try:
        page = store.search_articles(text, ArticleQuery(), limit=5)
    except QueryError as exc:
        assert not {"sqlite", "fts5", "psycopg", "tsquery", "syntax"} & set(str(exc).lower().split())
    else:
        assert len(page.items) <= 5


@pytest.mark.parametrize("bad", ["a\x00b", "\ud800"])
def test_text_a_database_cannot_hold_is_refused_or_finds_nothing(
    store: Store, bad: str, request: pytest.FixtureRequest
) -> None:
    """A NUL or a lone surrogate in a filter or a query: a QueryError (PostgreSQL cannot hold it) or
    nothing found (SQLite), never a database error."""
    asks = [
        lambda: store.list_articles(ArticleQuery(actor=bad)).items,
        lambda: store.list_articles(ArticleQuery(source=bad)).items,
        lambda: store.list_articles(ArticleQuery(event_type=bad)).items,
        lambda: store.search_articles(f"Армения {bad}", ArticleQuery()).items,
        lambda: store.search_articles("Армения", ArticleQuery(actor=bad)).items,
        lambda: store.quotes_by(bad),
        lambda: store.event_counts(bad),
        lambda: store.event_counts("ARM", bad),
    ]
    for ask in asks:
        try:
            found = ask()
        except QueryError:
            continue
        assert not found


@pytest.mark.parametrize(
    "parts", ['["l","a\\u0000b",5]', '["l","\\ud800",5]', '["l","2026",99999999999999999999]']
)
def test_a_forged_cursor_is_refused_or_answered_never_a_database_error(
    store: Store, parts: str, request: pytest.FixtureRequest
) -> None:
    """Cursors of the right shape holding what a database cannot take (NUL, a lone surrogate, an integer
    out of range): a QueryError or a page, never a driver error."""
    import base64

    cursor = base64.urlsafe_b64encode(parts.encode()).decode().rstrip("=")
    try:
        page = store.list_articles(ArticleQuery(), cursor=cursor, limit=5)
    except QueryError:
        return
    assert len(page.items) <= 5


@pytest.mark.parametrize("text", ["", "   ", '"', "*", "(((", "- ^ :"])
def test_a_query_with_nothing_to_search_for_is_a_query_error(store: Store, text: str) -> None:
    with pytest.raises(QueryError, match="nothing to search for"):
        store.search_articles(text, ArticleQuery())


def test_the_old_search_still_works(store: Store) -> None:
    hits = store.search("Армении", limit=5)
    assert hits and all("Армении" in h.article.text or "Армении" in (h.article.title or "") for h in hits)


def test_query_forms_cover_each_language() -> None:
    assert "армения" in query_forms("Армении")
    assert "talk" in query_forms("talks")
    assert query_forms("U.N.") == ["u n"]


def test_an_article_updated_in_place_is_found_by_its_new_words_only(store_factory: StoreFactory) -> None:
    raw = RawInput(b"update", "update")
    old = Article(id="one", text="The orchard committee discussed apricots.", language="en", title="Apricots")
    with store_factory("u") as store:
        store.put(old, raw)
        assert [i.id for i in store.search_articles("apricot", ArticleQuery()).items] == ["one"]
        new = replace(old, text="The vineyard committee discussed grapes.", title="Grapes")
        assert store.put(new, raw) == "updated"
        assert store.search_articles("apricots", ArticleQuery()).items == ()
        assert [i.id for i in store.search_articles("grape", ArticleQuery()).items] == ["one"]
        assert store.list_articles(ArticleQuery()).items[0].lead == new.text


# --- actors, quotes, sources ----------------------------------------------------------------------


def _counts(
    records: list[Article], actor: str, other: str | None, story_of: dict[str, str]
) -> Counter[tuple[str, str]]:
    """Events per day and type, each counted once per story (its reports in the story's articles)."""
    seen: set[tuple[str, str, str, str, str | None]] = set()
    counts: Counter[tuple[str, str]] = Counter()
    for article in records:
        country = {x.id: x.country for x in article.actors}

        def names(who: str | None) -> set[str | None]:
            return {who, country.get(who or "")}  # noqa: B023 — used at once, in this iteration

        for event in article.events:
            if event.negated:
                continue
            src, tgt = names(event.source), names(event.target)
            if other is None:
                hit = actor in src or actor in tgt
            else:
                hit = (actor in src and other in tgt) or (other in src and actor in tgt)
            if not hit:
                continue
            dated = event.date and len(event.date) >= 10
            day = (event.date or "")[:10] if dated else (article.published or "")[:10]
            key = (story_of.get(article.id, article.id), day, event.type, event.source, event.target)
            if key not in seen:
                seen.add(key)
                counts[(day, event.type)] += 1
    return counts


@pytest.mark.parametrize(("actor", "other"), [("ARM", None), ("AZE", "ARM"), ("maria-zakharova", None)])
def test_event_counts_sum_as_the_records_say(
    store: Store, records: list[Article], actor: str, other: str | None
) -> None:
    counts = store.event_counts(actor, other)
    got = Counter({(c.day, c.type): c.count for c in counts})
    story_of = store.story_ids([a.id for a in records])
    assert got == _counts(records, actor, other, story_of) and got
    every_report = _counts(records, actor, other, {a.id: a.id for a in records})
    assert sum(got.values()) < sum(every_report.values())  # reports of one story's event counted once
    assert [(c.day, c.type) for c in counts] == sorted((c.day, c.type) for c in counts)
    days = sorted({c.day for c in counts})
    inside = store.event_counts(actor, other, since=days[0], until=days[0])
    assert inside and {c.day for c in inside} == {days[0]}
    assert sum(c.count for c in inside) == sum(n for (d, _), n in got.items() if d == days[0])
    if len(days) > 2:
        middle = store.event_counts(actor, other, since=days[1], until=days[-2])
        assert Counter({(c.day, c.type): c.count for c in middle}) == Counter(
            {k: n for k, n in got.items() if days[1] <= k[0] <= days[-2]}
        )


def test_event_counts_need_an_actor(store: Store) -> None:
    with pytest.raises(QueryError):
        store.event_counts(" ")


def test_quotes_by_a_speaker_newest_first(store: Store, records: list[Article]) -> None:
    speaker = Counter(q.speaker for a in records for q in a.quotes if q.speaker).most_common(1)[0][0]
    expected = Counter((a.id, q.text) for a in records for q in a.quotes if q.speaker == speaker)
    hits = store.quotes_by(speaker, limit=500)
    assert Counter((h.article.id, h.quote.text) for h in hits) == expected
    by_id = {a.id: a for a in records}
    keys = [_key(by_id[h.article.id]) for h in hits]
    assert keys == sorted(keys, reverse=True)
    assert all(h.quote.speaker == speaker and h.article.lead for h in hits)
    assert store.quotes_by(speaker, limit=2) == hits[:2]
    assert store.quotes_by("nobody-at-all") == []


def test_sources_count_their_articles(store: Store, records: list[Article]) -> None:
    expected: dict[str, list[Article]] = {}
    for article in records:
        if article.source:
            expected.setdefault(article.source, []).append(article)
    found = store.sources()
    assert {s.source: s.articles for s in found} == {k: len(v) for k, v in expected.items()}
    assert [s.articles for s in found] == sorted((s.articles for s in found), reverse=True)
    for info in found:
        members = expected[info.source]
        newest = max(members, key=_key)
        assert info.latest == newest.published
        seen = [store.info(a.id) for a in members]
        assert info.last_seen == max(i.first_seen for i in seen if i).isoformat().replace("+00:00", "Z")


# --- an older database ----------------------------------------------------------------------------


def test_a_database_from_before_the_feed_tables_is_brought_up_to_date(tmp_path: Path) -> None:
    """SQLite only: PostgreSQL has no database from before its feed tables (they came with its migration 0002)."""
    path = tmp_path / "old.db"
    with SqliteStore(path) as store:
        ingest_inputs(sample_inputs(), store, load_settings(env={}), reference_date=sample_reference_date())
        listed = _all(store, ArticleQuery(), limit=5)
        searched = _search_all(store, "Armenia")
        sources = store.sources()
        counts = store.event_counts("ARM")
        assert listed and searched and sources and counts
    conn = sqlite3.connect(path, isolation_level=None)  # take migration 0007 out again
    for trigger in ("feed_on_insert", "feed_on_update", "feed_on_delete"):
        conn.execute(f"DROP TRIGGER {trigger}")
    for trigger in ("source_counts_insert", "source_counts_delete", "source_counts_update"):
        conn.execute(f"DROP TRIGGER {trigger}")
    for index in ("articles_feed", "articles_feed_by_language", "articles_feed_by_source"):
        conn.execute(f"DROP INDEX {index}")
    conn.execute("DROP INDEX articles_by_source_first_seen")
    for table in ("article_actors", "article_types", "quotes", "source_counts", "articles_lemma_fts"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP TABLE article_words")
    conn.execute("DROP TABLE words_pending")
    conn.execute("ALTER TABLE articles DROP COLUMN feed_sort")
    conn.execute("DELETE FROM schema_migrations WHERE version = 7")
    assert "article_words" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    with SqliteStore(path) as store:
        assert _all(store, ArticleQuery(), limit=5) == listed
        assert _search_all(store, "Armenia") == searched
        assert store.sources() == sources
        assert store.event_counts("ARM") == counts
