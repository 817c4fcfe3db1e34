"""What linking adds to what is read back: explicit language versions, versions in the record, related
stories, old story ids, the duplicate time window and the ``link.*`` settings — through the real store, on both backends."""

from __future__ import annotations

from dataclasses import replace

import pytest

from conftest import StoreFactory
from newswatch.link.explicit import is_explicit_version, version_addresses
from newswatch.linking import DEFAULT_CONFIG, LinkConfig, link_articles
from newswatch.model import Article, RawInput, Translation
from newswatch.runner import ingest_inputs
from newswatch.sample import sample_inputs, sample_reference_date
from newswatch.settings import load_settings
from newswatch.store import Store
from newswatch.views import linked_record, story_detail

RAW = RawInput(b"views test", "views-test")
SITE = "https://news.example"

# Two unrelated texts: nothing but an explicit link can join their articles.
TEXT_EN = (
    "The water board approved a new reservoir north of the valley after two years of surveys. Engineers "
    "expect the first stage to hold enough water for the dry summer months and the farms around it."
)
TEXT_HY = (
    "Քաղաքապետարանը հայտարարել է նոր այգու բացման մասին, որտեղ կտնկվեն հարյուրավոր ծառեր և "
    "կկառուցվեն խաղահրապարակներ երեխաների համար։ Աշխատանքները կավարտվեն աշնանը։"
)


def _page(
    path: str, language: str, text: str, *versions: tuple[str, str], day: str = "2026-03-04"
) -> Article:
    url = f"{SITE}{path}"
    translations = tuple(Translation(lang, f"{SITE}{p}") for lang, p in versions)
    return Article(
        id=f"id{path.replace('/', '-')}",
        text=text,
        url=url,
        source="news.example",
        title=f"Title of {path}",
        language=language,
        published=f"{day}T09:00:00+00:00",
        translations=translations,
    )


def _store_all(store: Store, articles: list[Article], config: LinkConfig = DEFAULT_CONFIG) -> None:
    for article in articles:
        store.put(article, RAW)
        link_articles(store, [article.id], config)


def test_explicit_version_rules() -> None:
    en = _page("/en/a", "en", TEXT_EN, ("hy", "/hy/a"), ("en", "/en/a"))
    hy = _page("/hy/a", "hy", TEXT_HY)
    assert version_addresses(en) == {f"{SITE}/hy/a"}  # its own address is not a version of itself
    assert is_explicit_version(en, hy) and is_explicit_version(hy, en)
    assert not is_explicit_version(en, replace(hy, language="en"))  # same language: not a version
    fragment = replace(en, translations=(Translation("hy", f"{SITE}/hy/a#top"),))
    assert is_explicit_version(fragment, hy)  # addresses compared cleaned
    # Two pages listing one section page (a site-wide language switcher) are not versions of each other.
    other = _page("/en/b", "en", TEXT_EN, ("hy", "/hy/"))
    switcher = _page("/ru/c", "ru", "Текст о другом.", ("hy", "/hy/"))
    assert not is_explicit_version(other, switcher)


@pytest.mark.parametrize("reverse", [False, True])
def test_explicit_versions_join_one_story_in_any_order(store_factory: StoreFactory, reverse: bool) -> None:
    en = _page("/en/a", "en", TEXT_EN, ("hy", "/hy/a"), ("ru", "/ru/a"))
    hy = _page("/hy/a", "hy", TEXT_HY, ("en", "/en/a"))
    ru = _page(
        "/ru/a", "ru", "Совет по водным ресурсам одобрил строительство водохранилища к северу от долины."
    )
    lonely = _page("/en/b", "en", TEXT_EN.replace("reservoir", "canal"), ("hy", "/hy/"), day="2026-05-20")
    switch = _page("/ru/c", "ru", "Совсем другая новость о погоде.", ("hy", "/hy/"), day="2026-05-20")
    articles = [en, hy, ru, lonely, switch]
    with store_factory("x") as store:
        _store_all(store, articles[::-1] if reverse else articles)
        story = store.story_of(en.id)
        assert story is not None and {m.id for m in story.members} == {en.id, hy.id, ru.id}
        assert store.story_of(lonely.id) != store.story_of(switch.id)
        kinds = {other: kind for other, kind, _ in store.links_of(en.id)}
        assert kinds == {hy.id: "explicit", ru.id: "explicit"}


def test_linked_record_lists_versions_with_their_ids(store_factory: StoreFactory) -> None:
    en = _page("/en/a", "en", TEXT_EN, ("hy", "/hy/a"), ("ru", "/ru/a"), ("fr", "/fr/a"))
    hy = _page("/hy/a", "hy", TEXT_HY)
    ru = _page("/ru/a", "ru", "Совет по водным ресурсам одобрил строительство водохранилища.")
    with store_factory("v") as store:
        _store_all(store, [en, hy, ru])
        record = linked_record(store, store.get(en.id) or en)
        by_language = {t.language: t for t in record.translations}
        assert by_language["hy"].id == hy.id and by_language["ru"].id == ru.id
        assert by_language["fr"].id is None and by_language["fr"].url == f"{SITE}/fr/a"  # named, not stored
        # The Armenian page names nothing, yet lists both versions: English by its link, Russian through it.
        from_hy = linked_record(store, store.get(hy.id) or hy)
        listed = {(t.language, t.id, t.url, t.title) for t in from_hy.translations}
        assert listed == {("en", en.id, en.url, en.title), ("ru", ru.id, ru.url, ru.title)}
        assert store.get(hy.id) == hy  # reading adds to the record served, never to the record stored


def test_related_stories_come_from_other_stories_and_are_shared_both_ways(
    store_factory: StoreFactory,
) -> None:
    settings = load_settings(env={})
    with store_factory("s") as store:
        report = ingest_inputs(sample_inputs(), store, settings, reference_date=sample_reference_date())
        assert not report.failures
        with_related = 0
        for article in store.articles():
            record = linked_record(store, article, related=3)
            own = store.story_of(article.id)
            assert own is not None
            publisher = record.related[: len(article.related)]
            assert [(link.title, link.url) for link in publisher] == [
                (x.title, x.url) for x in article.related
            ]
            found = record.related[len(article.related) :]
            assert len(found) <= 3
            stories = [link.story for link in record.related if link.story]
            assert len(set(stories)) == len(stories)  # one entry per story, the publisher's included
            for link in found:
                assert link.story != own.id
                story = store.story(link.story or "")
                assert story is not None and link.id == story.representative.id
                # Related means about the same people: some actor of one article is in the other story.
                members = [store.get(m.id) for m in story.members]
                theirs = {a.id for m in members if m for a in m.actors}
                assert {a.id for a in article.actors} & theirs
            with_related += bool(found)
            for other_id, _score in store.related_of(article.id):
                assert article.id in {i for i, _ in store.related_of(other_id)}  # symmetric rows
        assert with_related >= store.count() // 3


def _duplicate(article_id: str, day: str) -> Article:
    text = " ".join(
        f"Sentence {n} says the council met about the harbour plan and its cost." for n in range(12)
    )
    return Article(
        id=article_id, text=text, language="en", published=f"{day}T08:00:00+00:00", title="Harbour"
    )


def test_an_old_story_id_leads_to_the_story_its_article_joined(store_factory: StoreFactory) -> None:
    later, earlier = _duplicate("later", "2026-03-05"), _duplicate("earlier", "2026-03-04")
    with store_factory("m") as store:
        _store_all(store, [later])
        assert [s.id for s in store.stories()] == ["s-later"]
        _store_all(store, [earlier])
        assert [s.id for s in store.stories()] == ["s-earlier"]
        moved = store.story("s-later")
        assert moved is not None and moved.id == "s-earlier" and moved.size == 2
        assert store.story("s-nothing") is None and store.story("later") is None
        detail = story_detail(store, "s-later")
        assert detail is not None and {a.id for a in detail.articles} == {"later", "earlier"}


def test_dated_copies_far_apart_are_no_duplicates_unless_the_window_allows(
    store_factory: StoreFactory,
) -> None:
    first, again = _duplicate("first", "2026-01-04"), _duplicate("again", "2026-03-20")
    with store_factory("w") as store:
        _store_all(store, [first, again])
        assert len(list(store.stories())) == 2
    with store_factory("w90") as store:
        _store_all(store, [first, again], LinkConfig(duplicate_window_days=90))
        assert [s.size for s in store.stories()] == [2]


def test_thresholds_come_from_the_settings(store_factory: StoreFactory) -> None:
    strict = LinkConfig.from_settings(load_settings(env={"NEWSWATCH_LINK_DUPLICATE_THRESHOLD": "1.0"}))
    assert strict.duplicate_threshold == 1.0 and LinkConfig().duplicate_threshold == 0.5
    base = _duplicate("base", "2026-03-04")
    text = base.text
    for n in range(7):  # a heavy rewrite, three days later (too late to count as coverage of one event)
        text = text.replace(f"Sentence {n} says the council met", f"Line {n} notes the mayor spoke")
    rewrite = replace(base, id="rewrite", text=text, published="2026-03-07T08:00:00+00:00")
    for config, sizes in ((LinkConfig(), [2]), (strict, [1, 1])):
        with store_factory(f"t{config.duplicate_threshold}") as store:
            _store_all(store, [base, rewrite], config)
            assert sorted(s.size for s in store.stories()) == sizes
