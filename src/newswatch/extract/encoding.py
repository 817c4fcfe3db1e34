"""Bytes to text: the encoding a page was written in, declared or not.

Order of evidence: a byte-order mark; the charset of the HTTP ``Content-Type``; a declaration inside the
document (``<meta charset>``, ``<meta http-equiv>``, ``<?xml encoding?>``); strict UTF-8; then statistical
detection (charset-normalizer), which tells windows-1251 from KOI8-R on undeclared Russian pages. A declared
encoding that cannot decode the bytes is not trusted: detection takes over.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

__all__ = ["declared_encoding", "decode"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.IGNORECASE)
_PROBE = 4096  # declarations live near the top of a document


def _known(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_encoding(data: bytes, content_type: str | None = None) -> str | None:
    """The encoding the transport or the document itself names, if Python knows it."""
    if content_type:
        header = _HEADER_CHARSET.search(content_type)
        if header and _known(header.group(1)):
            return _known(header.group(1))
    head = data[:_PROBE]
    for pattern in (_XML_DECL, _META_CHARSET):
        match = pattern.search(head)
        if match:
            found = _known(match.group(1).decode("ascii", "ignore"))
            if found:
                return found
    return None


def decode(data: bytes, content_type: str | None = None) -> str:
    """Decode bytes as their author meant them. Never raises on odd bytes: the last resort replaces them."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace").lstrip("\ufeff")
    declared = declared_encoding(data, content_type)
    if declared and declared not in ("utf-16", "utf-32"):
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[: 256 * 1024]).best()
    encoding = best.encoding if best is not None else "windows-1252"
    return data.decode(encoding, errors="replace")
