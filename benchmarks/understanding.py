"""Understanding: actors as named entities, coded events, and the speed of the whole step.

- **Entities** (:mod:`benchmarks.understanding_ner`): our actors stage scored as NER on factRuEval-2016
  (Russian), pioNER and ArmTDP-NER (Armenian), UNER English-PUD and Russian-PUD; strict and lenient
  entity-level precision, recall and F1 per type. natasha, the usual Russian recogniser, runs beside it on
  the two Russian sets in the same run (if installed; it is a benchmark-only dependency).
- **Events** (:mod:`benchmarks.understanding_events`): the whole understanding step (sentences, actors,
  quotes, events) on PETRARCH2's unit-test sentences and the PLOVER gold-standard records; slots right.
- **Speed**: sentences per second on one core for the whole step (``split_sentences`` → ``find_actors`` →
  ``find_quotes`` → ``find_events``) over the texts of the bundled sample corpus, read once through
  ``newswatch.pipeline.process`` and preloaded; the loop is repeated until it has run ``--min-seconds``.

    python -m benchmarks.understanding
    python -m benchmarks.understanding --sets factrueval-2016-ru petrarch2-unittest --no-natasha
    python -m benchmarks.understanding --write
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import understanding_events as ev
from benchmarks import understanding_ner as ner
from benchmarks.common import fmt_rate, markdown_table, run_header, update_results

__all__ = ["EVENT_SETS", "SpeedRun", "load_sample_texts", "main", "measure_speed", "understand_text"]

EVENT_SETS = (ev.PETRARCH, ev.GSR)
ALL_SETS = (*ner.NER_SETS, *EVENT_SETS)
#: natasha is a Russian recogniser: it runs on the Russian sets only.
NATASHA_SETS = ("factrueval-2016-ru", "uner-russian-pud")
DISTS = ("newswatch", "natasha")
SPEED_GOAL = 2000


# ---------------------------------------------------------------------------------------------------------
# speed


def understand_text(text: str, language: str | None, published: str | None) -> int:
    """The whole understanding step over one text; returns the number of sentences."""
    from newswatch.understand.actors import find_actors
    from newswatch.understand.events import find_events
    from newswatch.understand.quotes import find_quotes
    from newswatch.understand.sentences import split_sentences

    sentences = split_sentences(text, language or "en")
    actors = find_actors(text, language, sentences)
    quotes = find_quotes(text, language, sentences, actors)
    find_events(text, language, sentences, actors, quotes, published=published)
    return len(sentences)


def load_sample_texts() -> list[tuple[str, str | None, str | None]]:
    """``(text, language, published)`` of every article of the sample corpus, read once (untimed)."""
    from newswatch.model import RawInput
    from newswatch.pipeline import process
    from newswatch.sample import sample_inputs, sample_reference_date

    out = []
    for path in sample_inputs():
        raw = RawInput(Path(path).read_bytes(), path, reference_date=sample_reference_date())
        out += [(a.text, a.language, a.published) for a in process(raw)]
    return out


@dataclass(frozen=True, slots=True)
class SpeedRun:
    texts: int
    chars: int
    sentences_per_pass: int
    passes: int
    wall_s: float
    cpu_s: float

    @property
    def sentences_per_s(self) -> float:
        return self.sentences_per_pass * self.passes / self.wall_s

    @property
    def sentences_per_cpu_s(self) -> float:
        return self.sentences_per_pass * self.passes / self.cpu_s


def measure_speed(texts: Sequence[tuple[str, str | None, str | None]], min_seconds: float = 2.0) -> SpeedRun:
    """One untimed warm-up pass (data files, compiled patterns), then whole passes until ``min_seconds``."""
    per_pass = sum(understand_text(*t) for t in texts)
    passes, wall, cpu = 0, 0.0, 0.0
    while wall < min_seconds or passes == 0:
        t0, c0 = time.perf_counter(), time.process_time()
        for text in texts:
            understand_text(*text)
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
        passes += 1
    return SpeedRun(len(texts), sum(len(t[0]) for t in texts), per_pass, passes, wall, cpu)


# ---------------------------------------------------------------------------------------------------------
# reporting


def _f(x: float) -> str:
    return f"{x:.3f}"


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def ner_report(
    results: dict[str, dict[str, tuple[ner.NerRun, dict[str, Any]]]], command: str | None
) -> list[str]:
    lines = ["## Understanding: named entities (actors stage as NER)", ""]
    if command is not None:
        lines += [*run_header(command, DISTS), ""]
    lines += [
        "Our actors stage is a gazetteer + role-cue recogniser for political actors (countries, international "
        "organisations, government bodies, office holders, places of the region), not a general NER: "
        "people without a role cue, companies, media, parties and most towns outside the region are not "
        "its job, so recall on these general corpora is low by design; precision is what it must keep. "
        "Mapping: person → PER, organization → ORG, country and place → LOC; a government body resolved "
        "to its country → ORG (all five sets annotate ministries as organisations). Strict = exact "
        "character span and type; lenient = overlapping span, same type. "
        "natasha 1.6 runs beside ours on the Russian sets (published factRuEval figures: PER 0.924, "
        "LOC 0.832, ORG 0.589).",
        "",
    ]
    header = ["set", "system", "PER F1", "LOC F1", "ORG F1", "micro P", "micro R", "micro F1",
              "lenient PER", "lenient LOC", "lenient ORG", "lenient P", "lenient R", "lenient F1",
              "errors", "k chars/CPU-s"]  # fmt: skip
    rows = []
    for set_name, systems in results.items():
        for sys_name, (run, s) in systems.items():
            st, le = s["strict"], s["lenient"]
            rows.append([
                set_name, f"**{sys_name}**" if sys_name == "newswatch" else sys_name,
                _f(st["PER"]["f1"]), _f(st["LOC"]["f1"]), _f(st["ORG"]["f1"]),
                _f(st["micro"]["precision"]), _f(st["micro"]["recall"]), _f(st["micro"]["f1"]),
                _f(le["PER"]["f1"]), _f(le["LOC"]["f1"]), _f(le["ORG"]["f1"]),
                _f(le["micro"]["precision"]), _f(le["micro"]["recall"]), _f(le["micro"]["f1"]),
                run.errors, fmt_rate(run.chars / run.cpu_s / 1000) if run.cpu_s else "–",
            ])  # fmt: skip
    lines += markdown_table(header, rows)
    lines += ["", "newswatch per type, strict precision / recall (lenient in brackets), gold spans:", ""]
    rows = []
    for set_name, systems in results.items():
        if "newswatch" not in systems:
            continue
        s = systems["newswatch"][1]
        cells: list[object] = [set_name]
        for label in ner.LABELS:
            st, le = s["strict"][label], s["lenient"][label]
            cells.append(
                f"{_f(st['precision'])} / {_f(st['recall'])} ({_f(le['precision'])} / {_f(le['recall'])}), "
                f"{st['gold']}"
            )
        rows.append(cells)
    lines += markdown_table(["set", *ner.LABELS], rows)
    what = [f"`{name}`: {ner.NER_SETS[name][2]}" for name in results]
    lines += ["", "Run on: " + "; ".join(what) + "."]
    return lines


def events_report(results: dict[str, tuple[ev.EventRun, dict[str, Any]]], command: str | None) -> list[str]:
    lines = ["## Understanding: coded events", ""]
    if command is not None:
        lines += [*run_header(command, DISTS), ""]
    lines += [
        "The whole understanding step (sentences → actors → quotes → events) on each record's text, the "
        "record's date as publication date; negated events dropped. Actors compared on the country part "
        "(CAMEO `USAGOV` → USA, `IGOUNO` → IGO; ours: a country's ISO alpha-3 id, a person's or place's "
        "country, IGO for international organisations and their people).",
        "",
    ]
    if ev.PETRARCH in results:
        run, s = results[ev.PETRARCH]
        lines += [
            f"**{ev.PETRARCH}** — {s['sentences']} sentences with {s['events']} expected events "
            f"({s['slots']} source/target/code slots); {s['noevents_records']} `noevents` sentences. "
            "Mostly invented actors (Arnor, Gondor…) that no real gazetteer knows; the PLOVER column "
            f"covers the {s['plover_events']} events whose CAMEO code the CAMEO2PLOVER table maps "
            '(it has no row for 01x/02x nor the tests\' invented codes). "Real actors only": the sentences '
            "whose gold actor codes are all real countries or IGO (the tests' Eriador and Fornost reuse the "
            "codes ERI and FRO and are left out).",
            "",
        ]
        header = ["system", "slots right", "source", "target", "CAMEO code", "CAMEO root", "PLOVER type",
                  "sentences fully right", "extra events", "events on noevents", "errors"]  # fmt: skip
        rows: list[list[object]] = [
            _petrarch_row("**newswatch**", results[ev.PETRARCH], sub=False),
            _petrarch_row("newswatch, real actors only", results.get("petrarch-real"), sub=True),
            ["UniversalPetrarch (its own scoring, not run here)", "72.2 % (752/1041)", "", "", "", "", "",
             "102/272", "", "", ""],
        ]  # fmt: skip
        lines += [*markdown_table(header, rows), ""]
    if ev.GSR in results:
        run, s = results[ev.GSR]
        lines += [
            f"**{ev.GSR}** — {s['records']} records, one gold event each (PLOVER 0.5b1 labels mapped to the "
            "2021 types: DEMAND → REQUEST, DISAPPROVE and INVESTIGATE → ACCUSE, FIGHT → ASSAULT, via the "
            "CAMEO2PLOVER table).",
            "",
        ]
        header = ["system", "slots right", "type", "source", "target", "records with an event",
                  "extra events", "errors"]  # fmt: skip
        rows = [[
            "**newswatch**", f"{_pct(s['slot_accuracy'])} ({s['slots_right']}/{s['slots']})",
            _pct(s["type"]), _pct(s["source"]), _pct(s["target"]), f"{s['with_event']}/{s['records']}",
            s["extra_events"], run.errors,
        ]]  # fmt: skip
        lines += markdown_table(header, rows)
        by_type = ", ".join(f"{t} {right}/{n}" for t, (n, right) in s["by_type"].items())
        lines += ["", f"Type right by gold type: {by_type}."]
    return lines


def _petrarch_row(name: str, entry: tuple[ev.EventRun, dict[str, Any]] | None, sub: bool) -> list[object]:
    if entry is None:
        return [name, "–", "", "", "", "", "", "", "", "", ""]
    run, s = entry
    return [
        name, f"{_pct(s['slot_accuracy'])} ({s['slots_right']}/{s['slots']})",
        _pct(s["source"]), _pct(s["target"]), _pct(s["cameo"]), _pct(s["cameo_root"]), _pct(s["plover"]),
        f"{s['full_sentences']}/{s['sentences']}", s["extra_events"], "" if sub else s["noevents_spurious"],
        "" if sub else run.errors,
    ]  # fmt: skip


def speed_report(run: SpeedRun, command: str | None) -> list[str]:
    lines = ["## Understanding: speed", ""]
    if command is not None:
        lines += [*run_header(command, DISTS), ""]
    lines += [
        f"The whole understanding step on the {run.texts} texts of the sample corpus ({run.chars:,} "
        f"characters, {run.sentences_per_pass} sentences a pass), preloaded; one process, one thread; "
        f"{run.passes} timed passes after one warm-up. Goal: ≥ {SPEED_GOAL:,} sentences/s per core, "
        "judged on CPU time (wall time also counts waiting for a core when the machine is shared).",
        "",
    ]
    lines += markdown_table(
        ["sentences/s", "sentences/CPU-s", "chars/s", "timed s", "goal met"],
        [[
            fmt_rate(run.sentences_per_s), fmt_rate(run.sentences_per_cpu_s),
            fmt_rate(run.chars * run.passes / run.wall_s), f"{run.wall_s:.2f}",
            "yes" if run.sentences_per_cpu_s >= SPEED_GOAL else "no",
        ]],
    )  # fmt: skip
    return lines


# ---------------------------------------------------------------------------------------------------------
# command line


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--sets", nargs="+", default=list(ALL_SETS), choices=list(ALL_SETS))
    ap.add_argument("--limit", type=int, help="only the first N documents / records of each set")
    ap.add_argument("--no-natasha", action="store_true", help="leave natasha out")
    ap.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    ap.add_argument("--min-seconds", type=float, default=2.0, help="timed seconds of the speed loop")
    ap.add_argument("--write", action="store_true", help="update the understanding sections of RESULTS.md")
    ap.add_argument("--json", type=Path, help="also write every score to this JSON file")
    return ap


def _natasha() -> ner.NerSystem | None:
    try:
        return ner.natasha_system()
    except Exception as exc:  # not installed, or its pkg_resources import fails with setuptools >= 81
        print(f"natasha left out: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    command = "python -m benchmarks.understanding " + shlex.join(sys.argv[1:] if argv is None else argv)
    ours = ner.newswatch_ner_system()
    peer = None if args.no_natasha else _natasha()
    ner_results: dict[str, dict[str, tuple[ner.NerRun, dict[str, Any]]]] = {}
    for name in (s for s in args.sets if s in ner.NER_SETS):
        if not ner.data_present(name):
            print(f"{name}: data not found, left out (set NEWSWATCH_SHARED)", file=sys.stderr)
            continue
        docs = ner.load_ner_set(name, limit=args.limit)
        systems: list[tuple[str, ner.NerSystem]] = [("newswatch", ours)]
        if peer is not None and name in NATASHA_SETS:
            systems.append(("natasha", peer))
        ner_results[name] = {}
        for sys_name, system in systems:
            print(f"{name}: running {sys_name} on {len(docs)} documents ...", file=sys.stderr, flush=True)
            run = ner.run_ner(sys_name, system, docs)
            if run.first_error:
                print(f"  {run.errors} errors, first: {run.first_error}", file=sys.stderr)
            ner_results[name][sys_name] = (run, ner.score_ner(docs, run.predictions))
    ev_results: dict[str, tuple[ev.EventRun, dict[str, Any]]] = {}
    event_sets = [s for s in args.sets if s in EVENT_SETS]
    if event_sets:
        coder = ev.newswatch_event_system()
        for name in event_sets:
            if not ev.data_present(name):
                print(f"{name}: data not found, left out (set NEWSWATCH_SHARED)", file=sys.stderr)
                continue
            if name == ev.PETRARCH:
                records = ev.load_petrarch(limit=args.limit)
            else:
                records = ev.load_gsr(limit=args.limit)
            print(f"{name}: running newswatch on {len(records)} records ...", file=sys.stderr, flush=True)
            erun = ev.run_events(coder, records)
            if erun.first_error:
                print(f"  {erun.errors} errors, first: {erun.first_error}", file=sys.stderr)
            if name == ev.PETRARCH:
                ev_results[name] = (erun, ev.score_petrarch(records, erun.predictions))
                real = ev.real_actor_records(records)
                sub_scores = ev.score_petrarch(
                    [records[i] for i in real], [erun.predictions[i] for i in real]
                )
                ev_results["petrarch-real"] = (erun, sub_scores)
            else:
                ev_results[name] = (erun, ev.score_gsr(records, erun.predictions))
    speed = None
    if not args.no_speed:
        print("speed: sample corpus ...", file=sys.stderr, flush=True)
        speed = measure_speed(load_sample_texts(), args.min_seconds)
    out: list[str] = []
    if ner_results:
        out += [*ner_report(ner_results, None), ""]
    if ev_results:
        out += [*events_report(ev_results, None), ""]
    if speed is not None:
        out += speed_report(speed, None)
    print("\n".join(out))
    if args.json:
        raw = {
            "ner": {k: {n: s for n, (_r, s) in v.items()} for k, v in ner_results.items()},
            "events": {k: s for k, (_r, s) in ev_results.items()},
            "speed": None if speed is None else {"sentences_per_s": speed.sentences_per_s,
                                                 "sentences_per_cpu_s": speed.sentences_per_cpu_s},
        }  # fmt: skip
        args.json.write_text(json.dumps(raw, indent=1, default=list), encoding="utf-8")
    if args.write:
        if args.limit:
            sys.exit("error: --write needs the full sets (no --limit)")
        if ner_results:
            update_results("understanding:ner", ner_report(ner_results, command))
        if ev_results:
            update_results("understanding:events", events_report(ev_results, command))
        if speed is not None:
            update_results("understanding:speed", speed_report(speed, command))
        print("RESULTS.md updated", file=sys.stderr)


if __name__ == "__main__":
    main()
