"""Pairwise scores in [0, 1]: is ``b`` a near-duplicate of ``a``, a version of it in another language, or
coverage of the same event? Pure functions over two article records and their fingerprints.

The thresholds below are the defaults of the linking settings (``docs/linking.md`` explains each); a pair
is linked when its score reaches the threshold of its kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from newswatch.link.fingerprint import Fingerprint
from newswatch.model import Article

__all__ = [
    "COVERAGE_EVENT_DAYS",
    "COVERAGE_THRESHOLD",
    "CROSS_SITE_FACTOR",
    "DUPLICATE_THRESHOLD",
    "TRANSLATION_THRESHOLD",
    "TRANSLATION_WINDOW_HOURS",
    "Evidence",
    "coverage_score",
    "duplicate_score",
    "jaccard",
    "minhash_jaccard",
    "translation_evidence",
    "translation_score",
]

#: A pair whose :func:`duplicate_score` reaches this is one text (copy, light rewrite, agency re-run).
DUPLICATE_THRESHOLD = 0.5
#: A pair in two languages whose :func:`translation_score` reaches this is one article's two versions.
TRANSLATION_THRESHOLD = 0.55
#: Language versions are published within this many hours of each other; beyond it the score is 0.
TRANSLATION_WINDOW_HOURS = 48.0
#: Two articles whose :func:`coverage_score` reaches this report the same event (same story).
COVERAGE_THRESHOLD = 0.5
#: A translation score is multiplied by this when both addresses are known and on different sites.
CROSS_SITE_FACTOR = 0.5
#: Event dates this many days apart still count as one event.
COVERAGE_EVENT_DAYS = 1
#: The estimated Jaccard similarity of shingles at which a pair counts as fully similar text.
_JACCARD_FULL = 0.5
#: The strength of a shared event between two countries (every bilateral article has some).
_COUNTRY_PAIR = 0.3
_TITLE_WEIGHT = 0.25


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|; 0 for two empty sets."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def minhash_jaccard(fa: Fingerprint, fb: Fingerprint) -> float:
    """The Jaccard similarity of two texts' shingle sets as their MinHash sketches estimate it."""
    if not fa.minhash or len(fa.minhash) != len(fb.minhash):
        return 0.0
    same = sum(1 for x, y in zip(fa.minhash, fb.minhash, strict=True) if x == y)
    return same / len(fa.minhash)


def _title_similarity(fa: Fingerprint, fb: Fingerprint) -> float | None:
    if not fa.title or not fb.title:
        return None
    return float(fuzz.token_set_ratio(fa.title, fb.title)) / 100.0


def duplicate_score(a: Article, b: Article, fa: Fingerprint, fb: Fingerprint) -> float:
    """How surely ``b`` is the same text as ``a``: a copy, a light rewrite or an agency re-run.

    Mostly the estimated Jaccard similarity of the shingles (full marks from :data:`_JACCARD_FULL`), with
    the titles' token-set similarity as a quarter of the score when both have a title. Two versions in
    different languages share no shingles and score about 0.
    """
    if a.id and a.id == b.id:
        return 1.0
    text = min(1.0, minhash_jaccard(fa, fb) / _JACCARD_FULL)
    title = _title_similarity(fa, fb)
    if title is None:
        return text
    return (1 - _TITLE_WEIGHT) * text + _TITLE_WEIGHT * title * min(1.0, 2 * text)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of cross-language evidence: its similarity in [0, 1] and its weight in the score."""

    name: str
    value: float
    weight: float


def _hours_apart(fa: Fingerprint, fb: Fingerprint) -> float | None:
    if fa.published is None or fb.published is None:
        return None
    return abs(fa.published - fb.published) / 3600.0


def _explicit(a: Article, b: Article) -> bool:
    """Either record names the other among its language versions (by id or address)."""

    def names(x: Article, y: Article) -> bool:
        return any((t.id and t.id == y.id) or (t.url and y.url and t.url == y.url) for t in x.translations)

    return names(a, b) or names(b, a)


def _url_similarity(fa: Fingerprint, fb: Fingerprint) -> float:
    if fa.site != fb.site:
        return 0.0
    if fa.path == fb.path:
        return 1.0
    return 0.6 if fa.url_numbers & fb.url_numbers else 0.3


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / min(|a|, |b|): the smaller set's share found in the other."""
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


def _length_similarity(fa: Fingerprint, fb: Fingerprint) -> float:
    if not fa.length or not fb.length:
        return 0.0
    ratio = min(fa.length, fb.length) / max(fa.length, fb.length)
    return max(0.0, (ratio - 0.5) / 0.5)


_Component = tuple[str, float, Callable[[Fingerprint, Fingerprint], float | None]]


def _when_any(
    get: Callable[[Fingerprint], frozenset[str]], measure: Callable[[frozenset[str], frozenset[str]], float]
) -> Callable[[Fingerprint, Fingerprint], float | None]:
    def component(fa: Fingerprint, fb: Fingerprint) -> float | None:
        x, y = get(fa), get(fb)
        return measure(x, y) if x or y else None

    return component


def _when_both(
    get: Callable[[Fingerprint], frozenset[str]], measure: Callable[[frozenset[str], frozenset[str]], float]
) -> Callable[[Fingerprint, Fingerprint], float | None]:
    def component(fa: Fingerprint, fb: Fingerprint) -> float | None:
        x, y = get(fa), get(fb)
        return measure(x, y) if x and y else None

    return component


def _anchors(fa: Fingerprint, fb: Fingerprint) -> float | None:
    if not fa.anchors and not fb.anchors:
        return None
    return float(Indel.normalized_similarity(fa.anchors, fb.anchors))


def _paragraphs(fa: Fingerprint, fb: Fingerprint) -> float | None:
    """Paragraph by paragraph, how alike the actors and numbers named are (empty in both counts as alike);
    a missing paragraph counts as unlike."""
    if not fa.paragraphs or not fb.paragraphs:
        return None
    total = sum(jaccard(x, y) if x or y else 1.0 for x, y in zip(fa.paragraphs, fb.paragraphs, strict=False))
    return total / max(len(fa.paragraphs), len(fb.paragraphs))


def _shape(fa: Fingerprint, fb: Fingerprint) -> float | None:
    """How alike the paragraph lengths are, as shares of the text (a translation keeps them): one minus
    half the summed differences, rescaled so that 0.8 and less (unrelated texts' usual level) is 0."""
    if not fa.shape or not fb.shape:
        return None
    size = max(len(fa.shape), len(fb.shape))
    x = fa.shape + (0.0,) * (size - len(fa.shape))
    y = fb.shape + (0.0,) * (size - len(fb.shape))
    alike = 1.0 - 0.5 * sum(abs(p - q) for p, q in zip(x, y, strict=True))
    return max(0.0, (alike - 0.8) / 0.2)


def _url(fa: Fingerprint, fb: Fingerprint) -> float | None:
    return _url_similarity(fa, fb) if fa.site and fb.site else None


def _time(fa: Fingerprint, fb: Fingerprint) -> float | None:
    hours = _hours_apart(fa, fb)
    return None if hours is None else max(0.0, 1.0 - hours / TRANSLATION_WINDOW_HOURS)


#: The evidence of :func:`translation_score` with its weights. A component is left out of the weighted
#: mean when neither article has that kind of evidence (for names, addresses and times: when one lacks it).
_COMPONENTS: tuple[_Component, ...] = (
    ("actors", 3.0, _when_any(lambda f: f.actors, jaccard)),
    ("anchors", 3.0, _anchors),
    ("paragraphs", 4.0, _paragraphs),
    ("shape", 2.0, _shape),
    ("numbers", 2.0, _when_any(lambda f: f.numbers, jaccard)),
    ("speakers", 1.5, _when_any(lambda f: f.speakers, jaccard)),
    ("dates", 1.0, _when_any(lambda f: f.dates, jaccard)),
    ("places", 1.0, _when_any(lambda f: f.places, jaccard)),
    ("events", 1.0, _when_any(lambda f: f.events, jaccard)),
    ("names", 0.5, _when_both(lambda f: f.names, _overlap)),
    ("length", 1.0, lambda fa, fb: _length_similarity(fa, fb)),
    ("url", 2.0, _url),
    ("time", 1.0, _time),
)


def translation_evidence(fa: Fingerprint, fb: Fingerprint) -> list[Evidence]:
    """Each piece of evidence that two fingerprints are versions of one article, as the score weighs it."""
    found = []
    for name, weight, measure in _COMPONENTS:
        value = measure(fa, fb)
        if value is not None:
            found.append(Evidence(name, value, weight))
    return found


def translation_score(a: Article, b: Article, fa: Fingerprint, fb: Fingerprint) -> float:
    """How surely ``a`` and ``b`` are one article in two languages.

    1 when either record links the other as a language version; 0 for two articles in the same language
    or published more than :data:`TRANSLATION_WINDOW_HOURS` apart; otherwise the weighted mean of the
    evidence of :func:`translation_evidence` (actor ids, the order they appear in, what each paragraph
    names and how long it is, numbers, speakers, days, places, events, names in Latin letters, text
    length, the address pattern and the time apart), times :data:`CROSS_SITE_FACTOR` when the two
    addresses are on different sites: an outlet publishes its language versions on its own site, and
    another outlet's report in another language is coverage of the story, not a version of the article.
    """
    if _explicit(a, b):
        return 1.0
    if fa.language and fa.language == fb.language:
        return 0.0
    hours = _hours_apart(fa, fb)
    if hours is not None and hours > TRANSLATION_WINDOW_HOURS:
        return 0.0
    evidence = translation_evidence(fa, fb)
    total = sum(e.weight for e in evidence)
    score = sum(e.value * e.weight for e in evidence) / total if total else 0.0
    if fa.site and fb.site and fa.site != fb.site:
        score *= CROSS_SITE_FACTOR
    return score


def _shared_event(fa: Fingerprint, fb: Fingerprint) -> float:
    """1 when both report an event of the same type between the same source and target within
    :data:`COVERAGE_EVENT_DAYS` days and one side of it is not a country; 0.3 when only country–country
    events are shared (every article of a bilateral process has some); 0 otherwise. Events without a
    target say too little to match on."""
    best = 0.0
    for x in fa.events:
        kind, source, target, day = x.split("|")
        if not target:
            continue
        for y in fb.events:
            other_kind, other_source, other_target, other_day = y.split("|")
            if (kind, source, target) != (other_kind, other_source, other_target):
                continue
            if (
                day
                and other_day
                and abs((date.fromisoformat(day) - date.fromisoformat(other_day)).days)
                > (COVERAGE_EVENT_DAYS)
            ):
                continue
            countries = fa.countries | fb.countries
            best = max(best, _COUNTRY_PAIR if source in countries and target in countries else 1.0)
            if best == 1.0:
                return best
    return best


#: The evidence of :func:`coverage_score` that does not depend on how a text is written: who, what
#: numbers, which days, where, what happened.
_CONTENT = frozenset({"actors", "numbers", "speakers", "dates", "places", "events", "names"})


def coverage_score(a: Article, b: Article, fa: Fingerprint, fb: Fingerprint) -> float:
    """How surely ``a`` and ``b`` (any languages, any sources, any wording) report the same event.

    0 for articles published more than :data:`TRANSLATION_WINDOW_HOURS` apart. Otherwise the better of:

    - a shared coded event (same type, source and target, dates at most :data:`COVERAGE_EVENT_DAYS`
      apart): 0.4 × its strength (1; 0.3 between two countries) + 0.6 × the actors' Jaccard similarity;
    - the content evidence of :func:`translation_evidence` alone (actors, numbers, speakers, days,
      places, events, names), weighted as there — nothing about paragraphs, length or address.

    Two statements by different officials on the same day share neither the event's source nor the
    speakers, so they stay apart.
    """
    hours = _hours_apart(fa, fb)
    if hours is not None and hours > TRANSLATION_WINDOW_HOURS:
        return 0.0
    event = _shared_event(fa, fb)
    by_event = 0.4 * event + 0.6 * jaccard(fa.actors, fb.actors) if event else 0.0
    content = [e for e in translation_evidence(fa, fb) if e.name in _CONTENT]
    total = sum(e.weight for e in content)
    by_content = sum(e.value * e.weight for e in content) / total if total else 0.0
    return max(by_event, by_content)
