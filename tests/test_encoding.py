import codecs

import pytest

from newswatch.extract.encoding import declared_encoding, decode

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
