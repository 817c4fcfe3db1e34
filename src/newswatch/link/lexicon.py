"""The language knowledge of linking, read once from ``newswatch/data/link`` and ``newswatch/data/dates``.

- ``data/link/<lang>.toml``: stopwords, the endings of a light stem, weekday names and words for days
  relative to the publication day ("yesterday");
- ``data/dates/<lang>.toml``: month names (shared with the date parser, not repeated);
- ``data/link/urls.toml``: how sites write a page's language in its address.

A language without files is read with the English ones, as the gazetteer does.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["Lexicon", "UrlRules", "lexicon", "stem", "url_rules"]

_FALLBACK = "en"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """What linking knows of one language."""

    language: str
    stopwords: frozenset[str]
    suffixes: tuple[str, ...]  # longest first
    #: The longest ending leaving at least ``min_stem`` letters: group 1 is the stem.
    ending: re.Pattern[str] | None
    min_stem: int
    strips: int  # how many endings may be cut one after the other (Armenian stacks plural and case)
    #: "20 February", "February 20", "20 февраля", "փետրվարի 20": groups ``day``/``day2`` and one
    #: ``m<N>`` group per month (1–12).
    day_month: re.Pattern[str]
    #: A weekday word; the group ``w<N>`` that matched names the day (0 = Monday).
    weekdays: re.Pattern[str] | None
    relative_days: dict[str, int]


@dataclass(frozen=True, slots=True)
class UrlRules:
    language_segments: frozenset[str]
    language_params: frozenset[str]
    host_prefixes: frozenset[str]


def _toml(path: str) -> dict[str, Any] | None:
    resource = resources.files("newswatch").joinpath(f"data/{path}")
    if not resource.is_file():
        return None
    return tomllib.loads(resource.read_text(encoding="utf-8"))


def _alternation(fragments: list[str]) -> str:
    return "|".join(sorted(fragments, key=len, reverse=True))


def _day_month(months: list[list[str]], day_suffixes: list[str]) -> re.Pattern[str]:
    named = "|".join(f"(?P<m{n}>{_alternation(forms)})" for n, forms in enumerate(months, start=1))
    suffix = f"(?:{_alternation(day_suffixes)})?" if day_suffixes else ""
    day = r"(?<![\d.,])(?P<{name}>[0-3]?\d)(?![\d.,]\d)" + suffix
    return re.compile(
        rf"{day.format(name='day')}(?:\s+of)?\s+(?:{named})(?!\w)"
        rf"|(?<!\w)(?:{named.replace('(?P<m', '(?P<n')})\.?\s+{day.format(name='day2')}(?!\w)",
        re.IGNORECASE,
    )


@cache
def lexicon(language: str | None) -> Lexicon:
    """The lexicon of a language (ISO 639-1 code); the English one for a language without data."""
    code = language or _FALLBACK
    data = _toml(f"link/{code}.toml")
    dates = _toml(f"dates/{code}.toml")
    if data is None or dates is None:
        if code == _FALLBACK:
            raise RuntimeError("newswatch data is missing: data/link/en.toml or data/dates/en.toml")
        return lexicon(_FALLBACK)
    weekdays = data.get("weekdays", [])
    weekday_pattern = (
        re.compile(
            r"(?<!\w)(?:"
            + "|".join(f"(?P<w{n}>{fragment})" for n, fragment in enumerate(weekdays))
            + r")(?!\w)",
            re.IGNORECASE,
        )
        if len(weekdays) == 7
        else None
    )
    suffixes = tuple(sorted(set(data.get("suffixes", [])), key=len, reverse=True))
    min_stem = int(data.get("min_stem", 3))
    ending = (
        re.compile(rf"(.{{{min_stem},}}?)(?:{'|'.join(re.escape(s) for s in suffixes)})", re.DOTALL)
        if suffixes
        else None
    )
    return Lexicon(
        language=code,
        stopwords=frozenset(word.lower() for word in data.get("stopwords", [])),
        suffixes=suffixes,
        ending=ending,
        min_stem=min_stem,
        strips=int(data.get("strips", 1)),
        day_month=_day_month(dates["months"], dates.get("day_suffixes", [])),
        weekdays=weekday_pattern,
        relative_days={word.lower(): int(offset) for word, offset in data.get("relative_days", {}).items()},
    )


@cache
def url_rules() -> UrlRules:
    data = _toml("link/urls.toml") or {}
    return UrlRules(
        language_segments=frozenset(s.lower() for s in data.get("language_segments", [])),
        language_params=frozenset(s.lower() for s in data.get("language_params", [])),
        host_prefixes=frozenset(s.lower() for s in data.get("host_prefixes", [])),
    )


def stem(word: str, lex: Lexicon) -> str:
    """A light stem: the longest listed ending is cut off when enough of the word is left, up to
    ``lex.strips`` times."""
    if lex.ending is None:
        return word
    for _ in range(lex.strips):
        match = lex.ending.fullmatch(word)
        if match is None:
            break
        word = match.group(1)
    return word
