"""The event lexicons: cue phrases per language and the PLOVER type table, loaded once from package data.

``data/events/types.toml`` describes the 16 PLOVER types (default CAMEO code, cooperation or conflict,
verbal or material, and how a cue of the type governs what follows it). ``data/events/<lang>.toml`` holds a
language's cue phrases and the function words the event finder reads (prepositions, negations, collective
references, date words…); see ``docs/events.md`` for the layout. A phrase is a sequence of lower-case words;
``a|b|c`` in a list entry gives several forms at once and ``~`` marks a slot for one optional auxiliary
(Armenian "կոչ ~ արել" matches "կոչ է արել", "կոչ են արել" and "կոչ չի արել").

Phrases are kept in a map from their first word to every phrase starting with it, longest first, so finding
the cues of a sentence is one dictionary look-up per word.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal

from newswatch.errors import ConfigError

__all__ = [
    "Hit",
    "Lexicon",
    "Phrase",
    "TypeInfo",
    "dates_in",
    "event_types",
    "find_phrases",
    "lexicon",
    "normalize_word",
    "published_date",
]

#: What a phrase is for. ``cue`` and ``noun``/``mutual`` carry an event type and a CAMEO code.
Kind = Literal[
    "cue", "claim", "claim_by", "claim_after", "collective", "reciprocal", "agent", "agent_after", "block"
]

_KINDS = frozenset(
    ("claim", "claim_by", "claim_after", "collective", "reciprocal", "agent", "agent_after", "block")
)

#: An optional auxiliary slot inside a phrase.
AUX = "~"

_CAMEO = re.compile(r"\d{3,4}")


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """One PLOVER type: its default CAMEO code and how its cues behave."""

    name: str
    cameo: str
    family: Literal["cooperation", "conflict"]
    mode: Literal["verbal", "material"]
    irrealis: bool  # later cues in its clause are intentions or demands, not events ("urged X to withdraw")
    reports: bool  # later cues in its sentence are the source's allegation ("accused X of shelling")
    sport: bool  # not an event in a sports context ("Armenia beat Latvia 2-1")
    joint: bool  # "X and Y met": done together, so one event each way


@dataclass(frozen=True, slots=True)
class Phrase:
    words: tuple[str, ...]
    kind: Kind
    type: str | None = None
    cameo: str | None = None
    noun: bool = False
    mutual: bool = False


@dataclass(slots=True)
class Hit:
    """A phrase found in a sentence, by token indices (inclusive)."""

    phrase: Phrase
    first: int
    last: int
    negated: bool = False  # read through a negation prefix (Armenian "չմեղադրեց")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the event finder knows about one language."""

    language: str
    phrases: Mapping[str, tuple[Phrase, ...]]  # first word → phrases starting with it, longest first
    aux: frozenset[str]
    negations: frozenset[str]
    negation_prefixes: tuple[str, ...]
    negation_window: int
    determiners: frozenset[str]
    coordinators: frozenset[str]
    object_before: frozenset[str]
    target_before: frozenset[str]
    between: frozenset[str]
    topic_before: frozenset[str]
    topic_after: frozenset[str]
    modifier_before: frozenset[str]
    locative_before: frozenset[str]
    object_after: frozenset[str]
    object_endings: tuple[str, ...]
    modifier_endings: tuple[str, ...]
    modifier_forms: frozenset[str]
    locative_endings: tuple[str, ...]
    possessive_endings: tuple[str, ...]
    compound_after: tuple[str, ...]
    passive_before: frozenset[str]
    first_person: frozenset[str]
    verb_final: bool
    target_window: int
    head_window: int
    clause_break: re.Pattern[str]
    sport: re.Pattern[str] | None
    score: re.Pattern[str] | None
    relative_days: Mapping[str, int]
    relative: re.Pattern[str] | None
    weekday_names: Mapping[str, int]
    weekday: tuple[re.Pattern[str], ...]
    month_names: Mapping[str, int]
    explicit: tuple[re.Pattern[str], ...]


def normalize_word(word: str) -> str:
    """The form words are compared in: lower case, Russian "ё" as "е", typographic apostrophes plain."""
    return word.lower().replace("ё", "е").replace("’", "'")


def _read(name: str) -> dict[str, Any] | None:
    path = resources.files("newswatch").joinpath(f"data/events/{name}.toml")
    if not path.is_file():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"data/events/{name}.toml: {exc}") from exc


@cache
def event_types() -> Mapping[str, TypeInfo]:
    """The PLOVER types by name, in the order of ``types.toml``."""
    data = _read("types")
    if data is None:
        raise ConfigError("data/events/types.toml is missing")
    types: dict[str, TypeInfo] = {}
    for name, row in data.items():
        if row.get("family") not in ("cooperation", "conflict") or row.get("mode") not in (
            "verbal",
            "material",
        ):
            raise ConfigError(f"data/events/types.toml: {name} needs family and mode")
        types[name] = TypeInfo(
            name=name,
            cameo=str(row["cameo"]),
            family=row["family"],
            mode=row["mode"],
            irrealis=bool(row.get("irrealis", False)),
            reports=bool(row.get("reports", False)),
            sport=bool(row.get("sport", False)),
            joint=bool(row.get("joint", False)),
        )
    return types


def _forms(entries: list[str]) -> list[tuple[str, ...]]:
    """Each ``a|b c`` entry as its word tuples: ``("a",)``, ``("b", "c")``."""
    forms: list[tuple[str, ...]] = []
    for entry in entries:
        for form in entry.split("|"):
            words = tuple(normalize_word(w) for w in form.split())
            if words and words[0] != AUX:
                forms.append(words)
    return forms


def _words(section: Mapping[str, Any], key: str) -> frozenset[str]:
    return frozenset(normalize_word(w) for w in section.get(key, ()))


def _phrases(language: str, data: Mapping[str, Any]) -> dict[str, tuple[Phrase, ...]]:
    known = event_types()
    table: dict[str, list[Phrase]] = {}

    def add(words: tuple[str, ...], phrase: Phrase) -> None:
        table.setdefault(words[0], []).append(phrase)

    for section, noun, mutual in (("cues", False, False), ("nouns", True, False), ("mutual", False, True)):
        for type_name, codes in data.get(section, {}).items():
            if type_name not in known:
                raise ConfigError(f"data/events/{language}.toml: unknown event type {type_name}")
            for cameo, entries in codes.items():
                if not _CAMEO.fullmatch(cameo):
                    raise ConfigError(f"data/events/{language}.toml: bad CAMEO code {cameo!r}")
                for words in _forms(entries):
                    add(words, Phrase(words, "cue", type_name, cameo, noun=noun, mutual=mutual))
    for kind, entries in data.get("phrases", {}).items():
        if kind not in (
            "claim",
            "claim_by",
            "claim_after",
            "collective",
            "reciprocal",
            "agent",
            "agent_after",
            "block",
        ):
            raise ConfigError(f"data/events/{language}.toml: unknown phrase kind {kind}")
        for words in _forms(entries):
            add(words, Phrase(words, kind))
    return {first: tuple(sorted(group, key=lambda p: -len(p.words))) for first, group in table.items()}


def _alternation(names: Mapping[str, int]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def _stems(entries: list[str]) -> re.Pattern[str] | None:
    """Sport words: ``word`` matches the whole word, ``stem*`` any word starting with the stem."""
    parts = [
        re.escape(normalize_word(e[:-1])) + r"\w*" if e.endswith("*") else re.escape(normalize_word(e))
        for e in entries
    ]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE) if parts else None


def _dates(data: Mapping[str, Any]) -> dict[str, Any]:
    months = {normalize_word(n): i + 1 for i, forms in enumerate(data.get("months", ())) for n in forms}
    weekdays = {normalize_word(n): i for i, forms in enumerate(data.get("weekdays", ())) for n in forms}
    relative = {normalize_word(k): int(v) for k, v in data.get("relative", {}).items()}
    month_re = f"(?P<month>{_alternation(months)})"
    weekday_re = f"(?P<weekday>{_alternation(weekdays)})"
    return {
        "relative_days": relative,
        "relative": re.compile(rf"(?<!\w)(?:{_alternation(relative)})(?!\w)", re.I) if relative else None,
        "weekday_names": weekdays,
        "weekday": tuple(
            re.compile(p.replace("{weekday}", weekday_re), re.I) for p in data.get("weekday", ())
        ),
        "month_names": months,
        "explicit": tuple(re.compile(p.replace("{month}", month_re), re.I) for p in data.get("explicit", ())),
    }


@cache
def lexicon(language: str | None) -> Lexicon | None:
    """The lexicon of ``language`` (an ISO 639-1 code), or None when there is none; loaded once."""
    if not language:
        return None
    code = language.strip().lower()[:2]
    if not code.isalpha():
        return None
    data = _read(code)
    if data is None:
        return None
    words = data.get("words", {})
    roles = data.get("roles", {})
    breaks = [
        re.escape(b) if not b[:1].isalpha() else rf"(?<!\w){re.escape(b)}(?!\w)"
        for b in words.get("clause_breaks", ())
    ]
    score = data.get("sport", {}).get("score")
    return Lexicon(
        language=code,
        phrases=_phrases(code, data),
        aux=_words(words, "aux"),
        negations=_words(words, "negations"),
        negation_prefixes=tuple(words.get("negation_prefixes", ())),
        negation_window=int(words.get("negation_window", 3)),
        determiners=_words(words, "determiners"),
        coordinators=_words(words, "coordinators"),
        object_before=_words(roles, "object_before"),
        target_before=_words(roles, "target_before"),
        between=_words(roles, "between"),
        topic_before=_words(roles, "topic_before"),
        topic_after=_words(roles, "topic_after"),
        modifier_before=_words(roles, "modifier_before"),
        locative_before=_words(roles, "locative_before"),
        object_after=_words(roles, "object_after"),
        object_endings=tuple(roles.get("object_endings", ())),
        modifier_endings=tuple(roles.get("modifier_endings", ())),
        modifier_forms=_words(roles, "modifier_forms"),
        locative_endings=tuple(roles.get("locative_endings", ())),
        possessive_endings=tuple(normalize_word(e) for e in roles.get("possessive_endings", ())),
        compound_after=tuple(roles.get("compound_after", ())),
        passive_before=_words(roles, "passive_before"),
        first_person=_words(words, "first_person"),
        verb_final=bool(roles.get("verb_final", False)),
        target_window=int(roles.get("target_window", 8)),
        head_window=int(roles.get("head_window", 3)),
        clause_break=re.compile("|".join(breaks) or r"(?!)", re.IGNORECASE),
        sport=_stems(data.get("sport", {}).get("words", [])),
        score=re.compile(score) if score else None,
        **_dates(data.get("dates", {})),
    )


def _match(phrase: Phrase, words: list[str], i: int, aux: frozenset[str]) -> int:
    """The token index after ``phrase`` matched at ``i``, or -1."""
    j = i + 1
    for word in phrase.words[1:]:
        if word == AUX:
            if j < len(words) and words[j] in aux:
                j += 1
            continue
        if j >= len(words) or words[j] != word:
            return -1
        j += 1
    return j


def find_phrases(lex: Lexicon, words: list[str], skip: list[bool]) -> list[Hit]:
    """The phrases of ``lex`` in a sentence's normalized ``words``, left to right, longest first; words
    where ``skip`` is true (inside an actor's name) start none."""
    hits: list[Hit] = []
    i = 0
    while i < len(words):
        if skip[i]:
            i += 1
            continue
        word = words[i]
        candidates = lex.phrases.get(word, ())
        negated = False
        if not candidates:
            for prefix in lex.negation_prefixes:
                if word.startswith(prefix) and len(word) > len(prefix) + 2:
                    candidates = lex.phrases.get(word[len(prefix) :], ())
                    negated = bool(candidates)
                    break
        for phrase in candidates:
            j = _match(phrase, words, i, lex.aux)
            if j > 0:
                hits.append(Hit(phrase, i, j - 1, negated))
                i = j
                break
        else:
            i += 1
    return hits


def published_date(published: str | None) -> date | None:
    """The calendar date of an ISO 8601 ``published`` value, or None."""
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def dates_in(lex: Lexicon, text: str, start: int, end: int, published: date | None) -> list[tuple[int, date]]:
    """The dates named in ``text[start:end]`` with their positions, resolved against the publication date:
    a weekday is the last such day on or before it, a year-less date the last such date on or before it."""
    found: list[tuple[int, date]] = []
    if lex.relative is not None and published is not None:
        for m in lex.relative.finditer(text, start, end):
            offset = lex.relative_days.get(normalize_word(m.group()))
            if offset is not None:
                found.append((m.start(), published + timedelta(days=offset)))
    for pattern in lex.weekday:
        for m in pattern.finditer(text, start, end):
            weekday = lex.weekday_names.get(normalize_word(m.group("weekday")))
            if weekday is not None and published is not None:
                found.append((m.start(), published - timedelta(days=(published.weekday() - weekday) % 7)))
    for pattern in lex.explicit:
        for m in pattern.finditer(text, start, end):
            month = lex.month_names.get(normalize_word(m.group("month")))
            year = m.groupdict().get("year")
            try:
                if month is not None and year:
                    found.append((m.start(), date(int(year), month, int(m.group("day")))))
                elif month is not None and published is not None:
                    when = date(published.year, month, int(m.group("day")))
                    if when > published:
                        when = when.replace(year=published.year - 1)
                    found.append((m.start(), when))
            except ValueError:
                continue  # "February 30"
    return found
