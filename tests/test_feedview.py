from newswatch.feedview import lead, render_feed
from newswatch.model import Article, Link, Translation


def _article(published: str | None, title: str, **extra: object) -> Article:
    return Article(
        id=title, text=f"{title} body text. Second sentence.", title=title, published=published, **extra
    )  # type: ignore[arg-type]


def test_grouped_by_day_newest_first_on_one_clock() -> None:
    feed = render_feed(
        [
            _article("2026-03-09T17:20:00+00:00", "A"),
            _article("2026-03-09T19:55:00+04:00", "B"),  # 15:55 UTC: older than A
            _article("2026-03-10", "C"),
            _article(None, "D"),
        ]
    )
    lines = feed.splitlines()
    assert lines[0] == "Tuesday, 10 March 2026"
    order = [line.split()[-1] for line in lines if line.startswith("  ") and line.split()[-1] in "ABCD"]
    assert order == ["C", "A", "B", "D"]
    assert "Undated" in feed


def test_item_shows_versions_and_read_more() -> None:
    article = _article(
        "2026-03-09T17:20:00+00:00",
        "Talks",
        source="wire.example",
        language="en",
        translations=(Translation(language="hy"), Translation(language="ru")),
        related=(Link(title="Earlier talks"),),
    )
    feed = render_feed([article])
    assert "wire.example · en · available in hy, ru" in feed
    assert "Read more: Earlier talks" in feed


def test_days_limit_and_lead() -> None:
    feed = render_feed([_article(f"2026-03-0{d}", f"T{d}") for d in range(1, 6)], days=2)
    assert "05 March" in feed and "04 March" in feed and "03 March" not in feed
    assert lead("word " * 100, 20).endswith(" …") and len(lead("word " * 100, 20)) <= 22
