"""The feed as text for a terminal: items grouped by day under date headers, newest first."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from datetime import UTC, date, datetime
from itertools import groupby

import click

from newswatch.model import Article

__all__ = ["lead", "render_feed"]

_WIDTH = 100
_INDENT = " " * 15


def lead(text: str, limit: int = 220) -> str:
    """The opening of an article, cut at a word boundary."""
    first = " ".join(text.split("\n\n", 1)[0].split())
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + " …"


def _day(article: Article) -> date | None:
    if not article.published:
        return None
    try:
        return date.fromisoformat(article.published[:10])
    except ValueError:
        return None


def _moment(article: Article) -> datetime:
    """When it was published, on one clock (UTC; a stated time without zone is taken as UTC)."""
    try:
        moment = datetime.fromisoformat(article.published or "")
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _clock(published: str | None) -> str:
    """The stated time with its offset ("19:55+04:00"), so that items ordered on one clock read right."""
    if not published or len(published) <= 10:
        return ""
    moment = datetime.fromisoformat(published)
    offset = moment.strftime("%z")
    return moment.strftime("%H:%M") + (f"{offset[:3]}:{offset[3:]}" if offset else "")


def _item(article: Article, color: bool) -> list[str]:
    time = _clock(article.published)
    title = article.title or lead(article.text, 90)
    lines = [f"  {time:11}  " + click.style(title, bold=True) if color else f"  {time:11}  {title}"]
    facts = [article.source or "local capture", article.language or "?"]
    if article.translations:
        facts.append("available in " + ", ".join(t.language for t in article.translations))
    lines.append(_INDENT + " · ".join(facts))
    lines += textwrap.wrap(lead(article.text), _WIDTH, initial_indent=_INDENT, subsequent_indent=_INDENT)
    if article.related:
        lines.append(_INDENT + "Read more: " + "; ".join(link.title for link in article.related[:3]))
    return lines


def render_feed(articles: Iterable[Article], *, days: int = 30, color: bool = False) -> str:
    """Render ``articles`` grouped by publication day, the newest day first; undated items come last."""
    ordered = sorted(articles, key=lambda a: (_day(a) or date.min, _moment(a)), reverse=True)
    out: list[str] = []
    for shown, (day, group) in enumerate(groupby(ordered, key=_day)):
        if shown >= days:
            break
        header = day.strftime("%A, %d %B %Y") if day else "Undated"
        out.append(click.style(header, underline=True) if color else f"{header}\n{'-' * len(header)}")
        for article in group:
            out += _item(article, color)
            out.append("")
    return "\n".join(out).rstrip() + "\n"
