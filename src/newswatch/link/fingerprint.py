"""The fingerprint of an article: what linking compares, computed once per article version.

Two kinds of evidence:

- **within a language**: word shingles of the normalised text (lower case, punctuation and stopwords out,
  a light stem by the language's suffix data) summarised as a MinHash, whose band keys index the article
  for sub-linear candidate lookup (LSH);
- **across languages**: actor ids, places, quoted speakers, coded events, numbers, days named in the text,
  names in Latin letters, the order in which actors appear, the page's site and path without its language
  segments, the publication time and the text's length.

The MinHash is reproducible across runs and machines: a fixed seed, number of permutations and datasketch's
``affine32`` scheme (pinned, so a datasketch upgrade cannot change stored sketches silently).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import numpy as np
from datasketch import MinHash

from newswatch.link.evidence import dates_in, name_keys, numbers_in, published_at, url_keys
from newswatch.link.lexicon import lexicon, stem
from newswatch.model import Article, Event

__all__ = [
    "NUM_PERM",
    "SEED",
    "SHINGLE_SIZE",
    "Fingerprint",
    "band_keys",
    "event_key",
    "evidence_keys",
    "fingerprint",
    "normalize_words",
]

#: MinHash permutations; with :data:`SEED` and the scheme, part of the stored format — change all three
#: only with a migration that recomputes every fingerprint.
NUM_PERM = 128
SEED = 20261129
SCHEME = "affine32"
#: Words per shingle. Two stems survive light rewrites (a changed word breaks two shingles, not five).
SHINGLE_SIZE = 2
#: Band layout of :func:`band_keys` unless the caller asks for another (126 of the 128 values): 42 bands
#: of 3 rows find a pair with Jaccard similarity 0.5 with probability 0.996, 0.3 with 0.68, 0.1 with 0.04.
BANDS, ROWS = 42, 3

_WORD = re.compile(r"\w+")
_PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*(?:\n(?!\s*\n)[^\n]*)*")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What linking knows of one article; sets are frozensets, sequences tuples (hashable, comparable).

    ``minhash`` is empty when the text had no content words. ``published`` is POSIX seconds (UTC).
    ``anchors`` is the sequence of actor ids in the order of their mentions (repeats collapsed);
    ``paragraphs`` holds, for each paragraph, the actor ids and numbers it names — a translation keeps the
    paragraphs of its original, another outlet's report of the same event does not.
    """

    language: str | None
    minhash: tuple[int, ...]
    shingles: int
    length: int
    title: str
    actors: frozenset[str]
    countries: frozenset[str]
    places: frozenset[str]
    speakers: frozenset[str]
    events: frozenset[str]
    numbers: frozenset[str]
    dates: frozenset[str]
    names: frozenset[str]
    anchors: tuple[str, ...]
    paragraphs: tuple[frozenset[str], ...]
    shape: tuple[float, ...]
    site: str | None
    path: str | None
    url_numbers: frozenset[str]
    published: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (sets as sorted lists)."""
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "paragraphs":
                data[f.name] = [sorted(p) for p in value]
            elif isinstance(value, frozenset):
                data[f.name] = sorted(value)
            else:
                data[f.name] = list(value) if isinstance(value, tuple) else value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fingerprint:
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = data[f.name]
            if f.name in ("minhash", "anchors", "shape"):
                value = tuple(value)
            elif f.name == "paragraphs":
                value = tuple(frozenset(p) for p in value)
            elif isinstance(value, list):
                value = frozenset(value)
            values[f.name] = value
        return cls(**values)


def event_key(event: Event) -> str:
    """``"TYPE|source|target|date"`` (target and date empty when unknown)."""
    return f"{event.type}|{event.source}|{event.target or ''}|{event.date or ''}"


def normalize_words(text: str, language: str | None) -> list[str]:
    """The content words of a text: lower case ("ё" as "е"), stopwords out, each lightly stemmed."""
    lex = lexicon(language)
    words = []
    for match in _WORD.finditer(text.lower().replace("ё", "е")):
        word = match.group().strip("_")
        if word and word not in lex.stopwords:
            words.append(stem(word, lex))
    return words


def _shingles(words: list[str], size: int = SHINGLE_SIZE) -> set[bytes]:
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


@cache
def _permutations() -> Any:
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def _minhash(shingles: set[bytes]) -> tuple[int, ...]:
    if not shingles:
        return ()
    sketch = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, permutations=_permutations())
    sketch.update_batch(sorted(shingles))
    values: np.ndarray[Any, Any] = sketch.hashvalues
    return tuple(int(v) for v in values)


def _anchors(article: Article) -> tuple[str, ...]:
    mentions = sorted((m.start, actor.id) for actor in article.actors for m in actor.mentions)
    sequence: list[str] = []
    for _, actor_id in mentions:
        if not sequence or sequence[-1] != actor_id:
            sequence.append(actor_id)
    return tuple(sequence)


def _paragraphs(
    article: Article, skip: list[tuple[int, int]], ignore: frozenset[str]
) -> tuple[frozenset[str], ...]:
    found = []
    for match in _PARAGRAPH.finditer(article.text):
        start, end = match.span()
        ids = {a.id for a in article.actors for m in a.mentions if start <= m.start < end}
        numbers = numbers_in(match.group(), [(s - start, e - start) for s, e in skip], ignore)
        found.append(frozenset(ids | numbers))
    return tuple(found)


def _shape(text: str) -> tuple[float, ...]:
    lengths = [len(m.group()) for m in _PARAGRAPH.finditer(text)]
    total = sum(lengths)
    return tuple(round(n / total, 4) for n in lengths) if total else ()


def fingerprint(article: Article) -> Fingerprint:
    """The fingerprint of an article record (after understanding: actors, quotes and events filled)."""
    language = article.language
    text = article.text
    words = normalize_words(text, language)
    shingles = _shingles(words)
    dates, date_spans = dates_in(text, language, article.published)
    mention_spans = [(m.start, m.end) for actor in article.actors for m in actor.mentions]
    site, path, url_numbers = url_keys(article.url)
    year = frozenset({article.published[:4]} if article.published else ())
    moment = published_at(article.published)
    return Fingerprint(
        language=language,
        minhash=_minhash(shingles),
        shingles=len(shingles),
        length=len(text),
        title=" ".join(_WORD.findall((article.title or "").lower().replace("ё", "е"))),
        actors=frozenset(a.id for a in article.actors),
        countries=frozenset(a.id for a in article.actors if a.type == "country"),
        places=frozenset(a.id for a in article.actors if a.type == "place"),
        speakers=frozenset(q.speaker for q in article.quotes if q.speaker),
        events=frozenset(event_key(e) for e in article.events if not e.negated),
        numbers=numbers_in(text, date_spans, year),
        dates=dates,
        names=name_keys(text, mention_spans + date_spans),
        anchors=_anchors(article),
        paragraphs=_paragraphs(article, date_spans, year),
        shape=_shape(text),
        site=site,
        path=path,
        url_numbers=url_numbers,
        published=moment.timestamp() if moment else None,
    )


def band_keys(fp: Fingerprint, bands: int = BANDS, rows: int = ROWS) -> list[str]:
    """LSH bucket keys of a fingerprint: two articles share a key when one band of ``rows`` MinHash values
    is equal. The store indexes these keys; a new article's candidates are the articles under its keys.
    A fingerprint with no shingles has no keys (empty texts are not duplicates of each other)."""
    if bands < 1 or rows < 1 or bands * rows > len(fp.minhash):
        if not fp.minhash:
            return []
        need = bands * rows
        raise ValueError(f"{bands} bands of {rows} rows need {need} MinHash values, have {len(fp.minhash)}")
    keys = []
    for band in range(bands):
        chunk = fp.minhash[band * rows : (band + 1) * rows]
        digest = hashlib.blake2b(",".join(map(str, chunk)).encode("ascii"), digest_size=8).hexdigest()
        keys.append(f"b{band}:{digest}")
    return keys


def evidence_keys(fp: Fingerprint, *, window_days: int = 0) -> list[str]:
    """Keys for cross-language candidate lookup: the publication day with each actor id and speaker
    (``"2026-03-04|maria-zakharova"``). Index an article under ``evidence_keys(fp)`` and query with
    ``evidence_keys(fp, window_days=2)`` to find the articles sharing an actor within ±2 days. No keys
    without a publication time."""
    if fp.published is None:
        return []
    day = datetime.fromtimestamp(fp.published, tz=UTC).date()
    days = [day + timedelta(days=offset) for offset in range(-window_days, window_days + 1)]
    ids = sorted(fp.actors | fp.speakers)
    return [f"{d.isoformat()}|{actor}" for d in days for actor in ids]
