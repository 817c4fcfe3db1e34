"""From raw input to article records: the ordered pipeline.

:func:`process` is pure — bytes and their provenance in, article records out. It sniffs what the input is
(a feed, an HTML page or a plain-text capture), runs the matching parser, then the stages every article
goes through: the language, the clean URL and the stable id. Reading files and fetching URLs happen before
(:mod:`newswatch.ingest.inputs`), storing after (:mod:`newswatch.store`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Literal, Protocol

from newswatch.errors import EmptyInputError, InputTooLargeError, MalformedInputError
from newswatch.extract.capture import parse_capture
from newswatch.extract.dates import parse_date
from newswatch.extract.encoding import decode, utf16_without_bom
from newswatch.extract.html import extract_html, html_fragment_text
from newswatch.extract.language import detect_language
from newswatch.ingest.feeds import is_json_feed, parse_feed
from newswatch.ingest.inputs import check_content
from newswatch.ingest.urls import clean_url, host_of
from newswatch.model import Article, Link, Precision, RawInput, Translation, article_id
from newswatch.settings import default_value
from newswatch.understand import understand

__all__ = ["DEFAULT_MAX_BYTES", "Kind", "Stage", "finish", "process", "sniff"]

Kind = Literal["feed", "html", "text"]
#: A stage takes a record and returns a new one; it never does I/O.
Stage = Callable[[Article], Article]

DEFAULT_MAX_BYTES: int = default_value("input.max_bytes")
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)[\s>]", re.IGNORECASE)
_HTML_MARK = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|article|main|section|div|p|h[1-6]|table|span|a|script|style|title"
    rb"|meta|link|ul|ol|li|br|nav|header|footer|iframe|img|b|i|em|strong)[\s>/]",
    re.IGNORECASE,
)
_TAG_START = re.compile(rb"<(?:\?xml|!doctype|!--|[a-z][\w:.-]*[\s>/])", re.IGNORECASE)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml")


def _is_json(data: bytes) -> bool:
    try:
        json.loads(decode(data))
    except (ValueError, RecursionError):
        return False
    return True


def sniff(data: bytes, content_type: str | None = None) -> Kind:
    """What the bytes are: the markup decides, the declared type only breaks ties.

    JSON that is not a JSON Feed, and markup that is neither a feed nor a web page (SVG, other XML), are
    refused with :class:`MalformedInputError` rather than stored as text with their markup.
    """
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head):
        head = decode(head).encode("utf-8", "replace")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        if is_json_feed(head):
            return "feed"
        if _is_json(data):
            raise MalformedInputError("JSON, but not a JSON Feed")
        return "text"
    root = _FEED_ROOT.search(head)
    html = _HTML_MARK.search(head)
    if root and (not html or root.start() < html.start()):
        return "feed"
    starts_with_markup = bool(_TAG_START.match(head))
    if html and (starts_with_markup or len(_HTML_MARK.findall(head)) >= 3):
        return "html"
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype in _FEED_TYPES:
        return "feed"
    if ctype in ("text/html", "application/xhtml+xml"):
        return "html"
    if starts_with_markup:
        raise MalformedInputError("markup, but neither a feed nor a web page")
    return "text"


def _language(article: Article, hint: str | None) -> Article:
    """The language, and the language versions without the article's own language (a page that lists
    itself among its versions)."""
    sample = f"{article.title or ''}\n{article.text}"
    language = detect_language(sample, declared=hint)
    versions = tuple(t for t in article.translations if t.language != language)
    return replace(article, language=language, translations=versions)


def finish(article: Article, *, hint: str | None = None, feed_url: str | None = None) -> Article:
    """The stages every article passes: language, understanding (actors, quotes, events), then the stable
    id from its identity."""
    article = understand(_language(article, hint))
    return replace(
        article,
        id=article_id(
            url=article.url, guid=article.guid, feed_url=feed_url, text=article.text, title=article.title
        ),
    )


class _Document(Protocol):
    """What a capture and an HTML page both give: the fields of the record read from one document."""

    @property
    def text(self) -> str: ...
    @property
    def title(self) -> str | None: ...
    @property
    def author(self) -> str | None: ...
    @property
    def published(self) -> str | None: ...
    @property
    def published_precision(self) -> Precision | None: ...
    @property
    def translations(self) -> tuple[Translation, ...]: ...
    @property
    def related(self) -> tuple[Link, ...]: ...


def _article(doc: _Document, address: str | None) -> Article:
    url = clean_url(address) if address else None
    return Article(
        id="",
        text=doc.text,
        url=url,
        source=host_of(url),
        title=doc.title,
        author=doc.author,
        published=doc.published,
        published_precision=doc.published_precision,
        translations=doc.translations,
        related=doc.related,
    )


def _from_text(raw: RawInput, language: str | None) -> list[Article]:
    capture = parse_capture(decode(raw.data, raw.content_type), reference=raw.reference_date)
    if not capture.text.strip():
        raise EmptyInputError("no article text left once page chrome is removed")
    return [finish(_article(capture, raw.url), hint=language)]


def _from_html(raw: RawInput, language: str | None) -> list[Article]:
    page = extract_html(decode(raw.data, raw.content_type), url=raw.url, reference=raw.reference_date)
    if not page.text.strip():
        raise MalformedInputError("no article text found in the page")
    return [finish(_article(page, page.canonical_url or raw.url), hint=page.language_hint or language)]


def _from_feed(raw: RawInput, language: str | None) -> list[Article]:
    feed = parse_feed(raw.data, base_url=raw.url)
    articles = []
    for item in feed.items:
        url = clean_url(item.url) if item.url else None
        date = parse_date(item.published, reference=raw.reference_date) if item.published else None
        article = Article(
            id="",
            text=html_fragment_text(item.content),
            url=url,
            source=host_of(url) or host_of(feed.url) or host_of(raw.url),
            title=item.title,
            author=item.author,
            published=date.value if date else None,
            published_precision=date.precision if date else None,
            guid=item.guid,
        )
        articles.append(finish(article, hint=item.language or language, feed_url=feed.url or raw.url))
    return articles


_PARSERS: dict[Kind, Callable[[RawInput, str | None], list[Article]]] = {
    "feed": _from_feed,
    "html": _from_html,
    "text": _from_text,
}


def process(
    raw: RawInput, *, max_bytes: int = DEFAULT_MAX_BYTES, language: str | None = None
) -> list[Article]:
    """Turn one input into its article records (a feed gives one per item). Raises :class:`InputError`.

    ``language`` is the source's language hint (``sources add --language``): it stands where the input
    declares none (a feed item's or feed's language, a page's ``lang``), and, as a declared language
    does, decides for texts too short or too uncertain to identify."""
    if len(raw.data) > max_bytes:
        raise InputTooLargeError(
            f"input is {len(raw.data):,} bytes, above the limit of {max_bytes:,} (setting input.max_bytes)"
        )
    check_content(raw)
    return _PARSERS[sniff(raw.data, raw.content_type)](raw, language)
