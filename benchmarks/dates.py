"""Publication dates: newswatch beside htmldate and trafilatura, same pages, same run, same scorer.

Set: ``htmldate-eval`` (1,000 pages, ~30 languages; 995 carry a gold day). Metric: htmldate's own
(``tests/comparison.py``) as ``shared/benchmarks/score_extraction.py`` computes it on the date part
(YYYY-MM-DD): right day = tp, wrong day = fp, no date = fn; accuracy = tp / dated pages. For a news feed a
wrong date is worse than none, so both counts are reported. Every system gets the same decoded ``str`` and
the page URL. Speed as in ``benchmarks.extraction`` (loop only, warm-up, median of ``--repeat``, own
process).

    python -m benchmarks.dates
    python -m benchmarks.dates --repeat 3 --write
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Collection, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from benchmarks.common import (
    Prediction,
    Run,
    System,
    SystemFactory,
    fmt_rate,
    load_pages,
    markdown_table,
    predicted_ids,
    run_header,
    run_system_subprocess,
    score,
    set_dir,
    timed_worker,
    update_results,
)

SET = "htmldate-eval"
SUBSETS = ("default", "mediacloud2020")


def date_part(value: object) -> str | None:
    """``YYYY-MM-DD`` of a date, datetime or ISO string; None when there is none."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    return str(value)[:10]


def newswatch_system() -> System:
    """newswatch's own extractor: ``extract_html(html, url=url).published`` (no reference date)."""
    from newswatch.extract.html import extract_html

    def run(html: str, url: str | None) -> Prediction:
        doc = extract_html(html, url=url)
        return {"date": date_part(doc.published), "published": doc.published}

    return run


def _htmldate_system(extensive: bool) -> System:
    from htmldate import find_date

    def run(html: str, url: str | None) -> Prediction:
        found = find_date(html, url=url, extensive_search=extensive, original_date=True)
        return {"date": date_part(found)}

    return run


def htmldate_extensive_system() -> System:
    """htmldate ``find_date(extensive_search=True, original_date=True)``: its most thorough mode."""
    return _htmldate_system(True)


def htmldate_fast_system() -> System:
    """htmldate ``find_date(extensive_search=False, original_date=True)``: markup only, no text search."""
    return _htmldate_system(False)


def trafilatura_meta_system() -> System:
    """trafilatura's metadata date, from a full ``bare_extraction`` (body and metadata, like ours)."""
    import trafilatura

    def run(html: str, url: str | None) -> Prediction:
        doc = trafilatura.bare_extraction(html, url=url, include_comments=False, with_metadata=True)
        return {"date": date_part(getattr(doc, "date", None)) if doc is not None else None}

    return run


SYSTEMS: dict[str, SystemFactory] = {
    "newswatch": newswatch_system,
    "htmldate-extensive": htmldate_extensive_system,
    "htmldate-fast": htmldate_fast_system,
    "trafilatura-meta": trafilatura_meta_system,
}
DISTS = ("newswatch", "htmldate", "trafilatura", "dateparser", "lxml")


def score_dates(pred: Path, subset: str | None = None, ids: Collection[str] | None = None) -> dict[str, Any]:
    """The shared scorer's "date" block (pages with a gold day), for one subset or all; ``ids`` limits."""
    where = [f"subset={subset}"] if subset else []
    summary: dict[str, Any] = score(set_dir(SET), pred, where=where, n_bootstrap=0, ids=ids)["date"]
    return summary


def _row(name: str, run: Run, d: dict[str, Any]) -> list[object]:
    return [
        f"**{name}**" if name == "newswatch" else name,
        f"{d['accuracy']:.3f}",
        f"{d['precision']:.3f}",
        f"{d['f1']:.3f}",
        d["tp"],
        d["fp"],
        d["fn"],
        run.errors,
        fmt_rate(run.pages_per_s),
        f"{run.peak_rss_mb:.0f}",
    ]


def report(results: dict[str, tuple[Run, dict[str, dict[str, Any]]]], command: str | None) -> list[str]:
    any_run = next(iter(results.values()))[0]
    lines = [f"## Dates: {SET} ({any_run.pages} pages)", ""]
    if command is not None:
        lines += [*run_header(command, DISTS), ""]
    n = next(iter(results.values()))[1]["all"]["n"]
    lines += [
        f"Scored on the {n} pages with a gold day. right = correct day, wrong = another day (worse than none "
        "for us), empty = no date; accuracy = right / pages.",
        "",
    ]
    header = [
        "system",
        "accuracy",
        "precision",
        "F1",
        "right",
        "wrong",
        "empty",
        "errors",
        "pages/s",
        "peak RSS MB",
    ]
    lines += markdown_table(
        header, [_row(name, run, scores["all"]) for name, (run, scores) in results.items()]
    )
    lines += ["", "By subset (accuracy, wrong, empty):", ""]
    rows = []
    for subset in SUBSETS:
        cells: list[object] = [subset, next(iter(results.values()))[1][subset]["n"]]
        for _name, (_run, scores) in results.items():
            d = scores[subset]
            cells.append(f"{d['accuracy']:.3f} / {d['fp']} / {d['fn']}")
        rows.append(cells)
    lines += markdown_table(["subset", "pages", *results], rows)
    return lines


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=list(SYSTEMS))
    ap.add_argument("--limit", type=int, help="only the first N pages (sorted by id)")
    ap.add_argument("--repeat", type=int, default=1, help="timed passes per system; the median is reported")
    ap.add_argument("--out", type=Path, help="keep predictions and timings here (default: a temp dir)")
    ap.add_argument("--write", action="store_true", help="update this benchmark's section of RESULTS.md")
    ap.add_argument("--worker", choices=list(SYSTEMS), help=argparse.SUPPRESS)
    return ap


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.worker:  # child process: one system, timed
        pages = load_pages(set_dir(SET), limit=args.limit)
        timed_worker(SYSTEMS[args.worker], args.worker, pages, args.out, args.repeat)
        return
    if not (set_dir(SET) / "ground-truth.json").exists():
        sys.exit(f"error: benchmark data not found: {set_dir(SET)} (set NEWSWATCH_SHARED)")
    command = "python -m benchmarks.dates " + shlex.join(sys.argv[1:] if argv is None else argv)
    worker_args = ["--repeat", str(args.repeat)] + (["--limit", str(args.limit)] if args.limit else [])
    results: dict[str, tuple[Run, dict[str, dict[str, Any]]]] = {}
    with tempfile.TemporaryDirectory(prefix="newswatch-bench-") as tmp:
        out_dir = args.out or Path(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in args.systems:
            print(f"{SET}: running {name} ...", file=sys.stderr, flush=True)
            try:
                run = run_system_subprocess("benchmarks.dates", name, worker_args, out_dir)
            except subprocess.CalledProcessError as exc:
                print(f"error: {name} failed (exit {exc.returncode}); left out", file=sys.stderr)
                continue
            pred = out_dir / f"{name}.jsonl"
            ids = predicted_ids(pred) if args.limit else None
            scores = {"all": score_dates(pred, ids=ids), **{s: score_dates(pred, s, ids) for s in SUBSETS}}
            results[name] = (run, scores)
    if not results:
        sys.exit("error: no system ran")
    print("\n".join(report(results, None)))
    if args.write:
        update_results(f"dates:{SET}", report(results, command))
        print("RESULTS.md updated", file=sys.stderr)


if __name__ == "__main__":
    main()
