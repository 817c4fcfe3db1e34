"""The store, against both backends: real SQLite files in a temporary directory and fresh PostgreSQL databases
(the ``store_factory`` fixture). Tests of what only one backend has (SQLite files, its busy lock, its
migration table) say so in their name or first line."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import StoreFactory
from newswatch.errors import QueryError, StoreError
from newswatch.model import Actor, Article, Event, Link, Mention, Quote, RawInput, Translation, article_id
from newswatch.store import MARK_END, MARK_START, SearchHit, SqliteStore, Store, open_store
from newswatch.store import postgres as postgres_module
from newswatch.store import sqlite as sqlite_module
from newswatch.store.postgres_migrations import load_migrations as load_postgres_migrations
from newswatch.store.sqlite import load_migrations

# --- helpers -------------------------------------------------------------------------------------------


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def make(text: str, *, url: str | None = None, **fields: object) -> Article:
    return Article(
        id=article_id(url=url, guid=None, feed_url=None, text=text),
        text=text,
        url=url,
        **fields,  # type: ignore[arg-type]
    )


def feed_raw(body: bytes = b"<rss>two items</rss>") -> RawInput:
    return RawInput(body, "https://news.example/feed.xml", url="https://news.example/feed.xml")


ENVOY_TEXT = (
    "The UN envoy welcomed the ceasefire on Tuesday.\n\n"
    '"We urge both sides to talk," she said, adding that a mission will travel at Armenia\'s request.'
)


def full_article() -> Article:
    """An article with every field set, nested records included."""
    text = ENVOY_TEXT
    return Article(
        id=article_id(url=None, guid="item-17", feed_url="https://news.example/feed.xml", text=text),
        text=text,
        url=None,
        source="news.example",
        title="Envoy welcomes the ceasefire",
        author="A. Writer",
        language="en",
        published="2026-01-28",
        published_precision="inferred-year",
        translations=(
            Translation("hy", "https://news.example/hy/17", "Բանագնացը ողջունում է", id="abc"),
            Translation("ru", None, None),
        ),
        related=(Link("Earlier talks", "https://news.example/16"), Link("No address")),
        actors=(
            Actor("un", "UN", "organization", mentions=(Mention(4, 6, "UN"),)),
            Actor("miroslav-jenca", "Miroslav Jenca", "person", country="un", role="envoy", mentions=()),
            Actor("ARM", "Armenia", "country", mentions=(Mention(130, 137, "Armenia"), Mention(0, 3, "The"))),
        ),
        quotes=(Quote("miroslav-jenca", "We urge both sides to talk,", 50, 78, True, "said"),),
        events=(
            Event(
                "SUPPORT",
                "051",
                "un",
                None,
                "2026-01-27",
                None,
                "The UN envoy welcomed the ceasefire.",
                0,
                46,
                0.9,
            ),
            Event(
                "REQUEST",
                "020",
                "ARM",
                "un",
                None,
                "Yerevan",
                "…at Armenia's request.",
                100,
                140,
                0.5,
                negated=True,
                claimed_by="un",
            ),
        ),
        guid="item-17",
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "news.db"


@pytest.fixture
def store(store_factory: StoreFactory, clock: Clock) -> Store:
    return store_factory(clock=clock)


def table_count(factory: StoreFactory, table: str) -> int:
    return int(factory.rows("main", f"SELECT count(*) FROM {table}")[0][0])


def index_check(factory: StoreFactory) -> None:
    """The search index agrees with the articles (SQLite's FTS5 check; PostgreSQL indexes in the row)."""
    if factory.kind == "sqlite":
        factory.rows("main", "INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
    else:
        assert factory.rows("main", "SELECT count(*) FROM articles WHERE search = ''::tsvector")[0][0] == 0


# --- round trip ----------------------------------------------------------------------------------------


def test_every_field_survives_a_round_trip(store: Store) -> None:
    article = full_article()
    raw = RawInput(
        b"\xef\xbb\xbfraw bytes \x00\xff",
        "capture.txt",
        url="https://news.example/17",
        content_type="text/plain; charset=utf-8",
        reference_date=datetime(2026, 1, 29, 8, 15, tzinfo=timezone(timedelta(hours=4))),
    )
    assert store.put(article, raw) == "new"
    back = store.get(article.id)
    assert back == article
    assert back is not None
    assert back.to_dict() == article.to_dict()
    assert back.guid == "item-17"
    stored_raw = store.raw_for(article.id)
    assert stored_raw is not None
    assert stored_raw.data == raw.data
    assert (stored_raw.name, stored_raw.url, stored_raw.content_type) == (raw.name, raw.url, raw.content_type)
    assert stored_raw.reference_date == raw.reference_date  # the same instant…
    assert stored_raw.reference_date is not None
    assert stored_raw.reference_date.tzinfo == UTC  # …given back in UTC


def test_a_naive_reference_date_comes_back_as_given(store: Store) -> None:
    raw = RawInput(b"text", "-", reference_date=datetime(2026, 1, 29, 8, 15))
    store.put(make("Some text."), raw)
    assert store.raw(raw.sha256) == raw


def test_get_of_an_unknown_id_is_none(store: Store) -> None:
    assert store.get("0123456789abcdef") is None
    assert store.info("0123456789abcdef") is None
    assert store.raw_for("0123456789abcdef") is None
    assert store.raw("0" * 64) is None
    assert store.raw("not a hash") is None


def test_store_times_are_utc_from_the_clock(store: Store, clock: Clock) -> None:
    article = make("Clocked text.")
    store.put(article, feed_raw())
    info = store.info(article.id)
    assert info is not None
    assert info.first_seen == clock.now
    assert info.first_seen.tzinfo == UTC
    assert info.updated_at == clock.now


# --- idempotency and updates -------------------------------------------------------------------------


def test_the_same_put_twice_is_unchanged(store: Store, store_factory: StoreFactory, clock: Clock) -> None:
    article = full_article()
    assert store.put(article, feed_raw()) == "new"
    clock.advance(hours=1)
    assert store.put(article, feed_raw()) == "unchanged"
    assert store.put_many([(article, feed_raw())]) == ["unchanged"]
    assert store.count() == 1
    assert table_count(store_factory, "articles") == 1
    info = store.info(article.id)
    assert info is not None
    assert info.updated_at == datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def test_changed_content_updates_in_place(store: Store, store_factory: StoreFactory, clock: Clock) -> None:
    first = make("The minister spoke about bridges.", url="https://news.example/a", language="en")
    assert store.put(first, RawInput(b"version one", "https://news.example/a")) == "new"
    first_seen = clock.now
    later = clock.advance(hours=3)
    second = replace(first, text="The minister spoke about tunnels.", title="Tunnels")
    assert second.id == first.id
    new_raw = RawInput(b"version two", "https://news.example/a")
    assert store.put(second, new_raw) == "updated"

    assert store.count() == 1
    assert store.get(first.id) == second
    info = store.info(first.id)
    assert info is not None
    assert (info.first_seen, info.updated_at) == (first_seen, later)
    assert info.raw_sha256 == new_raw.sha256
    assert [hit.article.id for hit in store.search("tunnels")] == [first.id]
    assert store.search("bridges") == []
    index_check(store_factory)
    # the first version's bytes are still there, by their hash
    old = store.raw(RawInput(b"version one", "x").sha256)
    assert old is not None
    assert old.data == b"version one"


def test_an_unchanged_article_from_new_bytes_does_not_store_them(
    store: Store, store_factory: StoreFactory
) -> None:
    article = make("Stable text.", url="https://news.example/s")
    store.put(article, RawInput(b"<rss>fetch 1</rss>", "feed"))
    again = RawInput(b"<rss>fetch 2, only lastBuildDate changed</rss>", "feed")
    assert store.put(article, again) == "unchanged"
    assert store.raw(again.sha256) is None
    assert table_count(store_factory, "raw_inputs") == 1


def test_raw_bytes_are_stored_once_per_hash(store: Store, store_factory: StoreFactory) -> None:
    raw = feed_raw()
    one = make("First item of the feed.", url="https://news.example/1")
    two = make("Second item of the feed.", url="https://news.example/2")
    assert store.put_many([(one, raw), (two, feed_raw())]) == ["new", "new"]
    three = make("A later item of the same feed bytes.", url="https://news.example/3")
    assert store.put(three, feed_raw()) == "new"
    assert table_count(store_factory, "raw_inputs") == 1
    infos = [store.info(a.id) for a in (one, two, three)]
    assert {i.raw_sha256 for i in infos if i is not None} == {raw.sha256}
    back = store.raw(raw.sha256)
    assert back is not None
    assert back.data == raw.data
    assert back.url == raw.url
    assert store.raw(raw.sha256.upper()) == back


def test_put_many_gives_one_outcome_per_item_in_order(store: Store) -> None:
    a = make("Alpha text.")
    b = make("Beta text.")
    store.put(a, feed_raw())
    changed_a = replace(a, title="Alpha")
    assert store.put_many([(b, feed_raw()), (a, feed_raw()), (changed_a, feed_raw())]) == [
        "new",
        "unchanged",
        "updated",
    ]
    assert store.put_many([]) == []


# --- listing ---------------------------------------------------------------------------------------------


@pytest.fixture
def listed(store: Store, clock: Clock) -> Store:
    """Five articles: three dated (one with an offset), two undated seen at different times."""
    rows = [
        make("Armenian text one.", url="u1", language="hy", published="2026-01-28"),
        make(
            "English text at nine in Yerevan.", url="u2", language="en", published="2026-01-28T09:00:00+04:00"
        ),
        make("Russian text.", url="u3", language="ru", published="2026-01-27T23:30:00Z"),
        make("Undated English text.", url="u4", language="EN"),
    ]
    clock.now = datetime(2026, 1, 28, 3, 0, tzinfo=UTC)
    store.put_many([(a, feed_raw()) for a in rows])
    clock.now = datetime(2026, 1, 26, 0, 0, tzinfo=UTC)  # clocks can be odd; first_seen is what it said
    store.put(make("Old undated Armenian text.", url="u5", language="hy"), feed_raw())
    return store


def urls(articles: Iterator[Article]) -> list[str]:
    return [a.url or "" for a in articles]


def test_articles_are_newest_first_by_published_time(listed: Store) -> None:
    # u2 is 05:00 UTC; u4 was first seen at 03:00; u1 is midnight UTC; u3 the evening before; u5 older
    assert urls(listed.articles()) == ["u2", "u4", "u1", "u3", "u5"]


def test_articles_by_first_seen(listed: Store, clock: Clock) -> None:
    clock.now = datetime(2026, 2, 5, tzinfo=UTC)
    listed.put(make("An old story found late.", url="late", published="2025-06-01"), feed_raw())
    by_seen = urls(listed.articles(order="first_seen"))
    assert by_seen[0] == "late"
    assert by_seen[-1] == "u5"
    assert sorted(by_seen[1:5]) == ["u1", "u2", "u3", "u4"]  # one batch: one first_seen
    assert urls(listed.articles())[-1] == "late"
    # since still filters on the publication time, whatever the order
    assert "late" not in urls(listed.articles(order="first_seen", since="2026-01-01"))


def test_since_compares_published_or_first_seen(listed: Store) -> None:
    assert urls(listed.articles(since="2026-01-28")) == ["u2", "u4", "u1"]
    assert urls(listed.articles(since="2026-01-28T04:00:00+00:00")) == ["u2"]
    assert urls(listed.articles(since="2026-01-28T08:00:00+04:00")) == ["u2"]
    assert urls(listed.articles(since="2026-01-27T12:00:00")) == ["u2", "u4", "u1", "u3"]
    assert urls(listed.articles(since="2027-01-01")) == []


def test_language_filter_and_limit(listed: Store) -> None:
    assert urls(listed.articles(language="hy")) == ["u1", "u5"]
    assert urls(listed.articles(language="en")) == ["u2", "u4"]  # "EN" was stored as en
    assert urls(listed.articles(language="EN", since="2026-01-28T04:00:00Z")) == ["u2"]
    assert urls(listed.articles(limit=2)) == ["u2", "u4"]
    assert urls(listed.articles(language="de")) == []


def test_listing_pages_through_many_rows(store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_module, "_PAGE", 3)
    monkeypatch.setattr(postgres_module, "_PAGE", 3)
    items = []
    for day in range(1, 11):
        items.append((make(f"Day {day}.", url=f"d{day}", published=f"2026-03-{day:02d}"), feed_raw()))
    items.append((make("Same day twin.", url="d5b", published="2026-03-05"), feed_raw()))
    store.put_many(items)
    listed = urls(store.articles())
    assert len(listed) == 11
    assert len(set(listed)) == 11
    assert listed[:2] == ["d10", "d9"]
    assert listed[-1] == "d1"
    assert urls(store.articles(limit=7)) == listed[:7]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-13-01"}, "since"),
        ({"limit": 0}, "limit"),
        ({"limit": -5}, "limit"),
        ({"language": "english"}, "language"),
        ({"order": "title"}, "order"),
    ],
)
def test_bad_list_arguments_are_query_errors_at_call_time(
    store: Store, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(QueryError, match=message):
        store.articles(**kwargs)  # type: ignore[arg-type]


# --- search ------------------------------------------------------------------------------------------------


@pytest.fixture
def searchable(store: Store) -> Store:
    store.put_many(
        [
            (make(ENVOY_TEXT, url="en1", language="en", title="Envoy welcomes the ceasefire"), feed_raw()),
            (
                make("Talks about a café in Zürich resumed.", url="en2", language="en", title="Café talks"),
                feed_raw(),
            ),
            (
                make(
                    "Министерство иностранных дел России призвало стороны к переговорам. Ереван ответил.",
                    url="ru1",
                    language="ru",
                    title="Москва призывает к диалогу",
                ),
                feed_raw(),
            ),
            (
                make(
                    "Հայաստանի արտաքին գործերի նախարարությունը ողջունեց հրադադարը։ Երևանը պատրաստ է բանակցությունների։",
                    url="hy1",
                    language="hy",
                    title="Երևանը ողջունում է հրադադարը",
                ),
                feed_raw(),
            ),
        ]
    )
    return store


def hit_urls(hits: list[SearchHit]) -> list[str]:
    return [h.article.url or "" for h in hits]


def test_search_english_with_snippet_and_rank(searchable: Store) -> None:
    hits = searchable.search("ceasefire")
    assert hit_urls(hits) == ["en1"]
    assert f"{MARK_START}ceasefire{MARK_END}" in hits[0].snippet
    assert hits[0].rank > 0
    assert hit_urls(searchable.search("CEASEFIRE envoy")) == ["en1"]
    assert searchable.search("ceasefire zürich") == []  # all words must occur


def test_search_ignores_case_and_diacritics(searchable: Store) -> None:
    assert hit_urls(searchable.search("cafe zurich")) == ["en2"]
    assert hit_urls(searchable.search("CAFÉ")) == ["en2"]
    searchable.put(make("Delegates from Việt Nam arrived.", url="vi"), feed_raw())
    assert hit_urls(searchable.search("viet nam")) == ["vi"]  # two marks on one letter (remove_diacritics 2)


def test_search_russian(searchable: Store) -> None:
    hits = searchable.search("министерство РОССИИ")
    assert hit_urls(hits) == ["ru1"]
    assert f"{MARK_START}Министерство{MARK_END}" in hits[0].snippet
    assert hit_urls(searchable.search("диалогу")) == ["ru1"]  # title words are searched too


def test_search_armenian(searchable: Store) -> None:
    hits = searchable.search("հրադադարը")
    assert hit_urls(hits) == ["hy1"]
    assert f"{MARK_START}հրադադարը{MARK_END}" in hits[0].snippet
    assert hit_urls(searchable.search("ՆԱԽԱՐԱՐՈՒԹՅՈՒՆԸ")) == ["hy1"]  # Armenian capitals fold too


def test_a_title_match_ranks_above_a_text_match(store: Store) -> None:
    store.put(
        make("Nothing on that here. Borders were discussed at length.", url="t", title="Borders"), feed_raw()
    )
    store.put(
        make("Nothing on that here. Borders were discussed at length.", url="x", title="Other"), feed_raw()
    )
    hits = store.search("borders")
    assert hit_urls(hits) == ["t", "x"]
    assert hits[0].rank > hits[1].rank


def test_search_language_filter_and_limit(searchable: Store) -> None:
    searchable.put(make("Ереван ответил на заявление.", url="hyru", language="hy"), feed_raw())
    assert sorted(hit_urls(searchable.search("ереван"))) == ["hyru", "ru1"]
    assert hit_urls(searchable.search("ереван", language="ru")) == ["ru1"]
    assert len(searchable.search("ереван", limit=1)) == 1
    with pytest.raises(QueryError):
        searchable.search("ереван", limit=0)


@pytest.mark.parametrize(
    "query",
    ['"', "*", "-", "()", "  ", "", ":", "^", '""', "+-*/", "_", "\ud800"],
)
def test_queries_without_words_are_query_errors(searchable: Store, query: str) -> None:
    with pytest.raises(QueryError):
        searchable.search(query)


@pytest.mark.parametrize(
    "query",
    [
        "NEAR(",
        "NEAR(ceasefire envoy, 2)",
        "AND OR",
        "ceasefire AND",
        "NOT ceasefire",
        "title:",
        "title:ceasefire",
        "-ceasefire",
        "ceasefire*",
        '"ceasefire',
        'cease"fire',
        "{title text}: envoy",
        "^envoy",
        "envoy + talks",
        "a\x00b",
        "don't",
        "Armenia's",
        "ceasefire)",
    ],
)
def test_hostile_queries_never_raise(searchable: Store, query: str) -> None:
    assert isinstance(searchable.search(query), list)


def test_operators_are_plain_words(searchable: Store) -> None:
    assert hit_urls(searchable.search("ceasefire: envoy")) == ["en1"]
    assert searchable.search("title:ceasefire") == []  # the phrase "title ceasefire", not a column filter
    assert hit_urls(searchable.search("-ceasefire")) == ["en1"]  # not a negation
    assert searchable.search("ceasefire OR zürich") == []  # OR is a word that must occur, not an operator
    assert hit_urls(searchable.search("Armenia's request")) == ["en1"]


# --- atomicity ------------------------------------------------------------------------------------------


def nan_article() -> Article:
    """A record JSON cannot hold: its confidence is not a number."""
    event = Event(
        "ACCUSE", "112", "ARM", "AZE", None, None, "Armenia accused Azerbaijan.", 0, 27, float("nan")
    )
    return make("Armenia accused Azerbaijan.", url="bad", events=(event,))


def test_a_failing_item_leaves_nothing_of_its_batch(store: Store, store_factory: StoreFactory) -> None:
    kept = make("Stored before the batch.", url="kept")
    store.put(kept, RawInput(b"earlier", "earlier"))
    good = make("First item of the batch.", url="good")
    good_raw = RawInput(b"<rss>good</rss>", "feed-a")
    bad_raw = RawInput(b"<rss>bad</rss>", "feed-b")
    changed_kept = replace(kept, text="Changed inside the failing batch.")
    with pytest.raises(StoreError, match="cannot be stored"):
        store.put_many([(good, good_raw), (changed_kept, good_raw), (nan_article(), bad_raw)])
    assert store.count() == 1
    assert store.get(good.id) is None
    assert store.get(kept.id) == kept
    assert store.raw(good_raw.sha256) is None
    assert store.raw(bad_raw.sha256) is None
    assert table_count(store_factory, "raw_inputs") == 1
    index_check(store_factory)
    assert store.search("first item") == []
    assert store.search("changed inside") == []
    assert hit_urls(store.search("stored before")) == ["kept"]
    # the store is still usable after the failed batch
    assert store.put(good, good_raw) == "new"


def test_text_that_is_not_unicode_is_refused_atomically(store: Store) -> None:
    good = make("Fine text.", url="fine")
    broken = make("Bad \udcff bytes decoded with surrogateescape.", url="broken")
    with pytest.raises(StoreError, match=f"article {broken.id}: cannot be stored"):
        store.put_many([(good, feed_raw()), (broken, feed_raw())])
    assert store.count() == 0


def test_a_raw_name_that_is_not_unicode_is_refused(store: Store) -> None:
    raw = RawInput(b"bytes", "caf\udce9.txt")
    with pytest.raises(StoreError, match="not valid Unicode"):
        store.put(make("Text from a badly named file."), raw)
    assert store.count() == 0


def test_an_exception_from_the_items_rolls_back(store: Store) -> None:
    def items() -> Iterator[tuple[Article, RawInput]]:
        yield make("Parsed fine.", url="p1"), feed_raw()
        raise RuntimeError("the parser died")

    with pytest.raises(RuntimeError, match="parser died"):
        store.put_many(items())
    assert store.count() == 0
    assert store.raw(feed_raw().sha256) is None


# --- concurrency --------------------------------------------------------------------------------------


def test_readers_see_committed_data_while_a_writer_writes(store_factory: StoreFactory, clock: Clock) -> None:
    writer = store_factory(clock=clock)
    reader = open_store(store_factory.url())
    first = make("Already there.", url="r0")
    writer.put(first, feed_raw())
    seen_during: list[tuple[int, Article | None, int]] = []

    def items() -> Iterator[tuple[Article, RawInput]]:
        for n in range(1, 4):
            yield make(f"Batch item {n}.", url=f"r{n}"), feed_raw()
            # the writer's transaction is open and holds uncommitted rows; the reader is not blocked
            seen_during.append((reader.count(), reader.get(first.id), len(reader.search("batch"))))

    assert writer.put_many(items()) == ["new", "new", "new"]
    assert seen_during == [(1, first, 0)] * 3
    assert reader.count() == 4
    assert len(reader.search("batch item")) == 3
    if store_factory.kind == "sqlite":
        assert store_factory.rows("main", "PRAGMA journal_mode")[0][0] == "wal"
    reader.close()


def test_threads_share_one_store_and_readers_see_only_whole_batches(store_factory: StoreFactory) -> None:
    shared = store_factory()
    reader = store_factory()
    failures: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for batch in range(10):
                shared.put_many(
                    [
                        (
                            make(f"Worker {worker} batch {batch} item {n}.", url=f"{worker}/{batch}/{n}"),
                            feed_raw(),
                        )
                        for n in range(5)
                    ]
                )
        except BaseException as exc:  # reported below, a thread's exception would be lost
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(3)]
    for thread in threads:
        thread.start()
    counts = []
    while any(thread.is_alive() for thread in threads):
        counts.append(reader.count())
    for thread in threads:
        thread.join()
    assert failures == []
    assert all(n % 5 == 0 for n in counts)  # a batch is seen whole or not at all
    assert counts == sorted(counts)
    assert reader.count() == shared.count() == 150


def test_two_stores_putting_the_same_articles_at_once_store_each_once(store_factory: StoreFactory) -> None:
    """Workers that fetch the same feed: every article new exactly once, however the writes interleave."""
    stores = [store_factory(), store_factory()]
    items = [(make(f"Shared item {n}.", url=f"s{n}"), feed_raw()) for n in range(20)]
    outcomes: list[list[str]] = [[], []]
    failures: list[BaseException] = []

    def write(index: int) -> None:
        try:
            order = items if index == 0 else items[::-1]  # opposite orders: row locks taken crosswise
            for start in range(0, len(order), 4):
                outcomes[index] += stores[index].put_many(order[start : start + 4])
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(outcomes[0] + outcomes[1]) == ["new"] * 20 + ["unchanged"] * 20
    assert stores[0].count() == 20
    assert table_count(store_factory, "raw_inputs") == 1


def test_a_second_writer_gets_a_store_error_when_busy(db: Path) -> None:
    """SQLite only: one writer at a time (PostgreSQL locks rows, and the test above writes at once)."""
    writer = SqliteStore(db)
    other = SqliteStore(db, busy_timeout=0.01)
    errors: list[StoreError] = []

    def items() -> Iterator[tuple[Article, RawInput]]:
        yield make("Holding the lock.", url="w1"), feed_raw()
        try:
            other.put(make("Wants the lock.", url="w2"), feed_raw())
        except StoreError as exc:
            errors.append(exc)

    writer.put_many(items())
    assert len(errors) == 1
    assert "busy" in str(errors[0])
    assert other.count() == 1
    writer.close()
    other.close()


# --- opening, migrations, damaged files -------------------------------------------------------------


def test_open_store_creates_parent_directories(tmp_path: Path) -> None:
    """SQLite only: a file is created; a PostgreSQL database must exist."""
    path = tmp_path / "a" / "b" / "c.db"
    with open_store(str(path)) as store:
        assert store.count() == 0
    assert path.is_file()


def test_open_store_takes_sqlite_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    absolute = tmp_path / "abs.db"
    with open_store(f"sqlite:///{absolute}") as store:
        store.put(make("Via an absolute URL."), feed_raw())
    with open_store(str(absolute)) as store:
        assert store.count() == 1
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///rel/here.db") as store:
        assert store.count() == 0
    assert (tmp_path / "rel" / "here.db").is_file()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://localhost/news", "unknown database kind"),
        ("sqlite://", "sqlite:///"),
        ("", "no database"),
    ],
)
def test_open_store_refuses_what_it_cannot_open(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(url)


def test_the_store_satisfies_the_interface(store_factory: StoreFactory) -> None:
    store: Store = open_store(store_factory.url())
    expected = SqliteStore if store_factory.kind == "sqlite" else postgres_module.PostgresStore
    assert isinstance(store, expected)
    store.close()


def _migrations(factory: StoreFactory) -> list[int]:
    loaded = load_migrations() if factory.kind == "sqlite" else load_postgres_migrations()
    return [m.version for m in loaded]


def test_reopening_applies_migrations_once(store_factory: StoreFactory) -> None:
    url = store_factory.url("blank", blank=True)
    for _ in range(3):
        with open_store(url) as store:
            store.put(make("Persisted."), feed_raw())
    rows = store_factory.rows("blank", "SELECT version FROM schema_migrations ORDER BY version")
    versions = [row[0] for row in rows]
    assert versions == _migrations(store_factory)
    assert versions[0] == 1
    with open_store(url) as store:
        assert store.count() == 1


def test_a_database_from_a_newer_newswatch_is_refused(store_factory: StoreFactory) -> None:
    open_store(store_factory.url()).close()
    store_factory.rows(
        "main", "INSERT INTO schema_migrations VALUES (9999, 'from_the_future', '2030-01-01T00:00:00Z')"
    )
    with pytest.raises(StoreError, match="newer"):
        open_store(store_factory.url())


def test_a_garbage_file_is_a_store_error(tmp_path: Path) -> None:
    """SQLite only: a file that is not a database."""
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not a database at all, just some text pretending to be one\n" * 100)
    with pytest.raises(StoreError, match="not a SQLite database"):
        open_store(str(path))


def test_another_programs_sqlite_database_is_refused(tmp_path: Path) -> None:
    """SQLite only (PostgreSQL: see test_store_postgres.py)."""
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (n INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not one of newswatch"):
        open_store(str(path))


def test_a_directory_is_a_store_error(tmp_path: Path) -> None:
    """SQLite only: a directory as the database path."""
    with pytest.raises(StoreError, match="directory"):
        open_store(str(tmp_path))


def test_a_closed_store_raises_store_error(store_factory: StoreFactory) -> None:
    store = open_store(store_factory.url())
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.count()
    with pytest.raises(StoreError, match="closed"):
        store.put(make("Too late."), feed_raw())
    with pytest.raises(StoreError, match="closed"):
        list(store.articles())


def test_migrations_are_package_data_numbered_from_one() -> None:
    migrations = load_migrations()
    assert [m.version for m in migrations] == list(range(1, len(migrations) + 1))
    assert all(m.statements for m in migrations)
    assert any("fts5" in s for s in migrations[0].statements)
    postgres = load_postgres_migrations()
    assert [m.version for m in postgres] == list(range(1, len(postgres) + 1))
    assert "tsvector" in postgres[0].script
