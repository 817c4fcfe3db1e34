"""Markup built from untrusted news text: links that can only be http(s), search snippets and the
highlighted article text — always made of escaped pieces."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from newswatch.store.base import MARK_END, MARK_START

__all__ = ["Span", "highlight", "safe_url", "snippet_html"]


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) address, else None: nothing else becomes a link."""
    if not url or any(c in url for c in "\x00\r\n\t") or len(url) > 4000:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def snippet_html(snippet: str) -> Markup:
    """A search snippet as HTML: escaped, then the store's match markers turned into ``<mark>``."""
    escaped = str(escape(snippet))
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


@dataclass(frozen=True, slots=True)
class Span:
    """A highlighted part of an article's text: ``kind`` is ``actor``, ``quote`` or ``event``."""

    start: int
    end: int
    kind: str
    note: str


def _paragraphs(text: str) -> Iterable[tuple[int, int]]:
    start = 0
    while start < len(text):
        cut = text.find("\n\n", start)
        end = len(text) if cut < 0 else cut
        if text[start:end].strip():
            yield start, end
        start = end + 2 if cut >= 0 else len(text)


def highlight(text: str, spans: Sequence[Span]) -> Markup:
    """The text as paragraphs with every span marked: each piece of text between two span edges is
    escaped and, when spans cover it, wrapped in ``<span class="hl KINDS" title="NOTES">``. Spans
    with offsets outside the text are ignored."""
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    out: list[str] = []
    for p_start, p_end in _paragraphs(text):
        inside = [s for s in valid if s.start < p_end and s.end > p_start]
        edges = sorted(
            {p_start, p_end, *(max(p_start, min(p_end, e)) for s in inside for e in (s.start, s.end))}
        )
        pieces: list[str] = []
        for a, b in pairwise(edges):
            piece = str(escape(text[a:b]))
            covering = [s for s in inside if s.start <= a and s.end >= b]
            if covering:
                kinds = " ".join(sorted({s.kind for s in covering}))
                notes = " · ".join(dict.fromkeys(s.note for s in covering))
                pieces.append(f'<span class="hl {kinds}" title="{escape(notes)}">{piece}</span>')
            else:
                pieces.append(piece)
        out.append("<p>" + "".join(pieces) + "</p>")
    return Markup("\n".join(out))
