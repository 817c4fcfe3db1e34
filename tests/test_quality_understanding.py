"""Quality gate: actors as named entities and coded events on the public gold sets.

Scored by the same code as ``benchmarks/understanding.py`` (:mod:`benchmarks.understanding_ner`,
:mod:`benchmarks.understanding_events`): entity-level precision / recall / F1 per type, strict (exact span)
and lenient (overlap), on factRuEval-2016, pioNER, ArmTDP-NER and UNER English/Russian PUD; slots right on
PETRARCH2's unit tests and the PLOVER gold records. The floors sit a little below the figures measured on
2026-11-29 (benchmarks/RESULTS.md) and only go up: after an improvement, rerun
``python -m benchmarks.understanding --write`` and raise them. A figure measured as zero has no floor (it
could not fail). Skipped when ``../shared`` is absent, failed instead with ``NEWSWATCH_REQUIRE_SHARED=1``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import understanding_events as ev  # noqa: E402
from benchmarks import understanding_ner as ner  # noqa: E402
from benchmarks.common import set_dir  # noqa: E402

pytestmark = pytest.mark.shared

#: set → mode → label → (precision, recall, F1) floors, 0.01 below the figures measured on 2026-11-29 (full sets).
NER_FLOORS: dict[str, dict[str, dict[str, tuple[float, float, float]]]] = {
    "factrueval-2016-ru": {
        "strict": {
            "PER": (0.7, 0.149, 0.25),  # measured 0.711 / 0.159 / 0.260
            "LOC": (0.811, 0.58, 0.677),  # measured 0.822 / 0.591 / 0.687
            "ORG": (0.898, 0.053, 0.108),  # measured 0.908 / 0.064 / 0.119
            "micro": (0.797, 0.246, 0.379),  # measured 0.808 / 0.256 / 0.389
        },
        "lenient": {
            "PER": (0.79, 0.169, 0.283),  # measured 0.801 / 0.180 / 0.293
            "LOC": (0.818, 0.597, 0.69),  # measured 0.829 / 0.607 / 0.701
            "ORG": (0.919, 0.061, 0.122),  # measured 0.930 / 0.071 / 0.133
            "micro": (0.822, 0.26, 0.398),  # measured 0.832 / 0.270 / 0.408
        },
    },
    "pioner-hy": {
        "strict": {
            "PER": (0.884, 0.095, 0.179),  # measured 0.894 / 0.106 / 0.189
            "LOC": (0.652, 0.65, 0.651),  # measured 0.662 / 0.661 / 0.661
            "ORG": (0.733, 0.076, 0.144),  # measured 0.744 / 0.087 / 0.155
            "micro": (0.681, 0.274, 0.393),  # measured 0.692 / 0.285 / 0.403
        },
        "lenient": {
            "PER": (0.976, 0.106, 0.198),  # measured 0.987 / 0.117 / 0.209
            "LOC": (0.683, 0.677, 0.68),  # measured 0.693 / 0.688 / 0.691
            "ORG": (0.868, 0.092, 0.174),  # measured 0.878 / 0.103 / 0.184
            "micro": (0.728, 0.293, 0.419),  # measured 0.739 / 0.303 / 0.430
        },
    },
    "armtdp-ner-hy": {
        "strict": {
            "PER": (0.737, 0.282, 0.411),  # measured 0.748 / 0.293 / 0.421
            "LOC": (0.764, 0.715, 0.738),  # measured 0.774 / 0.725 / 0.749
            "ORG": (0.72, 0.077, 0.146),  # measured 0.731 / 0.087 / 0.156
            "micro": (0.753, 0.36, 0.488),  # measured 0.763 / 0.370 / 0.499
        },
        "lenient": {
            "PER": (0.904, 0.348, 0.504),  # measured 0.915 / 0.358 / 0.515
            "LOC": (0.793, 0.742, 0.766),  # measured 0.803 / 0.752 / 0.777
            "ORG": (0.933, 0.102, 0.191),  # measured 0.943 / 0.113 / 0.201
            "micro": (0.835, 0.399, 0.541),  # measured 0.845 / 0.409 / 0.552
        },
    },
    "uner-english-pud": {
        "strict": {
            "PER": (0.598, 0.023, 0.054),  # measured 0.609 / 0.034 / 0.064
            "LOC": (0.412, 0.285, 0.338),  # measured 0.423 / 0.296 / 0.348
            "ORG": (0.444, 0.011, 0.03),  # measured 0.455 / 0.021 / 0.041
            "micro": (0.426, 0.124, 0.196),  # measured 0.437 / 0.135 / 0.206
        },
        "lenient": {
            "PER": (0.729, 0.031, 0.067),  # measured 0.739 / 0.041 / 0.078
            "LOC": (0.503, 0.346, 0.411),  # measured 0.513 / 0.357 / 0.421
            "ORG": (0.626, 0.019, 0.046),  # measured 0.636 / 0.030 / 0.057
            "micro": (0.523, 0.153, 0.24),  # measured 0.533 / 0.164 / 0.251
        },
    },
    "uner-russian-pud": {
        "strict": {
            "PER": (0.677, 0.043, 0.088),  # measured 0.688 / 0.053 / 0.099
            "LOC": (0.27, 0.215, 0.24),  # measured 0.281 / 0.225 / 0.250
            "ORG": (0.444, 0.008, 0.024),  # measured 0.455 / 0.018 / 0.035
            "micro": (0.317, 0.091, 0.144),  # measured 0.327 / 0.101 / 0.155
        },
        "lenient": {
            "PER": (0.708, 0.045, 0.093),  # measured 0.719 / 0.056 / 0.103
            "LOC": (0.328, 0.255, 0.287),  # measured 0.338 / 0.266 / 0.298
            "ORG": (0.535, 0.011, 0.031),  # measured 0.545 / 0.022 / 0.042
            "micro": (0.373, 0.106, 0.169),  # measured 0.383 / 0.117 / 0.179
        },
    },
}

#: set → figure → floor (fractions; a count for full_sentences); "petrarch-real" is the real-actor subset.
EVENT_FLOORS: dict[str, dict[str, float]] = {
    "petrarch2-unittest": {
        "slot_accuracy": 0.025,  # measured 0.035
        "source": 0.048,  # measured 0.058
        "target": 0.009,  # measured 0.019
        "cameo": 0.017,  # measured 0.028
        "cameo_root": 0.017,  # measured 0.028
        "plover": 0.026,  # measured 0.036
        "full_sentences": 3,  # measured 3
    },
    "petrarch-real": {
        "slot_accuracy": 0.246,  # measured 0.256
        "source": 0.323,  # measured 0.333
        "target": 0.169,  # measured 0.179
        "cameo": 0.246,  # measured 0.256
        "cameo_root": 0.246,  # measured 0.256
        "plover": 0.253,  # measured 0.263
        "full_sentences": 3,  # measured 3
    },
    "plover-gsr-cameo": {
        "slot_accuracy": 0.298,  # measured 0.308
        "type": 0.325,  # measured 0.335
        "source": 0.365,  # measured 0.376
        "target": 0.204,  # measured 0.214
    },
}


def _require(present: bool, name: str) -> None:
    if not present:
        message = f"benchmark data not found: {set_dir(name)} (set NEWSWATCH_SHARED)"
        if os.environ.get("NEWSWATCH_REQUIRE_SHARED") == "1":
            pytest.fail(message)
        pytest.skip(message)


_NER_CACHE: dict[str, dict[str, Any]] = {}
_EVENT_CACHE: dict[str, dict[str, Any]] = {}


def _ner_scores(name: str) -> dict[str, Any]:
    if name not in _NER_CACHE:
        _require(ner.data_present(name), name)
        docs = ner.load_ner_set(name)
        run = ner.run_ner("newswatch", ner.newswatch_ner_system(), docs)
        assert run.errors == 0, f"{name}: {run.errors} documents raised, first: {run.first_error}"
        _NER_CACHE[name] = ner.score_ner(docs, run.predictions)
    return _NER_CACHE[name]


def _event_scores(name: str) -> dict[str, Any]:
    if name not in _EVENT_CACHE:
        _require(ev.data_present(ev.GSR if name == ev.GSR else ev.PETRARCH), name)
        records = ev.load_gsr() if name == ev.GSR else ev.load_petrarch()
        run = ev.run_events(ev.newswatch_event_system(), records)
        assert run.errors == 0, f"{name}: {run.errors} records raised, first: {run.first_error}"
        if name == ev.GSR:
            _EVENT_CACHE[name] = ev.score_gsr(records, run.predictions)
        else:
            _EVENT_CACHE[ev.PETRARCH] = ev.score_petrarch(records, run.predictions)
            real = ev.real_actor_records(records)
            _EVENT_CACHE["petrarch-real"] = ev.score_petrarch(
                [records[i] for i in real], [run.predictions[i] for i in real]
            )
    return _EVENT_CACHE[name]


_NER_CASES = [
    pytest.param(name, mode, label, metric, i, floor, id=f"{name}-{mode}-{label}-{metric}")
    for name, modes in NER_FLOORS.items()
    for mode, labels in modes.items()
    for label, floors in labels.items()
    for i, (metric, floor) in enumerate(zip(("precision", "recall", "f1"), floors, strict=True))
    if floor > 0
]


@pytest.mark.parametrize(("name", "mode", "label", "metric", "index", "floor"), _NER_CASES)
def test_entities_meet_floor(name: str, mode: str, label: str, metric: str, index: int, floor: float) -> None:
    value = _ner_scores(name)[mode][label][metric]
    assert value >= floor, f"{name} {mode} {label} {metric} {value:.4f} < floor {floor}"


_EVENT_CASES = [
    pytest.param(name, figure, floor, id=f"{name}-{figure}")
    for name, figures in EVENT_FLOORS.items()
    for figure, floor in figures.items()
    if floor > 0
]


@pytest.mark.parametrize(("name", "figure", "floor"), _EVENT_CASES)
def test_events_meet_floor(name: str, figure: str, floor: float) -> None:
    value = _event_scores(name)[figure]
    assert value >= floor, f"{name} {figure} {value} < floor {floor}"


def test_gold_sets_load_as_documented() -> None:
    """The loaders read every set whole (a format change upstream would silently shrink the gates)."""
    expected = {
        "factrueval-2016-ru": (132, {"PER": 1387, "LOC": 1574, "ORG": 2031}),
        "pioner-hy": (2529, {"PER": 1275, "LOC": 1314, "ORG": 1341}),
        "armtdp-ner-hy": (900, {"PER": 3502, "LOC": 3456, "ORG": 3388}),
        "uner-english-pud": (397, {"PER": 414, "LOC": 426, "ORG": 235}),
        "uner-russian-pud": (397, {"PER": 414, "LOC": 346, "ORG": 276}),
    }
    for name, (n_docs, by_label) in expected.items():
        _require(ner.data_present(name), name)
        docs = ner.load_ner_set(name)
        assert len(docs) == n_docs, name
        counts = {label: sum(1 for d in docs for g in d.gold if g[2] == label) for label in ner.LABELS}
        assert counts == by_label, name
        assert all(d.text[s:e].strip() == d.text[s:e] != "" for d in docs for s, e, _ in d.gold), name
    _require(ev.data_present(ev.PETRARCH), ev.PETRARCH)
    petrarch = ev.load_petrarch()
    assert sum(1 for r in petrarch if r.gold) == 257
    assert sum(len(r.gold) for r in petrarch) == 359
    gsr = ev.load_gsr()
    assert len(gsr) == 322
    assert all(r.gold[0].type in set(ev.plover_table().values()) for r in gsr)


def test_scorers_give_full_marks_to_the_gold_itself() -> None:
    """The scoring code, checked on its own: the gold as predictions scores 1.0, nothing scores 0."""
    _require(ner.data_present("factrueval-2016-ru"), "factrueval-2016-ru")
    docs = ner.load_ner_set("factrueval-2016-ru", limit=10)
    perfect = ner.score_ner(docs, [d.gold for d in docs])
    empty = ner.score_ner(docs, [frozenset() for _ in docs])
    for mode in ("strict", "lenient"):
        assert perfect[mode]["micro"]["f1"] == 1.0
        assert empty[mode]["micro"]["recall"] == 0.0
    shifted = [frozenset((s + 1, e, lab) for s, e, lab in d.gold) for d in docs]
    assert ner.score_ner(docs, shifted)["strict"]["micro"]["f1"] < 0.1
    assert ner.score_ner(docs, shifted)["lenient"]["micro"]["f1"] > 0.9

    _require(ev.data_present(ev.PETRARCH), ev.PETRARCH)
    records = ev.load_petrarch()
    echo = [
        [ev.CodedEvent(g.type or "", g.cameo or "", min(g.sources, default=None), min(g.targets or {""}) or None)
         for g in r.gold]
        for r in records
    ]  # fmt: skip
    scores = ev.score_petrarch(records, echo)
    assert scores["slot_accuracy"] == 1.0
    assert scores["full_sentences"] == scores["sentences"]
    assert ev.score_petrarch(records, [[] for _ in records])["slots_right"] == 0
