"""Events per day as an SVG bar chart, drawn on the server (no script, no chart library).

:func:`event_chart` is a pure function from the store's :class:`~newswatch.store.queries.DayCount` rows
and a period to an SVG document fragment: one bar group (``<g class="day">``) per day of the period that
has events, stacked by family — cooperation below, conflict above — with a ``<title>`` giving the numbers
(shown on hover and read by screen readers). Colours come from the stylesheet (``.cooperation`` and
``.conflict``), so the SVG carries no style of its own and passes the page's Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

from newswatch.store.queries import DayCount

__all__ = ["FAMILIES", "ChartLabels", "day_totals", "event_chart"]

FAMILIES = ("cooperation", "conflict")
#: The longest period drawn, in days; a longer one is cut to its last days.
MAX_DAYS = 3660

_WIDTH, _HEIGHT = 720, 200
_LEFT, _RIGHT, _TOP, _BOTTOM = 36, 8, 10, 24
_X_LABELS = 6


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """The words of the chart, in the interface language."""

    title: str = "Events per day"
    families: Mapping[str, str] | None = None  # "cooperation" → its name
    empty: str = "No events in this period."


def _family_of(event_type: str) -> str | None:
    from newswatch.understand.event_lexicon import event_types

    info = event_types().get(event_type)
    return info.family if info else None


def day_totals(counts: Iterable[DayCount], since: date, until: date) -> dict[date, dict[str, int]]:
    """Events per day of ``since``..``until`` (inclusive) and family; days without events left out,
    types that are not PLOVER types ignored."""
    totals: dict[date, dict[str, int]] = {}
    for row in counts:
        try:
            day = date.fromisoformat(row.day[:10])
        except ValueError:
            continue
        family = _family_of(row.type)
        if family is None or row.count <= 0 or not since <= day <= until:
            continue
        per_day = totals.setdefault(day, dict.fromkeys(FAMILIES, 0))
        per_day[family] += row.count
    return dict(sorted(totals.items()))


def _text(kind: str, x: float, y: float, anchor: str, words: str) -> str:
    return f'<text class="{kind}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(words)}</text>'


def _nice_max(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if value <= step:
            return step
    return value


def event_chart(
    counts: Iterable[DayCount],
    since: date,
    until: date,
    *,
    labels: ChartLabels = ChartLabels(),
    day_label: Callable[[date], str] = date.isoformat,
    number: Callable[[int], str] = str,
) -> str:
    """The SVG chart of ``counts`` over ``since``..``until`` (inclusive; swapped when reversed).

    ``day_label`` writes a day on the axis and in the titles, ``number`` a count, in the reader's
    language."""
    if until < since:
        since, until = until, since
    if (until - since).days >= MAX_DAYS:
        since = until - timedelta(days=MAX_DAYS - 1)
    days = (until - since).days + 1
    totals = day_totals(counts, since, until)
    names = {family: (labels.families or {}).get(family, family) for family in FAMILIES}
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    most = max((sum(v.values()) for v in totals.values()), default=0)
    top = _nice_max(most) if most else 0
    slot = plot_w / days
    bar = max(slot * 0.8, 1.0)
    base = _TOP + plot_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
        f'role="img" aria-label={quoteattr(labels.title)}>',
        f"<title>{escape(labels.title)}</title>",
        f'<line class="axis" x1="{_LEFT}" y1="{base}" x2="{_WIDTH - _RIGHT}" y2="{base}"/>',
    ]
    if top:
        for value, y_tick in ((top, _TOP + 8), (0, base)):
            parts.append(_text("tick", _LEFT - 4, y_tick, "end", number(value)))
    else:
        parts.append(_text("empty", _LEFT + plot_w / 2, _TOP + plot_h / 2, "middle", labels.empty))
    for day, per_family in totals.items():
        x = _LEFT + (day - since).days * slot + (slot - bar) / 2
        described = ", ".join(f"{number(per_family[f])} {names[f]}" for f in FAMILIES if per_family[f])
        group = [
            f'<g class="day" data-day="{day.isoformat()}">',
            f"<title>{escape(day_label(day))}: {escape(described)}</title>",
        ]
        y = float(base)
        for family in FAMILIES:
            if not per_family[family]:
                continue
            height = per_family[family] / top * plot_h
            y -= height
            group.append(
                f'<rect class="{family}" data-count="{per_family[family]}" x="{x:.2f}" y="{y:.2f}" '
                f'width="{bar:.2f}" height="{height:.2f}"/>'
            )
        group.append("</g>")
        parts.append("".join(group))
    step = max(1, -(-days // _X_LABELS))
    for index in range(0, days, step):
        day = since + timedelta(days=index)
        x = _LEFT + index * slot + slot / 2
        parts.append(_text("tick", x, _HEIGHT - 6, "middle", day_label(day)))
    parts.append("</svg>")
    return "\n".join(parts)
