"""Bytes to text: the encoding a page was written in, declared or not.

Order of evidence: a byte-order mark; the charset of the HTTP ``Content-Type``; a declaration inside the
document (``<meta charset>``, ``<meta http-equiv>``, ``<?xml encoding?>``); strict UTF-8; then statistical
detection (charset-normalizer), which tells windows-1251 from KOI8-R on undeclared Russian pages. A declared
encoding that cannot decode the bytes is not trusted: detection takes over.

Only real character sets count as declared. Python's codec registry also knows ``base64``, ``hex``, ``zip``
and ``rot13`` (byte transforms, not text), ``undefined`` and ``punycode`` (which fail on any page), and
``utf-7``, ``unicode_escape`` and ``raw_unicode_escape``, which turn harmless bytes such as ``+ADw-`` or
``\\x3c`` into ``<``: a page naming any of them is read as if it named nothing.

UTF-16 without a byte-order mark is recognised from where its NUL bytes fall (:func:`utf16_without_bom`,
shared with the binary check of :mod:`newswatch.ingest.inputs`). The decoded text never holds C0 control
characters other than tab, line feed and carriage return (nor DEL): they are dropped, except vertical tab
and form feed, which become line breaks.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

__all__ = ["INVISIBLE", "declared_encoding", "decode", "split_bom", "strip_controls", "utf16_without_bom"]

# Byte-order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Characters that take no room on the page (zero-width space and joiners, direction marks, soft hyphen, BOM):
#: ``text.translate(INVISIBLE)`` removes them before text is compared with patterns.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200e\u200f\u2060\ufeff\u00ad"))
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.IGNORECASE)
_PROBE = 4096  # declarations live near the top of a document
_SNIFF = 8 * 1024  # bytes looked at to recognise UTF-16 without a byte-order mark
#: Codecs that call themselves text encodings but are no character set a document can be written in.
_NOT_CHARSETS = frozenset(
    {"utf-7", "unicode-escape", "raw-unicode-escape", "undefined", "punycode", "idna", "charmap"}
)
#: C0 controls but tab, line feed and carriage return, and DEL: dropped, or a line break for VT and FF.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _known(name: str | None) -> str | None:
    """The codec's canonical name, if ``name`` is a character set Python can decode; else None."""
    if not name:
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def _utf16_text(sample: bytes, encoding: str) -> str | None:
    try:
        return sample.decode(encoding)
    except UnicodeDecodeError:
        pass
    try:
        return sample[:-2].decode(encoding)  # the sample may end inside a surrogate pair
    except UnicodeDecodeError:
        return None


def utf16_without_bom(sample: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``sample`` reads as UTF-16 text that has no byte-order mark.

    The evidence: NUL bytes on one side of the byte pairs (at least one pair in twenty: the spaces and
    punctuation of any alphabetic script put them there) and never on the other, and a clean decode to
    printable text. A stray NUL in ordinary text is not enough. None otherwise.
    """
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 4:
        return None
    for encoding, high, low in (
        ("utf-16-le", sample[1::2], sample[0::2]),
        ("utf-16-be", sample[0::2], sample[1::2]),
    ):
        if high.count(0) < max(1, len(high) // 20) or b"\x00" in low:
            continue
        text = _utf16_text(sample, encoding)
        if not text:
            continue
        printable = sum(1 for char in text if char.isprintable() or char.isspace())
        if printable >= 0.95 * len(text):
            return encoding
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


def _control(match: re.Match[str]) -> str:
    return "\n" if match.group() in "\x0b\x0c" else ""


def split_bom(data: bytes) -> tuple[str | None, bytes]:
    """The encoding a byte-order mark names and the bytes after it; ``(None, data)`` without a mark."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, data[len(bom) :]
    return None, data


def _decode(data: bytes, content_type: str | None) -> str:
    marked, body = split_bom(data)
    if marked is not None:
        return body.decode(marked, errors="replace").lstrip("\ufeff")
    if b"\x00" in data[:_SNIFF]:
        utf16 = utf16_without_bom(data[:_SNIFF])
        if utf16:
            return data.decode(utf16, errors="replace")
    try:
        as_utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    declared = declared_encoding(data, content_type)
    # Bytes that are valid UTF-8 and not plain ASCII are UTF-8 whatever a declaration says: text in a
    # single-byte code page almost never forms valid multi-byte sequences, while a page saved as UTF-8
    # under an old <meta charset> (or a text that quotes one) is common.
    if declared and declared not in ("utf-16", "utf-32") and (as_utf8 is None or as_utf8.isascii()):
        try:
            return data.decode(declared)
        except (LookupError, UnicodeError):
            pass
    if as_utf8 is not None:
        return as_utf8
    best = from_bytes(data[: 256 * 1024]).best()
    try:
        return data.decode(best.encoding if best is not None else "windows-1252", errors="replace")
    except (LookupError, UnicodeError):
        return data.decode("utf-8", errors="replace")


def strip_controls(text: str) -> str:
    """``text`` without C0 control characters (tab, line feed and carriage return stay) and DEL; vertical tab
    and form feed become line feeds. For text that did not come through :func:`decode` (a parsed feed)."""
    return _CONTROLS.sub(_control, text)


def decode(data: bytes, content_type: str | None = None) -> str:
    """Decode bytes as their author meant them. Never raises: the last resort replaces odd bytes.

    Control characters other than tab and line breaks are removed from the result (see the module notes).
    """
    return strip_controls(_decode(data, content_type))
