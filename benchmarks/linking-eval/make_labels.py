"""Check the linking evaluation set and derive its pair labels.

Reads ``articles.jsonl`` and the hand-kept ``hard_negatives.json`` next to this file, checks them, and
writes ``labels.json``. Run from anywhere: ``python benchmarks/linking-eval/make_labels.py``
(add ``--check`` to verify that ``labels.json`` is up to date without writing it).

Derivation:
- translation pairs: every pair inside a translation group (an original plus the articles whose
  ``version_of`` names it: same outlet, same story, one article per language);
- duplicate pairs: every other pair with the same ``story``, when the outlets differ or when the
  outlet and the language are the same (a re-run);
- same-language duplicate pairs: the subset of duplicate pairs whose two articles share a language;
- hard negatives: copied from ``hard_negatives.json`` after checking that the two stories differ.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIELDS = ("id", "language", "outlet", "url", "title", "published", "text", "story", "version_of")
LANGUAGES = ("en", "hy", "ru")
WORDS = (120, 300)
MINIMUM = {"articles": 66, "translation_triples": 10, "multi_outlet_stories": 8, "hard_negative_pairs": 10}

Pair = tuple[str, str]


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def load_articles(path: Path) -> list[dict[str, Any]]:
    articles: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            sys.exit(f"{path.name}:{number}: not JSON: {error}")
        if not isinstance(record, dict) or tuple(record) != FIELDS:
            sys.exit(f"{path.name}:{number}: expected exactly the fields {', '.join(FIELDS)} in that order")
        articles.append(record)
    return articles


def check_articles(articles: list[dict[str, Any]]) -> list[str]:
    problems: list[str] = []
    ids = Counter(a["id"] for a in articles)
    problems += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    urls = Counter(a["url"] for a in articles)
    problems += [f"duplicate url {u}" for u, n in urls.items() if n > 1]
    by_id = {a["id"]: a for a in articles}
    for a in articles:
        where = a["id"]
        if a["language"] not in LANGUAGES:
            problems.append(f"{where}: language {a['language']!r} not one of {LANGUAGES}")
        if not a["url"].startswith(f"https://{a['outlet']}.example/"):
            problems.append(f"{where}: url is not on {a['outlet']}.example")
        if datetime.fromisoformat(a["published"]).tzinfo is None:
            problems.append(f"{where}: published has no UTC offset")
        words = len(a["text"].split())
        if not WORDS[0] <= words <= WORDS[1]:
            problems.append(f"{where}: {words} words, outside {WORDS[0]}-{WORDS[1]}")
        if not a["title"].strip() or not a["story"].strip():
            problems.append(f"{where}: empty title or story")
        original_id = a["version_of"]
        if original_id is None:
            continue
        original = by_id.get(original_id)
        if original is None:
            problems.append(f"{where}: version_of {original_id} does not exist")
        elif original["version_of"] is not None:
            problems.append(
                f"{where}: version_of {original_id}, which is itself a version (point to the original)"
            )
        elif (original["outlet"], original["story"]) != (a["outlet"], a["story"]):
            problems.append(f"{where}: version_of {original_id} from another outlet or story")
        elif original["language"] == a["language"]:
            problems.append(f"{where}: version_of {original_id} in the same language")
        elif original["published"] > a["published"]:
            problems.append(f"{where}: published before its original {original_id}")
    return problems


def translation_groups(articles: list[dict[str, Any]]) -> list[list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        groups[a["version_of"] or a["id"]].append(a["id"])
    return [sorted(members) for members in groups.values() if len(members) > 1]


def derive(articles: list[dict[str, Any]], hard: list[dict[str, str]]) -> tuple[dict[str, Any], list[str]]:
    problems: list[str] = []
    by_id = {a["id"]: a for a in articles}
    group_of = {a["id"]: a["version_of"] or a["id"] for a in articles}
    groups = translation_groups(articles)
    for members in groups:
        languages = [by_id[m]["language"] for m in members]
        if len(set(languages)) != len(languages):
            problems.append(f"translation group {members} repeats a language")
    translations = sorted(_pair(a, b) for members in groups for a, b in itertools.combinations(members, 2))

    stories: dict[str, list[str]] = defaultdict(list)
    for a in articles:
        stories[a["story"]].append(a["id"])
    duplicates: list[Pair] = []
    for members in stories.values():
        for x, y in itertools.combinations(sorted(members), 2):
            a, b = by_id[x], by_id[y]
            if group_of[x] == group_of[y]:
                continue
            if a["outlet"] != b["outlet"] or a["language"] == b["language"]:
                duplicates.append(_pair(x, y))
            else:
                problems.append(
                    f"{x} and {y}: same outlet and story in two languages but not linked by version_of"
                )
    duplicates.sort()
    same_language = [p for p in duplicates if by_id[p[0]]["language"] == by_id[p[1]]["language"]]

    negatives: list[Pair] = []
    for entry in hard:
        x, y = entry["a"], entry["b"]
        if x not in by_id or y not in by_id:
            problems.append(f"hard negative {x}-{y}: unknown id")
        elif by_id[x]["story"] == by_id[y]["story"]:
            problems.append(f"hard negative {x}-{y}: same story {by_id[x]['story']}")
        else:
            negatives.append(_pair(x, y))
    if len(set(negatives)) != len(negatives):
        problems.append("hard_negatives.json lists a pair twice")
    negatives.sort()

    outlets_per_story = {s: {by_id[m]["outlet"] for m in ms} for s, ms in stories.items()}
    counts: dict[str, Any] = {
        "articles": len(articles),
        "by_language": dict(sorted(Counter(a["language"] for a in articles).items())),
        "by_outlet": dict(sorted(Counter(a["outlet"] for a in articles).items())),
        "stories": len(stories),
        "translation_groups": len(groups),
        "translation_triples": sum(1 for g in groups if len(g) == 3),
        "multi_outlet_stories": sum(1 for o in outlets_per_story.values() if len(o) > 1),
        "translation_pairs": len(translations),
        "duplicate_pairs": len(duplicates),
        "same_language_duplicate_pairs": len(same_language),
        "hard_negative_pairs": len(negatives),
    }
    for key, floor in MINIMUM.items():
        if counts[key] < floor:
            problems.append(f"{key}: {counts[key]} < minimum {floor}")
    labels = {
        "about": "Derived by make_labels.py from articles.jsonl and hard_negatives.json; do not edit by hand.",
        "counts": counts,
        "translation_pairs": [list(p) for p in translations],
        "duplicate_pairs": [list(p) for p in duplicates],
        "same_language_duplicate_pairs": [list(p) for p in same_language],
        "hard_negative_pairs": [list(p) for p in negatives],
    }
    return labels, problems


def check_languages(articles: list[dict[str, Any]]) -> list[str]:
    from newswatch.extract.language import detect_language

    problems = []
    for a in articles:
        for part, text in (("title", a["title"]), ("text", a["text"])):
            found = detect_language(text)
            if found != a["language"]:
                problems.append(f"{a['id']}: {part} detected as {found!r}, labelled {a['language']!r}")
    return problems


def render(labels: dict[str, Any]) -> str:
    """JSON with one pair per line, so that diffs of labels.json stay readable."""
    lines = []
    for key, value in labels.items():
        if isinstance(value, list):
            rows = ",\n".join(f"  {json.dumps(pair)}" for pair in value)
            lines.append(f" {json.dumps(key)}: [\n{rows}\n ]")
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if labels.json is not up to date")
    args = parser.parse_args(argv)
    articles = load_articles(HERE / "articles.jsonl")
    hard = json.loads((HERE / "hard_negatives.json").read_text(encoding="utf-8"))["pairs"]
    problems = check_articles(articles)
    labels, more = derive(articles, hard)
    problems += more + check_languages(articles)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    rendered = render(labels)
    target = HERE / "labels.json"
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != rendered:
            print("labels.json is out of date: run make_labels.py", file=sys.stderr)
            return 1
    else:
        target.write_text(rendered, encoding="utf-8")
    print(json.dumps(labels["counts"], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
