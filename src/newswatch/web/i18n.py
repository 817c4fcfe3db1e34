"""The interface language of the pages: its strings, dates and numbers, read once from package data.

``data/ui/<lang>.toml`` holds one language's interface: ``[format]`` (month and weekday names, the date
patterns, the digit group and decimal separators), ``[text]`` (every string the templates show, with
``{name}`` placeholders), ``[languages]`` (names of content languages), ``[event_types]`` (PLOVER types in
words) and ``[actor_types]``. Every file has the same keys. Adding an interface language means adding a
file and its code to :data:`UI_LANGUAGES`.

Which language a request gets: ``?ui=xx``, else the ``ui`` cookie, else the best of ``Accept-Language``,
else English (:func:`choose_language`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from newswatch.errors import ConfigError

__all__ = ["DEFAULT_LANGUAGE", "UI_LANGUAGES", "Ui", "choose_language", "ui", "ui_keys"]

UI_LANGUAGES = ("en", "hy", "ru")
DEFAULT_LANGUAGE = "en"
_TABLES = ("text", "languages", "event_types", "actor_types")


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Ui:
    """One interface language: ``ui("hy").t("nav_feed")``, ``ui("ru").date("2026-03-04")``."""

    code: str
    name: str
    texts: Mapping[str, str]
    languages: Mapping[str, str]
    event_types: Mapping[str, str]
    actor_types: Mapping[str, str]
    months: tuple[str, ...]
    months_short: tuple[str, ...]
    weekdays: tuple[str, ...]
    patterns: Mapping[str, str]
    group: str
    decimal: str

    def t(self, key: str, **values: object) -> str:
        """The string ``key`` with its placeholders filled; the key itself when it is missing."""
        text = self.texts.get(key, key)
        return text.format(**values) if values else text

    def language(self, code: str | None) -> str:
        """A content language in words ("Armenian"), or the code as given when unknown."""
        return self.languages.get(code or "und", code or self.languages.get("und", "?"))

    def event_type(self, name: str) -> str:
        return self.event_types.get(name, name)

    def actor_type(self, name: str) -> str:
        return self.actor_types.get(name, name)

    def date(self, value: str | date | None, pattern: str = "date") -> str:
        """A date in words by ``pattern`` (``date``, ``date_long`` or ``date_short``); ISO text that is
        no date is shown as given."""
        day = value if isinstance(value, date) else _parse_day(value)
        if day is None:
            return value if isinstance(value, str) else ""
        return self.patterns[pattern].format(
            weekday=self.weekdays[day.weekday()],
            day=day.day,
            month=self.months[day.month - 1],
            month_short=self.months_short[day.month - 1],
            year=day.year,
        )

    def time(self, value: str | None) -> str:
        """The stated time of day with its offset ("19:55 +04:00"); empty for a date without time."""
        if not value or len(value) <= 10:
            return ""
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return ""
        offset = moment.strftime("%z")
        return moment.strftime("%H:%M") + (f" {offset[:3]}:{offset[3:]}" if offset else "")

    def number(self, value: float) -> str:
        """A number with this language's digit groups ("1,234" / "1 234"); at most two decimals."""
        if isinstance(value, int) or float(value).is_integer():
            return f"{int(value):,}".replace(",", self.group)
        whole, _, fraction = f"{value:,.2f}".partition(".")
        return whole.replace(",", self.group) + self.decimal + fraction


def _load(code: str) -> dict[str, Any]:
    path = resources.files("newswatch").joinpath(f"data/ui/{code}.toml")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"interface strings data/ui/{code}.toml: {exc}") from exc


@cache
def ui(code: str) -> Ui:
    """The interface in language ``code`` (one of :data:`UI_LANGUAGES`, else English)."""
    code = code if code in UI_LANGUAGES else DEFAULT_LANGUAGE
    data = _load(code)
    fmt = data["format"]
    return Ui(
        code=code,
        name=fmt["name"],
        texts=data["text"],
        languages=data["languages"],
        event_types=data["event_types"],
        actor_types=data["actor_types"],
        months=tuple(fmt["months"]),
        months_short=tuple(fmt["months_short"]),
        weekdays=tuple(fmt["weekdays"]),
        patterns={k: fmt[k] for k in ("date", "date_long", "date_short")},
        group=fmt["group"],
        decimal=fmt["decimal"],
    )


def ui_keys(code: str) -> dict[str, frozenset[str]]:
    """The keys of each table of a language's file, to check that every language has them all."""
    data = _load(code)
    return {table: frozenset(data[table]) for table in ("format", *_TABLES)}


def _accepted(header: str) -> list[str]:
    """The languages of an ``Accept-Language`` header, most wanted first (q=0 left out)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.split("-")[0].lower()))
    return [code for _q, _p, code in sorted(ranked)]


def choose_language(asked: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The interface language: ``?ui=`` when it is one we have, else the cookie, else the first
    language of ``Accept-Language`` we have, else English."""
    for candidate in (asked, cookie):
        if candidate and candidate.lower() in UI_LANGUAGES:
            return candidate.lower()
    for code in _accepted(accept_language or ""):
        if code in UI_LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
