"""HTML article pages: main text, metadata, language versions and related links.

The main text comes from trafilatura (measured best on the ScrapingHub benchmark here, see
``benchmarks/RESULTS.md``) in precision mode without comments, then passes our own chrome filter, which
knows the navigation, share and credit lines of English, Armenian and Russian sites. Metadata is read from
the markup first — JSON-LD, ``article:published_time`` and other meta, ``<time>`` — because it carries the
time and zone the publisher stated; htmldate's markup-only mode and then a visible dateline come after.

Nothing here does I/O: :func:`extract_html` takes the decoded page and returns an :class:`HtmlDocument`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import lxml.html
import trafilatura
from lxml import etree

from newswatch.extract.chrome import (
    available_in,
    byline,
    is_chrome,
    language_code,
    read_more_heading,
    read_more_inline,
)
from newswatch.extract.dates import ParsedDate, find_dateline, parse_date
from newswatch.ingest.urls import clean_url, http_url
from newswatch.model import Link, Precision, Translation

__all__ = ["HtmlDocument", "extract_html", "html_fragment_text"]

log = logging.getLogger(__name__)

_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "date",
    "sailthru.date",
    "parsely-pub-date",
)
_AUTHOR_META = ("author", "article:author", "parsely-author", "dc.creator", "sailthru.author")
_RELATED_CLASS = re.compile(r"related|read-?more|see-?also|more-on|also-read", re.IGNORECASE)
_BLOCKS = {
    "p", "div", "section", "article", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "tr", "br", "ul", "ol", "dd", "dt", "figcaption", "header", "footer",
}  # fmt: skip
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "form", "button")


@dataclass(frozen=True, slots=True)
class HtmlDocument:
    text: str
    title: str | None
    author: str | None
    published: str | None
    published_precision: Precision | None
    language_hint: str | None
    canonical_url: str | None
    site_name: str | None
    translations: tuple[Translation, ...]
    related: tuple[Link, ...]


def _parse(html: str) -> Any:
    try:
        # lxml refuses str input that carries an encoding declaration; the text is decoded already.
        cleaned = re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1)
        return lxml.html.document_fromstring(cleaned or "<html></html>")
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring("<html></html>")


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _absolute(base: str | None, href: str | None) -> str | None:
    """An http(s) link of the page; None for other schemes and for malformed addresses (``http://[::1/x``)."""
    return http_url(href, base)


# --- metadata -------------------------------------------------------------------------------------------


def _json_ld(tree: Any) -> Iterator[dict[str, Any]]:
    for node in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(node.text_content() or "null")
        except (ValueError, RecursionError):  # broken, or nested deeper than Python recurses: skipped
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                if "@graph" in item and isinstance(item["@graph"], list):
                    stack.extend(item["@graph"])
                yield item
            elif isinstance(item, list):
                stack.extend(item)


def _ld_name(value: Any, depth: int = 0) -> str | None:
    """A name, or the names of a list of people; nesting deeper than real JSON-LD has is ignored."""
    if isinstance(value, str):
        return _norm(value) or None
    if depth > 4:
        return None
    if isinstance(value, dict):
        return _ld_name(value.get("name"), depth + 1)
    if isinstance(value, list):
        names = [n for n in (_ld_name(v, depth + 1) for v in value) if n]
        return ", ".join(names) or None
    return None


def _metas(tree: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = meta.get("content")
        if key and content and key not in found:
            found[key] = content.strip()
    return found


def _published(
    tree: Any, metas: dict[str, str], ld: list[dict[str, Any]], reference: datetime | None
) -> ParsedDate | None:
    candidates: list[str] = []
    candidates += [item["datePublished"] for item in ld if isinstance(item.get("datePublished"), str)]
    candidates += [metas[k] for k in _DATE_META if k in metas]
    candidates += [t.get("datetime") for t in tree.xpath("//time[@datetime][@itemprop='datePublished']")]
    candidates += [t.get("datetime") for t in tree.xpath("//article//time[@datetime] | //time[@pubdate]")]
    for value in candidates:
        parsed = parse_date(value, reference=reference)
        if parsed:
            return parsed
    return None


_DATE_CLASS = re.compile(r"date|time|publish|posted|dateline", re.IGNORECASE)


def _visible_date(tree: Any, reference: datetime | None) -> ParsedDate | None:
    """A date shown on the page in an element marked as one (``class="article__date"``): inside the
    article first when the page marks one up, so that the dates of other stories in side lists lose."""
    scopes = [*tree.xpath("//article | //main | //*[@itemprop='articleBody']"), tree]
    for scope in scopes:
        for element in scope.xpath(".//*[@class or @id or @itemprop]"):
            marker = " ".join(element.get(a, "") for a in ("class", "id", "itemprop"))
            if not _DATE_CLASS.search(marker) or _RELATED_CLASS.search(marker):
                continue
            text = _norm(element.get("datetime") or element.text_content())
            if 6 <= len(text) <= 80:
                parsed = parse_date(text, reference=reference)
                if parsed:
                    return parsed
    return None


def _htmldate(tree: Any, url: str | None) -> ParsedDate | None:
    """htmldate's thorough search, the last resort; a bare 1 January is refused.

    Its text search turns a lone year ("2026", "© 2019") into 1 January of that year, which on a news page
    is almost never the day of publication: better no date than a wrong one.
    """
    from htmldate import find_date

    try:
        found = find_date(tree, url=url, extensive_search=True, original_date=True)
    except Exception:  # htmldate is a fallback: a failure there must not lose the article
        log.debug("htmldate failed", exc_info=True)
        return None
    if not found or found.endswith("-01-01"):
        return None
    return ParsedDate(value=found, precision="date")


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=/|$|[-_.?#])")


def _url_date(url: str | None) -> ParsedDate | None:
    """The day in an address like ``/2026/03/04/…``: publishers write it once and never change it."""
    match = _URL_DATE.search(url or "")
    if not match:
        return None
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return ParsedDate(value=day.isoformat(), precision="date")


def _choose_date(stated: ParsedDate | None, in_url: ParsedDate | None) -> ParsedDate | None:
    """The page's own date, unless the address names another day: then the address wins."""
    if in_url and (stated is None or stated.value[:10] != in_url.value):
        return in_url
    return stated


# --- language versions and related links ----------------------------------------------------------------


def _hreflang(tree: Any, base: str | None, own_language: str | None) -> list[Translation]:
    out: list[Translation] = []
    for link in tree.xpath("//link[@rel][@hreflang][@href]"):
        if "alternate" not in link.get("rel", "").lower().split():
            continue
        tag = link.get("hreflang", "").strip().lower()
        code = tag.split("-")[0]
        url = _absolute(base, link.get("href"))
        if tag == "x-default" or not code.isalpha() or not url:
            continue
        out.append(Translation(language=code, url=url, title=_norm(link.get("title")) or None))
    return [t for t in out if t.language != own_language]


def _not_own(translations: list[Translation], own: set[str | None]) -> list[Translation]:
    return [t for t in translations if not (t.url and clean_url(t.url) in own)]


def _anchor_language(anchor: Any) -> str | None:
    tag = (anchor.get("hreflang") or anchor.get("lang") or "").split("-")[0].lower()
    return tag or language_code(_norm(anchor.text_content()))


def _available_links(tree: Any, base: str | None) -> list[Translation]:
    """ "Available in / Доступен на / Հասանելի է" blocks whose links name languages.

    Starts from the links whose text is a language name (few on a page) and looks up to three levels
    around each for the "available in" words, instead of reading the text of every element.
    """
    for anchor in tree.iter("a"):
        if not anchor.get("href") or not _anchor_language(anchor):
            continue
        block = anchor.getparent()
        for _level in range(3):
            if block is None:
                break
            text = _norm(block.text_content())
            if len(text) > 200:
                break
            if available_in(text):
                out = []
                for link in block.iter("a"):
                    code, url = _anchor_language(link), _absolute(base, link.get("href"))
                    if code and url:
                        out.append(
                            Translation(language=code, url=url, title=_norm(link.get("title")) or None)
                        )
                return out
            block = block.getparent()
    return []


def _links_in(container: Any, base: str | None) -> list[Link]:
    links = []
    for anchor in container.xpath(".//a[@href]"):
        title = _norm(anchor.text_content())
        url = _absolute(base, anchor.get("href"))
        if title and url and len(title) > 3:
            links.append(Link(title=title, url=url))
    return links


def _read_more_links(heading: Any, base: str | None) -> list[Link]:
    links = _links_in(heading, base)
    sibling = heading.getnext()
    while not links and sibling is not None and sibling.tag in ("ul", "ol", "div", "p", "nav"):
        links = _links_in(sibling, base)
        sibling = sibling.getnext()
    if not links and heading.getparent() is not None:
        links = _links_in(heading.getparent(), base)
    return links


def _related(tree: Any, base: str | None) -> list[Link]:
    """The publisher's "Read more" links: under every read-more heading (inline ones in the body too),
    or else in blocks marked as related; in page order, each address once."""
    found: list[Link] = []
    for heading in tree.iter("h2", "h3", "h4", "h5", "h6", "strong", "b", "p", "div", "span"):
        own = _norm(heading.text or "")
        if not own and len(heading) <= 2:  # a heading wrapped in one or two inline elements
            own = _norm(heading.text_content())
        if own and len(own) <= 60 and read_more_heading(own):
            found += _read_more_links(heading, base)
    if not found:
        for block in tree.xpath("//*[@class or @id]"):
            marker = f"{block.get('class', '')} {block.get('id', '')}"
            if _RELATED_CLASS.search(marker) and block.tag in ("aside", "section", "div", "ul", "nav"):
                found = _links_in(block, base)
                if found:
                    break
    seen: set[str | None] = set()
    return [link for link in found if not (link.url in seen or seen.add(link.url))]  # type: ignore[func-returns-value]


# --- text -----------------------------------------------------------------------------------------------


def _is_chrome_line(line: str) -> bool:
    if is_chrome(line) or available_in(line) or read_more_heading(line) or read_more_inline(line):
        return True
    # A table row rendered as "cell | cell | …" whose first cell is a chrome heading ("Most read | …"); a
    # data row ("| 1 | Kyle Busch | 5040 |") is content, whatever its first cell looks like on its own.
    first, bar, _rest = line.strip("| ").partition(" | ")
    if not bar or not any(char.isalpha() for char in first):
        return False
    return is_chrome(first) or read_more_heading(first)


def _clean_text(text: str, drop: set[str]) -> str:
    paragraphs = []
    for line in text.splitlines():
        line = _norm(line)
        if not line or line in drop or _is_chrome_line(line):
            continue
        paragraphs.append(line)
    return "\n\n".join(paragraphs)


def html_fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed item's content), one paragraph per block, scripts dropped."""
    if "<" not in fragment:
        return "\n\n".join(_norm(p) for p in re.split(r"\n\s*\n", fragment) if _norm(p))
    tree = _parse(f"<html><body><div>{fragment}</div></body></html>")
    for bad in tree.xpath("|".join(f"//{tag}" for tag in _DROP)):
        bad.drop_tree()
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node.tag, str) and node.tag in _BLOCKS:
            parts.append("\n")
        if node.text and isinstance(node.tag, str):
            parts.append(node.text)
        for child in node:
            walk(child)
        if isinstance(node.tag, str) and node.tag in _BLOCKS:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(tree.body)
    return _clean_text("".join(parts), set())


def _main_text(tree: Any, url: str | None) -> tuple[str, dict[str, Any]]:
    doc = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
        with_metadata=True,
    )
    if doc is None:
        return "", {}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return str(data.get("text") or ""), data


def extract_html(html: str, *, url: str | None = None, reference: datetime | None = None) -> HtmlDocument:
    """Extract the article of an HTML page. ``url`` resolves relative links; ``reference`` year-less dates."""
    tree = _parse(html)
    metas = _metas(tree)
    ld = list(_json_ld(tree))
    canonical = next(iter(tree.xpath("//link[@rel='canonical']/@href")), None)
    base = _absolute(url, canonical) or url
    base_href = next(iter(tree.xpath("//base/@href")), None)
    if base_href:
        base = _absolute(base, base_href) or base

    related = _related(tree, base)
    html_lang = next(iter(tree.xpath("/html/@lang")), None) or metas.get("og:locale") or metas.get("language")
    own_language = (html_lang or "").split("-")[0].split("_")[0].lower() or None
    # A page that lists itself among its language versions (hreflang="en" on the English page) is not its
    # own translation, whatever language it turns out to be in.
    own = {clean_url(u) for u in (_absolute(url, canonical), url) if u} - {None}
    translations = _not_own(_hreflang(tree, base, own_language), own) or _not_own(
        _available_links(tree, base), own
    )
    seen: set[str] = set()
    translations = [t for t in translations if not (t.language in seen or seen.add(t.language))]  # type: ignore[func-returns-value]

    raw_text, meta = _main_text(html, url)
    if not raw_text.strip():
        body = tree.body if tree.find("body") is not None else tree
        raw_text = html_fragment_text(lxml.html.tostring(body, encoding="unicode"))
    title = next((_norm(i["headline"]) for i in ld if isinstance(i.get("headline"), str)), None)
    title = title or meta.get("title")
    drop = {link.title for link in related}
    text = _clean_text(raw_text, drop)
    head, _sep, rest = text.partition("\n\n")
    if title and rest and head.casefold() == _norm(title).casefold():
        text = rest  # the headline repeated as the first line of the body
    author = next((_ld_name(i.get("author")) for i in ld if _ld_name(i.get("author"))), None)
    author = author or next((metas[k] for k in _AUTHOR_META if metas.get(k) and "://" not in metas[k]), None)
    author = author or meta.get("author")
    if author:
        author = byline(author) or author  # "Автор: Анна Соколова" → the name alone

    address = _absolute(url, canonical) or url
    published = _choose_date(_published(tree, metas, ld, reference), _url_date(address))
    published = published or _visible_date(tree, reference)
    if published is None:
        lines = [_norm(line) for line in raw_text.splitlines()][:6]
        found = find_dateline(lines, reference=reference)
        published = found[1] if found else _htmldate(tree, address)

    site = metas.get("og:site_name") or meta.get("sitename")
    return HtmlDocument(
        text=text,
        title=_norm(title) or None,
        author=_norm(author) or None,
        published=published.value if published else None,
        published_precision=published.precision if published else None,
        language_hint=own_language,
        canonical_url=_absolute(url, canonical),
        site_name=_norm(site) or None,
        translations=tuple(translations),
        related=tuple(related),
    )
