"""Linking stored articles: the store's candidates, the pure link layer's scores, the store's stories.

For each stored article not yet linked in its current version: compute its fingerprint, look up the
articles sharing one of its keys (LSH bands for near-duplicates, day|actor keys within ±2 days for other
languages; every bucket cut at its newest :data:`PER_KEY` articles, so the cost per article does not grow
with the store), score the pair with :func:`~newswatch.link.translation_score`,
:func:`~newswatch.link.duplicate_score` and :func:`~newswatch.link.coverage_score`, keep the kinds that
reach their threshold, and let the store replace the article's links and rebuild the stories of the
components touched in one transaction. Scores are symmetric and candidate lookup is too, so the links
and stories do not depend on the order articles arrive in (unless a bucket overflows its cap).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from newswatch.link import (
    COVERAGE_THRESHOLD,
    DUPLICATE_THRESHOLD,
    TRANSLATION_THRESHOLD,
    Fingerprint,
    Pair,
    band_keys,
    build_stories,
    coverage_score,
    duplicate_score,
    evidence_keys,
    fingerprint,
    translation_score,
)
from newswatch.link.stories import LinkKind
from newswatch.model import Article
from newswatch.store.base import LinkRow, LinkUpdate, Store, StoryRecord

__all__ = [
    "CANDIDATE_LIMIT",
    "MAX_COMPONENT",
    "MIN_SHARED",
    "PER_KEY",
    "WINDOW_DAYS",
    "best_link",
    "link_articles",
    "link_stored",
    "story_records",
]

#: Newest articles read from one key's bucket.
PER_KEY = 500
#: Candidates scored per article (those sharing the most keys first).
CANDIDATE_LIMIT = 500
#: Articles read when a story's component is rebuilt.
MAX_COMPONENT = 2000
#: An article found only under day|actor keys is a candidate when it shares this many actors with the
#: asking one (or all of them, when either has fewer): one shared busy actor (a day's ``ARM``) is not
#: enough to be read and scored.
MIN_SHARED = 2
#: Days either side of the publication day searched for versions in other languages.
WINDOW_DAYS = 2

_KINDS: tuple[tuple[LinkKind, float], ...] = (
    ("translation", TRANSLATION_THRESHOLD),
    ("duplicate", DUPLICATE_THRESHOLD),
    ("coverage", COVERAGE_THRESHOLD),
)

_KIND_OF: dict[str, LinkKind] = {
    "explicit": "explicit",
    "translation": "translation",
    "duplicate": "duplicate",
    "coverage": "coverage",
}


def best_link(a: Article, b: Article, fa: Fingerprint, fb: Fingerprint) -> tuple[LinkKind, float] | None:
    """The link two articles get, or None: a translation when its score reaches the threshold, else a
    duplicate, else same-event coverage (the first kind that reaches its threshold, with its score)."""
    scorers = (translation_score, duplicate_score, coverage_score)
    for (kind, threshold), score in zip(_KINDS, scorers, strict=True):
        value = score(a, b, fa, fb)
        if value >= threshold:
            return kind, value
    return None


def story_records(articles: list[Article], links: list[LinkRow]) -> list[StoryRecord]:
    """The stories of one component (the store's :data:`~newswatch.store.base.StoryBuilder`)."""
    pairs = [Pair(a, b, _KIND_OF[kind], score) for a, b, kind, score in links if kind in _KIND_OF]
    return [
        StoryRecord(s.id, s.articles, s.representative, s.first_seen, s.sources, s.languages)
        for s in build_stories(articles, pairs)
    ]


def _link_one(store: Store, article: Article) -> None:
    fp = fingerprint(article)
    bands = band_keys(fp)
    query = bands + evidence_keys(fp, window_days=WINDOW_DAYS)
    evidence = len(fp.actors | fp.speakers) if fp.published is not None else 0
    ids = store.link_candidates(
        query,
        exclude=article.id,
        evidence=evidence,
        min_shared=MIN_SHARED,
        per_key=PER_KEY,
        limit=CANDIDATE_LIMIT,
    )
    links: list[tuple[str, str, float]] = []
    for other, data in store.link_data(ids):
        found = best_link(article, other, fp, Fingerprint.from_dict(data))
        if found is not None:
            links.append((other.id, found[0], found[1]))
    update = LinkUpdate(
        article_id=article.id,
        content_hash=article.content_hash,
        fingerprint=fp.to_dict(),
        keys=tuple(bands + evidence_keys(fp)),
        evidence=evidence,
        links=tuple(links),
    )
    store.put_links(update, story_records, max_component=MAX_COMPONENT)


def link_articles(store: Store, article_ids: Sequence[str]) -> int:
    """Link those of ``article_ids`` that are stored and not linked in their current version; returns
    how many were linked. Each article is one transaction."""
    linked = 0
    for article_id in store.unlinked(article_ids):
        article = store.get(article_id)
        if article is not None:
            _link_one(store, article)
            linked += 1
    return linked


def link_stored(store: Store, articles: Iterable[Article]) -> int:
    """Link what an input's articles became in the store: each under its own id, or under the id of the
    stored feed item with its guid (the runner keeps that id when an item's address changes)."""
    ids: list[str] = []
    for article in articles:
        ids.append(article.id)
        if article.guid:
            stored = store.find_by_guid(article.guid, article.source)
            if stored is not None:
                ids.append(stored.id)
    return link_articles(store, ids)
