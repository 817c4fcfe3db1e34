"""Related reading: for an article, the stories most related to it, its own story left out.

A candidate's score is the weighted similarity of what the two articles are about — actor ids (a country
counts half: nearly every article of a bilateral process names both countries), coded events between the
same actors (type, source and target, any date) and places, the last two only when both articles have
some — scaled by recency: a candidate published the
same day keeps the full score, one :data:`RECENCY_DAYS` days apart about two thirds of it, a distant one
half. A story's score is that of its best article.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from newswatch.link.evidence import published_at
from newswatch.link.fingerprint import Fingerprint
from newswatch.model import Article

__all__ = ["MIN_RELATED_SCORE", "RECENCY_DAYS", "fingerprint_relatedness", "related", "relatedness"]

RECENCY_DAYS = 7.0
#: Candidates scoring below this are not related at all.
MIN_RELATED_SCORE = 0.15
_WEIGHTS = {"actors": 0.5, "events": 0.3, "places": 0.2}
_COUNTRY_WEIGHT = 0.5


def _actor_weights(article: Article) -> dict[str, float]:
    return {a.id: (_COUNTRY_WEIGHT if a.type == "country" else 1.0) for a in article.actors}


def _weighted_jaccard(a: dict[str, float], b: dict[str, float]) -> float:
    keys = a.keys() | b.keys()
    union = sum(max(a.get(k, 0.0), b.get(k, 0.0)) for k in keys)
    shared = sum(min(a.get(k, 0.0), b.get(k, 0.0)) for k in keys)
    return shared / union if union else 0.0


def _set_jaccard(a: set[str], b: set[str]) -> float | None:
    """None unless both have some: an article without coded events is not unlike one with them."""
    return len(a & b) / len(a | b) if a and b else None


def _events(article: Article) -> set[str]:
    return {f"{e.type}|{e.source}|{e.target}" for e in article.events if e.target and not e.negated}


def _places(article: Article) -> set[str]:
    return {a.id for a in article.actors if a.type == "place"}


def _recency(a: Article, b: Article) -> float:
    x, y = published_at(a.published), published_at(b.published)
    return _recency_of(None if x is None or y is None else abs((x - y).total_seconds()) / 86400.0)


def _combine(parts: dict[str, float | None], recency: float) -> float:
    present = {name: value for name, value in parts.items() if value is not None}
    weight = sum(_WEIGHTS[name] for name in present)
    if not weight:
        return 0.0
    return sum(_WEIGHTS[name] * value for name, value in present.items()) / weight * recency


def _recency_of(days: float | None) -> float:
    if days is None:
        return 0.75
    return 0.5 + 0.5 * math.exp(-days / RECENCY_DAYS) if days >= 1 else 1.0


def relatedness(a: Article, b: Article) -> float:
    """How related two articles are, in [0, 1] (see the module docstring)."""
    parts = {
        "actors": _weighted_jaccard(_actor_weights(a), _actor_weights(b)),
        "events": _set_jaccard(_events(a), _events(b)),
        "places": _set_jaccard(_places(a), _places(b)),
    }
    return _combine(parts, _recency(a, b))


def _fp_actor_weights(fp: Fingerprint) -> dict[str, float]:
    return {actor: (_COUNTRY_WEIGHT if actor in fp.countries else 1.0) for actor in fp.actors}


def _fp_events(fp: Fingerprint) -> set[str]:
    """``type|source|target`` of the fingerprint's events (``type|source|target|date``) with a target."""
    found = set()
    for key in fp.events:
        kind, source, target, _date = key.split("|", 3)
        if target:
            found.add(f"{kind}|{source}|{target}")
    return found


def fingerprint_relatedness(a: Fingerprint, b: Fingerprint) -> float:
    """:func:`relatedness` from two fingerprints (equal to it on the records they were made from): what
    linking uses, so that scoring a candidate does not need its whole record."""
    parts = {
        "actors": _weighted_jaccard(_fp_actor_weights(a), _fp_actor_weights(b)),
        "events": _set_jaccard(_fp_events(a), _fp_events(b)),
        "places": _set_jaccard(set(a.places), set(b.places)),
    }
    days = (
        abs(a.published - b.published) / 86400.0
        if a.published is not None and b.published is not None
        else None
    )
    return _combine(parts, _recency_of(days))


def related(
    article: Article,
    candidates: Iterable[Article],
    k: int = 5,
    *,
    story_of: Mapping[str, str] | None = None,
    min_score: float = MIN_RELATED_SCORE,
) -> list[tuple[str, float]]:
    """The ``k`` best related stories of ``article`` as ``(story id, score)``, best first (ties by id).

    ``story_of`` maps article ids to story ids; a candidate without one stands for itself (its article
    id is returned). Candidates in the article's own story, and the article itself, are left out.
    """
    stories = story_of or {}
    own = stories.get(article.id, article.id)
    best: dict[str, float] = {}
    for candidate in candidates:
        key = stories.get(candidate.id, candidate.id)
        if candidate.id == article.id or key == own:
            continue
        score = relatedness(article, candidate)
        if score >= min_score and score > best.get(key, -1.0):
            best[key] = score
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return [(key, round(score, 4)) for key, score in ranked[: max(0, k)]]
