import codecs

import pytest

from newswatch.extract.encoding import declared_encoding, decode, utf16_without_bom

RU = "Министр иностранных дел Армении заявил, что переговоры продолжатся в Москве."
HY = "Հայաստանի արտաքին գործերի նախարարը հայտարարել է, որ բանակցությունները կշարունակվեն։"


@pytest.mark.parametrize("encoding", ["windows-1251", "koi8-r", "utf-8"])
def test_undeclared_russian_is_detected(encoding: str) -> None:
    text = (RU + " ") * 6
    assert decode(text.encode(encoding)) == text


def test_declared_charset_in_meta_wins() -> None:
    html = f'<html><head><meta charset="windows-1251"></head><body><p>{RU}</p></body></html>'
    assert RU in decode(html.encode("windows-1251"))
    assert declared_encoding(html.encode("windows-1251")) == "cp1251"


@pytest.mark.parametrize("declared", ["windows-1251", "iso-8859-1", "koi8-r"])
def test_valid_utf8_beats_a_single_byte_declaration(declared: str) -> None:
    """A page saved as UTF-8 under an old <meta charset>, or a text quoting one (a README about encodings),
    is UTF-8: text in a single-byte code page almost never forms valid multi-byte sequences."""
    for text in (
        f'<html><head><meta charset="{declared}"></head><body><p>{RU} {HY} – «да»</p></body></html>',
        f"Two pages are declared with `<meta charset={declared}>`; the Armenia–Azerbaijan talks go on.",
    ):
        assert decode(text.encode("utf-8")) == text
        assert decode(text.encode("utf-8"), f"text/html; charset={declared}") == text
    ascii_only = f'<meta charset="{declared}"><p>plain words</p>'
    assert decode(ascii_only.encode("ascii")) == ascii_only


def test_http_header_charset() -> None:
    data = RU.encode("koi8-r")
    assert decode(data, "text/html; charset=KOI8-R") == RU


def test_wrong_declaration_falls_back_to_detection() -> None:
    html = f'<meta charset="utf-8"><p>{RU * 4}</p>'
    assert RU in decode(html.encode("windows-1251"))


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
def test_bom_decides_and_is_removed(bom: bytes, codec: str) -> None:
    assert decode(bom + HY.encode(codec)) == HY


def test_xml_declaration() -> None:
    data = f'<?xml version="1.0" encoding="windows-1251"?><rss><title>{RU}</title></rss>'.encode("cp1251")
    assert RU in decode(data)


def test_unknown_declared_encoding_is_ignored() -> None:
    assert decode(b'<meta charset="no-such-codec">Armenia') == '<meta charset="no-such-codec">Armenia'


NOT_CHARSETS = ["base64", "hex", "rot13", "zip", "uu", "utf-7", "unicode_escape", "raw_unicode_escape"]
NOT_CHARSETS += ["undefined", "punycode", "idna"]


@pytest.mark.parametrize("label", NOT_CHARSETS)
def test_a_codec_that_is_no_charset_is_never_declared(label: str) -> None:
    page = f'<html><head><meta charset="{label}"></head><body><p>Talks resume in Vienna.</p></body></html>'
    assert declared_encoding(page.encode()) is None
    assert decode(page.encode()) == page
    xml = f'<?xml version="1.0" encoding="{label}"?><rss><title>Talks resume</title></rss>'
    assert decode(xml.encode()) == xml
    assert decode(b"Talks resume in Vienna.", f"text/html; charset={label}") == "Talks resume in Vienna."


def test_utf7_cannot_smuggle_markup() -> None:
    page = b'<meta charset="utf-7"><p>+ADw-script+AD4-alert(1)+ADw-/script+AD4-</p>'
    assert "<script>" not in decode(page)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("text", [RU, HY, "Hello, this is a plain capture about the talks in Vienna.\n"])
def test_utf16_without_bom(text: str, codec: str) -> None:
    data = text.encode(codec)
    assert utf16_without_bom(data) == codec
    assert decode(data) == text


def test_utf16_detector_wants_more_than_a_stray_nul() -> None:
    text = ("The talks resumed in Vienna on Tuesday. " * 50).encode()
    assert utf16_without_bom(text) is None
    assert utf16_without_bom(text[:301] + b"\x00" + text[301:]) is None
    assert utf16_without_bom(b"\x00\x00\x00\x00") is None


def test_control_characters_are_removed() -> None:
    text = ("Talks resumed in Vienna. " * 400) + "Second\x00 paragraph\x1b[31m\x7f.\x08\n"
    assert len(text) > 8192  # a NUL past the first 8 KB passes the binary check, so decode must drop it
    assert decode(text.encode()).endswith("Second paragraph[31m.\n")
    assert decode(b"one\ttwo\r\nthree\x0cfour\x0bfive") == "one\ttwo\r\nthree\nfour\nfive"
    assert decode(codecs.BOM_UTF8 + b"x\x01y") == "xy"
    assert decode(f"{RU}\x02".encode("cp1251"), "text/plain; charset=windows-1251") == RU
