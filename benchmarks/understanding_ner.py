"""Named entities: newswatch's actors stage scored as a named-entity recogniser on public gold sets.

Sets (in ``../shared/benchmarks/``, never copied here; each README gives source, licence and format):

- ``factrueval-2016-ru`` — Russian news, the 132 documents of ``testset/``; an object's span runs from the
  start of its first span to the end of its last (``*.objects`` → ``*.spans``). Person → PER, Org → ORG,
  Location and LocOrg → LOC (the usual mapping); Facility and Project are not scored.
- ``pioner-hy`` — Armenian, the manual gold test (2,529 sentences). The file has tokens only, no documents
  and no raw text: each sentence is rebuilt as text by :func:`detokenize` (no space before closing
  punctuation, Armenian marks and case suffixes such as ``-ի``; none after opening quotes and brackets) and
  run on its own.
- ``armtdp-ner-hy`` — Armenian news, 900 documents with character offsets. PERSON → PER, ORGANIZATION → ORG,
  GPE and LOCATION → LOC; the other labels (NORP, FACILITY, DATE, …) are not scored and a prediction that
  overlaps one of them without matching a scored gold span is left out (neither right nor wrong), so a
  demonym ("հայկական", NORP there) does not count against us. 44 gold spans carry leading or trailing
  blanks; they are trimmed.
- ``uner-english-pud``, ``uner-russian-pud`` — the same 1,000 sentences in English and Russian; tokens are
  aligned to each sentence's ``# text``, and the sentences of one ``newdoc`` are joined with a space into
  one text (397 documents), as an article would reach the stage.

Scoring, per type and micro-averaged over PER/LOC/ORG: **strict** = the exact character span and the type
(a set of ``(start, end, type)``, duplicates count once); **lenient** = a prediction is right when it
overlaps a gold span of its type (precision), a gold span is found when a prediction of its type overlaps it
(recall). The gold-set label mapping of our actor types is in :data:`ACTOR_LABELS`; how a government body
(resolved to its country) is labelled is decided by :func:`actor_label`.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks.common import set_dir

__all__ = [
    "ACTOR_LABELS",
    "LABELS",
    "NER_SETS",
    "Entity",
    "NerDoc",
    "NerRun",
    "NerSystem",
    "actor_label",
    "detokenize",
    "load_armtdp",
    "load_factrueval",
    "load_ner_set",
    "load_pioner",
    "load_uner",
    "natasha_system",
    "newswatch_ner_system",
    "run_ner",
    "score_ner",
]

#: One entity: ``(start, end, label)``, character offsets into the document text.
Entity = tuple[int, int, str]
#: A recogniser: (text, language) → its entities.
NerSystem = Callable[[str, str], Iterable[Entity]]

LABELS = ("PER", "LOC", "ORG")

#: Our actor types → the gold sets' labels. Every set here labels countries (and capitals named for their
#: government) LOC, places LOC, organisations ORG, people PER.
ACTOR_LABELS = {"person": "PER", "organization": "ORG", "country": "LOC", "place": "LOC"}


@dataclass(frozen=True, slots=True)
class NerDoc:
    id: str
    text: str
    language: str
    gold: frozenset[Entity]
    #: spans of gold labels that are not scored (predictions inside them are left out)
    ignore: tuple[tuple[int, int], ...] = ()
    sentences: int = 1


# ---------------------------------------------------------------------------------------------------------
# loading


def load_factrueval(part: str = "testset", *, limit: int | None = None) -> list[NerDoc]:
    """factRuEval-2016 documents of ``part`` (``testset`` or ``devset``), sorted by name."""
    folder = set_dir("factrueval-2016-ru") / part
    mapping = {"Person": "PER", "Org": "ORG", "Location": "LOC", "LocOrg": "LOC"}
    docs = []
    names = sorted(p.stem for p in folder.glob("*.objects"))
    for name in names[:limit] if limit is not None else names:
        with (folder / f"{name}.txt").open(encoding="utf-8", newline="") as f:
            text = f.read()  # offsets are into the file as it is (no newline translation)
        spans: dict[str, tuple[int, int]] = {}
        for line in (folder / f"{name}.spans").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) >= 4:
                start = int(parts[2])
                spans[parts[0]] = (start, start + int(parts[3]))
        gold: set[Entity] = set()
        ignore: list[tuple[int, int]] = []
        for line in (folder / f"{name}.objects").read_text(encoding="utf-8").splitlines():
            head = line.split("#", 1)[0].split()
            if len(head) < 3:
                continue
            pieces = [spans[s] for s in head[2:] if s in spans]
            if not pieces:
                continue
            start, end = min(s for s, _ in pieces), max(e for _, e in pieces)
            label = mapping.get(head[1])
            if label:
                gold.add((start, end, label))
            else:
                ignore.append((start, end))
        n_sent = _count_blocks((folder / f"{name}.tokens").read_text(encoding="utf-8"))
        docs.append(NerDoc(name, text, "ru", frozenset(gold), tuple(ignore), n_sent))
    return docs


def _count_blocks(text: str) -> int:
    """Blank-line separated blocks (sentences in a CoNLL-like file)."""
    return sum(1 for block in text.split("\n\n") if block.strip())


_NO_SPACE_BEFORE = frozenset(",.:;!?)]}»”%՝`՛՞։…") | {"...", "'s"}
_NO_SPACE_AFTER = frozenset("([{«“„")


def detokenize(tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Text from tokens with ordinary spacing, and each token's ``(start, end)`` in it."""
    out: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    prev = ""
    for i, tok in enumerate(tokens):
        glue = (
            i == 0
            or tok in _NO_SPACE_BEFORE
            or (tok.startswith("-") and len(tok) > 1)
            or prev in _NO_SPACE_AFTER
        )
        if not glue:
            out.append(" ")
            pos += 1
        offsets.append((pos, pos + len(tok)))
        out.append(tok)
        pos += len(tok)
        prev = tok
    return "".join(out), offsets


def _bio_entities(tags: Sequence[str], offsets: Sequence[tuple[int, int]]) -> set[Entity]:
    """Entities from IOB2 (or IOB1) tags over tokens with character offsets."""
    found: set[Entity] = set()
    start = end = -1
    label = ""
    for tag, (s, e) in zip([*tags, "O"], [*offsets, (0, 0)], strict=True):
        kind, _, name = tag.partition("-")
        continues = kind == "I" and name == label and start >= 0
        if not continues and start >= 0:
            found.add((start, end, label))
            start = -1
        if kind in ("B", "I") and not continues:
            start, end, label = s, e, name
        elif continues:
            end = e
    return found


def load_pioner(*, limit: int | None = None) -> list[NerDoc]:
    """pioNER gold test: one document per sentence, rebuilt from its tokens by :func:`detokenize`."""
    path = set_dir("pioner-hy") / "pioner-gold" / "test.conll03"
    docs = []
    blocks = [b for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    for i, block in enumerate(blocks[:limit] if limit is not None else blocks):
        rows = [line.split() for line in block.splitlines() if line.strip()]
        tokens = [r[0].lstrip("\ufeff") or r[0] for r in rows]
        tags = [r[-1] for r in rows]
        text, offsets = detokenize(tokens)
        docs.append(NerDoc(f"s{i:04d}", text, "hy", frozenset(_bio_entities(tags, offsets))))
    return docs


def load_armtdp(*, limit: int | None = None) -> list[NerDoc]:
    """ArmTDP-NER: the 900 doccano documents, gold spans trimmed of blanks."""
    mapping = {"PERSON": "PER", "ORGANIZATION": "ORG", "GPE": "LOC", "LOCATION": "LOC"}
    docs = []
    with (set_dir("armtdp-ner-hy") / "ArmNER-HY.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            text: str = rec["text"]
            gold: set[Entity] = set()
            ignore = []
            for start, end, label in rec["labels"]:
                while start < end and text[start].isspace():
                    start += 1
                while end > start and text[end - 1].isspace():
                    end -= 1
                if label in mapping:
                    gold.add((start, end, mapping[label]))
                else:
                    ignore.append((start, end))
            docs.append(NerDoc(str(rec["id"]), text, "hy", frozenset(gold), tuple(ignore)))
            if limit is not None and len(docs) >= limit:
                break
    return docs


def _align(text: str, tokens: Sequence[str]) -> list[tuple[int, int]] | None:
    """Offsets of ``tokens`` found in order in ``text``; None when one is missing."""
    offsets, pos = [], 0
    for tok in tokens:
        at = text.find(tok, pos)
        if at < 0 or text[pos:at].strip():
            return None
        offsets.append((at, at + len(tok)))
        pos = at + len(tok)
    return offsets


def load_uner(language: str, *, limit: int | None = None) -> list[NerDoc]:
    """UNER PUD (``en`` or ``ru``): the sentences of each ``newdoc`` joined into one text."""
    folder, filename = {
        "en": ("uner-english-pud", "en_pud-ud-test.iob2"),
        "ru": ("uner-russian-pud", "ru_pud-ud-test.iob2"),
    }[language]
    path = set_dir(folder) / filename
    docs: list[NerDoc] = []
    doc_id, n_sent, pos = "", 0, 0
    parts: list[str] = []
    gold: set[Entity] = set()

    def flush() -> None:
        if parts:
            docs.append(NerDoc(doc_id, " ".join(parts), language, frozenset(gold), (), n_sent))

    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        meta = {
            k.strip(): v.strip()
            for k, _, v in (line[1:].partition("=") for line in lines if line.startswith("#"))
        }
        rows = [line.split("\t") for line in lines if not line.startswith("#")]
        rows = [r for r in rows if r[0].isdigit()]  # word lines only (no multiword ranges)
        tokens, tags = [r[1] for r in rows], [r[2] for r in rows]
        if meta.get("newdoc id") and meta["newdoc id"] != doc_id:
            flush()
            if limit is not None and len(docs) >= limit:
                return docs
            doc_id, parts, gold, n_sent, pos = meta["newdoc id"], [], set(), 0, 0
        sentence = meta.get("text")
        offsets = _align(sentence, tokens) if sentence else None
        if sentence is None or offsets is None:
            sentence, offsets = detokenize(tokens)
        if parts:
            pos += 1  # the joining space
        gold |= {(s + pos, e + pos, label) for s, e, label in _bio_entities(tags, offsets)}
        parts.append(sentence)
        pos += len(sentence)
        n_sent += 1
    flush()
    return docs


#: set name → (loader, language, what is run)
NER_SETS: dict[str, tuple[Callable[..., list[NerDoc]], str, str]] = {
    "factrueval-2016-ru": (load_factrueval, "ru", "testset, 132 documents"),
    "pioner-hy": (load_pioner, "hy", "gold test, 2,529 sentences, each on its own"),
    "armtdp-ner-hy": (load_armtdp, "hy", "900 documents"),
    "uner-english-pud": (lambda **kw: load_uner("en", **kw), "en", "1,000 sentences in 397 documents"),
    "uner-russian-pud": (lambda **kw: load_uner("ru", **kw), "ru", "1,000 sentences in 397 documents"),
}


def load_ner_set(name: str, *, limit: int | None = None) -> list[NerDoc]:
    loader = NER_SETS[name][0]
    return loader(limit=limit)


# ---------------------------------------------------------------------------------------------------------
# systems


def actor_label(actor: Any, mention: Any, language: str) -> str | None:
    """The gold-set label of one mention of one of our actors (None: not a type the sets annotate).

    A government body resolved to its country ("МИД Армении", "the Armenian foreign ministry", "Кремль") is
    an organisation in all five sets (factRuEval Org, pioNER and UNER ORG, ArmTDP ORGANIZATION), so such a
    mention is ORG; the country named as such, or its capital standing for the government, is LOC. The
    stage keeps one actor per id (the sector in ``role``), so which mention is the body is asked of the
    stage itself: :func:`_names_body` runs it on the mention's words alone.
    """
    label = ACTOR_LABELS.get(actor.type)
    if actor.type == "country" and actor.role and _names_body(mention.text, language, actor.id):
        return "ORG"
    return label


@cache
def _names_body(words: str, language: str, actor_id: str) -> bool:
    """Whether the actors stage reads ``words`` alone as a government body of ``actor_id``."""
    from newswatch.understand.actors import find_actors
    from newswatch.understand.sentences import split_sentences

    found = find_actors(words, language, split_sentences(words, language))
    return any(a.id == actor_id and a.type == "country" and a.role for a in found)


def newswatch_ner_system() -> NerSystem:
    """Our actors stage (sentences → actors): each mention of each actor, labelled by :func:`actor_label`."""
    from newswatch.understand.actors import find_actors
    from newswatch.understand.sentences import split_sentences

    def run(text: str, language: str) -> list[Entity]:
        actors = find_actors(text, language, split_sentences(text, language))
        out = []
        for actor in actors:
            for mention in actor.mentions:
                label = actor_label(actor, mention, language)
                if label:
                    out.append((mention.start, mention.end, label))
        return out

    return run


def natasha_system() -> NerSystem:
    """natasha 1.6 (Russian only): ``Doc.segment`` + ``tag_ner`` with its bundled models; PER/LOC/ORG spans."""
    from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter  # type: ignore[import-untyped]

    segmenter, tagger = Segmenter(), NewsNERTagger(NewsEmbedding())

    def run(text: str, language: str) -> list[Entity]:
        doc = Doc(text)
        doc.segment(segmenter)
        doc.tag_ner(tagger)
        return [(span.start, span.stop, span.type) for span in doc.spans]

    return run


# ---------------------------------------------------------------------------------------------------------
# running and scoring


@dataclass(slots=True)
class NerRun:
    system: str
    predictions: list[frozenset[Entity]]
    errors: int
    wall_s: float
    cpu_s: float
    chars: int
    sentences: int
    first_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def run_ner(name: str, system: NerSystem, docs: Sequence[NerDoc]) -> NerRun:
    """Run ``system`` over ``docs`` (one warm-up call first, untimed). A document that raises predicts nothing."""
    if docs:
        with contextlib.suppress(Exception):  # counted below, on the timed pass
            system(docs[0].text, docs[0].language)
    preds: list[frozenset[Entity]] = []
    errors, first = 0, None
    t0, c0 = time.perf_counter(), time.process_time()
    for doc in docs:
        try:
            found = frozenset(e for e in system(doc.text, doc.language) if e[2] in LABELS)
        except Exception as exc:  # a benchmark keeps going; the error count is reported
            errors += 1
            first = first or f"{doc.id}: {type(exc).__name__}: {exc}"
            found = frozenset()
        preds.append(found)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return NerRun(
        name, preds, errors, wall, cpu, sum(len(d.text) for d in docs), sum(d.sentences for d in docs), first
    )


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _iter_scored(doc: NerDoc, pred: frozenset[Entity]) -> Iterator[Entity]:
    """Predictions that count: those inside an unscored gold span are left out unless they match a gold span."""
    spans = {(g[0], g[1]) for g in doc.gold}
    for p in pred:
        if (p[0], p[1]) not in spans and any(_overlaps((p[0], p[1]), span) for span in doc.ignore):
            continue
        yield p


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> dict[str, float | int]:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_g / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "pred": n_pred, "gold": n_gold, "tp": tp_g}


def score_ner(docs: Sequence[NerDoc], predictions: Sequence[frozenset[Entity]]) -> dict[str, dict[str, Any]]:
    """``{"strict"|"lenient": {"PER"|"LOC"|"ORG"|"micro": {precision, recall, f1, pred, gold, tp}}}``."""
    counts = {
        mode: {label: [0, 0, 0, 0] for label in LABELS} for mode in ("strict", "lenient")
    }  # tp_pred, n_pred, tp_gold, n_gold
    for doc, pred in zip(docs, predictions, strict=True):
        scored = list(_iter_scored(doc, pred))
        for label in LABELS:
            gold = [g for g in doc.gold if g[2] == label]
            mine = [p for p in scored if p[2] == label]
            exact = len(set(gold) & set(mine))
            s = counts["strict"][label]
            s[0] += exact
            s[1] += len(mine)
            s[2] += exact
            s[3] += len(gold)
            lenient = counts["lenient"][label]
            lenient[0] += sum(1 for p in mine if any(_overlaps(p[:2], g[:2]) for g in gold))
            lenient[1] += len(mine)
            lenient[2] += sum(1 for g in gold if any(_overlaps(p[:2], g[:2]) for p in mine))
            lenient[3] += len(gold)
    out: dict[str, dict[str, Any]] = {}
    for mode, by_label in counts.items():
        out[mode] = {label: _prf(*c) for label, c in by_label.items()}
        total = [sum(c[i] for c in by_label.values()) for i in range(4)]
        out[mode]["micro"] = _prf(*total)
    return out


def data_present(name: str) -> bool:
    """Whether the files of set ``name`` are where the loaders look."""
    probe: dict[str, Path] = {
        "factrueval-2016-ru": set_dir("factrueval-2016-ru") / "testset",
        "pioner-hy": set_dir("pioner-hy") / "pioner-gold" / "test.conll03",
        "armtdp-ner-hy": set_dir("armtdp-ner-hy") / "ArmNER-HY.jsonl",
        "uner-english-pud": set_dir("uner-english-pud") / "en_pud-ud-test.iob2",
        "uner-russian-pud": set_dir("uner-russian-pud") / "ru_pud-ud-test.iob2",
    }
    return probe[name].exists()
