"""The quotation lexicons: cue words, pronouns, role nouns and quote marks, compiled once per language.

The data is ``data/quotes/<lang>.toml`` (see ``docs/quotes.md``). Every word-list entry is a regular
expression fragment matched case-insensitively as a whole word, where a space matches any whitespace. A
language without a file (or ``None``) gets every file merged, so unlabelled text is still read.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from newswatch.errors import ConfigError

__all__ = ["QuoteLexicon", "Referent", "compile_lexicon", "languages", "lexicon"]

Fit = Literal["person", "body", "group"]
Gender = Literal["m", "f"]

_PARAGRAPH = re.compile(r"\n[^\S\n]*\n")


@dataclass(frozen=True, slots=True)
class Referent:
    """What a pronoun or role noun can point back to.

    ``fit``: a person; a body (an organisation, or a country actor named with a sector as its role); or a
    group (an organisation or a country). A person whose role contains ``role`` is preferred. An ``oblique``
    form ("him", "его", "նրա") only names a speaker inside an "according to" form. ``gender`` ("she", "он")
    skips people of the other gender; people of unknown gender still fit.
    """

    fit: Fit
    role: str | None = None
    oblique: bool = False
    gender: Gender | None = None


@dataclass(frozen=True, slots=True)
class QuoteLexicon:
    """The compiled quotation data of one language (or of all languages together).

    ``closers`` maps an opening quote mark to the marks that close it; ``marks`` finds any mark or a
    paragraph break. ``complement`` matches from the end of a cue to the start of the reported content
    ("said on Monday that "); ``bare`` allows content straight after the cue. ``according`` holds the parts
    of each "according to {speaker}" form before and after the speaker. ``referents`` finds pronouns and
    role nouns; the number in a match's group name indexes ``referent_kinds``. ``negation`` matches text
    ending right before a cue that negates it. ``participles`` ("adding", "отметив") are cues whose speaker
    is the subject of the sentence; ``adjuncts`` open an adverbial rather than reported content after a
    cue; ``body_nouns`` mark a mention as a body ("Russian foreign ministry"). ``cue_genders`` are cue forms
    that tell the speaker's gender (Russian "сказала"); ``impersonal`` cue forms ("заявили", "հայտարարել
    են") with no subject make a capital before them the speaking government ("В Баку заявили, что …").
    """

    closers: Mapping[str, str]
    marks: re.Pattern[str]
    cues: re.Pattern[str]
    complement: re.Pattern[str]
    bare: bool
    audience: re.Pattern[str] | None
    back_after: re.Pattern[str] | None
    back_before: re.Pattern[str] | None
    according: tuple[tuple[re.Pattern[str] | None, re.Pattern[str] | None], ...]
    referents: re.Pattern[str] | None
    referent_kinds: tuple[Referent, ...]
    negation: re.Pattern[str] | None = None
    participles: re.Pattern[str] | None = None
    adjuncts: re.Pattern[str] | None = None
    body_nouns: re.Pattern[str] | None = None
    cue_genders: tuple[tuple[re.Pattern[str], Gender], ...] = ()
    impersonal: re.Pattern[str] | None = None

    def cue_gender(self, cue: str) -> Gender | None:
        """The gender a cue form tells of its speaker ("сказала" → "f"), or None."""
        return next((gender for pattern, gender in self.cue_genders if pattern.fullmatch(cue)), None)


@cache
def languages() -> tuple[str, ...]:
    """The languages with a quotes file, sorted."""
    folder = resources.files("newswatch").joinpath("data/quotes")
    names = (entry.name for entry in folder.iterdir() if entry.name.endswith(".toml"))
    return tuple(sorted(name.removesuffix(".toml") for name in names))


@cache
def _table(language: str) -> dict[str, Any]:
    path = resources.files("newswatch").joinpath(f"data/quotes/{language}.toml")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"data/quotes/{language}.toml is not valid TOML: {exc}") from exc


def lexicon(language: str | None) -> QuoteLexicon:
    """The quotation lexicon of ``language``, compiled once; all languages together when it has no file."""
    return _compiled(language if language in languages() else None)


def _words(tables: Iterable[dict[str, Any]], key: str) -> list[str]:
    seen: dict[str, None] = {}
    for table in tables:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"quotes data: {key!r} must be a list of strings")
        seen.update(dict.fromkeys(value))
    return list(seen)


def _alternation(entries: Iterable[str]) -> str:
    ordered = sorted(set(entries), key=len, reverse=True)
    return "|".join(entry.strip().replace(" ", r"\s+") for entry in ordered)


def _whole(entries: Iterable[str], suffix: str = "") -> re.Pattern[str] | None:
    body = _alternation(entries)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w){suffix}", re.IGNORECASE) if body else None


@cache
def _compiled(language: str | None) -> QuoteLexicon:
    names = (language,) if language else languages()
    tables = [_table(name) for name in names]
    try:
        return compile_lexicon(tables)
    except re.error as exc:
        raise ConfigError(f"quotes data for {language or 'all languages'}: bad pattern: {exc}") from exc


def compile_lexicon(tables: list[dict[str, Any]]) -> QuoteLexicon:
    """Compile the parsed quotes files of one or more languages into one lexicon."""
    closers: dict[str, str] = {}
    for table in tables:
        for pair in table.get("quote_pairs", []):
            if not (isinstance(pair, list) and len(pair) == 2 and len(pair[0]) == 1 and pair[1]):
                raise ConfigError(f"quotes data: a quote pair is [opening mark, closing marks], not {pair!r}")
            opener, closing = pair
            closers[opener] = "".join(dict.fromkeys(closers.get(opener, "") + closing))
    chars = "".join(dict.fromkeys("".join(closers) + "".join(closers.values())))
    cues = _whole(_words(tables, "cues") + _words(tables, "participles"))
    if cues is None or not closers:
        raise ConfigError("quotes data: 'cues' and 'quote_pairs' must not be empty")
    complementizers = _alternation(_words(tables, "complementizers")) or r"(?!)"
    kinds: list[Referent] = []
    groups: list[str] = []
    for table in tables:
        for entry in table.get("referents", []):
            if entry.get("fit") not in ("person", "body", "group"):
                raise ConfigError(
                    f"quotes data: referent fit must be person, body or group, not {entry.get('fit')!r}"
                )
            body = _alternation(_words([entry], "words"))
            if body:
                groups.append(f"(?P<r{len(kinds)}>{body})")
                gender = entry.get("gender")
                if gender not in (None, "m", "f"):
                    raise ConfigError(f"quotes data: referent gender must be m or f, not {gender!r}")
                oblique = bool(entry.get("oblique", False))
                kinds.append(Referent(entry["fit"], entry.get("role"), oblique, gender))
    according: list[tuple[re.Pattern[str] | None, re.Pattern[str] | None]] = []
    for form in _words(tables, "according_to"):
        before, _, after = form.partition("{speaker}")
        according.append(
            (_whole([before]) if before.strip() else None, _whole([after]) if after.strip() else None)
        )
    cue_genders: list[tuple[re.Pattern[str], Gender]] = []
    for table in tables:
        for gender, forms in table.get("cue_gender", {}).items():
            if gender not in ("m", "f"):
                raise ConfigError(f"quotes data: cue_gender keys must be m or f, not {gender!r}")
            body = _alternation(_words([{"forms": forms}], "forms"))
            if body:
                cue_genders.append((re.compile(rf"(?:{body})", re.IGNORECASE), gender))
    return QuoteLexicon(
        closers=closers,
        marks=re.compile(f"[{re.escape(chars)}]|{_PARAGRAPH.pattern}"),
        cues=cues,
        complement=re.compile(
            rf"[\s,]*(?:[\w’'-]+,?\s+){{0,4}}?(?:{complementizers})(?!\w)[\s,]*", re.IGNORECASE
        ),
        bare=any(bool(table.get("bare_content", False)) for table in tables),
        audience=_whole(_words(tables, "audiences")),
        back_after=_whole(_words(tables, "refers_back_after")),
        back_before=_whole(_words(tables, "refers_back_before"), r"\s*\Z"),
        according=tuple(according),
        referents=re.compile(rf"(?<!\w)(?:{'|'.join(groups)})(?!\w)", re.IGNORECASE) if groups else None,
        referent_kinds=tuple(kinds),
        negation=_whole(_words(tables, "negations"), r"(?:\s+[^\W\d_]+)?\s+\Z"),
        participles=_whole(_words(tables, "participles")),
        adjuncts=_whole(_words(tables, "adjuncts")),
        body_nouns=_whole(_words(tables, "body_nouns")),
        cue_genders=tuple(cue_genders),
        impersonal=_whole(_words(tables, "impersonal_cues")),
    )
