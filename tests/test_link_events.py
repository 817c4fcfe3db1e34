"""Events counted once per story, with every report of them."""

from __future__ import annotations

import random

from newswatch.link.events import story_events
from newswatch.model import Article, Event


def _event(
    kind: str, source: str, target: str | None, day: str | None, confidence: float = 0.8, **kw: object
) -> Event:
    return Event(kind, "000", source, target, day, None, "s", 0, 1, confidence, **kw)  # type: ignore[arg-type]


def test_twelve_reports_count_once_with_twelve_mentions() -> None:
    articles = [
        Article(
            id=f"a{n:02d}", text="x", events=(_event("ACCUSE", "AZE", "ARM", "2026-02-26", 0.5 + n / 100),)
        )
        for n in range(12)
    ]
    ((event, mentions),) = story_events(articles)
    assert (event.type, event.source, event.target) == ("ACCUSE", "AZE", "ARM")
    assert event.confidence == 0.61  # the most confident report stands for the event
    assert mentions == [(f"a{n:02d}", 0) for n in range(12)]


def test_one_day_apart_is_one_event_three_days_are_two() -> None:
    articles = [
        Article(id="a", text="x", events=(_event("ACCUSE", "AZE", "ARM", "2026-02-25"),)),
        Article(id="b", text="x", events=(_event("ACCUSE", "AZE", "ARM", "2026-02-26"),)),
        Article(id="c", text="x", events=(_event("ACCUSE", "AZE", "ARM", "2026-03-01"),)),
    ]
    result = story_events(articles)
    assert [mentions for _, mentions in result] == [[("a", 0), ("b", 0)], [("c", 0)]]


def test_different_type_source_target_or_negation_stay_apart() -> None:
    article = Article(
        id="a",
        text="x",
        events=(
            _event("ACCUSE", "AZE", "ARM", "2026-02-26"),
            _event("REJECT", "ARM", "AZE", "2026-02-26"),
            _event("ACCUSE", "ARM", "AZE", "2026-02-26"),
            _event("ACCUSE", "AZE", "ARM", "2026-02-26", negated=True),
        ),
    )
    other = Article(id="b", text="x", events=(_event("ACCUSE", "AZE", "ARM", "2026-02-26"),))
    result = story_events([article, other])
    assert len(result) == 4
    accuse = [m for e, m in result if (e.type, e.source, e.negated) == ("ACCUSE", "AZE", False)]
    assert accuse == [[("a", 0), ("b", 0)]]


def test_undated_reports_join_the_largest_group() -> None:
    articles = [
        Article(id="a", text="x", events=(_event("CONSULT", "un", "ARM", "2026-02-18"),)),
        Article(id="b", text="x", events=(_event("CONSULT", "un", "ARM", "2026-02-19"),)),
        Article(id="c", text="x", events=(_event("CONSULT", "un", "ARM", None),)),
        Article(id="d", text="x", events=(_event("CONSULT", "eu", None, None),)),
    ]
    result = story_events(articles)
    assert [(e.source, m) for e, m in result] == [("un", [("a", 0), ("b", 0), ("c", 0)]), ("eu", [("d", 0)])]


def test_order_of_articles_does_not_matter() -> None:
    articles = [
        Article(
            id=f"a{n}", text="x", events=(_event("ACCUSE", "AZE", "ARM", f"2026-02-{20 + n % 5:02d}", 0.7),)
        )
        for n in range(10)
    ]
    expected = story_events(articles)
    rng = random.Random(3)
    for _ in range(10):
        rng.shuffle(articles)
        assert story_events(articles) == expected
