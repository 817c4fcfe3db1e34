"""read_input, expand_inputs and check_content on real files, streams and a loopback server."""

from __future__ import annotations

import codecs
import gzip
import io
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import LoopbackServer
from newswatch.errors import (
    BinaryInputError,
    BlockedURLError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
)
from newswatch.extract.encoding import decode
from newswatch.ingest.inputs import check_content, expand_inputs, read_input
from newswatch.model import RawInput
from newswatch.settings import Settings

ARMENIAN = "Երևանում այսօր բացվեց նոր գրադարան, որտեղ կան գրքեր երեք լեզուներով։"
RUSSIAN = "Вчера вечером в парке у реки прошёл концерт молодых музыкантов."
DEFAULTS = Settings({})
WHEN = datetime(2026, 1, 28, 9, 30, tzinfo=UTC)


class EndlessZeros(io.RawIOBase):
    """A stream that never ends, counting what it hands out (a real stream, standing in for /dev/zero)."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        size = len(buffer)
        buffer[:size] = b"\0" * size
        self.served += size
        return size


# --- read_input: files ------------------------------------------------------------------------------------


def test_reads_a_file_with_its_mtime_as_reference_date(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text(ARMENIAN, encoding="utf-8")
    os.utime(path, (WHEN.timestamp(), WHEN.timestamp()))
    raw = read_input(str(path), DEFAULTS)
    assert raw.data == ARMENIAN.encode("utf-8")
    assert raw.name == str(path)
    assert raw.url is None and raw.content_type is None
    assert raw.reference_date == WHEN
    assert raw.reference_date is not None and raw.reference_date.tzinfo is UTC


def test_given_reference_date_wins_over_mtime(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes(b"text")
    given = datetime(2025, 3, 4, tzinfo=UTC)
    assert read_input(str(path), DEFAULTS, reference_date=given).reference_date == given


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^no such file$"):
        read_input(str(tmp_path / "absent.txt"), DEFAULTS)


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^a directory, not a file$"):
        read_input(str(tmp_path), DEFAULTS)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_bytes(b"text")
    path.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied"):
            read_input(str(path), DEFAULTS)
    finally:
        path.chmod(0o600)


def test_thirty_megabyte_file_is_refused_at_the_default_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        for _ in range(30):
            handle.write(b"a" * (1024 * 1024))
    with pytest.raises(InputTooLargeError) as caught:
        read_input(str(path), DEFAULTS)
    message = str(caught.value)
    assert str(16 * 1024 * 1024) in message and "input.max_bytes" in message


def test_small_limit_override_applies_to_files(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(InputTooLargeError, match=r"larger than 1000 bytes \(the input\.max_bytes setting\)"):
        read_input(str(path), DEFAULTS.with_overrides(input_max_bytes=1000))
    assert read_input(str(path), DEFAULTS.with_overrides(input_max_bytes=1001)).data == b"x" * 1001


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_endless_file_without_a_size_is_cut_at_the_limit() -> None:
    with pytest.raises(InputTooLargeError, match="larger than 4096 bytes"):
        read_input("/dev/zero", DEFAULTS.with_overrides(input_max_bytes=4096))


def test_colon_in_a_local_name_is_read_with_a_path_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "notes:today.txt").write_bytes(b"today")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(BlockedURLError, match=r"write \./ before it"):
        read_input("notes:today.txt", DEFAULTS)
    assert read_input("./notes:today.txt", DEFAULTS).data == b"today"
    assert read_input(str(tmp_path / "notes:today.txt"), DEFAULTS).data == b"today"


# --- read_input: standard input -------------------------------------------------------------------------


def test_reads_stdin() -> None:
    raw = read_input("-", DEFAULTS, stdin=io.BytesIO(RUSSIAN.encode("utf-8")), reference_date=WHEN)
    assert raw.data == RUSSIAN.encode("utf-8")
    assert raw.name == "-"
    assert raw.reference_date == WHEN


def test_stdin_reference_date_defaults_to_an_aware_now() -> None:
    raw = read_input("-", DEFAULTS, stdin=io.BytesIO(b"text"))
    assert raw.reference_date is not None and raw.reference_date.tzinfo is UTC


def test_process_stdin_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"from the pipe")))
    assert read_input("-", DEFAULTS).data == b"from the pipe"


def test_endless_stdin_reads_only_one_byte_past_the_limit() -> None:
    stream = EndlessZeros()
    with pytest.raises(
        InputTooLargeError, match=r"^larger than 100000 bytes \(the input\.max_bytes setting\)$"
    ):
        read_input("-", DEFAULTS.with_overrides(input_max_bytes=100_000), stdin=stream)  # type: ignore[arg-type]
    assert stream.served == 100_001


# --- read_input: URLs -----------------------------------------------------------------------------------


def test_http_urls_go_to_the_fetcher(http_server: LoopbackServer) -> None:
    url = http_server.route("/story", ARMENIAN.encode("utf-8"))
    raw = read_input(url, DEFAULTS.with_overrides(fetch_allow_private=True))
    assert raw.data == ARMENIAN.encode("utf-8")
    assert raw.url == url
    assert raw.content_type == "text/html; charset=utf-8"


def test_given_reference_date_replaces_the_fetch_time() -> None:
    calls: list[str] = []

    def fetcher(url: str, settings: Settings) -> RawInput:
        calls.append(url)
        return RawInput(data=b"page", name=url, url=url, reference_date=datetime(2026, 11, 29, tzinfo=UTC))

    raw = read_input("HTTPS://news.example/a", DEFAULTS, reference_date=WHEN, fetcher=fetcher)
    assert calls == ["HTTPS://news.example/a"]
    assert raw.reference_date == WHEN and raw.data == b"page"


@pytest.mark.parametrize("name", ["file:///etc/passwd", "ftp://example.org/x", "gopher://h/", "javascript:x"])
def test_other_schemes_are_refused(name: str) -> None:
    calls: list[str] = []

    def fetcher(url: str, settings: Settings) -> RawInput:
        calls.append(url)
        return RawInput(data=b"", name=url)

    with pytest.raises(BlockedURLError, match="only http and https"):
        read_input(name, DEFAULTS, fetcher=fetcher)
    assert calls == []


# --- expand_inputs --------------------------------------------------------------------------------------


def test_directories_expand_recursively_in_sorted_order(tmp_path: Path) -> None:
    for relative in [
        "b.txt",
        "a.html",
        "sub/z.txt",
        "sub/deeper/m.xml",
        "c/1.txt",
        ".git/config",
        ".hidden.txt",
    ]:
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"x")
    (tmp_path / "sub" / ".cache").mkdir()
    (tmp_path / "sub" / ".cache" / "skip.txt").write_bytes(b"x")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in expand_inputs([str(tmp_path)])]
    assert found == ["a.html", "b.txt", "c/1.txt", "sub/deeper/m.xml", "sub/z.txt"]


def test_non_directories_pass_through_unchanged(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_bytes(b"x")
    names = ["-", "https://news.example/feed", str(tmp_path / "one.txt"), str(tmp_path / "missing.txt")]
    assert list(expand_inputs(names)) == names


def test_expansion_keeps_the_order_of_the_names(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "inner.txt").write_bytes(b"x")
    names = list(expand_inputs(["-", str(tmp_path / "d"), "https://news.example/"]))
    assert names == ["-", str(tmp_path / "d" / "inner.txt"), "https://news.example/"]


# --- check_content --------------------------------------------------------------------------------------


def _raw(data: bytes) -> RawInput:
    return RawInput(data=data, name="sample")


@pytest.mark.parametrize(
    "data",
    [
        b" \t\r\n\n  ",
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b"  \n",
        codecs.BOM_UTF16_LE,
        codecs.BOM_UTF16_LE + " \n ".encode("utf-16-le"),
        codecs.BOM_UTF32_BE + "\t".encode("utf-32-be"),
        "\u00a0\n".encode(),
    ],
    ids=["whitespace", "utf8-bom", "utf8-bom-space", "utf16-bom", "utf16-bom-space", "utf32-bom-tab", "nbsp"],
)
def test_blank_inputs_are_empty(data: bytes) -> None:
    with pytest.raises(EmptyInputError, match=r"^nothing but"):
        check_content(_raw(data))


def test_no_bytes_is_empty() -> None:
    with pytest.raises(EmptyInputError, match=r"^empty input$"):
        check_content(_raw(b""))


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"GIF89a\x01\x00", "GIF"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "PDF"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (gzip.compress(b"<html></html>"), "gzip"),
        (b"\x7fELF\x02\x01\x01", "ELF"),
        (b"SQLite format 3\x00", "SQLite"),
    ],
)
def test_known_signatures_are_binary(data: bytes, kind: str) -> None:
    with pytest.raises(BinaryInputError, match=kind):
        check_content(_raw(data))


def test_nul_bytes_are_binary() -> None:
    with pytest.raises(BinaryInputError, match="NUL bytes"):
        check_content(_raw(b"looks like text\x00\x01\x02\x00\xff but is not"))


def test_nul_bytes_after_a_utf8_bom_are_binary() -> None:
    with pytest.raises(BinaryInputError, match="NUL bytes"):
        check_content(_raw(codecs.BOM_UTF8 + b"abc\x00\x00def"))


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF16_LE + ARMENIAN.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + RUSSIAN.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + ARMENIAN.encode("utf-32-le"),
        RUSSIAN.encode("utf-16-le"),  # no byte-order mark, recognised by where its NULs are
        ("Breaking news: " + ARMENIAN).encode("utf-16-be"),
        ARMENIAN.encode("utf-8"),
        codecs.BOM_UTF8 + RUSSIAN.encode("utf-8"),
        RUSSIAN.encode("windows-1251"),
        b"BZh is how this line starts, and it is text",
    ],
    ids=[
        "utf16le-bom",
        "utf16be-bom",
        "utf32le-bom",
        "utf16le-bare",
        "utf16be-bare",
        "utf8",
        "utf8-bom",
        "cp1251",
        "bzh",
    ],
)
def test_text_passes(data: bytes) -> None:
    check_content(_raw(data))


def test_a_stray_nul_in_ordinary_text_is_binary_not_utf16() -> None:
    # The detector shared with decoding wants NUL bytes on one side of many pairs, as UTF-16 text has them.
    # One NUL in a table of figures used to pass as "UTF-16": its digit pairs read as printable CJK.
    table = "".join(f"{2026 + i % 3},{i % 12 + 1:02d},{i % 28 + 1:02d},{1000 + i * 7}\n" for i in range(300))
    for at in (300, 301):
        with pytest.raises(BinaryInputError, match="NUL bytes"):
            check_content(_raw(table[:at].encode() + b"\x00" + table[at:].encode()))


def test_bare_utf16_passes_and_decodes_as_text() -> None:
    data = ("Breaking news: " + RUSSIAN).encode("utf-16-le")
    check_content(_raw(data))
    assert decode(data) == "Breaking news: " + RUSSIAN
