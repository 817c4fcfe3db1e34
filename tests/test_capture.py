"""Plain-text captures: the seed, fixtures with their expected record, and the edge cases."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from newswatch.errors import EmptyInputError
from newswatch.extract.capture import Capture, parse_capture
from newswatch.model import Link, Translation

SEED = Path(__file__).resolve().parents[2] / "shared/examples/seed-un-ceasefire-en.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures/capture"


def _seed_text() -> str:
    if not SEED.exists():
        message = f"seed capture not found: {SEED}"
        if os.environ.get("NEWSWATCH_REQUIRE_SHARED") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return SEED.read_text(encoding="utf-8")


@pytest.mark.shared
def test_seed_capture() -> None:
    capture = parse_capture(_seed_text(), reference=datetime(2026, 2, 1))
    assert capture.published == "2026-01-28"
    assert capture.published_precision == "inferred-year"
    assert capture.translations == (Translation(language="hy"), Translation(language="ru"))
    assert capture.title is None
    assert capture.related == ()
    assert capture.author is None
    for chrome in ("Show news feed", "Read more", "available in", "January 28\n"):
        assert chrome not in capture.text
    assert capture.text.startswith("The UN welcomes the ceasefire agreements")
    assert capture.text.endswith("take steps toward signing a treaty.")
    paragraphs = capture.text.split("\n\n")
    assert len(paragraphs) == 5
    assert all(p and p == p.strip() and "\n" not in p for p in paragraphs)
    assert "  " not in capture.text and "\xa0" not in capture.text
    # The date inside the last paragraph is not the dateline, and stays in the text.
    assert "November 9, 2020 trilateral" in capture.text


@pytest.mark.shared
def test_seed_without_reference_still_drops_the_dateline() -> None:
    capture = parse_capture(_seed_text(), reference=None)
    assert capture.published is None
    assert capture.published_precision is None
    assert capture.text.startswith("The UN welcomes")


def _fixture_cases() -> list[Any]:
    return [
        pytest.param(path, id=path.name.removesuffix(".expected.json"))
        for path in sorted(FIXTURES.glob("*.expected.json"))
    ]


def test_fixtures_are_present() -> None:
    names = {path.name for path in FIXTURES.glob("*.txt")}
    assert {"en-wire.txt", "ru-feed.txt", "hy-formal.txt", "hy-yearless.txt"} <= names
    assert len(_fixture_cases()) == len(names)


@pytest.mark.parametrize("expected_path", _fixture_cases())
def test_fixture(expected_path: Path) -> None:
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    text = expected_path.with_name(expected_path.name.replace(".expected.json", ".txt"))
    reference = datetime.fromisoformat(expected["reference"]) if expected["reference"] else None
    capture = parse_capture(text.read_text(encoding="utf-8"), reference=reference)
    assert capture == Capture(
        title=expected["title"],
        text=expected["text"],
        published=expected["published"],
        published_precision=expected["published_precision"],
        translations=tuple(Translation(language=code) for code in expected["translations"]),
        related=tuple(Link(title=title) for title in expected["related"]),
        author=expected["author"],
    )


def test_empty_capture_is_an_input_error() -> None:
    with pytest.raises(EmptyInputError):
        parse_capture(" \n\t\n", reference=None)


def test_capture_of_chrome_only_has_no_text() -> None:
    capture = parse_capture("Home\nShare\nTweet\n\n© 2026 Example\n", reference=None)
    assert capture.text == ""
    assert capture.title is None


def test_single_line_is_text_not_title() -> None:
    capture = parse_capture("Armenia and Azerbaijan resume talks on the border\n", reference=None)
    assert capture.title is None
    assert capture.text == "Armenia and Azerbaijan resume talks on the border"


def test_headline_directly_above_the_body() -> None:
    capture = parse_capture(
        "Border talks resume in Tavush\nThe commission met on Monday. It will meet again soon.\n",
        reference=None,
    )
    assert capture.title == "Border talks resume in Tavush"
    assert capture.text == "The commission met on Monday. It will meet again soon."


def test_hard_wrapped_paragraph_has_no_title() -> None:
    text = "The foreign ministers of Armenia and Azerbaijan met\nin Geneva on Monday to discuss the treaty.\n"
    capture = parse_capture(text, reference=None)
    assert capture.title is None
    assert capture.text == " ".join(text.split())


def test_one_paragraph_per_line_is_kept_apart() -> None:
    first = "The commissions met in Gabala on Monday and agreed on the order of the sections they will describe next. "
    second = "Both delegations said the talks had been businesslike and that experts would meet again within weeks."
    capture = parse_capture(f"{first.strip()}\n{second}\n", reference=None)
    assert capture.text == f"{first.strip()}\n\n{second}"


def test_blank_lines_and_whitespace_are_normalised() -> None:
    capture = parse_capture(
        "\r\n\r\nFirst  paragraph\u00a0of the note.\r\n\r\n\r\n\r\n\tSecond\u200b paragraph. \r\n\r\n",
        reference=None,
    )
    assert capture.text == "First paragraph of the note.\n\nSecond paragraph."


def test_languages_listed_under_a_heading() -> None:
    capture = parse_capture(
        "The commission met on Monday.\n\nOther languages:\nՀայերեն\nРусский\n", reference=None
    )
    assert [t.language for t in capture.translations] == ["hy", "ru"]
    assert capture.text == "The commission met on Monday."


def test_inline_read_more_link_and_blank_after_heading() -> None:
    capture = parse_capture(
        "The commission met on Monday.\n\n"
        "Read more: Ministers discuss draft peace treaty\n\n"
        "See also\n\nBorder guards meet near the checkpoint\nTweet\nTalks to resume in spring\n\n"
        "Final paragraph of the body.\n",
        reference=None,
    )
    assert [link.title for link in capture.related] == [
        "Ministers discuss draft peace treaty",
        "Border guards meet near the checkpoint",
        "Talks to resume in spring",
    ]
    assert capture.text == "The commission met on Monday.\n\nFinal paragraph of the body."


def test_read_more_heading_followed_by_body_keeps_the_body() -> None:
    body = "The ministers will meet again in March, the spokesperson said."
    capture = parse_capture(f"The commission met on Monday.\n\nRead more:\n\n{body}\n", reference=None)
    assert capture.related == ()
    assert capture.text == f"The commission met on Monday.\n\n{body}"


def test_only_the_first_byline_is_the_author() -> None:
    capture = parse_capture(
        "By Jane Doe\n\nThe commission met on Monday.\n\nBy John Roe\n", reference=datetime(2026, 3, 1)
    )
    assert capture.author == "Jane Doe"
    assert capture.text == "The commission met on Monday.\n\nBy John Roe"


def test_dateline_lead_with_year_less_date_and_no_reference() -> None:
    capture = parse_capture(
        "YEREVAN, March 4 (Example Wire) - The border commission met today.\n", reference=None
    )
    assert capture.published is None
    assert capture.text == "The border commission met today."


def test_year_less_dateline_rolls_back_a_year() -> None:
    capture = parse_capture(
        "30 декабря\n\nПограничники провели встречу.\n", reference=datetime(2026, 1, 2, 10, 0)
    )
    assert (capture.published, capture.published_precision) == ("2025-12-30", "inferred-year")


def test_date_in_the_body_is_not_the_published_date() -> None:
    capture = parse_capture(
        "Negotiators returned to the statement of November 9, 2020, officials said on Monday.\n",
        reference=datetime(2026, 3, 1),
    )
    assert capture.published is None
    assert "November 9, 2020" in capture.text


def test_bare_year_is_never_a_date() -> None:
    capture = parse_capture("2026\n\nThe commission met on Monday.\n", reference=datetime(2026, 3, 1))
    assert capture.published is None
    assert capture.published_precision is None


@pytest.mark.parametrize(
    "buttons", ["Share | Print | Subscribe", "Share   Print", "Կիսվել   Տպել", "Поделиться   Печать"]
)
def test_button_row_after_the_read_more_list_is_not_a_related_title(buttons: str) -> None:
    capture = parse_capture(
        f"The commission met on Monday.\n\nRead more:\nBorder guards meet near the checkpoint\n{buttons}\n",
        reference=None,
    )
    assert [link.title for link in capture.related] == ["Border guards meet near the checkpoint"]
    assert capture.text == "The commission met on Monday."


def test_wire_credit_gives_the_author_and_leaves_the_text() -> None:
    capture = parse_capture(
        "The commission met on Monday.\n\nReporting by Jane Doe in Yerevan; editing by John Roe\n",
        reference=None,
    )
    assert capture.author == "Jane Doe"
    assert capture.text == "The commission met on Monday."


def test_byline_then_wire_credit_keeps_the_first_author_and_drops_the_credit() -> None:
    capture = parse_capture(
        "By Jane Doe\n\nThe commission met on Monday.\n\nReporting by Ann Lee; editing by John Roe\n",
        reference=None,
    )
    assert capture.author == "Jane Doe"
    assert capture.text == "The commission met on Monday."


@pytest.mark.parametrize(
    ("dateline", "published"),
    [
        ("March 2, 2026 14:05", "2026-03-02T14:05:00"),
        ("2026 թ. փետրվարի 24-ին, 18:10", "2026-02-24T18:10:00"),
        ("26.02.2026 | 17:30", "2026-02-26T17:30:00"),
        ("17:30 26.02.2026", "2026-02-26T17:30:00"),
        ("26.02.2026 в 17:30 | Политика", "2026-02-26T17:30:00"),
    ],
)
def test_dateline_with_a_time_keeps_the_time(dateline: str, published: str) -> None:
    capture = parse_capture(f"{dateline}\n\nThe commission met on Monday.\n", reference=datetime(2026, 3, 1))
    assert (capture.published, capture.published_precision) == (published, "datetime")
    assert capture.text == "The commission met on Monday."


def test_site_name_above_the_dateline_is_not_text() -> None:
    capture = parse_capture(
        "Yerevan Daily\nFebruary 20, 2026 11:40\nShow news feed\n\n"
        "Border commissions agree on a work plan\n\nThe commissions met on Friday.\n",
        reference=None,
    )
    assert capture.title == "Border commissions agree on a work plan"
    assert capture.text == "The commissions met on Friday."
    assert capture.published == "2026-02-20T11:40:00"


def test_headline_above_the_dateline_stays_the_title() -> None:
    capture = parse_capture(
        "Border talks resume in Tavush\n\n28 января 2026, 15:40 | Политика\n\nКомиссия собралась в понедельник.\n",
        reference=None,
    )
    assert capture.title == "Border talks resume in Tavush"
    assert capture.text == "Комиссия собралась в понедельник."
