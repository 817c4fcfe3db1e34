"""Evidence that survives translation: numbers, dates, names in Latin letters, and the page address.

Every function here is pure and reads its language knowledge from :mod:`newswatch.link.lexicon`.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from newswatch.link.lexicon import lexicon, url_rules
from newswatch.understand.gazetteer import slug

__all__ = [
    "dates_in",
    "name_keys",
    "numbers_in",
    "published_at",
    "url_keys",
]

#: A number as written: "1,200", "1 200", "1.200" (groups of three) or "12", "3.5", "3,5".
_NUMBER = re.compile(
    r"(?<![\w.,])(?:\d{1,3}(?:(?:[ \u00a0\u202f]|[,.](?=\d{3}(?!\d)))\d{3})+(?!\d)|\d+(?:[.,]\d+)?)(?!\w)"
)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})[./](\d{1,2})[./](\d{4})(?![\d])")
_CAPITALISED = re.compile(r"(?<![\w\-])[^\W\d_][\w\-]*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?։…]\s*$|^\s*$|[«\"“„(—–:]\s*$")
_SKELETON_DROP = re.compile(r"[aeiouy\-]")
_DIGRAPHS = (("kh", "x"), ("gh", "g"), ("zh", "j"), ("sh", "s"), ("ch", "c"), ("ts", "c"), ("dz", "z"))
_SMALL = 10
#: Digits in a path, across separators: "/2026/02/18/" is one run, "20260218".
_DIGIT_RUN = re.compile(r"\d+(?:[/_\-]\d+)*")


def numbers_in(
    text: str, skip: list[tuple[int, int]] | None = None, ignore: frozenset[str] = frozenset()
) -> frozenset[str]:
    """The numbers of a text, written one way: "1,200", "1 200" and "1200" are all "1200"; "3,5" is "3.5".

    Numbers below ten are left out (one text writes "two", its translation "2"), and so is anything inside
    a ``skip`` span (the dates already read) and any value in ``ignore`` (the publication year, which
    one version's dateline repeats and another's does not).
    """
    found: set[str] = set()
    spans = skip or []
    for match in _NUMBER.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        raw = match.group()
        grouped = re.fullmatch(r"\d{1,3}(?:[ \u00a0\u202f,.]\d{3})+", raw)
        value = re.sub(r"\D", "", raw) if grouped else raw.replace(",", ".")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        value = value.lstrip("0") or "0"
        if ("." not in value and int(value) < _SMALL) or value in ignore:
            continue
        found.add(value)
    return frozenset(found)


def published_at(value: str | None) -> datetime | None:
    """An article's ``published`` as an aware UTC datetime; a bare date is taken at noon, a naive time
    as UTC (both within the hours a time window tolerates)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) <= 10:
        moment = moment.replace(hour=12)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _month_day(month: int, day: int) -> str | None:
    try:
        date(2000, month, day)  # a leap year: 29 February is a date
    except ValueError:
        return None
    return f"{month:02d}-{day:02d}"


def dates_in(
    text: str, language: str | None, published: str | None
) -> tuple[frozenset[str], list[tuple[int, int]]]:
    """The days a text names, as "MM-DD" (the year is often left out), and the spans of their day and
    month words (a year is left to :func:`numbers_in`: "2020 թվականի նոյեմբերի 9" and "9 November 2020"
    then give the same numbers).

    Read: ISO and numeric dates, day and month names in the article's language ("20 February",
    "20 февраля", "փետրվարի 20"), and, when the publication day is known, weekdays ("on Friday" is the
    last Friday up to that day) and words such as "yesterday".
    """
    lex = lexicon(language)
    found: set[str] = set()
    spans: list[tuple[int, int]] = []

    def add(value: str | None, start: int, end: int) -> None:
        if value:
            found.add(value)
            spans.append((start, end))

    for match in _ISO_DATE.finditer(text):
        add(_month_day(int(match[2]), int(match[3])), match.start(), match.end())
    for match in _NUMERIC_DATE.finditer(text):
        add(_month_day(int(match[2]), int(match[1])), match.start(), match.end())
    for match in lex.day_month.finditer(text):
        groups = match.groupdict()
        day = groups.get("day") or groups.get("day2")
        month = next((int(k[1:]) for k, v in groups.items() if k[0] in "mn" and k[1:].isdigit() and v), None)
        if day and month:
            add(_month_day(month, int(day)), match.start(), match.end())
    moment = published_at(published)
    if moment is not None and published and len(published) >= 10:
        today = date.fromisoformat(published[:10])
        if lex.weekdays is not None:
            for match in lex.weekdays.finditer(text):
                weekday = next(int(k[1:]) for k, v in match.groupdict().items() if v)
                day = today - timedelta(days=(today.weekday() - weekday) % 7)
                add(day.strftime("%m-%d"), match.start(), match.end())
        if lex.relative_days:
            for word in re.findall(r"\w+", text.lower()):
                offset = lex.relative_days.get(word)
                if offset is not None:
                    found.add((today + timedelta(days=offset)).strftime("%m-%d"))
    return frozenset(found), spans


def _skeleton(latin: str) -> str:
    for digraph, letter in _DIGRAPHS:
        latin = latin.replace(digraph, letter)
    return _SKELETON_DROP.sub("", latin.replace("h", ""))


def name_keys(text: str, skip: list[tuple[int, int]] | None = None, size: int = 4) -> frozenset[str]:
    """Keys of the capitalised words inside sentences, alike across scripts: each word in Latin letters
    (the gazetteer's transliteration), its vowels dropped, its first ``size`` consonants kept —
    "Григоряном", "Գրիգորյանի" and "Grigoryan" all give "grgr". Words inside ``skip`` spans (names
    already resolved to actor ids) and words opening a sentence are left out."""
    keys: set[str] = set()
    spans = skip or []
    for match in _CAPITALISED.finditer(text):
        word = match.group()
        if not word[0].isupper() or _SENTENCE_END.search(text, max(0, match.start() - 3), match.start()):
            continue
        if any(start <= match.start() < end for start, end in spans):
            continue
        skeleton = _skeleton(slug(word))
        if len(skeleton) >= size:
            keys.add(skeleton[:size])
    return frozenset(keys)


def url_keys(url: str | None) -> tuple[str | None, str | None, frozenset[str]]:
    """The site of an address, its path with language segments and parameters removed, and the long
    digit runs of its path (dates, article numbers).

    ``https://www.example.com/en/news/2026/03/04/talks?lang=en`` and
    ``https://ru.example.com/news/2026/03/04/talks`` both give ``("example.com", "/news/2026/03/04/talks")``.
    """
    if not url:
        return None, None, frozenset()
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    rules = url_rules()
    labels = host.split(".")
    while len(labels) > 2 and (labels[0] in rules.host_prefixes or labels[0] in rules.language_segments):
        labels = labels[1:]
    site = ".".join(labels) or None
    segments = [s for s in parts.path.lower().split("/") if s and s not in rules.language_segments]
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = sorted((k, v) for k, v in pairs if k.lower() not in rules.language_params)
    path = "/" + "/".join(segments)
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query)
    runs = (re.sub(r"\D", "", run) for run in _DIGIT_RUN.findall("/".join(segments)))
    digits = frozenset(run for run in runs if len(run) >= 4)
    return site, path, digits
