"""Related reading: shared actors, events and places, recency, never the article's own story."""

from __future__ import annotations

import pytest

from newswatch.link.related import related, relatedness
from newswatch.model import Actor, Article, Event


def _actor(actor_id: str, kind: str = "person") -> Actor:
    return Actor(actor_id, actor_id, kind)  # type: ignore[arg-type]


def _article(article_id: str, published: str, actors: list[Actor], events: tuple[Event, ...] = ()) -> Article:
    return Article(id=article_id, text="x", published=published, actors=tuple(actors), events=events)


ARM, AZE = _actor("ARM", "country"), _actor("AZE", "country")
MIRZOYAN, BAYRAMOV, GRONO = _actor("ararat-mirzoyan"), _actor("jeyhun-bayramov"), _actor("magdalena-grono")
VIENNA, TAVUSH = _actor("vienna", "place"), _actor("tavush", "place")
MEETING = Event("CONSULT", "040", "ararat-mirzoyan", "jeyhun-bayramov", "2026-03-10", None, "s", 0, 1, 0.9)

ARTICLE = _article("me", "2026-03-10", [ARM, AZE, MIRZOYAN, BAYRAMOV, VIENNA], (MEETING,))
SAME_STORY = _article("my-version", "2026-03-10", [ARM, AZE, MIRZOYAN, BAYRAMOV, VIENNA], (MEETING,))
NEXT_ROUND = _article("next-round", "2026-03-24", [ARM, AZE, MIRZOYAN, BAYRAMOV, VIENNA], (MEETING,))
NEXT_ROUND_COPY = _article("next-round-copy", "2026-03-24", [ARM, AZE, MIRZOYAN, BAYRAMOV])
GRONO_VISIT = _article("grono", "2026-03-11", [ARM, MIRZOYAN, GRONO])
FARMERS = _article("farmers", "2026-03-10", [TAVUSH])


def test_related_ranks_by_shared_subjects() -> None:
    stories = {"me": "s-me", "my-version": "s-me", "next-round": "s-next", "next-round-copy": "s-next"}
    result = related(
        ARTICLE, [FARMERS, GRONO_VISIT, SAME_STORY, NEXT_ROUND_COPY, NEXT_ROUND, ARTICLE], 5, story_of=stories
    )
    ids = [key for key, _ in result]
    assert ids[0] == "s-next"  # the same ministers meeting again: the best of its two articles
    assert "s-me" not in ids and "me" not in ids and "my-version" not in ids  # never its own story
    assert ids.count("s-next") == 1
    assert "grono" in ids  # an article without a story stands for itself
    assert "farmers" not in ids  # nothing in common
    assert [score for _, score in result] == sorted((score for _, score in result), reverse=True)


def test_k_limits_and_ties_break_by_id() -> None:
    twins = [_article(name, "2026-03-10", [MIRZOYAN]) for name in ("b", "a", "c")]
    assert [key for key, _ in related(_article("x", "2026-03-10", [MIRZOYAN]), twins, 2)] == ["a", "b"]
    assert related(ARTICLE, [NEXT_ROUND], 0) == []


def test_recency_and_countries_weigh_less() -> None:
    near = _article("near", "2026-03-11", [MIRZOYAN, BAYRAMOV])
    far = _article("far", "2026-05-11", [MIRZOYAN, BAYRAMOV])
    probe = _article("p", "2026-03-10", [MIRZOYAN, BAYRAMOV])
    assert relatedness(probe, near) > relatedness(probe, far) > 0.4
    countries_only = _article("c", "2026-03-10", [ARM, AZE, GRONO])
    people_only = _article("q", "2026-03-10", [MIRZOYAN, BAYRAMOV, GRONO])
    assert relatedness(_article("x", "2026-03-10", [ARM, AZE]), countries_only) < relatedness(
        _article("y", "2026-03-10", [MIRZOYAN, BAYRAMOV]), people_only
    )


def test_fingerprint_relatedness_equals_relatedness_on_the_sample() -> None:
    from newswatch.ingest.inputs import read_input
    from newswatch.link import fingerprint
    from newswatch.link.related import fingerprint_relatedness
    from newswatch.pipeline import process
    from newswatch.sample import sample_inputs, sample_reference_date
    from newswatch.settings import load_settings

    settings = load_settings(env={})
    articles = [
        a
        for name in sample_inputs()
        for a in process(read_input(name, settings, reference_date=sample_reference_date()))
    ]
    prints = [fingerprint(a) for a in articles]
    scored = 0
    for i, (a, fa) in enumerate(zip(articles, prints, strict=True)):
        for b, fb in zip(articles[i + 1 :], prints[i + 1 :], strict=True):
            assert fingerprint_relatedness(fa, fb) == pytest.approx(relatedness(a, b), abs=1e-9)
            scored += relatedness(a, b) > 0.15
    assert scored > 20  # the comparison covers related pairs, not only zeros
