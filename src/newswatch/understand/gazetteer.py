"""The gazetteer: who and where can be named, by which words in each language, and the matcher finding them.

Everything is read once from ``newswatch/data/gazetteer`` (see its README for the layout):

- ``actors.tsv`` and ``generated/actors.tsv`` — the registry: id, type, affiliation, default role, English
  name and, for capitals, the actor the city stands for as a government ("Baku said" → ``AZE``);
- ``names/<lang>.tsv`` and ``generated/names-<lang>.tsv`` — the words: names and adjectives of actors,
  surnames of people, government bodies (sector → country), role cues;
- ``lang/<lang>.toml`` — the inflection rules that turn each written form into its case forms, and the
  cue words the actors stage reads (locative prepositions, connectors, …);
- ``translit/<script>.tsv`` — transliteration to Latin for the ids of people not in the gazetteer;
- ``given-names.tsv`` — the gender of common first names (Latin slugs), for people not in the registry.

:func:`find_names` walks the words of a text once: each word is looked up (lower case, "ё" as "е", Latin
accents folded) in a table of every generated form, and a trie over the base forms finds the longest name
that starts there. A form written in capitals in the data ("UN", "ՄԱԿ", "МИД") only matches the same
capitals in the text; a capitalised form only a capitalised word; a lower-case form any word.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal, cast

__all__ = [
    "ActorInfo",
    "ActorType",
    "Gazetteer",
    "Gender",
    "Leaf",
    "NameMatch",
    "Rules",
    "actor_gender",
    "actor_info",
    "find_names",
    "gazetteer",
    "known_actors",
    "normalize",
    "script_of",
    "slug",
    "words_of",
]

ActorType = Literal["country", "organization", "person", "place"]
NameKind = Literal["name", "adj", "surname", "body", "role"]
Gender = Literal["m", "f"]

_TYPES = frozenset({"country", "organization", "person", "place"})
_KINDS = {
    "name": "name",
    "person": "name",
    "adj": "adj",
    "surname": "surname",
    "body": "body",
    "role": "role",
}
_TOKEN = re.compile(r"\w+")
_TOKEN_ALTERNATES = re.compile(r"\w+(?:~\w+)*")
#: What may stand between two words of one name: a space, a hyphen, an apostrophe, the dot of "U.S.".
_GAP = re.compile(r"[ \u00a0\-‐–'’.]{0,3}")
_ANY, _CAPITALISED, _EXACT = 0, 1, 2


@dataclass(frozen=True, slots=True)
class ActorInfo:
    """A known actor: ``name`` is the English display name, ``country`` the affiliation."""

    id: str
    name: str
    type: ActorType
    country: str | None


@dataclass(frozen=True, slots=True)
class Known:
    """A registry row: an :class:`ActorInfo` plus what the actors stage needs to know."""

    info: ActorInfo
    role: str | None
    metonym: str | None
    gender: Gender | None = None


@dataclass(frozen=True, slots=True)
class Leaf:
    """One meaning of a matched phrase: ``target`` is an actor id, a sector (body) or a role."""

    kind: NameKind
    target: str
    country: str | None
    words: tuple[str, ...]  # the base forms, normalised
    cases: tuple[int, ...]
    originals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A phrase of the text found in the gazetteer: ``text[start:end]`` (with any clitic) and its meanings."""

    start: int
    end: int
    first: int  # index of the first word
    last: int  # index after the last word
    leaves: tuple[Leaf, ...]
    last_word: str  # the last word as written, normalised


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    leaves: list[Leaf] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Rules:
    """The cue words and patterns of one language (``lang/<lang>.toml``)."""

    clitic: re.Pattern[str] | None
    connectors: frozenset[str]
    complement_openers: frozenset[str]
    coordination: frozenset[str]
    locative_before: frozenset[str]
    metonym_before: frozenset[str]
    locative_suffixes: tuple[str, ...]
    locative_bare: bool
    not_names: frozenset[str]
    ambiguous: frozenset[str]
    name_lemma: tuple[tuple[re.Pattern[str], str], ...]
    name_lemma_last_only: bool
    name_particles: frozenset[str]
    role_bare_before_name: bool
    inflection: tuple[tuple[re.Pattern[str], int, tuple[str, ...]], ...]


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Everything needed to find names in one language."""

    language: str
    rules: Rules
    forms: dict[str, tuple[str, ...]]
    root: _Node
    display: dict[str, str]


# --- loading ----------------------------------------------------------------------------------------------


def _data(path: str) -> str | None:
    resource = resources.files("newswatch").joinpath(f"data/gazetteer/{path}")
    return resource.read_text(encoding="utf-8") if resource.is_file() else None


def _rows(text: str | None) -> Iterator[list[str]]:
    for line in (text or "").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.rstrip("\n").split("\t")


@cache
def known_actors() -> dict[str, Known]:
    """The registry of known actors by id: generated rows first, curated rows override them."""
    registry: dict[str, Known] = {}
    for path in ("generated/actors.tsv", "actors.tsv"):
        for row in _rows(_data(path)):
            row += [""] * (7 - len(row))
            actor_id, kind, country, role, name, metonym, gender = (cell.strip() for cell in row[:7])
            if kind not in _TYPES:
                raise ValueError(f"gazetteer {path}: unknown actor type {kind!r} for {actor_id!r}")
            if gender not in ("", "m", "f"):
                raise ValueError(f"gazetteer {path}: gender of {actor_id!r} must be m or f, not {gender!r}")
            info = ActorInfo(actor_id, name, cast(ActorType, kind), country or None)
            registry[actor_id] = Known(info, role or None, metonym or None, cast(Gender, gender or None))
    return registry


@cache
def _given_names() -> dict[str, Gender]:
    names: dict[str, Gender] = {}
    for row in _rows(_data("given-names.tsv")):
        gender = row[1].strip() if len(row) > 1 else ""
        if gender not in ("m", "f"):
            raise ValueError(f"gazetteer given-names.tsv: gender of {row[0]!r} must be m or f")
        for name in row[0].split("|"):
            names[name.strip()] = cast(Gender, gender)
    return names


def actor_gender(actor_id: str) -> Gender | None:
    """A person's gender: the registry's, else that of the first word of the slug when it is a known given
    name ("anna-petrosyan" → "f"); None for anything else (an unknown gender fits every pronoun)."""
    known = known_actors().get(actor_id)
    if known is not None:
        return known.gender
    return _given_names().get(actor_id.partition("-")[0])


def actor_info(actor_id: str) -> ActorInfo | None:
    """The English display name, type and affiliation of a gazetteer id; None for an id it does not know."""
    known = known_actors().get(actor_id)
    return known.info if known else None


_FOLD = {
    cp: base
    for cp in range(0xC0, 0x250)
    if (base := unicodedata.normalize("NFKD", chr(cp))[0].lower()).isascii() and base.isalpha()
}
_FOLD.update({0x131: "i", 0xF8: "o", 0xD8: "o", 0x142: "l", 0x141: "l", 0x111: "d", 0x110: "d", 0x259: "a"})
_FOLD_TABLE = str.maketrans({chr(cp): base for cp, base in _FOLD.items()})


def normalize(word: str) -> str:
    """The lookup key of a word: lower case, "ё" as "е"."""
    return word.lower().replace("ё", "е")


def _fold(key: str) -> str:
    return key.translate(_FOLD_TABLE)


def _case(word: str) -> int:
    if any(ch.isupper() for ch in word[1:]) or (len(word) == 1 and word.isupper()):
        return _EXACT
    return _CAPITALISED if word[:1].isupper() else _ANY


def _load_rules(language: str) -> Rules:
    text = _data(f"lang/{language}.toml")
    data = tomllib.loads(text or "")

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w) for w in data.get(key, ()))

    clitic = str(data.get("clitic", ""))
    return Rules(
        clitic=re.compile(clitic) if clitic else None,
        connectors=words("connectors"),
        complement_openers=words("complement_openers"),
        coordination=words("coordination"),
        locative_before=words("locative_before"),
        metonym_before=words("metonym_before"),
        locative_suffixes=tuple(str(s) for s in data.get("locative_suffixes", ())),
        locative_bare=bool(data.get("locative_bare", False)),
        not_names=words("not_names"),
        ambiguous=words("ambiguous"),
        name_lemma=tuple((re.compile(p), r) for p, r in data.get("name_lemma", ())),
        name_lemma_last_only=bool(data.get("name_lemma_last_only", True)),
        name_particles=words("name_particles"),
        role_bare_before_name=bool(data.get("role_bare_before_name", False)),
        inflection=tuple(
            (re.compile(rule["match"]), int(rule["drop"]), tuple(rule["add"]))
            for rule in data.get("inflection", ())
        ),
    )


def inflect(word: str, rules: Rules) -> list[str]:
    """The forms of one word of a name: the first inflection rule matching its end gives them."""
    for pattern, drop, endings in rules.inflection:
        if pattern.search(word):
            stem = word[: len(word) - drop] if drop else word
            return [word, *(stem + ending for ending in endings)]
    return [word]


@cache
def gazetteer(language: str) -> Gazetteer:
    """The gazetteer of a language (English rules and names for a language without data), built once."""
    if _data(f"lang/{language}.toml") is None:
        language = "en"
    rules = _load_rules(language)
    forms: dict[str, set[str]] = {}
    root = _Node()
    display: dict[str, str] = {}
    for path in (f"generated/names-{language}.tsv", f"names/{language}.tsv"):
        for row in _rows(_data(path)):
            target, raw_kind, cell = row[0].strip(), row[1].strip(), row[2].strip()
            country = row[3].strip() if len(row) > 3 and row[3].strip() else None
            if raw_kind == "display":
                display[target] = cell
                continue
            kind = _KINDS.get(raw_kind)
            if kind is None:
                raise ValueError(f"gazetteer {path}: unknown kind {raw_kind!r} for {target!r}")
            for written in cell.split("|"):
                frozen = written.endswith("=")
                phrase = written.rstrip("=").strip()
                if kind == "name" and target not in display:
                    display[target] = re.sub(r"~\w+", "", phrase)
                _add(root, forms, rules, cast(NameKind, kind), target, country, phrase, frozen)
    return Gazetteer(language, rules, {k: tuple(sorted(v)) for k, v in forms.items()}, root, display)


def _add(
    root: _Node,
    forms: dict[str, set[str]],
    rules: Rules,
    kind: NameKind,
    target: str,
    country: str | None,
    phrase: str,
    frozen: bool,
) -> None:
    extra: dict[int, list[str]] = {}  # "խորհուրդ~խորհրդ": another stem of the same word
    originals_list: list[str] = []
    for chunk in _TOKEN_ALTERNATES.findall(phrase):
        stems = chunk.split("~")
        if len(stems) > 1:
            extra[len(originals_list)] = stems[1:]
        originals_list.append(stems[0])
    originals = tuple(originals_list)
    if not originals:
        return
    cases = tuple(_case(word) for word in originals)
    words = tuple(normalize(word) for word in originals)
    node = root
    node_path: list[str] = []
    for original, word, case in zip(originals, words, cases, strict=True):
        stems = [original, *extra.get(len(node_path), ())]
        variants = stems if frozen or case == _EXACT else [v for stem in stems for v in inflect(stem, rules)]
        node_path.append(word)
        for variant in variants:
            key = normalize(variant)
            forms.setdefault(key, set()).add(word)
            forms.setdefault(_fold(key), set()).add(word)
        node = node.children.setdefault(word, _Node())
    leaf = Leaf(kind, target, country, words, cases, originals)
    if leaf not in node.leaves:
        node.leaves.append(leaf)


# --- matching ---------------------------------------------------------------------------------------------


def words_of(text: str) -> list[re.Match[str]]:
    """The words of a text, as the matcher sees them."""
    return list(_TOKEN.finditer(text))


def _lookup(forms: dict[str, tuple[str, ...]], word: str) -> tuple[str, ...]:
    key = normalize(word)
    found = forms.get(key)
    if found is None and not key.isascii():
        folded = _fold(key)
        if folded != key:
            found = forms.get(folded)
    return found or ()


def _case_ok(leaf: Leaf, tokens: list[re.Match[str]], first: int) -> bool:
    for offset, case in enumerate(leaf.cases):
        if case == _ANY:
            continue
        word = tokens[first + offset].group()
        if case == _CAPITALISED and not word[0].isupper():
            return False
        if case == _EXACT and word != leaf.originals[offset]:
            return False
    return True


def find_names(text: str, gaz: Gazetteer, tokens: list[re.Match[str]]) -> list[NameMatch]:
    """Every gazetteer phrase in ``text``, longest first from left to right, without overlaps."""
    keys = [_lookup(gaz.forms, token.group()) for token in tokens]
    matches: list[NameMatch] = []
    count = len(tokens)
    i = 0
    while i < count:
        if not keys[i]:
            i += 1
            continue
        best_last = -1
        best: list[Leaf] = []
        stack = [(child, i) for word in keys[i] if (child := gaz.root.children.get(word)) is not None]
        while stack:
            node, j = stack.pop()
            if node.leaves and j >= best_last:
                valid = [leaf for leaf in node.leaves if _case_ok(leaf, tokens, i)]
                if valid:
                    best = valid if j > best_last else best + valid
                    best_last = j
            following = j + 1
            if node.children and following < count and keys[following]:
                gap = _GAP.fullmatch(text, tokens[j].end(), tokens[following].start())
                if gap is not None:
                    for word in keys[following]:
                        child = node.children.get(word)
                        if child is not None:
                            stack.append((child, following))
        if best_last < 0:
            i += 1
            continue
        end = tokens[best_last].end()
        if gaz.rules.clitic is not None and (clitic := gaz.rules.clitic.match(text, end)):
            end = clitic.end()
        after = best_last + 1
        while after < count and tokens[after].start() < end:
            after += 1
        last_word = normalize(tokens[best_last].group())
        matches.append(NameMatch(tokens[i].start(), end, i, after, tuple(best), last_word))
        i = after
    return matches


# --- transliteration --------------------------------------------------------------------------------------


@cache
def _translit(script: str) -> tuple[dict[str, str], dict[str, str], dict[str, str], int]:
    """The letters of a script in Latin: anywhere, at the start of a word (``^x`` or the third column) and at
    its end (``x$``)."""
    plain: dict[str, str] = {}
    initial: dict[str, str] = {}
    final: dict[str, str] = {}
    for row in _rows(_data(f"translit/{script}.tsv")):
        source, latin = row[0], row[1] if len(row) > 1 else ""
        if source.startswith("^"):
            initial[source[1:]] = latin
        elif source.endswith("$") and len(source) > 1:
            final[source[:-1]] = latin
        else:
            plain[source] = latin
            if len(row) > 2:
                initial[source] = row[2]
    longest = max((len(k) for table in (plain, initial, final) for k in table), default=1)
    return plain, initial, final, longest


def script_of(word: str) -> str | None:
    """ "ru" for a Cyrillic word, "hy" for an Armenian one, None for any other (Latin)."""
    return _script(word)


def _script(word: str) -> str | None:
    for ch in word:
        if "\u0400" <= ch <= "\u04ff":
            return "ru"
        if "\u0530" <= ch <= "\u058f":
            return "hy"
    return None


def _latin(word: str) -> str:
    script = _script(word)
    if script is None:
        return _fold(word.lower())
    plain, initial, final, longest = _translit(script)
    lower = normalize(word) if script == "ru" else word.lower()
    out: list[str] = []
    i = 0
    while i < len(lower):
        for size in range(min(longest, len(lower) - i), 0, -1):
            chunk = lower[i : i + size]
            if i + size == len(lower) and chunk in final:
                out.append(final[chunk])
            elif i == 0 and chunk in initial:
                out.append(initial[chunk])
            elif chunk in plain:
                out.append(plain[chunk])
            else:
                continue
            i += size
            break
        else:
            out.append(_fold(lower[i]))
            i += 1
    return "".join(out)


def slug(name: str) -> str:
    """A Latin-script id for a name in any script: "Мгер Григорян" → "mger-grigoryan"."""
    words = [_latin(word) for word in _TOKEN.findall(name)]
    return re.sub(r"[^a-z0-9]+", "-", "-".join(words)).strip("-")
