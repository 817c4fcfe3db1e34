"""OPML 2.0, the list of feeds every feed reader imports and exports.

:func:`parse_opml` reads the ``<outline>`` elements that have an ``xmlUrl`` (at any depth, so categories
are flattened): the feed, its name (``title``, else ``text``), its site (``htmlUrl``) and its ``language``.
An OPML file is untrusted XML: a document with a DTD (``<!DOCTYPE``, and so any entity declaration — external
entities, expansion bombs) is refused before any parser sees it, and the parser resolves nothing and fetches
nothing. :func:`render_opml` writes sources back as OPML 2.0; every value goes through the XML serializer, so
it is escaped. :func:`import_sources` adds the outlines of a file to a store, counting what it skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from lxml import etree

from newswatch.errors import HostileInputError, MalformedInputError
from newswatch.extract.encoding import decode, utf16_without_bom
from newswatch.ingest.urls import clean_url, http_url
from newswatch.store.base import Store
from newswatch.store.live import Source

__all__ = ["ImportReport", "OpmlSource", "import_sources", "parse_opml", "render_opml"]

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_LANGUAGE = re.compile(r"[a-z]{2}")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class OpmlSource:
    """One feed of an OPML file."""

    url: str
    name: str | None = None
    site: str | None = None
    language: str | None = None


@dataclass(slots=True)
class ImportReport:
    """What :func:`import_sources` did: the sources added, and how many outlines were already sources."""

    added: list[Source] = field(default_factory=list)
    duplicates: int = 0


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def _attribute(element: etree._Element, name: str) -> str | None:
    """An attribute by name, whatever its case (``xmlUrl``, ``xmlurl``), spaces collapsed; None if empty."""
    wanted = name.lower()
    for key, value in element.attrib.items():
        if str(key).lower() == wanted:
            text = " ".join(str(value).split())
            return text or None
    return None


def _language(value: str | None) -> str | None:
    code = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return code if _LANGUAGE.fullmatch(code) else None


def parse_opml(data: bytes) -> list[OpmlSource]:
    """The feeds of an OPML file, in document order. Raises :class:`~newswatch.errors.HostileInputError`
    for a DTD or entity declaration and :class:`~newswatch.errors.MalformedInputError` for anything else
    that is not OPML."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(data[:8192]):
        data = decode(data).encode("utf-8")
        data = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data, count=1)
    if _DOCTYPE.search(data):
        raise HostileInputError("the OPML file has a DTD or entity declarations; refused")
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "malformed XML"
        raise MalformedInputError(f"not a readable OPML file ({reason})") from None
    if not isinstance(root.tag, str) or etree.QName(root).localname.lower() != "opml":
        raise MalformedInputError("not an OPML file (its root element is not <opml>)")
    found: list[OpmlSource] = []
    for outline in root.iter():
        if not isinstance(outline.tag, str) or etree.QName(outline).localname.lower() != "outline":
            continue
        href = http_url(_attribute(outline, "xmlUrl"))
        url = clean_url(href) if href else None
        if url is None:
            continue
        site = http_url(_attribute(outline, "htmlUrl"))
        found.append(
            OpmlSource(
                url=url,
                name=_attribute(outline, "title") or _attribute(outline, "text"),
                site=clean_url(site) if site else None,
                language=_language(_attribute(outline, "language")),
            )
        )
    return found


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def render_opml(sources: Iterable[Source], *, title: str = "newswatch sources", now: datetime) -> bytes:
    """Sources as an OPML 2.0 document (UTF-8): one ``<outline type="rss">`` per source."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(now, usegmt=True)
    body = etree.SubElement(root, "body")
    for source in sources:
        name = _xml_text(source.name or source.url)
        outline = etree.SubElement(body, "outline", type="rss", text=name, title=name)
        outline.set("xmlUrl", _xml_text(source.url))
        if source.site:
            outline.set("htmlUrl", _xml_text(source.site))
        if source.language:
            outline.set("language", source.language)
    data: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return data


def import_sources(store: Store, data: bytes, *, interval: int | None = None) -> ImportReport:
    """Add every feed of an OPML file to ``store``; feeds already there (or twice in the file) are counted
    as duplicates. The file is read whole before anything is added, so a malformed one adds nothing."""
    entries = parse_opml(data)
    known = {source.url for source in store.list_sources()}
    report = ImportReport()
    for entry in entries:
        if entry.url in known:
            report.duplicates += 1
            continue
        known.add(entry.url)
        report.added.append(
            store.add_source(
                entry.url, name=entry.name, language=entry.language, interval=interval, site=entry.site
            )
        )
    return report
