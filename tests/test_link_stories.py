"""Stories: union-find over accepted links, with ids, representatives and counts that do not depend on
the order articles and links arrive in."""

from __future__ import annotations

import random

import pytest

from newswatch.link.stories import Pair, Story, build_stories, story_id
from newswatch.model import Article


def _article(
    article_id: str, published: str | None, language: str = "en", source: str | None = None, text: str = "x"
) -> Article:
    return Article(id=article_id, text=text, published=published, language=language, source=source)


ARTICLES = [
    _article("a-en", "2026-03-04T12:00:00+03:00", "en", "ria.example", text="x" * 100),
    _article("b-ru", "2026-03-04T11:40:00+03:00", "ru", "ria.example"),
    _article("c-hy", "2026-03-04T15:20:00+04:00", "hy", "ria.example"),
    _article("d-copy", "2026-03-04T16:00:00+00:00", "en", "wire.example"),
    _article(
        "e-other", "2026-03-04T12:30:00+03:00", "ru", "ria.example"
    ),  # same speaker, same day, other topic
    _article("f-undated", None, "en", None),
]
PAIRS = [
    Pair("a-en", "b-ru", "translation", 0.9),
    Pair("c-hy", "b-ru", "translation", 0.85),
    Pair("a-en", "c-hy", "translation", 0.88),
    Pair("d-copy", "a-en", "duplicate", 0.95),
    Pair("b-ru", "e-other", "translation", 0.45),  # below the threshold: ignored
    Pair("a-en", "e-other", "coverage", 0.2),  # below the threshold: ignored
    Pair("a-en", "missing", "duplicate", 1.0),  # names an article not given: ignored
]


def _by_article(stories: list[Story]) -> dict[str, Story]:
    return {article_id: story for story in stories for article_id in story.articles}


def test_links_above_threshold_make_stories() -> None:
    stories = build_stories(ARTICLES, PAIRS)
    assert [s.articles for s in stories] == [("a-en", "b-ru", "c-hy", "d-copy"), ("e-other",), ("f-undated",)]
    story = stories[0]
    assert story.id == "s-b-ru"  # the earliest published: 11:40 Moscow time
    assert story.first_seen == "2026-03-04T11:40:00+03:00"
    assert story.sources == ("ria.example", "wire.example")
    assert story.languages == ("en", "hy", "ru")
    assert story.representative == "a-en"  # most links inside the story
    assert {(p.a, p.b, p.kind) for p in story.links} == {
        ("a-en", "b-ru", "translation"),
        ("b-ru", "c-hy", "translation"),
        ("a-en", "c-hy", "translation"),
        ("a-en", "d-copy", "duplicate"),
    }


def test_an_undated_article_never_anchors_a_dated_story() -> None:
    stories = build_stories(ARTICLES, [*PAIRS, Pair("f-undated", "d-copy", "duplicate", 0.9)])
    assert _by_article(stories)["f-undated"].id == "s-b-ru"
    alone = build_stories([_article("z", None), _article("y", None)], [Pair("z", "y", "duplicate", 1.0)])
    assert [s.id for s in alone] == ["s-y"]  # no dates at all: the smallest id
    assert alone[0].first_seen is None


def test_arrival_order_does_not_change_the_stories() -> None:
    expected = build_stories(ARTICLES, PAIRS)
    rng = random.Random(7)
    for _ in range(25):
        articles, pairs = (
            ARTICLES[:],
            [Pair(p.b, p.a, p.kind, p.score) if rng.random() < 0.5 else p for p in PAIRS],
        )
        rng.shuffle(articles)
        rng.shuffle(pairs)
        assert build_stories(articles, pairs) == expected


def test_a_bridging_article_merges_stories_under_the_earliest() -> None:
    first = build_stories(ARTICLES[:3], PAIRS)
    assert [s.id for s in first] == ["s-b-ru"]
    later = _article("g-wire", "2026-03-04T07:00:00+00:00", "en", "wire.example")  # 10:00 Moscow time
    second = build_stories(
        [*ARTICLES, later],
        [*PAIRS, Pair("g-wire", "e-other", "duplicate", 0.9), Pair("g-wire", "d-copy", "coverage", 0.8)],
    )
    merged = _by_article(second)["a-en"]
    assert merged.id == "s-g-wire" == story_id([*ARTICLES[:5], later])
    assert set(merged.articles) == {"a-en", "b-ru", "c-hy", "d-copy", "e-other", "g-wire"}


def test_thresholds_can_be_given() -> None:
    strict = build_stories(ARTICLES, PAIRS, thresholds={"translation": 0.86, "duplicate": 0.99})
    assert [s.articles for s in strict if len(s.articles) > 1] == [("a-en", "b-ru", "c-hy")]
    assert strict[0].links[0].score == pytest.approx(0.9)


def test_re_ingest_and_repeated_links_change_nothing() -> None:
    again = build_stories([*ARTICLES, *ARTICLES], [*PAIRS, *PAIRS, Pair("b-ru", "a-en", "translation", 0.7)])
    assert again == build_stories(ARTICLES, PAIRS)


def test_representative_ties_go_to_the_earliest() -> None:
    articles = [_article("p", "2026-03-02"), _article("q", "2026-03-01"), _article("r", "2026-03-03")]
    pairs = [
        Pair("p", "q", "duplicate", 0.9),
        Pair("q", "r", "duplicate", 0.9),
        Pair("p", "r", "duplicate", 0.9),
    ]
    (story,) = build_stories(articles, pairs)
    assert story.representative == "q" == story.id[2:]
