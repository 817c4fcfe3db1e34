"""Actors of an article: countries, organisations, people and places, each with every mention in the text.

:func:`find_actors` reads the names the gazetteer finds (:mod:`newswatch.understand.gazetteer`) and decides
what each one is, in five passes over the text:

1. **Ambiguous names** ("Chad", "Jordan", "Того" — listed per language) are dropped at the start of a
   sentence and next to another capitalised word ("Michael Jordan").
2. **Government bodies** take the country written next to them — before ("the Armenian foreign ministry",
   "Azerbaijan's defence ministry", "Հայաստանի ԱԳՆ", "армянского МИД") or after ("МИД Армении", "Ministry of
   Defence of Armenia") — and become a mention of that country with the sector as ``role``. A body that
   belongs to one country ("the Kremlin", "Pentagon") needs none. A body without a country ("the ministry",
   a bare "МИД") is not resolved here: which one is meant is the quotes stage's business.
3. **Capitals** stand for their government ("Yerevan said", "Baku's position", "официальный Баку",
   "Երևանը", "Բաքվի դիրքորոշումը") unless the text uses them as a place: after a locative word ("in
   Yerevan", "в Ереване", "to Baku"), in an Armenian locative case or bare ("Երևանում", "Բաքվից",
   "կայցելի Բաքու"), in a dateline ("Yerevan, 20 February") or coordinated with such a place ("in Yerevan
   and Baku"). Then they are a ``place`` actor whose ``country`` says whose it is — so "в Ереване заявляли"
   is a place too, and a consumer wanting its speaker maps the place to its country.
4. **People**: known people by full name; a role cue ("Foreign Minister", "министр иностранных дел",
   "արտաքին գործերի նախարար") before the name — with its organisation or country before the cue ("UN
   Special Representative", "Russian Foreign Ministry spokeswoman") or after it ("of the UN", "МИД
   России") — or after the name ("Alen Simonyan, speaker of …") gives the person's ``role`` and
   affiliation. A capitalised name after a role cue that the gazetteer does not know becomes a person with a
   Latin-script slug id ("Мгером Григоряном" → ``mger-grigoryan``), its case ending removed.
5. **Surnames** ("Jenca said", "Григорян заявил") resolve to the person of that surname named last before
   (or, failing that, after) them; a surname shared by two known people and named alone is left out.

One :class:`~newswatch.model.Actor` per id, in the order of first mention; mentions are sorted by start and
cover the words as written ("Yerevan's", "ՄԱԿ-ի", "Армении"). A country's ``role`` is the sector of its
first body mention, if any. ``name`` is the display name in the article's language when the gazetteer has
one ("Армения" in a Russian article), else the English one; :func:`actor_info` gives the English one.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from newswatch.model import Actor, Mention
from newswatch.understand.gazetteer import (
    ActorInfo,
    Gazetteer,
    NameMatch,
    actor_info,
    find_names,
    gazetteer,
    inflect,
    known_actors,
    normalize,
    script_of,
    slug,
    words_of,
)
from newswatch.understand.sentences import Sentence

__all__ = ["ActorInfo", "actor_info", "find_actors"]

#: Punctuation that ends the stretch between a role cue and its name.
_BREAK = re.compile(r"[.;:!?()\[\]\"«»“”„—\n]")
_NAME_GAP = re.compile(r"[ \u00a0-]")
_COMMA_BEFORE = re.compile(r",\s*((?:\w+\s+)*)$")
_MAX_CHAIN = 10


@dataclass(slots=True)
class _Item:
    """A stretch of text with what it means; ``actor`` is None for a cue that names no actor by itself."""

    start: int
    end: int
    first: int
    last: int
    kind: str  # "actor", "body", "role", "surname"
    actor: str | None = None
    sector: str | None = None  # a body, or the sector of a body mention of a country
    body_country: str | None = None
    role: str | None = None
    candidates: tuple[str, ...] = ()
    name: str | None = None  # a person not in the gazetteer
    country: str | None = None  # affiliation read from the text
    place: bool = False  # a capital used as a place
    bare: bool = False  # the last word is written as in the data, without an ending

    @classmethod
    def of(cls, match: NameMatch) -> _Item:
        item = cls(match.start, match.end, match.first, match.last, "actor")
        item.bare = any(leaf.words[-1] == match.last_word for leaf in match.leaves)
        for leaf in match.leaves:
            if leaf.kind in ("name", "adj") and item.actor is None:
                item.actor = leaf.target
            elif leaf.kind == "body" and item.sector is None:
                item.sector, item.body_country = leaf.target, leaf.country
            elif leaf.kind == "role" and item.role is None:
                item.role = leaf.target
            elif leaf.kind == "surname":
                item.candidates += (leaf.target,)
        if item.actor is None:
            item.kind = "body" if item.sector else "role" if item.role else "surname"
        return item


class _Doc:
    """The text, its words and the language data, shared by the passes."""

    def __init__(self, text: str, gaz: Gazetteer, sentences: Sequence[Sentence]) -> None:
        self.text = text
        self.gaz = gaz
        self.rules = gaz.rules
        self.tokens = words_of(text)
        starts = [token.start() for token in self.tokens]
        self.sentence_starts = {bisect_left(starts, s.start) for s in sentences} | {0}

    def word(self, index: int) -> str:
        return self.tokens[index].group()

    def gap_before(self, index: int) -> str:
        previous_end = self.tokens[index - 1].end() if index > 0 else 0
        return self.text[previous_end : self.tokens[index].start()]

    def capitalised(self, index: int) -> bool:
        word = self.word(index)
        return (
            word[0].isupper() and not word.isupper() and word.isalpha() and word not in self.rules.not_names
        )

    def type_of(self, actor_id: str | None) -> str | None:
        known = known_actors().get(actor_id or "")
        return known.info.type if known else None


def find_actors(text: str, language: str | None, sentences: Sequence[Sentence]) -> tuple[Actor, ...]:
    """The actors named in ``text`` (see the module docstring for the rules), in order of first mention."""
    doc = _Doc(text, gazetteer(language or "en"), sentences)
    items = [_Item.of(match) for match in find_names(text, doc.gaz, doc.tokens)]
    items = _drop_ambiguous(doc, items)
    items = _attach_bodies(doc, items)
    _decide_capitals(doc, items)
    items = _find_people(doc, items)
    items = _resolve_surnames(doc, items)
    return _assemble(doc, items)


def _drop_ambiguous(doc: _Doc, items: list[_Item]) -> list[_Item]:
    covered = {i for item in items for i in range(item.first, item.last)}

    def loose_capital(index: int) -> bool:
        return 0 <= index < len(doc.tokens) and index not in covered and doc.capitalised(index)

    kept = []
    for item in items:
        ambiguous = item.last - item.first == 1 and doc.word(item.first) in doc.rules.ambiguous
        at_start = item.first in doc.sentence_starts
        exposed = at_start or loose_capital(item.first - 1) or loose_capital(item.last)
        if not (ambiguous and exposed):
            kept.append(item)
    return kept


def _country_of(doc: _Doc, item: _Item) -> str | None:
    return item.actor if item.kind == "actor" and doc.type_of(item.actor) == "country" else None


def _only(gap: str, words: frozenset[str]) -> bool:
    return all(ch.isalpha() or ch.isspace() for ch in gap) and all(w.lower() in words for w in gap.split())


def _attach_bodies(doc: _Doc, items: list[_Item]) -> list[_Item]:
    body_connectors = doc.rules.connectors & {"of", "the"}
    out: list[_Item] = []
    i = 0
    while i < len(items):
        item = items[i]
        if item.sector is None or item.kind not in ("body", "actor"):
            out.append(item)
            i += 1
            continue
        before = out[-1] if out else None
        after = items[i + 1] if i + 1 < len(items) else None
        if before and _country_of(doc, before) and not doc.text[before.end : item.start].strip():
            out[-1] = _Item(
                before.start, item.end, before.first, item.last, "actor", before.actor, item.sector
            )
        elif (
            after
            and _country_of(doc, after)
            and _only(doc.text[item.end : after.start], body_connectors)
            and "\n" not in doc.text[item.end : after.start]
        ):
            out.append(
                _Item(item.start, after.end, item.first, after.last, "actor", after.actor, item.sector)
            )
            i += 1
        elif item.body_country:
            item.kind, item.actor = "actor", item.body_country
            out.append(item)
        elif item.kind == "actor":  # also an organisation ("Security Council")
            item.sector = None
            out.append(item)
        i += 1
    return out


def _decide_capitals(doc: _Doc, items: list[_Item]) -> None:
    registry = known_actors()
    covered = {i for item in items for i in range(item.first, item.last)}
    previous: _Item | None = None
    for item in items:
        known = registry.get(item.actor or "")
        if known is None or known.metonym is None or item.kind != "actor" or item.sector:
            previous = item
            continue
        following = item.last
        if (
            following < len(doc.tokens)
            and following not in covered
            and doc.capitalised(following)
            and not doc.gap_before(following).strip(" ")
        ):
            item.actor = None  # part of a longer name: "Yerevan Daily"
        elif _is_place(doc, item, previous):
            item.place = True
        else:
            item.actor = known.metonym
        previous = item


def _is_place(doc: _Doc, item: _Item, previous: _Item | None) -> bool:
    """Whether a capital is used as the place rather than as its government (see the module docstring)."""
    rules = doc.rules
    word_before = normalize(doc.word(item.first - 1)) if item.first > 0 else ""
    gap_before = doc.gap_before(item.first)
    if not gap_before.strip() and "\n" not in gap_before:
        if word_before in rules.metonym_before:
            return False
        if word_before in rules.locative_before:
            return True
    if rules.locative_bare and item.bare:
        return True
    if rules.locative_suffixes and doc.word(item.last - 1).endswith(rules.locative_suffixes):
        return True
    paragraph_start = item.start == 0 or "\n" in doc.text[max(0, item.start - 2) : item.start]
    if paragraph_start and doc.text[item.end : item.end + 1] == ",":
        return True  # a dateline: "Yerevan, 20 February 2026 —"
    return (
        previous is not None
        and previous.place
        and previous.last == item.first - 1
        and normalize(doc.word(previous.last)) in rules.coordination
    )


def _find_people(doc: _Doc, items: list[_Item]) -> list[_Item]:
    registry = known_actors()
    by_token: dict[int, int] = {}
    for index, item in enumerate(items):
        for token in range(item.first, item.last):
            by_token[token] = index
    new_people: list[_Item] = []
    for index, role in enumerate(items):
        if role.kind != "role" or role.role is None:
            continue
        before = items[index - 1] if index > 0 else None
        affil = None
        if before is not None and not doc.text[before.end : role.start].strip():
            affil = _affiliation(doc, before)
        person, after_affil = _person_after(doc, role, items, by_token, new_people)
        if doc.rules.role_bare_before_name and not role.bare and new_people and new_people[-1] is person:
            new_people.pop()  # "մարզիչը Թուրքիայի …": a title right before a name is not inflected
            person = None
        if person is None:
            person = _person_before(doc, role, items, index, by_token)
            if person is not None and person.name is not None and person not in items:
                new_people.append(person)
        if person is not None:
            person.role = person.role or role.role
            person.country = person.country or affil or after_affil
    # an organ that is also an office, right before a name: "UN Secretary-General António Guterres"
    for previous, item in pairwise(items):
        known = registry.get(previous.actor or "")
        if _is_person(doc, item) and known and known.role and not doc.text[previous.end : item.start].strip():
            item.role = item.role or known.role
            item.country = item.country or known.info.country
    return sorted(items + new_people, key=lambda it: it.start)


def _is_person(doc: _Doc, item: _Item) -> bool:
    return item.kind == "actor" and (item.name is not None or doc.type_of(item.actor) == "person")


def _affiliation(doc: _Doc, item: _Item) -> str | None:
    """The country or organisation an item names, as the affiliation of a role."""
    if item.kind != "actor" or item.actor is None or item.place:
        return None
    return item.actor if doc.type_of(item.actor) in ("country", "organization") else None


def _person_after(
    doc: _Doc, role: _Item, items: list[_Item], by_token: dict[int, int], new_people: list[_Item]
) -> tuple[_Item | None, str | None]:
    """The person a role cue introduces, and an affiliation read between them ("… of the UN …")."""
    rules = doc.rules
    affil: str | None = None
    opened = skipped_lower = False
    j = role.last
    for _ in range(_MAX_CHAIN):
        if j >= len(doc.tokens) or _BREAK.search(doc.gap_before(j)):
            break
        if j in by_token:
            item = items[by_token[j]]
            if _is_person(doc, item) or item.kind == "surname":
                return (None if skipped_lower else item), affil
            if item.kind == "role":  # "press secretary of the president of Russia …": the first cue counts
                j = item.last
                continue
            if item.kind != "actor":
                break
            affil = affil or _affiliation(doc, item)
            j = item.last
            continue
        word = doc.word(j)
        lower = word.lower()
        if lower in rules.connectors:
            opened = opened or lower in rules.complement_openers
            j += 1
            continue
        if doc.capitalised(j):
            if skipped_lower:
                break  # "spokesperson for the ministry said Mirzoyan …": too far for a name
            person = _new_person(doc, j, by_token)
            if person is not None:
                new_people.append(person)
            return person, affil
        if opened and word.islower():
            skipped_lower = True
            j += 1
            continue
        break
    return None, affil


def _person_before(
    doc: _Doc, role: _Item, items: list[_Item], index: int, by_token: dict[int, int]
) -> _Item | None:
    """ "Alen Simonyan, speaker of …", "Grono, the EU's envoy": a name, a comma, then the cue."""
    j, start = index - 1, role.start
    while j >= 0 and items[j].kind == "actor" and not _is_person(doc, items[j]):
        if not _only(doc.text[items[j].end : start], doc.rules.connectors):
            break
        start, j = items[j].start, j - 1  # an affiliation between the comma and the cue
    window = doc.text[max(0, start - 80) : start]
    comma = _COMMA_BEFORE.search(window)
    if comma is None or not _only(comma.group(1), doc.rules.connectors):
        return None
    name_end = start - len(window) + comma.start()
    if j >= 0 and items[j].end == name_end and _is_person(doc, items[j]):
        return items[j]
    ends = [token.end() for token in doc.tokens]
    last = bisect_left(ends, name_end)
    if last >= len(ends) or ends[last] != name_end or last in by_token or not doc.capitalised(last):
        return None
    first = last
    while (
        first > 0
        and last - first < 2
        and first - 1 not in by_token
        and doc.capitalised(first - 1)
        and first not in doc.sentence_starts
        and _NAME_GAP.fullmatch(doc.gap_before(first))
    ):
        first -= 1
    if first == last and first in doc.sentence_starts:
        return None  # "Yesterday, spokesperson …"
    return _new_person(doc, first, by_token, last_index=last)


def _new_person(
    doc: _Doc, first: int, by_token: dict[int, int], last_index: int | None = None
) -> _Item | None:
    """A person the gazetteer does not know: up to three capitalised words starting at ``first``."""
    last = first if last_index is None else last_index
    script = script_of(doc.word(first))
    taken = 1
    while last_index is None and taken < 3:
        j = last + 1
        while j < len(doc.tokens) and j - last <= 2 and _particle(doc, j, by_token):
            j += 1  # "Անխել դի Մարիա", "Vicente del Bosque"
        if not (
            j < len(doc.tokens)
            and j not in by_token
            and doc.capitalised(j)
            and _NAME_GAP.fullmatch(doc.gap_before(j))
        ):
            break
        if script_of(doc.word(j)) != script:  # "Ռոբերտո Մանչինին The Guardian"; "Xiaomi Бин Лин"
            if taken == 1:
                return None
            break
        last, taken = j, taken + 1
    words = [doc.word(i) for i in range(first, last + 1)]
    lemmas = [
        _lemma(word, doc) if not doc.rules.name_lemma_last_only or i == len(words) - 1 else word
        for i, word in enumerate(words)
    ]
    name = " ".join(lemmas)
    person_id = slug(name)
    if not person_id or person_id in known_actors():
        return None
    start, end = doc.tokens[first].start(), doc.tokens[last].end()
    return _Item(start, end, first, last + 1, "actor", person_id, name=name)


def _particle(doc: _Doc, index: int, by_token: dict[int, int]) -> bool:
    """Whether a word is a lower-case particle inside a name ("de", "von", "դե")."""
    word = doc.word(index)
    return (
        index not in by_token
        and word.islower()
        and word in doc.rules.name_particles
        and bool(_NAME_GAP.fullmatch(doc.gap_before(index)))
    )


def _lemma(word: str, doc: _Doc) -> str:
    for pattern, replacement in doc.rules.name_lemma:
        if pattern.search(word):
            return pattern.sub(replacement, word, count=1)
    return word


def _resolve_surnames(doc: _Doc, items: list[_Item]) -> list[_Item]:
    full = [(item.start, item.actor) for item in items if item.kind == "actor" and item.actor]
    for item in items:
        if item.kind != "surname":
            continue
        before = [actor for start, actor in full if start < item.start and actor in item.candidates]
        after = [actor for start, actor in full if start > item.start and actor in item.candidates]
        if before:
            item.actor = before[-1]
        elif after:
            item.actor = after[0]
        elif len(set(item.candidates)) == 1:
            item.actor = item.candidates[0]
        item.kind = "actor"
    # later bare mentions of people found through a role cue: "Григорян заявил"
    surnames: dict[str, str] = {}
    for item in items:
        if item.name is not None and item.actor:
            last = item.name.split()[-1]
            for form in inflect(last, doc.rules):
                surnames.setdefault(normalize(form), item.actor)
    if surnames:
        covered = {i for item in items for i in range(item.first, item.last)}
        for index, token in enumerate(doc.tokens):
            actor = surnames.get(normalize(token.group()))
            if actor and index not in covered and doc.capitalised(index):
                items.append(_Item(token.start(), token.end(), index, index + 1, "actor", actor))
        items.sort(key=lambda it: it.start)
    return [item for item in items if item.kind == "actor" and item.actor]


def _assemble(doc: _Doc, items: list[_Item]) -> tuple[Actor, ...]:
    registry = known_actors()
    order: list[str] = []
    groups: dict[str, list[_Item]] = {}
    for item in items:
        actor_id = item.actor
        assert actor_id is not None
        if actor_id not in groups:
            order.append(actor_id)
            groups[actor_id] = []
        groups[actor_id].append(item)
    actors = []
    for actor_id in order:
        group = groups[actor_id]
        mentions = tuple(Mention(it.start, it.end, doc.text[it.start : it.end]) for it in group)
        known = registry.get(actor_id)
        role = next((it.role for it in group if it.role), None)
        if known is None:
            named = next(it for it in group if it.name)
            country = next((it.country for it in group if it.country), None)
            actors.append(Actor(actor_id, named.name or actor_id, "person", country, role, mentions))
            continue
        info = known.info
        name = info.name if doc.gaz.language == "en" else doc.gaz.display.get(actor_id, info.name)
        if info.type == "person":
            role = role or known.role
        elif info.type == "country":
            role = next((it.sector for it in group if it.sector), None)
        else:
            role = None
        actors.append(Actor(actor_id, name, info.type, info.country, role, mentions))
    return tuple(actors)
