"""Stories: articles joined by their links (language versions, near-duplicates, same-event coverage).

:func:`build_stories` is union-find over the links that reach their kind's threshold. The result depends
only on the set of articles and links, never on the order they arrived in:

- a story's **id** is ``"s-"`` + the id of its *anchor*, the earliest-published article (ties and
  undated articles: the smallest article id; an undated article sorts after every dated one). Later
  coverage does not change the id; only an earlier report joining the story does;
- its **representative** is the article with the most links inside the story (the one the others were
  matched to), ties broken by the earliest publication, then the longest text, then the smallest id;
- ``first_seen`` is the earliest ``published`` value of its articles, exactly as the record states it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from newswatch.link.evidence import published_at
from newswatch.link.scores import COVERAGE_THRESHOLD, DUPLICATE_THRESHOLD, TRANSLATION_THRESHOLD
from newswatch.model import Article

__all__ = ["DEFAULT_THRESHOLDS", "LinkKind", "Pair", "Story", "build_stories", "story_id"]

#: ``explicit``: a page names the other among its language versions (hreflang, "available in").
LinkKind = Literal["explicit", "translation", "duplicate", "coverage"]

DEFAULT_THRESHOLDS: Mapping[LinkKind, float] = {
    "explicit": 0.0,
    "translation": TRANSLATION_THRESHOLD,
    "duplicate": DUPLICATE_THRESHOLD,
    "coverage": COVERAGE_THRESHOLD,
}
_LATEST = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Pair:
    """A scored link between two articles (ids); the order of ``a`` and ``b`` does not matter."""

    a: str
    b: str
    kind: LinkKind
    score: float


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    articles: tuple[str, ...]  # article ids, sorted
    representative: str
    first_seen: str | None
    sources: tuple[str, ...]  # distinct sources (hosts), sorted; articles without one are not counted
    languages: tuple[str, ...]  # sorted
    links: tuple[Pair, ...]  # the accepted links inside the story, in a canonical order


class _UnionFind:
    def __init__(self, items: Iterable[str]) -> None:
        self.parent = {item: item for item in items}

    def find(self, item: str) -> str:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # The smaller id becomes the root: the same partition whatever the order of unions.
            low, high = sorted((ra, rb))
            self.parent[high] = low


def _when(article: Article) -> datetime:
    return published_at(article.published) or _LATEST


def _anchor_key(article: Article) -> tuple[datetime, str]:
    return (_when(article), article.id)


def story_id(articles: Iterable[Article]) -> str:
    """The id of the story made of ``articles``: ``"s-"`` + the id of the earliest-published one."""
    return "s-" + min(articles, key=_anchor_key).id


def _canonical(pair: Pair) -> Pair:
    a, b = sorted((pair.a, pair.b))
    return Pair(a, b, pair.kind, pair.score)


def build_stories(
    articles: Sequence[Article],
    pairs: Iterable[Pair],
    thresholds: Mapping[LinkKind, float] = DEFAULT_THRESHOLDS,
) -> list[Story]:
    """Group articles into stories by the links that reach their threshold; every article is in exactly
    one story (alone when nothing links it). Links naming an article not given are ignored. Stories come
    sorted by id; the same articles and links give the same stories in any order."""
    by_id: dict[str, Article] = {}
    for article in articles:
        by_id.setdefault(article.id, article)
    groups = _UnionFind(by_id)
    accepted: dict[tuple[str, str, str], Pair] = {}
    for pair in pairs:
        if pair.a not in by_id or pair.b not in by_id or pair.a == pair.b:
            continue
        if pair.score < thresholds.get(pair.kind, 1.0):
            continue
        canonical = _canonical(pair)
        key = (canonical.a, canonical.b, canonical.kind)
        if key not in accepted or accepted[key].score < canonical.score:
            accepted[key] = canonical
        groups.union(pair.a, pair.b)
    members: dict[str, list[Article]] = defaultdict(list)
    for article_id, article in by_id.items():
        members[groups.find(article_id)].append(article)
    links: dict[str, list[Pair]] = defaultdict(list)
    for pair in accepted.values():
        links[groups.find(pair.a)].append(pair)
    stories = [_story(group, links[root]) for root, group in members.items()]
    return sorted(stories, key=lambda s: s.id)


def _story(group: list[Article], links: list[Pair]) -> Story:
    degree: dict[str, int] = defaultdict(int)
    for pair in links:
        degree[pair.a] += 1
        degree[pair.b] += 1
    representative = min(group, key=lambda a: (-degree[a.id], _when(a), -len(a.text), a.id))
    anchor = min(group, key=_anchor_key)
    return Story(
        id=story_id(group),
        articles=tuple(sorted(a.id for a in group)),
        representative=representative.id,
        first_seen=anchor.published,
        sources=tuple(sorted({a.source for a in group if a.source})),
        languages=tuple(sorted({a.language for a in group if a.language})),
        links=tuple(sorted(links, key=lambda p: (p.a, p.b, p.kind))),
    )
