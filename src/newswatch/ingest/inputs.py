"""From what a user typed to :class:`~newswatch.model.RawInput`: files, directories, URLs and ``-``.

:func:`read_input` is for names a user typed on their own machine (it reads local files); a name that
comes from anyone else (a web form, a feed) must go to :func:`~newswatch.ingest.fetch.fetch` instead.
Nothing here reads more than ``input.max_bytes + 1`` bytes, so an endless or huge input cannot fill
memory. :func:`check_content` refuses empty and binary inputs before any parser sees them.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from newswatch.errors import (
    BinaryInputError,
    BlockedURLError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
)
from newswatch.extract.encoding import split_bom, utf16_without_bom
from newswatch.ingest.fetch import fetch
from newswatch.model import RawInput
from newswatch.settings import Settings

__all__ = ["Fetcher", "check_content", "expand_inputs", "read_input"]

#: What :func:`read_input` calls for an http(s) URL: :func:`~newswatch.ingest.fetch.fetch` or a stand-in.
Fetcher = Callable[[str, Settings], RawInput]

# Two or more characters before the colon, so a Windows drive letter ("C:\\news.txt") is not a scheme.
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):")
_CHUNK = 64 * 1024
_SNIFF = 8 * 1024

# Opening bytes of formats that are never text, with the name shown to the user. Formats whose headers
# hold NUL bytes right away (WAV, Ogg, TIFF, fonts…) are caught by the NUL check and need no entry; each
# entry is long or odd enough that no text starts with it.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
    *((b"BZh%d1AY&SY" % level, "bzip2-compressed data") for level in range(1, 10)),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"(\xb5/\xfd", "zstd-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xca\xfe\xba\xbe", "a Java class or Mach-O binary"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O binary"),
    (b"\xce\xfa\xed\xfe", "a Mach-O binary"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def _now() -> datetime:
    return datetime.now(UTC)


def _too_large(limit: int) -> InputTooLargeError:
    return InputTooLargeError(f"larger than {limit} bytes (the input.max_bytes setting)")


def _read_bounded(stream: BinaryIO, limit: int) -> bytes:
    """Read to the end of ``stream`` but never more than ``limit + 1`` bytes; above ``limit`` is an error."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    raise _too_large(limit)


def _read_file(name: str, limit: int, reference_date: datetime | None) -> RawInput:
    path = Path(name)
    try:
        if path.is_dir():
            try:
                os.listdir(path)
            except OSError:
                raise InputError("a directory that cannot be listed (permission denied)") from None
            raise InputError("a directory, not a file")
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise _too_large(limit)
            data = _read_bounded(handle, limit)
    except FileNotFoundError:
        raise InputError("no such file") from None
    except PermissionError:
        raise InputError("permission denied") from None
    except IsADirectoryError:
        raise InputError("a directory, not a file") from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})") from None
    if reference_date is None:
        reference_date = datetime.fromtimestamp(info.st_mtime, tz=UTC)
    return RawInput(data=data, name=name, reference_date=reference_date)


def read_input(
    name: str,
    settings: Settings,
    *,
    reference_date: datetime | None = None,
    stdin: BinaryIO | None = None,
    fetcher: Fetcher = fetch,
) -> RawInput:
    """The bytes behind one name the user typed: ``-`` (standard input), an http(s) URL, or a local path.

    Any other ``scheme:`` prefix (``file:``, ``ftp:``…) is refused with :class:`BlockedURLError`; write
    ``./name:with:colons`` for a local file whose name looks like one. ``reference_date`` replaces the
    default one: the file's modification time, the fetch time, or now for standard input (all UTC).
    Raises :class:`InputError` (or a subclass) or :class:`~newswatch.errors.FetchError`.
    """
    limit = int(settings["input.max_bytes"])
    if name == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        try:
            data = _read_bounded(stream, limit)
        except OSError as exc:
            raise InputError(f"standard input cannot be read ({exc.strerror or exc})") from None
        return RawInput(data=data, name=name, reference_date=reference_date or _now())
    scheme = _SCHEME.match(name)
    if scheme is not None:
        if scheme.group(1).lower() not in ("http", "https"):
            raise BlockedURLError(
                f"only http and https URLs are read, not {scheme.group(1)}: "
                "(for a local file whose name has a colon, write ./ before it)"
            )
        raw = fetcher(name, settings)
        return raw if reference_date is None else replace(raw, reference_date=reference_date)
    return _read_file(name, limit, reference_date)


def _walk(directory: Path) -> Iterator[str]:
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        yield str(directory)  # read_input reports why it cannot be read
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path))
        elif entry.is_file():  # regular files and links to them; sockets, FIFOs and broken links are skipped
            yield entry.path


def expand_inputs(names: Iterable[str]) -> Iterator[str]:
    """Each name as it is, except directories: their files, recursively, in sorted order.

    Hidden entries (``.git``, ``.DS_Store``) are skipped, links to directories are not followed, and
    URLs and ``-`` pass through unchanged.
    """
    for name in names:
        if name != "-" and _SCHEME.match(name) is None and os.path.isdir(name):
            yield from _walk(Path(name))
        else:
            yield name


def _is_blank(body: bytes, encoding: str | None) -> bool:
    if encoding is not None and encoding != "utf-8":
        return not body.decode(encoding, errors="replace").strip("\ufeff\u200b \t\r\n\x0b\x0c\u00a0")
    if body.strip():
        stripped = body.strip()
        if len(stripped) > 64:
            return False
        try:
            return not stripped.decode("utf-8").strip().strip("\ufeff\u200b")
        except UnicodeDecodeError:
            return False
    return True


def check_content(raw: RawInput) -> None:
    """Refuse input that cannot be text: :class:`EmptyInputError` or :class:`BinaryInputError`.

    Empty means no bytes, or only whitespace (after any byte-order mark). Binary means a known file
    signature (PNG, JPEG, PDF, ZIP, gzip, ELF…) or NUL bytes in the first 8 KB of something that is not
    UTF-16 or UTF-32 (with a byte-order mark, or UTF-16 recognisable without one).
    """
    encoding, body = split_bom(raw.data)
    if not raw.data:
        raise EmptyInputError("empty input")
    if encoding in (None, "utf-8"):
        for magic, kind in _MAGIC:
            if raw.data.startswith(magic):
                raise BinaryInputError(f"binary data ({kind}), not text")
        sample = body[:_SNIFF]
        if b"\x00" in sample and (encoding is not None or utf16_without_bom(sample) is None):
            raise BinaryInputError("binary data (NUL bytes), not text")
    if _is_blank(body, encoding):
        what = "a byte-order mark" if not body else "whitespace"
        raise EmptyInputError(f"nothing but {what}")
