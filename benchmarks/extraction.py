"""Article body extraction: newswatch beside trafilatura, same pages, same run, same scorer.

Sets: ``scrapinghub-aeb`` (181 news pages, hand-annotated bodies) and ``wcxb`` (1,217 English pages of
many types). Metric: the ScrapingHub 4-token-shingle precision/recall/F1 as computed by
``shared/benchmarks/score_extraction.py`` (imported; aeb grouped by ``lang-detected.json``, wcxb by
``page_type``). Speed: pages per second of the extraction loop only (pages decoded in memory first, one
untimed warm-up page, median of ``--repeat`` passes); each system runs in its own process so that its peak
RSS is its own.

    python -m benchmarks.extraction                          # both sets, all systems, print tables
    python -m benchmarks.extraction --sets scrapinghub-aeb --repeat 3 --write
    python -m benchmarks.extraction --sets wcxb --limit 200  # quicker look
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Collection, Sequence
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

SETS = ("scrapinghub-aeb", "wcxb")


def newswatch_system() -> System:
    """newswatch's own extractor: ``extract_html(html, url=url).text``."""
    from newswatch.extract.html import extract_html

    def run(html: str, url: str | None) -> Prediction:
        return {"text": extract_html(html, url=url).text}

    return run


def trafilatura_precision_system() -> System:
    """trafilatura as DEPENDENCIES.md recommends it: precision favoured, comments dropped."""
    import trafilatura

    def run(html: str, url: str | None) -> Prediction:
        text = trafilatura.extract(html, url=url, favor_precision=True, include_comments=False)
        return {"text": text or ""}

    return run


def trafilatura_default_system() -> System:
    """trafilatura with its default settings (comments included, balanced precision/recall)."""
    import trafilatura

    def run(html: str, url: str | None) -> Prediction:
        return {"text": trafilatura.extract(html, url=url) or ""}

    return run


SYSTEMS: dict[str, SystemFactory] = {
    "newswatch": newswatch_system,
    "trafilatura-precision": trafilatura_precision_system,
    "trafilatura-default": trafilatura_default_system,
}
DISTS = ("newswatch", "trafilatura", "lxml", "charset-normalizer")
GROUPING = {"scrapinghub-aeb": "language (lang-detected.json)", "wcxb": "page_type"}


def score_set(
    set_name: str, pred: Path, n_bootstrap: int = 1000, ids: Collection[str] | None = None
) -> dict[str, Any]:
    """The shared scorer's summary for one set: aeb grouped by detected language, wcxb by page type."""
    path = set_dir(set_name)
    if set_name == "scrapinghub-aeb":
        return score(path, pred, group_file=path / "lang-detected.json", n_bootstrap=n_bootstrap, ids=ids)
    summary = score(path, pred, by="page_type", n_bootstrap=n_bootstrap, ids=ids)
    # upstream's held-out split alone (all page types); a --limit run may hold none of it (scorer exits)
    with contextlib.suppress(SystemExit):
        summary["test_split"] = score(path, pred, where=["split=test"], n_bootstrap=0, ids=ids)["body"]
    return summary


def _main_table(results: dict[str, tuple[Run, dict[str, Any]]]) -> list[str]:
    rows = []
    for name, (run, summary) in results.items():
        b = summary["body"]
        rows.append(
            [
                f"**{name}**" if name == "newswatch" else name,
                f"{b['f1']:.3f} ± {b.get('f1_std', 0.0):.3f}",
                f"{b['precision']:.3f}",
                f"{b['recall']:.3f}",
                f"{b['accuracy']:.3f}",
                b["empty_predictions"],
                run.errors,
                fmt_rate(run.pages_per_s),
                fmt_rate(run.pages_per_cpu_s),
                f"{run.peak_rss_mb:.0f} ({run.peak_rss_mb - run.rss_loaded_mb:+.0f})",
            ]
        )
    header = [
        "system",
        "body F1",
        "precision",
        "recall",
        "accuracy",
        "empty",
        "errors",
        "pages/s",
        "pages/CPU-s",
        "peak RSS MB (over loaded pages)",
    ]
    return markdown_table(header, rows)


def _group_table(results: dict[str, tuple[Run, dict[str, Any]]]) -> list[str]:
    names = list(results)
    first = results[names[0]][1].get("by_group") or {}
    rows = []
    for group, row in first.items():
        cells: list[object] = [group, row["n"]]
        for name in names:
            cells.append(f"{results[name][1]['by_group'][group]['body_f1']:.3f}")
        rows.append(cells)
    return markdown_table(["group", "pages", *(f"{n} F1" for n in names)], rows)


def run_benchmark(
    args: argparse.Namespace, out_root: Path
) -> dict[str, dict[str, tuple[Run, dict[str, Any]]]]:
    everything = {}
    for set_name in args.sets:
        out_dir = out_root / set_name
        out_dir.mkdir(parents=True, exist_ok=True)
        worker_args = ["--sets", set_name, "--repeat", str(args.repeat)]
        if args.limit:
            worker_args += ["--limit", str(args.limit)]
        results: dict[str, tuple[Run, dict[str, Any]]] = {}
        for name in args.systems:
            print(f"{set_name}: running {name} ...", file=sys.stderr, flush=True)
            try:
                run = run_system_subprocess("benchmarks.extraction", name, worker_args, out_dir)
            except subprocess.CalledProcessError as exc:
                print(
                    f"error: {name} failed on {set_name} (exit {exc.returncode}); left out", file=sys.stderr
                )
                continue
            pred = out_dir / f"{name}.jsonl"
            ids = predicted_ids(pred) if args.limit else None
            summary = score_set(set_name, pred, args.n_bootstrap, ids)
            results[name] = (run, summary)
        everything[set_name] = results
    return everything


def report(set_name: str, results: dict[str, tuple[Run, dict[str, Any]]], command: str | None) -> list[str]:
    any_run = next(iter(results.values()))[0]
    lines = [f"## Extraction: {set_name} ({any_run.pages} pages)", ""]
    if command is not None:
        lines += [*run_header(command, DISTS), ""]
    lines += _main_table(results)
    lines += ["", f"Body F1 by {GROUPING[set_name]}:", "", *_group_table(results)]
    split = {
        name: summary["test_split"] for name, (_run, summary) in results.items() if "test_split" in summary
    }
    if split:
        n = next(iter(split.values()))["n"]
        lines += ["", f"Upstream test split only ({n} pages, all page types):", ""]
        rows = [
            [name, f"{b['f1']:.3f}", f"{b['precision']:.3f}", f"{b['recall']:.3f}"]
            for name, b in split.items()
        ]
        lines += markdown_table(["system", "body F1", "precision", "recall"], rows)
    return lines


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=list(SYSTEMS))
    ap.add_argument("--limit", type=int, help="only the first N pages of each set (sorted by id)")
    ap.add_argument("--repeat", type=int, default=1, help="timed passes per system; the median is reported")
    ap.add_argument("--n-bootstrap", type=int, default=1000, help="bootstrap resamples for the ± figures")
    ap.add_argument("--out", type=Path, help="keep predictions and timings here (default: a temp dir)")
    ap.add_argument("--write", action="store_true", help="update this benchmark's sections of RESULTS.md")
    ap.add_argument("--worker", choices=list(SYSTEMS), help=argparse.SUPPRESS)
    return ap


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.worker:  # child process: one system on one set, timed
        set_name = args.sets[0]
        pages = load_pages(set_dir(set_name), limit=args.limit)
        timed_worker(SYSTEMS[args.worker], args.worker, pages, args.out, args.repeat)
        return
    for set_name in args.sets:
        if not (set_dir(set_name) / "ground-truth.json").exists():
            sys.exit(f"error: benchmark data not found: {set_dir(set_name)} (set NEWSWATCH_SHARED)")
    command = "python -m benchmarks.extraction " + shlex.join(sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory(prefix="newswatch-bench-") as tmp:
        out_root = args.out or Path(tmp)
        everything = run_benchmark(args, out_root)
    for set_name, results in everything.items():
        if not results:
            continue
        print("\n".join(report(set_name, results, None)) + "\n")
        if args.write:
            update_results(f"extraction:{set_name}", report(set_name, results, command))
    if args.write:
        print("RESULTS.md updated", file=sys.stderr)


if __name__ == "__main__":
    main()
