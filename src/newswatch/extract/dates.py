"""Publication dates from strings: ISO 8601, RFC 822 and free text in any language dateparser reads.

A date is reported exactly as precise as its source: a time when one was given (with its UTC offset when
the source named a zone), a calendar date, or — for a month and day without a year ("January 28") — a
date whose year is taken from a reference date (the capture or fetch time) and marked ``inferred-year``.
Nothing is ever invented: a bare year, a bare number, a month without a day, a time without a date and a
relative date ("yesterday") are not dates, and give None.

Free text goes through dateparser after it has been tidied with the words under ``data/dates/<lang>.toml``
(dateparser does not read the formal Armenian "2026 թ. մարտի 4" nor the "-ին" of "մարտի 4-ին"). The same
words find the dateline of a plain-text capture (:func:`find_dateline`). Adding a language means adding a
TOML file there; dateparser already knows the month names of some 200 languages.
"""

from __future__ import annotations

import email.utils
import functools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

from dateparser.date import DateDataParser

from newswatch.errors import ConfigError
from newswatch.extract.encoding import INVISIBLE
from newswatch.model import Precision

__all__ = ["Dateline", "ParsedDate", "find_dateline", "locate_dateline", "parse_date"]

#: Languages dateparser tries when the caller names none: newswatch's first-class languages.
DEFAULT_LANGUAGES: tuple[str, ...] = ("en", "ru", "hy")

#: A month and day "in the future" by at most this much is still this year (time zones, clock skew).
_FUTURE_SLACK = timedelta(days=2)

#: A date value, even with its city and wire, is shorter than this; longer strings are not read.
_MAX_DATE_LENGTH = 200

#: How many non-empty lines at the top of a capture may hold its dateline.
_DATELINE_LINES = 5

#: Zone names read after a time; offsets ("+04:00", "-0500") are read too.
_ZONES = ("GMT", "UTC", "UT", "Z", "MSK", "CET", "CEST", "EET", "EEST", "BST", "EST", "EDT", "PST", "PDT")


@dataclass(frozen=True, slots=True)
class ParsedDate:
    """An ISO 8601 date ("2026-01-28") or datetime ("2026-03-03T14:05:00[+04:00]") and its precision.

    With precision ``inferred-year`` the value is a date, or a datetime when the source gave a time.
    """

    value: str
    precision: Precision


@dataclass(frozen=True, slots=True)
class Dateline:
    """The dateline of a capture: line ``index``; ``date`` is None when it is year-less and there was no
    reference date; ``rest`` is what follows a "CITY, date (Wire) -" lead on the same line ("" when the
    whole line is the dateline)."""

    index: int
    date: ParsedDate | None
    rest: str


@dataclass(frozen=True, slots=True)
class _Lexicon:
    """The date words of the loaded languages, compiled."""

    date: re.Pattern[str]  # a date anywhere (group "date")
    whole: re.Pattern[str]  # a string that is a date, with an optional label, city lead and wire tail
    lead_city: re.Pattern[str]  # "CITY, date (Wire) -" at the start of a paragraph
    lead_bare: re.Pattern[str]  # "date —" at the start of a paragraph
    weekday: re.Pattern[str]
    label: re.Pattern[str]
    day_suffix: re.Pattern[str]
    year_suffix: re.Pattern[str]
    time_prefix: re.Pattern[str]


def _alternation(fragments: Iterable[str]) -> str:
    unique = sorted(set(fragments), key=lambda f: (-len(f), f))
    return "(?:" + "|".join(unique) + ")" if unique else "(?!)"


def _word(fragments: Iterable[str]) -> str:
    return r"(?<!\w)" + _alternation(fragments) + r"(?!\w)"


@functools.cache
def _language_data() -> dict[str, dict[str, Any]]:
    folder = resources.files("newswatch").joinpath("data/dates")
    data: dict[str, dict[str, Any]] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".toml"):
            data[entry.name.removesuffix(".toml")] = tomllib.loads(entry.read_text(encoding="utf-8"))
    return data


@functools.cache
def _lexicon() -> _Lexicon:
    words: dict[str, list[str]] = {
        key: [] for key in ("months", "weekdays", "day_suffixes", "year_suffixes", "time_prefixes", "labels")
    }
    for data in _language_data().values():
        for month in data.get("months", []):
            words["months"].extend(month)
        for key in words:
            if key != "months":
                words[key].extend(data.get(key, []))

    month = _word(words["months"])
    weekday = rf"(?:{_word(words['weekdays'])}\s*,?\s*)"
    day = rf"(?<![\d.:])(?:0?[1-9]|[12]\d|3[01])(?![\d:])(?:\s*{_alternation(words['day_suffixes'])}(?!\w))?"
    year = rf"(?<![\d.])(?:19|20)\d\d(?![\d:])(?:\s*{_alternation(words['year_suffixes'])}(?!\w))?"
    zone = rf"(?:\s*(?:{'|'.join(_ZONES)})(?:\s*[+-]\d{{1,2}}(?::?\d\d)?)?(?!\w)|\s*[+-]\d\d:?\d\d(?!\d))"
    clock = r"(?<![\d.:])(?:[01]?\d|2[0-3])[:.][0-5]\d(?:[:.][0-5]\d)?(?![\d:])(?:\s*[ap]\.?m\.?(?!\w))?"
    time = rf"(?:{_word(words['time_prefixes'])}\s+)?{clock}{zone}?"
    sep = r"(?:\s*,\s*|\s+)"
    time_sep = r"(?:\s*[,|·]\s*|\s+[-–—]\s+|\s+)"
    named = (
        rf"{weekday}?(?:{day}\s*{month}(?:{sep}{year})?"
        rf"|{month}\s*{day}(?:{sep}{year})?"
        rf"|{year}{sep}{month}\s*{day})"
    )
    numeric = (
        r"(?<![\d.])(?:\d{1,2}(?P<nsep>[./-])\d{1,2}(?P=nsep)(?:19|20)\d\d"
        r"|(?:19|20)\d\d[./]\d{1,2}[./]\d{1,2})(?![\d.]\d)"
    )
    iso = (
        r"(?<!\d)(?:19|20)\d\d-[01]\d-[0-3]\d"
        r"(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?(?!\d)"
    )
    core = rf"(?:{iso}|(?:{time}{time_sep})?(?:{named}|{numeric})(?:{time_sep}{time})?)"

    label = rf"(?:{_word(words['labels'])}\s*[:։՝-]?\s*)"
    letter = r"[^\W\d_]"
    city = rf"{letter}(?:{letter}|[.'’ -]){{0,40}}?(?:,\s*{letter}(?:{letter}|[.'’ -]){{0,30}}?)?"
    wire = r"(?:\s*\([^()\n]{1,60}\)|\s*/[^/\n]{1,30}/)"
    lead_sep = r"\s*(?:--|[-–—:|]|\.(?=\s))"
    flags = re.IGNORECASE
    return _Lexicon(
        date=re.compile(rf"(?P<date>{core})", flags),
        whole=re.compile(rf"\s*{label}?(?:{city},\s*)?(?P<date>{core}){wire}?(?:{lead_sep})?\s*", flags),
        lead_city=re.compile(rf"\s*{city},\s*(?P<date>{core}){wire}?{lead_sep}\s*(?=\S)", flags),
        lead_bare=re.compile(rf"\s*(?P<date>{core}){wire}?\s*(?:--|[–—]|\s-)\s*(?=\S)", flags),
        weekday=re.compile(weekday, flags),
        label=re.compile(label, flags),
        day_suffix=re.compile(rf"(?<=\d)\s*{_alternation(words['day_suffixes'])}(?!\w)", flags),
        year_suffix=re.compile(rf"(?<=\d)\s*{_alternation(words['year_suffixes'])}(?!\w)", flags),
        time_prefix=re.compile(rf"{_word(words['time_prefixes'])}\s+(?=\d)", flags),
    )


@functools.cache
def _parser(languages: tuple[str, ...], with_year: bool) -> DateDataParser:
    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": "past",
        # A leap year, so that "February 29" reads; the year of a year-less date is decided by the caller.
        "RELATIVE_BASE": datetime(2024, 12, 31),
        "REQUIRE_PARTS": ["day", "month", "year"] if with_year else ["day", "month"],
        # No timestamps ("1700000000"), no relative dates ("yesterday"), no custom formats.
        "PARSERS": ["absolute-time"],
        "RETURN_TIME_AS_PERIOD": True,
    }
    try:
        parser = DateDataParser(languages=list(languages), settings=settings)
        parser.get_date_data("1 2 2000")  # dateparser checks the language codes on first use
        return parser
    except ValueError as exc:
        raise ConfigError(f"unknown date language in {', '.join(languages)}: {exc}") from None


_ISO = re.compile(
    r"(?P<date>\d{4}-\d\d-\d\d)(?:[T ](?P<time>\d\d:\d\d(?::\d\d(?:\.\d+)?)?)(?P<zone>Z|[+-]\d\d:?\d\d)?)?"
)
_RFC822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d\d:\d\d(?::\d\d)?(?:\s+\S+)?")
_NUMERIC = re.compile(
    r"(?:(?P<d>\d{1,2})(?P<s>[./-])(?P<m>\d{1,2})(?P=s)(?P<y>(?:19|20)\d\d)"
    r"|(?P<y2>(?:19|20)\d\d)[./](?P<m2>\d{1,2})[./](?P<d2>\d{1,2}))"
    r"(?:(?:\s*[,|·]\s*|\s+[-–—]\s+|\s+)(?P<hh>\d{1,2})[:.](?P<mm>\d\d)(?:[:.](?P<ss>\d\d))?)?"
)
#: A numeric date anywhere in a date value, with a time before or after it or a zone.
_NUMERIC_DATE = re.compile(
    r"(?<![\d.])(?:(?P<d>\d{1,2})(?P<s>[./-])(?P<m>\d{1,2})(?P=s)(?P<y>(?:19|20)\d\d)"
    r"|(?P<y2>(?:19|20)\d\d)[./](?P<m2>\d{1,2})[./](?P<d2>\d{1,2}))(?![\d.]\d)"
)
#: The time beside a numeric date, once tidied: "15:20", "15:20:05 +04:00".
_CLOCK = re.compile(
    r"(?P<hh>[01]?\d|2[0-3]):(?P<mm>[0-5]\d)(?::(?P<ss>[0-5]\d))?(?:\s*(?P<zone>Z|[+-]\d\d:?\d\d))?"
)
_DOTTED_TIME = re.compile(r"(?<![\d.])([01]?\d|2[0-3])\.([0-5]\d)(?![\d.])")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
#: Bars that set a dateline apart from a section name on the same line.
_BARS = ("|", "·", "•")


def _clean(value: str) -> str:
    return " ".join(value.translate(INVISIBLE).split())


def _isoformat(moment: datetime, with_time: bool) -> str:
    if not with_time:
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds")


def _infer_year(month: int, day: int, reference: datetime) -> date | None:
    """The latest month/day not more than :data:`_FUTURE_SLACK` after the reference date."""
    limit = reference.date() + _FUTURE_SLACK
    for year in range(limit.year, limit.year - 9, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue  # 29 February of a common year
        if candidate <= limit:
            return candidate
    return None


def _from_iso(match: re.Match[str]) -> ParsedDate | None:
    try:
        day = date.fromisoformat(match["date"])
        if match["time"] is None:
            return ParsedDate(day.isoformat(), "date")
        moment = datetime.fromisoformat(match.group(0).replace(" ", "T").replace("Z", "+00:00"))
    except ValueError:
        return None
    return ParsedDate(_isoformat(moment, True), "datetime")


def _from_rfc822(value: str) -> ParsedDate | None:
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return ParsedDate(_isoformat(moment, True), "datetime")


def _numeric_day(match: re.Match[str]) -> date | None:
    """The calendar date of a numeric date (day first; None when "03/04/2026" is ambiguous)."""
    if match["y"] is not None:
        first, second, year = int(match["d"]), int(match["m"]), int(match["y"])
        if match["s"] == "/":
            # 03/04/2026 is 3 April in Yerevan and Moscow and 4 March in New York: read it only when one
            # of the two cannot be a month.
            if first > 12 >= second:
                day, month = first, second
            elif second > 12 >= first:
                day, month = second, first
            elif first == second:
                day = month = first
            else:
                return None
        else:
            day, month = first, second
    else:
        year, month, day = int(match["y2"]), int(match["m2"]), int(match["d2"])
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_numeric(match: re.Match[str]) -> ParsedDate | None:
    day = _numeric_day(match)
    if day is None:
        return None
    if match["hh"] is None:
        return ParsedDate(day.isoformat(), "date")
    moment = datetime(day.year, day.month, day.day, int(match["hh"]), int(match["mm"]), int(match["ss"] or 0))
    return ParsedDate(_isoformat(moment, True), "datetime")


def _from_numeric_and_time(
    text: str, found: re.Match[str], languages: tuple[str, ...], lexicon: _Lexicon
) -> ParsedDate | None:
    """A numeric date with a time around it: "15:20 04.03.2026", "02.03.2026 в 14:05", "04.03.2026 15:20
    GMT+4". The date is ours (day first: dateparser would read 04.03 as 3 April beside a zone name); the
    time is read here, or by dateparser when it carries words ("2:05 pm", "GMT+4")."""
    day = _numeric_day(found)
    if day is None:
        return None
    rest = _tidy(text[: found.start()] + " " + text[found.end() :], lexicon).strip(" |·-–—")
    if not rest:
        return ParsedDate(day.isoformat(), "date")
    if clock := _CLOCK.fullmatch(rest):
        stamp = f"{day.isoformat()}T{int(clock['hh']):02d}:{clock['mm']}:{clock['ss'] or '00'}"
        if clock["zone"]:
            stamp += clock["zone"].replace("Z", "+00:00")
        return ParsedDate(_isoformat(datetime.fromisoformat(stamp), True), "datetime")
    if not _LETTER_WORD.search(rest):
        return None
    parsed = _parser(languages, True).get_date_data(f"{day.isoformat()} {rest}")
    if parsed.date_obj is None or parsed.date_obj.date() != day or parsed.period != "time":
        return None  # words that are not a time
    return ParsedDate(_isoformat(parsed.date_obj, True), "datetime")


def _tidy(text: str, lexicon: _Lexicon) -> str:
    """Remove what dateparser trips over: labels, weekdays, "թ." after a year, "-ին" after a day, "at"."""
    text = lexicon.label.sub(" ", text)
    text = lexicon.weekday.sub(" ", text)
    text = lexicon.year_suffix.sub(" ", text)
    text = lexicon.day_suffix.sub("", text)
    text = lexicon.time_prefix.sub("", text)
    text = _DOTTED_TIME.sub(r"\1:\2", text)
    return _clean(text.replace(",", " "))


def _from_text(
    text: str, reference: datetime | None, languages: tuple[str, ...], lexicon: _Lexicon
) -> ParsedDate | None:
    tidy = _tidy(text, lexicon)
    if not _LETTER_WORD.search(tidy):
        return None  # digits only, and not a numeric date read above: "28", "2026", "12/02"
    found = _parser(languages, True).get_date_data(tidy)
    if found.date_obj is not None:
        with_time = found.period == "time"
        return ParsedDate(_isoformat(found.date_obj, with_time), "datetime" if with_time else "date")
    found = _parser(languages, False).get_date_data(tidy)
    if found.date_obj is None or reference is None:
        return None
    inferred = _infer_year(found.date_obj.month, found.date_obj.day, reference)
    if inferred is None:
        return None
    if found.period == "time":
        moment = found.date_obj.replace(year=inferred.year)
        return ParsedDate(_isoformat(moment, True), "inferred-year")
    return ParsedDate(inferred.isoformat(), "inferred-year")


def _parse_core(
    text: str, reference: datetime | None, languages: tuple[str, ...], lexicon: _Lexicon
) -> ParsedDate | None:
    if match := _ISO.fullmatch(text):
        return _from_iso(match)
    if match := _NUMERIC.fullmatch(text):
        return _from_numeric(match)
    if match := _NUMERIC_DATE.search(text):
        return _from_numeric_and_time(text, match, languages, lexicon)
    return _from_text(text, reference, languages, lexicon)


def parse_date(
    value: str, *, reference: datetime | None = None, languages: Sequence[str] | None = None
) -> ParsedDate | None:
    """Read one date; None when ``value`` is not a date or does not say enough.

    ``value`` may carry a dateline's city and wire ("MOSCOW, May 5, 2026 (Example Wire) -"), but a date
    inside a sentence is not a date value. A month and day without a year take their year from
    ``reference`` (None without one): the latest such date at most two days after the reference, so a
    "December 30" read on 2 January belongs to the previous year. ``languages`` (ISO 639-1) narrows what
    dateparser tries; by default English, Russian and Armenian.
    """
    text = _clean(value)
    if len(text) > _MAX_DATE_LENGTH or not any(char.isdigit() for char in text):
        return None
    langs = tuple(languages) if languages else DEFAULT_LANGUAGES
    if match := _ISO.fullmatch(text):
        return _from_iso(match)
    if _RFC822.fullmatch(text):
        parsed = _from_rfc822(text)
        if parsed is not None:
            return parsed
    lexicon = _lexicon()
    if whole := lexicon.whole.fullmatch(text):
        return _parse_core(whole["date"], reference, langs, lexicon)
    if lexicon.date.search(text):
        return None  # a date inside other words: not a date value
    if _NUMERIC.fullmatch(text):
        return _parse_core(text, reference, langs, lexicon)
    return _from_text(text, reference, langs, lexicon)


#: Resolves year-less datelines when the caller has no reference date, so that they are still recognised.
_PLACEHOLDER_REFERENCE = datetime(2024, 12, 31)


def _resolve(text: str, reference: datetime | None, lexicon: _Lexicon) -> tuple[bool, ParsedDate | None]:
    """(is a date, the date): a year-less date without a reference is a date with no value."""
    parsed = _parse_core(text, reference or _PLACEHOLDER_REFERENCE, DEFAULT_LANGUAGES, lexicon)
    if parsed is None:
        return False, None
    if reference is None and parsed.precision == "inferred-year":
        return True, None
    return True, parsed


def _covers_line(line: str, lexicon: _Lexicon) -> re.Match[str] | None:
    """The date of a line that is mostly a date: "28 января 2026, 15:40 | Политика" but not
    "the November 9, 2020 statement"."""
    if whole := lexicon.whole.fullmatch(line):
        return whole
    found = lexicon.date.search(line)
    if found is None:
        return None
    before, after = line[: found.start()], line[found.end() :]
    rest = lexicon.label.sub(" ", lexicon.weekday.sub(" ", before + " " + after))
    if len(_LETTER_WORD.findall(rest)) > 1:
        return None
    # the date with at most a section name, set apart by a bar: "02.03.2026 14:05 | Политика"
    barred = (not before.strip() and after.lstrip()[:1] in _BARS) or (
        not after.strip() and before.rstrip()[-1:] in _BARS
    )
    if barred or len(found.group(0)) >= 0.6 * len(line):
        return found
    return None


def _looks_like_body(line: str) -> bool:
    return len(line) > 200 or (line[-1] in ".։!?…" and len(line.split()) > 12)


def locate_dateline(lines: Sequence[str], *, reference: datetime | None) -> Dateline | None:
    """Find the dateline among the first few non-empty lines of a capture, up to its first paragraph.

    A line is the dateline when it is a date ("January 28", "Yerevan, 12 February 2026 —") or mostly one;
    the first paragraph may also open with a "CITY, date (Wire) -" lead, then ``rest`` is the paragraph
    without it. A year-less dateline is still found without a reference date (``date`` None).
    """
    lexicon = _lexicon()
    seen = 0
    for index, raw in enumerate(lines):
        line = _clean(raw)
        if not line:
            continue
        seen += 1
        if found := _covers_line(line, lexicon):
            is_date, parsed = _resolve(found["date"], reference, lexicon)
            if is_date:
                return Dateline(index, parsed, "")
        for lead in (lexicon.lead_city, lexicon.lead_bare):
            if (found := lead.match(line)) is not None:
                is_date, parsed = _resolve(found["date"], reference, lexicon)
                if is_date:
                    return Dateline(index, parsed, line[found.end() :])
        if seen >= _DATELINE_LINES or _looks_like_body(line):
            break
    return None


def find_dateline(lines: Sequence[str], *, reference: datetime | None) -> tuple[int, ParsedDate] | None:
    """The index of the dateline among ``lines`` and its date (see :func:`locate_dateline`); None when
    there is none or it cannot be resolved (a year-less dateline without a reference date)."""
    found = locate_dateline(lines, reference=reference)
    if found is None or found.date is None:
        return None
    return found.index, found.date
