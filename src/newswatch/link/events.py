"""Events counted once per story: the same event reported by twelve sources is one event with twelve
mentions (GDELT counts each report).

Two reported events are one when their type, source, target and negation are the same and their dates
are at most :data:`EVENT_DAYS` apart. Within a run of dated reports of one event, each report joins the
current group while it is within the window of the group's first date; an undated report joins the
largest group of its key (the earliest on a tie), or forms its own when the key has no dated report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from newswatch.model import Article, Event

__all__ = ["EVENT_DAYS", "Report", "story_events"]

EVENT_DAYS = 1

#: One report of an event: the article id and the index of the event in that article's ``events``.
Report = tuple[str, int]


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _best(reports: list[tuple[Event, str, int]]) -> Event:
    """The event that stands for a group: the most confident report, then the earliest date, then the
    smallest article id and index (a rule independent of arrival order)."""
    return min(reports, key=lambda r: (-r[0].confidence, r[0].date or "9999", r[1], r[2]))[0]


def story_events(articles: Sequence[Article]) -> list[tuple[Event, list[Report]]]:
    """The distinct events of a story's articles, each with every report of it (article id, index),
    sorted by date (undated last), type, source and target. Order of ``articles`` does not matter."""
    by_key: dict[tuple[str, str, str | None, bool], list[tuple[Event, str, int]]] = defaultdict(list)
    for article in articles:
        for index, event in enumerate(article.events):
            by_key[(event.type, event.source, event.target, event.negated)].append((event, article.id, index))
    groups: list[list[tuple[Event, str, int]]] = []
    for reports in by_key.values():
        dated = sorted((r for r in reports if _day(r[0].date)), key=lambda r: (_day(r[0].date), r[1], r[2]))
        undated = sorted((r for r in reports if not _day(r[0].date)), key=lambda r: (r[1], r[2]))
        runs: list[list[tuple[Event, str, int]]] = []
        start: date | None = None
        for report in dated:
            day = _day(report[0].date)
            assert day is not None
            if start is None or (day - start).days > EVENT_DAYS:
                runs.append([])
                start = day
            runs[-1].append(report)
        if runs and undated:
            max(runs, key=len).extend(undated)  # max keeps the first (earliest) of equally large runs
        elif undated:
            runs.append(undated)
        groups.extend(runs)
    result = []
    for group in groups:
        mentions = sorted({(article_id, index) for _, article_id, index in group})
        result.append((_best(group), mentions))
    result.sort(
        key=lambda item: (item[0].date or "9999", item[0].type, item[0].source, item[0].target or "", item[1])
    )
    return result
