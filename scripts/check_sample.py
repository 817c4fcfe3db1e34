"""Check the bundled sample corpus and the test fixtures against their own ground truth.

Run from the repository root: ``python scripts/check_sample.py``. It exits non-zero and prints one line per
problem when a manifest entry points at a missing file, a file does not decode in its stated encoding, a
title or lead sentence promised by the manifest is not in the file, a fixture lacks its expected record, or
a ``text_must_contain`` sentence is missing from its input. It also prints the corpus counts (per language,
kind, story and day) so that a change to the corpus shows up in review.

This checks the data, not the extractor: it never imports newswatch.
"""

from __future__ import annotations

import html
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "src" / "newswatch" / "data" / "sample"
FIXTURES = ROOT / "tests" / "fixtures"
OWN_FIXTURE_DIRS = ("text", "html", "feed", "bad")
PRECISIONS = {"datetime", "date", "inferred-year", None}
ENCODING_OF = {"utf-8 with BOM": "utf-8-sig", "windows-1251": "cp1251"}

problems: list[str] = []


def problem(message: str) -> None:
    problems.append(message)


def flat(text: str) -> str:
    """Text as a reader sees it: entities decoded (twice, for escaped feed content), whitespace collapsed."""
    return " ".join(html.unescape(html.unescape(text)).split())


def decode(path: Path, encoding: str) -> str:
    data = path.read_bytes()
    codec = ENCODING_OF.get(encoding, encoding)
    if codec == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
        problem(f"{path}: expected a UTF-8 byte-order mark")
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        problem(f"{path}: does not decode as {encoding}: {exc}")
        return ""


def check_article(where: str, text: str, entry: dict[str, Any]) -> None:
    if entry.get("title") and flat(entry["title"]) not in text:
        problem(f"{where}: title not found: {entry['title'][:60]}")
    if entry.get("lead") and flat(entry["lead"]) not in text:
        problem(f"{where}: lead paragraph not found")
    if entry.get("published_precision") not in PRECISIONS:
        problem(f"{where}: bad published_precision {entry.get('published_precision')!r}")
    if entry.get("published_precision") == "inferred-year" and not entry.get("reference_date"):
        problem(f"{where}: inferred-year without reference_date")


def check_sample() -> list[dict[str, Any]]:
    manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    listed = set()
    articles: list[dict[str, Any]] = []
    for entry in manifest["files"]:
        path = SAMPLE / entry["path"]
        listed.add(entry["path"])
        if not path.is_file():
            problem(f"manifest: missing file {entry['path']}")
            continue
        text = flat(decode(path, entry.get("encoding", "utf-8")))
        if entry["kind"] == "feed":
            guids: set[str] = set()
            for item in entry["items"]:
                where = f"{entry['path']}#{item['index']}"
                if item["story"] not in manifest["stories"]:
                    problem(f"{where}: unknown story {item['story']}")
                if item["duplicate_of"] is None:
                    if item["guid"] in guids:
                        problem(f"{where}: repeated guid not marked as duplicate")
                    guids.add(item["guid"])
                    check_article(where, text, item)
                    articles.append({**item, "kind": "feed", "outlet": entry["outlet"], "path": where})
        else:
            if entry["story"] not in manifest["stories"]:
                problem(f"{entry['path']}: unknown story {entry['story']}")
            check_article(entry["path"], text, entry)
            articles.append(entry)
    on_disk = {str(p.relative_to(SAMPLE)) for p in SAMPLE.rglob("*") if p.is_file()}
    for extra in sorted(on_disk - listed - {"manifest.json", "README.md"}):
        problem(f"manifest: file not listed: {extra}")
    return articles


def report(articles: list[dict[str, Any]]) -> None:
    by_lang = Counter(a["language"] for a in articles)
    by_kind = Counter(a["kind"] for a in articles)
    by_day = Counter((a["published"] or "undated")[:10] for a in articles)
    langs: dict[str, set[str]] = defaultdict(set)
    outlets: dict[str, set[str]] = defaultdict(set)
    for a in articles:
        langs[a["story"]].add(a["language"])
        outlets[a["story"]].add(a["outlet"])
    triples = sorted(s for s, ls in langs.items() if {"en", "hy", "ru"} <= ls)
    multi = sorted(s for s, os in outlets.items() if len(os) > 1)
    print(f"articles: {len(articles)}  by language: {dict(sorted(by_lang.items()))}")
    print(f"by kind: {dict(by_kind)}")
    print(f"days: {dict(sorted(by_day.items()))}")
    print(f"translation triples ({len(triples)}): {', '.join(triples)}")
    print(f"stories from two or more outlets ({len(multi)}): {', '.join(multi)}")
    if len(articles) < 40:
        problem(f"sample: only {len(articles)} articles (want at least 40)")
    if len(triples) < 6:
        problem(f"sample: only {len(triples)} translation triples (want at least 6)")
    if len(multi) < 4:
        problem(f"sample: only {len(multi)} multi-outlet stories (want at least 4)")


def fixture_input(expected_path: Path) -> Path | None:
    stem = expected_path.name.removesuffix(".expected.json")
    matches = [p for p in expected_path.parent.glob(stem + ".*") if not p.name.endswith(".expected.json")]
    return matches[0] if len(matches) == 1 else None


def fixture_text(path: Path, expected: dict[str, Any]) -> str:
    encoding = expected.get("encoding", "utf-8")
    if path.suffix == ".png":
        return ""
    return flat(decode(path, encoding))


def check_fixture_record(where: str, text: str, record: dict[str, Any]) -> None:
    for sentence in record.get("text_must_contain", []):
        if flat(sentence) not in text:
            problem(f"{where}: text_must_contain not in input: {sentence[:60]}")
    for sentence in record.get("text_must_contain", []):
        for chrome in record.get("text_must_not_contain", []):
            if chrome and chrome in sentence:
                problem(f"{where}: must-not string {chrome!r} occurs inside a must-contain sentence")
    if record.get("published_precision") not in PRECISIONS:
        problem(f"{where}: bad published_precision")


def check_fixtures() -> int:
    count = 0
    for sub in OWN_FIXTURE_DIRS:
        folder = FIXTURES / sub
        inputs = {p for p in folder.iterdir() if p.is_file() and not p.name.endswith(".expected.json")}
        for expected_path in sorted(folder.glob("*.expected.json")):
            count += 1
            where = f"fixtures/{sub}/{expected_path.name}"
            expected = json.loads(expected_path.read_text(encoding="utf-8"))
            source = fixture_input(expected_path)
            if source is None or source.name != expected.get("input"):
                problem(f"{where}: input file not found beside it")
                continue
            inputs.discard(source)
            text = fixture_text(source, expected)
            if expected.get("published_precision") == "inferred-year" and not expected.get("reference_date"):
                problem(f"{where}: inferred-year without reference_date")
            if "items" in expected:
                for n, item in enumerate(expected["items"]):
                    check_fixture_record(f"{where}#{n}", text, item)
            else:
                check_fixture_record(where, text, expected)
        for orphan in sorted(inputs):
            problem(f"fixtures/{sub}/{orphan.name}: no .expected.json beside it")
    bad = FIXTURES / "bad"
    if (bad / "empty.txt").stat().st_size != 0:
        problem("fixtures/bad/empty.txt is not empty")
    if not (bad / "binary.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n"):
        problem("fixtures/bad/binary.png is not a PNG")
    for name in ("cp1251-undeclared.txt", "koi8r.html"):
        try:
            (bad / name).read_bytes().decode("utf-8")
            problem(f"fixtures/bad/{name} decodes as UTF-8; it must not")
        except UnicodeDecodeError:
            pass
    return count


def main() -> int:
    articles = check_sample()
    report(articles)
    print(f"fixtures with expectations: {check_fixtures()}")
    for line in problems:
        print("problem:", line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
