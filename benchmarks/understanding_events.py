"""Coded events: newswatch's whole understanding step scored on CAMEO/PLOVER gold records.

Sets (in ``../shared/benchmarks/``, never copied here):

- ``petrarch2-unittest`` — ``PETR.UnitTest.records.xml``: PETRARCH2's unit-test sentences with their expected
  ``(source, target, CAMEO code)`` events. Scored: every ``<Sentence>`` with at least one coded event and no
  ``error`` coding (257 sentences, 359 events; UniversalPetrarch counted 272 sentences and 347 events in
  its own selection); the sentence's ``date`` is the publication date. The ``noevents`` records (19) are
  run too, and the events we find there are counted as spurious.
- ``plover-gsr-cameo`` — ``PLOVER_GSR_CAMEO.json``: 322 English records, each one gold event (PLOVER 0.5b1
  label, source and target actors with ISO-3166 alpha-3 or IGO/NGO codes).

Slots. Each gold event is paired with at most one of our events in its sentence (one-to-one, the pairs with
the most matching slots first). PETRARCH: a gold event has three slots, source, target and CAMEO code (exact),
like UniversalPetrarch's 752/1041 = 72.2 %; an empty gold target is matched by our ``target`` None. A
sentence is fully right when all its gold events are matched on all three slots and we add no other event.
We report besides the CAMEO root (first two digits) and the PLOVER type, the expected code mapped through
``CAMEO2PLOVER-2021.txt`` (read at run time from the shared folder, most specific code first; the unit tests'
invented codes — 345, 802, 9xx — have no PLOVER type and are left out of that figure). PLOVER GSR: three
slots, type, source and target. Its labels are PLOVER 0.5b1; the renamed ones are mapped through the same
table from their CAMEO root (DEMAND → 10, DISAPPROVE → 11, INVESTIGATE → 09, FIGHT → 19). A record with
several sources and no target is reciprocal ("A and B agreed"): our source must be one of them and our
target another.

Actors are compared on the **country part**: the first three letters of a CAMEO actor code (``USAGOV`` →
USA, ``IGOUNO`` → IGO), and for ours (:func:`country_part`) a country's id (ISO alpha-3, which CAMEO uses),
the alpha-3 ``country`` of a person, organisation or place, "IGO" for an international organisation (all
our organisation slugs are intergovernmental, the ICRC aside, which the gold also files as IGO) and for a
person affiliated to one. The unit tests' actors are mostly invented countries (Arnor ``ARN``, Gondor
``GON``…) that no real gazetteer knows, so their source/target slots measure little beyond the real ones.
Negated events ("did not accuse") are not events and are dropped before scoring.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks.common import set_dir

__all__ = [
    "GSR_RENAMED",
    "CodedEvent",
    "EventRecord",
    "EventSystem",
    "GoldEvent",
    "cameo_to_plover",
    "country_part",
    "load_gsr",
    "load_petrarch",
    "newswatch_event_system",
    "plover_table",
    "real_actor_records",
    "run_events",
    "score_gsr",
    "score_petrarch",
]

PETRARCH = "petrarch2-unittest"
GSR = "plover-gsr-cameo"

#: PLOVER 0.5b1 labels of the GSR that the 2021 ontology renamed → their CAMEO root, mapped by the table.
GSR_RENAMED = {"DEMAND": "10", "DISAPPROVE": "11", "INVESTIGATE": "09", "FIGHT": "19"}


@dataclass(frozen=True, slots=True)
class CodedEvent:
    """One of our events, reduced to what the gold sets code."""

    type: str
    cameo: str
    source: str | None  # country part
    target: str | None
    source_id: str = ""
    target_id: str | None = None


@dataclass(frozen=True, slots=True)
class GoldEvent:
    type: str | None  # PLOVER 2021 type (None: the code has none)
    cameo: str | None
    sources: frozenset[str]  # country parts; any one is right
    targets: frozenset[str] | None  # None: no target expected
    reciprocal: bool = False


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: str
    text: str
    published: str | None
    gold: tuple[GoldEvent, ...]
    category: str = ""


#: (text, language, published) → our events
EventSystem = Callable[[str, str, str | None], list[CodedEvent]]


# ---------------------------------------------------------------------------------------------------------
# CAMEO → PLOVER


@cache
def plover_table() -> dict[str, str]:
    """CAMEO code → PLOVER type from ``CAMEO2PLOVER-2021.txt`` (a two-digit root listed twice keeps the first)."""
    table: dict[str, str] = {}
    path = set_dir(GSR) / "CAMEO2PLOVER-2021.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\s*(\d{2,4})\s*:\s*([A-Z]+)", line)
        if m:
            table.setdefault(m.group(1), m.group(2))
    return table


def cameo_to_plover(code: str | None) -> str | None:
    """The PLOVER type of a CAMEO code, most specific entry first (``174L`` → 174 → COERCE); None if none."""
    if not code:
        return None
    table = plover_table()
    digits = re.match(r"\d+", code)
    if not digits:
        return None
    key = digits.group()
    while len(key) >= 2:
        if key in table:
            return table[key]
        key = key[:-1]
    return None


# ---------------------------------------------------------------------------------------------------------
# loading


def _code_part(code: str | None) -> str | None:
    code = (code or "").strip()
    return code[:3].upper() if code else None


def load_petrarch(*, limit: int | None = None, with_noevents: bool = True) -> list[EventRecord]:
    """The unit-test sentences with coded events (no ``error`` codings), then the ``noevents`` ones."""
    root = ET.parse(set_dir(PETRARCH) / "PETR.UnitTest.records.xml").getroot()
    coded, empty = [], []
    for sent in root.iter("Sentence"):
        codings = sent.findall("EventCoding")
        if any(c.get("error") for c in codings):
            continue
        text = " ".join((sent.findtext("Text") or "").split())
        raw_date = sent.get("date") or ""
        published = f"{raw_date[:4]}-{raw_date[4:6]}-{raw_date[6:8]}" if len(raw_date) == 8 else None
        gold = []
        for c in codings:
            code = c.get("eventcode")
            if not code:
                continue
            src, tgt = _code_part(c.get("sourcecode")), _code_part(c.get("targetcode"))
            gold.append(
                GoldEvent(
                    cameo_to_plover(code),
                    code,
                    frozenset({src} if src else set()),
                    frozenset({tgt}) if tgt else None,
                )
            )
        rec = EventRecord(sent.get("id") or "", text, published, tuple(gold), sent.get("category") or "")
        if gold:
            coded.append(rec)
        elif any((c.get("noevents") or "").strip().lower() == "true" for c in codings):
            empty.append(rec)
    if limit is not None:
        coded = coded[:limit]
    return coded + (empty if with_noevents else [])


def _gsr_type(label: str) -> str | None:
    if label in GSR_RENAMED:
        return cameo_to_plover(GSR_RENAMED[label])
    return label if label in set(plover_table().values()) else None


def load_gsr(*, limit: int | None = None) -> list[EventRecord]:
    """The 322 PLOVER gold records (the DOCUMENT header left out)."""
    data = json.loads((set_dir(GSR) / "PLOVER_GSR_CAMEO.json").read_text(encoding="utf-8"))
    out = []
    for rec in data:
        if rec.get("event") == "DOCUMENT" or not rec.get("text"):
            continue

        def codes(actors: Any) -> frozenset[str]:
            if not isinstance(actors, list):
                return frozenset()
            return frozenset(p for a in actors if (p := _code_part(a.get("code"))))

        sources, targets = codes(rec.get("source")), codes(rec.get("target"))
        reciprocal = not targets and len(sources) >= 2
        gold = GoldEvent(
            _gsr_type(rec["event"]),
            None,
            sources,
            sources if reciprocal else (targets or None),
            reciprocal,
        )
        out.append(EventRecord(rec["id"], rec["text"], rec.get("date"), (gold,), rec["event"]))
        if limit is not None and len(out) >= limit:
            break
    return out


# ---------------------------------------------------------------------------------------------------------
# our system


def country_part(actor: Any) -> str | None:
    """The CAMEO-comparable country part of one of our actors (see the module docstring)."""
    if actor is None:
        return None
    if actor.type == "country":
        return str(actor.id).upper()
    country = getattr(actor, "country", None)
    if isinstance(country, str) and len(country) == 3 and country.isalpha() and country.isupper():
        return country
    if actor.type == "organization" or (actor.type == "person" and country):
        return "IGO"
    return None


def newswatch_event_system() -> EventSystem:
    """The whole understanding step: sentences → actors → quotes → events; negated events dropped."""
    from newswatch.understand.actors import actor_info, find_actors
    from newswatch.understand.events import find_events
    from newswatch.understand.quotes import find_quotes
    from newswatch.understand.sentences import split_sentences

    def part(actor_id: str | None, by_id: dict[str, Any]) -> str | None:
        if actor_id is None:
            return None
        actor = by_id.get(actor_id)
        if actor is None:
            info = actor_info(actor_id)
            if info is not None:
                return country_part(_Info(actor_id, info.type, info.country))
        return country_part(actor)

    def run(text: str, language: str, published: str | None) -> list[CodedEvent]:
        sentences = split_sentences(text, language)
        actors = find_actors(text, language, sentences)
        quotes = find_quotes(text, language, sentences, actors)
        events = find_events(text, language, sentences, actors, quotes, published=published)
        by_id = {a.id: a for a in actors}
        return [
            CodedEvent(e.type, e.cameo, part(e.source, by_id), part(e.target, by_id), e.source, e.target)
            for e in events
            if not e.negated
        ]

    return run


@dataclass(frozen=True, slots=True)
class _Info:
    id: str
    type: str
    country: str | None


# ---------------------------------------------------------------------------------------------------------
# running and scoring


@dataclass(slots=True)
class EventRun:
    predictions: list[list[CodedEvent]]
    errors: int
    wall_s: float
    first_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def run_events(system: EventSystem, records: Sequence[EventRecord], language: str = "en") -> EventRun:
    preds: list[list[CodedEvent]] = []
    errors, first = 0, None
    t0 = time.perf_counter()
    for rec in records:
        try:
            preds.append(list(system(rec.text, language, rec.published)))
        except Exception as exc:  # a benchmark keeps going; the error count is reported
            errors += 1
            first = first or f"{rec.id}: {type(exc).__name__}: {exc}"
            preds.append([])
    return EventRun(preds, errors, time.perf_counter() - t0, first)


def _slots(gold: GoldEvent, ev: CodedEvent) -> tuple[bool, bool, bool, bool, bool]:
    """(source, target, exact CAMEO, CAMEO root, PLOVER type) right for this pairing."""
    src = ev.source is not None and ev.source in gold.sources
    if gold.targets is None:
        tgt = ev.target is None
    else:
        tgt = ev.target is not None and ev.target in gold.targets
        if gold.reciprocal:
            tgt = tgt and ev.target != ev.source
    code = gold.cameo is not None and ev.cameo == gold.cameo
    root = gold.cameo is not None and bool(ev.cameo) and ev.cameo[:2] == gold.cameo[:2]
    plover = gold.type is not None and ev.type == gold.type
    return src, tgt, code, root, plover


def _pair(gold: Sequence[GoldEvent], pred: Sequence[CodedEvent], primary: str) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, pred index), the best-matching first."""
    scored = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            src, tgt, code, root, plover = _slots(g, p)
            main = src + tgt + (code if primary == "cameo" else plover)
            scored.append(((main, plover, root, code), i, j))
    scored.sort(key=lambda t: t[0], reverse=True)
    used_g, used_p, pairs = set(), set(), []
    for _key, i, j in scored:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return pairs


def score_petrarch(records: Sequence[EventRecord], predictions: Sequence[list[CodedEvent]]) -> dict[str, Any]:
    """Slot accuracy the UniversalPetrarch way, plus root, PLOVER, fully-right sentences and spurious events."""
    n_events = n_plover = 0
    src = tgt = code = root = plover = 0
    full = sentences = 0
    spurious_noevents = noevents = extra = predicted = 0
    for rec, pred in zip(records, predictions, strict=True):
        predicted += len(pred)
        if not rec.gold:
            noevents += 1
            spurious_noevents += len(pred)
            continue
        sentences += 1
        pairs = dict(_pair(rec.gold, pred, "cameo"))
        all_right = len(pred) == len(rec.gold)
        for i, g in enumerate(rec.gold):
            n_events += 1
            n_plover += g.type is not None
            if i not in pairs:
                all_right = False
                continue
            s, t, c, r, p = _slots(g, pred[pairs[i]])
            src, tgt, code, root, plover = src + s, tgt + t, code + c, root + r, plover + p
            all_right = all_right and s and t and c
        extra += max(0, len(pred) - len(pairs))
        full += all_right
    slots = 3 * n_events
    return {
        "sentences": sentences,
        "events": n_events,
        "slots": slots,
        "slots_right": src + tgt + code,
        "slot_accuracy": (src + tgt + code) / slots if slots else 0.0,
        "source": src / n_events if n_events else 0.0,
        "target": tgt / n_events if n_events else 0.0,
        "cameo": code / n_events if n_events else 0.0,
        "cameo_root": root / n_events if n_events else 0.0,
        "plover_events": n_plover,
        "plover": plover / n_plover if n_plover else 0.0,
        "full_sentences": full,
        "predicted": predicted,
        "extra_events": extra,
        "noevents_records": noevents,
        "noevents_spurious": spurious_noevents,
    }


def score_gsr(records: Sequence[EventRecord], predictions: Sequence[list[CodedEvent]]) -> dict[str, Any]:
    """Type, source and target accuracy over the GSR records (each one gold event), and their slot sum."""
    n = typ = src = tgt = covered = extra = 0
    by_type: dict[str, list[int]] = {}
    for rec, pred in zip(records, predictions, strict=True):
        g = rec.gold[0]
        n += 1
        covered += bool(pred)
        pairs = _pair(rec.gold, pred, "plover")
        extra += max(0, len(pred) - len(pairs))
        s = t = p = False
        if pairs:
            s, t, _c, _r, p = _slots(g, pred[pairs[0][1]])
        typ, src, tgt = typ + p, src + s, tgt + t
        row = by_type.setdefault(g.type or rec.category, [0, 0])
        row[0] += 1
        row[1] += p
    return {
        "records": n,
        "slots": 3 * n,
        "slots_right": typ + src + tgt,
        "slot_accuracy": (typ + src + tgt) / (3 * n) if n else 0.0,
        "type": typ / n if n else 0.0,
        "source": src / n if n else 0.0,
        "target": tgt / n if n else 0.0,
        "with_event": covered,
        "extra_events": extra,
        "by_type": {k: (v[0], v[1]) for k, v in sorted(by_type.items(), key=lambda kv: -kv[1][0])},
    }


#: Invented actors of the unit tests whose codes are also real ISO codes (Eriador ERI, Fornost FRO).
INVENTED_ISO_CODES = frozenset({"ERI", "FRO"})


def real_actor_records(records: Sequence[EventRecord]) -> list[int]:
    """Indexes of the records with events whose every gold actor code is a real country or IGO.

    "Real" = a country id our gazetteer's ISO 3166 table knows (or IGO), minus :data:`INVENTED_ISO_CODES`.
    """
    from newswatch.understand.actors import actor_info

    def real(code: str) -> bool:
        if code == "IGO":
            return True
        info = actor_info(code)
        return code not in INVENTED_ISO_CODES and info is not None and info.type == "country"

    return [
        i
        for i, rec in enumerate(records)
        if rec.gold and all(all(map(real, g.sources)) and all(map(real, g.targets or ())) for g in rec.gold)
    ]


def data_present(name: str) -> bool:
    paths: dict[str, Path] = {
        PETRARCH: set_dir(PETRARCH) / "PETR.UnitTest.records.xml",
        GSR: set_dir(GSR) / "PLOVER_GSR_CAMEO.json",
    }
    return paths[name].exists() and (set_dir(GSR) / "CAMEO2PLOVER-2021.txt").exists()
