"""Dates: every dateline form, the precision of each, and what is never a date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from newswatch.errors import ConfigError
from newswatch.extract.dates import Dateline, ParsedDate, find_dateline, locate_dateline, parse_date
from newswatch.model import Precision

REFERENCE = datetime(2026, 3, 5, 12, 0)


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [
        ("January 28", "2026-01-28", "inferred-year"),
        ("January 28th", "2026-01-28", "inferred-year"),
        ("March 3, 2026 14:05", "2026-03-03T14:05:00", "datetime"),
        ("March 3, 2026 2:05 pm", "2026-03-03T14:05:00", "datetime"),
        ("28 января 2026, 15:40", "2026-01-28T15:40:00", "datetime"),
        ("14:05, 28 января 2026", "2026-01-28T14:05:00", "datetime"),
        ("5 мая 2026 г.", "2026-05-05", "date"),
        ("5-го мая 2026 года в 10:30", "2026-05-05T10:30:00", "datetime"),
        ("28.01.2026 15.40", "2026-01-28T15:40:00", "datetime"),
        ("Հունվարի 28", "2026-01-28", "inferred-year"),
        ("Երևան, 2026 թ. մարտի 4", "2026-03-04", "date"),
        ("2026 թվականի մարտի 4-ին, ժամը 15:40", "2026-03-04T15:40:00", "datetime"),
        ("4 մարտի 2026", "2026-03-04", "date"),
        ("մարտի 4-ին", "2026-03-04", "inferred-year"),
        ("MOSCOW, May 5, 2026 (Example Wire) -", "2026-05-05", "date"),
        ("Yerevan, 12 February 2026 —", "2026-02-12", "date"),
        ("Published: January 28, 2026", "2026-01-28", "date"),
        ("Wednesday, March 4, 2026", "2026-03-04", "date"),
        ("12.02.2026", "2026-02-12", "date"),
        ("13/04/2026", "2026-04-13", "date"),
        ("2026/04/13", "2026-04-13", "date"),
        ("Wed, 04 Mar 2026 10:00:00 GMT", "2026-03-04T10:00:00+00:00", "datetime"),
        ("Wed, 04 Mar 2026 14:00:00 +0400", "2026-03-04T14:00:00+04:00", "datetime"),
        ("2026-03-04T10:00:00Z", "2026-03-04T10:00:00+00:00", "datetime"),
        ("2026-03-04T10:00:00.250+04:00", "2026-03-04T10:00:00+04:00", "datetime"),
        ("2026-03-04 10:00", "2026-03-04T10:00:00", "datetime"),
        ("2026-03-04", "2026-03-04", "date"),
        ("March 3, 2026 14:05 +04:00", "2026-03-03T14:05:00+04:00", "datetime"),
        ("January 28, 15:40", "2026-01-28T15:40:00", "inferred-year"),
        # a numeric date with a time before or after it, a word before the time or a zone
        ("15:20 04.03.2026", "2026-03-04T15:20:00", "datetime"),
        ("15:20, 04.03.2026", "2026-03-04T15:20:00", "datetime"),
        ("04.03.2026 в 15:20", "2026-03-04T15:20:00", "datetime"),
        ("04.03.2026 ժամը 15:20", "2026-03-04T15:20:00", "datetime"),
        ("04.03.2026 at 3:20 pm", "2026-03-04T15:20:00", "datetime"),
        ("04.03.2026 15:20 +04:00", "2026-03-04T15:20:00+04:00", "datetime"),
        ("04.03.2026 15:20 GMT+4", "2026-03-04T15:20:00+04:00", "datetime"),  # day first beside a zone too
        ("Wednesday, 04.03.2026", "2026-03-04", "date"),
    ],
)
def test_forms(value: str, expected: str, precision: Precision) -> None:
    assert parse_date(value, reference=REFERENCE) == ParsedDate(expected, precision)


@pytest.mark.parametrize(
    "value",
    [
        "2026",  # htmldate's pitfall: a bare year is not 1 January
        "  2026 ",
        "28",
        "1700000000",  # not a timestamp either
        "14:05",  # a time without a date
        "в 15:40",
        "March 2026",  # no day
        "январь 2026",
        "yesterday",
        "3 days ago",
        "вчера",
        "Monday",
        "the November 9, 2020 statement",  # a date inside a sentence is not a date value
        "12/02",  # numbers without a year or month name
        "03/04/2026",  # 3 April or 4 March: ambiguous
        "03/04/2026 15:20",  # a time does not resolve it
        "04.03.2026 and more",  # a numeric date with words that are not a time
        "February 30, 2026",
        "2026-13-45",
        "",
        "no date here",
        "January 28, 2026 " * 20,  # longer than any date value
    ],
)
def test_not_dates(value: str) -> None:
    assert parse_date(value, reference=REFERENCE) is None


def test_year_less_date_needs_a_reference() -> None:
    assert parse_date("January 28", reference=None) is None
    assert parse_date("Հունվարի 28") is None
    assert parse_date("January 28, 2026") == ParsedDate("2026-01-28", "date")


@pytest.mark.parametrize(
    ("value", "reference", "expected"),
    [
        ("December 30", datetime(2026, 1, 2, 9, 0), "2025-12-30"),  # read after new year
        ("30 декабря", datetime(2026, 1, 2), "2025-12-30"),
        ("դեկտեմբերի 30", datetime(2026, 1, 2), "2025-12-30"),
        ("January 3", datetime(2026, 1, 2), "2026-01-03"),  # a day ahead: clocks and zones
        ("January 4", datetime(2026, 1, 2), "2026-01-04"),  # two days ahead: still this year
        ("January 5", datetime(2026, 1, 2), "2025-01-05"),  # further ahead: last year
        ("February 29", datetime(2026, 3, 10), "2024-02-29"),  # the latest 29 February
        ("March 4", datetime(2026, 3, 4, tzinfo=timezone(timedelta(hours=4))), "2026-03-04"),
    ],
)
def test_inferred_year(value: str, reference: datetime, expected: str) -> None:
    assert parse_date(value, reference=reference) == ParsedDate(expected, "inferred-year")


def test_zone_only_when_the_source_gives_one() -> None:
    naive = parse_date("March 3, 2026 14:05", reference=datetime(2026, 3, 5, tzinfo=UTC))
    assert naive == ParsedDate("2026-03-03T14:05:00", "datetime")
    aware = parse_date("March 3, 2026 14:05 MSK")
    assert aware is not None and aware.value == "2026-03-03T14:05:00+03:00"


def test_languages_narrow_and_widen_what_is_read() -> None:
    assert parse_date("4 mars 2026") is None  # French is not tried by default
    assert parse_date("4 mars 2026", languages=["fr"]) == ParsedDate("2026-03-04", "date")
    assert parse_date("28 января 2026", languages=["en"]) is None


def test_unknown_language_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="xx"):
        parse_date("4 mars 2026", languages=["xx"])


def test_find_dateline_first_line() -> None:
    lines = ["January 28", "Show news feed", "", "The UN welcomes the ceasefire agreements."]
    assert find_dateline(lines, reference=datetime(2026, 2, 1)) == (
        0,
        ParsedDate("2026-01-28", "inferred-year"),
    )


@pytest.mark.parametrize("line", ["02.03.2026 14:05 | Политика", "Politics | 02.03.2026 14:05"])
def test_dateline_beside_a_section_name(line: str) -> None:
    # the date is short beside the section name, but a bar sets it apart
    assert find_dateline([line, "", "Body."], reference=None) == (
        0,
        ParsedDate("2026-03-02T14:05:00", "datetime"),
    )


def test_date_beside_more_than_a_section_name_is_not_a_dateline() -> None:
    assert find_dateline(["02.03.2026 | Politics and society", "", "Body."], reference=None) is None


def test_find_dateline_after_headline() -> None:
    lines = ["Border talks resume", "", "28 января 2026, 15:40 | Политика", "", "Текст новости."]
    assert find_dateline(lines, reference=None) == (2, ParsedDate("2026-01-28T15:40:00", "datetime"))


@pytest.mark.parametrize(
    ("line", "date", "rest"),
    [
        (
            "MOSCOW, May 5, 2026 (Example Wire) - The ministers met in Moscow.",
            "2026-05-05",
            "The ministers met in Moscow.",
        ),
        ("Yerevan, 12 February 2026 — The commission met.", "2026-02-12", "The commission met."),
        ("Yerevan, 12 February 2026. The commission met.", "2026-02-12", "The commission met."),
        ("Երևան, 2026 թ. մարտի 4 — Հանձնաժողովը հավաքվեց։", "2026-03-04", "Հանձնաժողովը հավաքվեց։"),
        ("ЕРЕВАН, 5 мая 2026 /Пример/. Комиссия собралась.", "2026-05-05", "Комиссия собралась."),
        ("March 4, 2026 — The commission met.", "2026-03-04", "The commission met."),
    ],
)
def test_dateline_lead(line: str, date: str, rest: str) -> None:
    found = locate_dateline(["Headline of the story", "", line], reference=REFERENCE)
    assert found is not None
    assert (found.index, found.date, found.rest) == (2, ParsedDate(date, "date"), rest)


@pytest.mark.parametrize(
    "lines",
    [
        ["The parties referred to the November 9, 2020 statement."],
        ["Signed on November 9, 2020"],
        ["March 4 talks"],
        ["In Yerevan, March 4 was a cold day - everyone stayed home."],
        ["2026", "", "Body text."],
        # a dateline further down than the first paragraph is not the capture's dateline
        ["A long first paragraph of the article that goes on and on about the talks. " * 3, "January 28"],
        ["one", "two", "three", "four", "five", "January 28"],
    ],
)
def test_not_a_dateline(lines: list[str]) -> None:
    assert locate_dateline(lines, reference=REFERENCE) is None


def test_year_less_dateline_without_reference_is_located_but_has_no_date() -> None:
    lines = ["", "January 28", "Body."]
    assert locate_dateline(lines, reference=None) == Dateline(1, None, "")
    assert find_dateline(lines, reference=None) is None
