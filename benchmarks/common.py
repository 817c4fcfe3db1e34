"""What the benchmark scripts and the quality-gate tests share.

- where the public data lives (``../shared`` beside the repository, or ``$NEWSWATCH_SHARED``);
- loading a set's pages into memory, decoded once with newswatch's own decoder so every system gets the same
  ``str``;
- running a system over the pages (untimed for tests, timed in a child process for the benchmarks, so each
  system's peak RSS is its own);
- scoring, which is delegated to ``shared/benchmarks/score_extraction.py`` (imported, not re-implemented);
- writing a section of ``benchmarks/RESULTS.md`` between markers, leaving the other sections alone.

Run the scripts from the repository root as modules (``python -m benchmarks.extraction``); tests put the
repository root on ``sys.path`` and import ``benchmarks.common``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import gzip
import importlib.util
import io
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from newswatch.extract.encoding import decode

__all__ = [
    "REPO",
    "RESULTS_MD",
    "Page",
    "Prediction",
    "Run",
    "System",
    "SystemFactory",
    "fmt_rate",
    "load_gt",
    "load_pages",
    "machine_summary",
    "markdown_table",
    "predict",
    "predicted_ids",
    "run_header",
    "run_system_subprocess",
    "score",
    "scorer",
    "set_dir",
    "shared_dir",
    "timed_worker",
    "update_results",
    "versions",
    "write_jsonl",
]

REPO = Path(__file__).resolve().parents[1]
RESULTS_MD = REPO / "benchmarks" / "RESULTS.md"

#: One prediction: ``{"text": ..., "date": ..., ...}`` as score_extraction.py reads it (plus "id").
Prediction = dict[str, Any]
#: A system turns (html, url) into a prediction.
System = Callable[[str, str | None], Prediction]
#: Building a system imports its library; kept apart so imports happen in the worker process.
SystemFactory = Callable[[], System]


def shared_dir() -> Path:
    """The shared data folder: ``$NEWSWATCH_SHARED`` if set, else ``shared`` beside the repository."""
    env = os.environ.get("NEWSWATCH_SHARED")
    return Path(env).resolve() if env else REPO.parent / "shared"


def set_dir(name: str) -> Path:
    """The folder of one benchmark set, e.g. ``set_dir("scrapinghub-aeb")``."""
    return shared_dir() / "benchmarks" / name


_SCORER: ModuleType | None = None


def scorer() -> ModuleType:
    """``shared/benchmarks/score_extraction.py``, imported once (the one definition of every metric)."""
    global _SCORER
    if _SCORER is None:
        path = shared_dir() / "benchmarks" / "score_extraction.py"
        spec = importlib.util.spec_from_file_location("newswatch_shared_score_extraction", path)
        if spec is None or spec.loader is None:
            raise FileNotFoundError(f"scorer not found: {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _SCORER = module
    return _SCORER


# ---------------------------------------------------------------------------------------------------------
# pages


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    html: str
    url: str | None


def load_gt(set_path: Path) -> dict[str, dict[str, Any]]:
    with (set_path / "ground-truth.json").open(encoding="utf-8") as f:
        data: dict[str, dict[str, Any]] = json.load(f)
    return data


def load_pages(set_path: Path, *, limit: int | None = None, ids: Iterable[str] | None = None) -> list[Page]:
    """Pages of a set in id order, decoded once with :func:`newswatch.extract.encoding.decode`.

    ``ids`` restricts to those pages (order kept sorted); ``limit`` keeps the first N after that.
    """
    gt = load_gt(set_path)
    wanted = sorted(gt) if ids is None else sorted(set(ids) & set(gt))
    if limit is not None:
        wanted = wanted[:limit]
    pages = []
    for page_id in wanted:
        with gzip.open(set_path / "html" / f"{page_id}.html.gz", "rb") as f:
            data = f.read()
        pages.append(Page(page_id, decode(data), gt[page_id].get("url")))
    return pages


def predict(
    system: System,
    pages: Sequence[Page],
    *,
    catch: tuple[type[BaseException], ...] = (Exception,),
) -> tuple[list[Prediction], int]:
    """Run ``system`` over ``pages``; a page whose system raises one of ``catch`` gets an empty prediction.

    Returns the predictions (each with its "id") and the number of pages that raised.
    """
    out: list[Prediction] = []
    errors = 0
    for page in pages:
        try:
            res = system(page.html, page.url)
        except catch:
            res, errors = {"text": ""}, errors + 1
        out.append({"id": page.id, **res})
    return out, errors


def write_jsonl(path: Path, predictions: Iterable[Prediction]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for rec in predictions:
            f.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")


def predicted_ids(pred: Path) -> list[str]:
    """Ids of the pages a predictions file covers."""
    with pred.open(encoding="utf-8") as f:
        return [json.loads(line)["id"] for line in f if line.strip()]


# ---------------------------------------------------------------------------------------------------------
# scoring (delegated)


def score(
    set_path: Path,
    pred_path: Path,
    *,
    name: str | None = None,
    where: Sequence[str] = (),
    by: str | None = None,
    group_file: Path | None = None,
    n_bootstrap: int = 1000,
    ids: Collection[str] | None = None,
) -> dict[str, Any]:
    """The summary ``score_extraction.py`` computes for these predictions (its own ``main``, output muted).

    Same arguments as its command line, so a figure here is the figure the shared scorer prints. ``ids``
    scores only those pages (for ``--limit`` runs and subsets): the scorer then gets a ground-truth file
    holding just them, written beside the predictions, so pages never run are not counted as empty.
    """
    gt_path = set_path / "ground-truth.json"
    if ids is not None:
        gt = load_gt(set_path)
        gt_path = pred_path.with_name(pred_path.stem + ".ground-truth.json")
        subset = {i: gt[i] for i in sorted(ids) if i in gt}
        gt_path.write_text(json.dumps(subset, ensure_ascii=False), encoding="utf-8")
    argv = ["--gt", str(gt_path), "--pred", str(pred_path)]
    argv += ["--n-bootstrap", str(n_bootstrap)]
    if name:
        argv += ["--name", name]
    for item in where:
        argv += ["--where", item]
    if group_file is not None:
        argv += ["--group-file", str(group_file)]
    elif by:
        argv += ["--by", by]
    with contextlib.redirect_stdout(io.StringIO()):
        summary: dict[str, Any] = scorer().main(argv)
    return summary


# ---------------------------------------------------------------------------------------------------------
# timing, each system in its own process


@dataclass(frozen=True, slots=True)
class Run:
    """What a timed worker measured for one system."""

    system: str
    pages: int
    errors: int
    wall_s: list[float]
    cpu_s: list[float]
    rss_loaded_mb: float  # resident after the pages were loaded, before the system was built
    peak_rss_mb: float  # the process's peak (pages included)

    @property
    def pages_per_s(self) -> float:
        return self.pages / statistics.median(self.wall_s)

    @property
    def pages_per_cpu_s(self) -> float:
        return self.pages / statistics.median(self.cpu_s)


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _current_rss_mb() -> float:
    """Resident memory now (``VmRSS``); the peak so far where /proc is missing."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return _max_rss_mb()


def timed_worker(
    factory: SystemFactory, system_name: str, pages: Sequence[Page], out_dir: Path, repeat: int
) -> Run:
    """In the worker process: build the system, warm it up on one page, then time ``repeat`` passes.

    Only the extraction loop is timed (pages are already decoded in memory). Predictions of the first pass
    go to ``<out_dir>/<system>.jsonl``, the measurements to ``<system>.timing.json``.
    """
    gc.collect()
    rss_loaded = _current_rss_mb()
    system = factory()
    with contextlib.suppress(Exception):
        system(pages[0].html, pages[0].url)  # warm-up: imports, caches, compiled patterns
    walls, cpus, first, errors = [], [], None, 0
    for _ in range(max(1, repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        preds, errors = predict(system, pages)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
        if first is None:
            first = preds
    write_jsonl(out_dir / f"{system_name}.jsonl", first or [])
    run = Run(system_name, len(pages), errors, walls, cpus, rss_loaded, _max_rss_mb())
    timing = {
        "system": run.system,
        "pages": run.pages,
        "errors": run.errors,
        "wall_s": run.wall_s,
        "cpu_s": run.cpu_s,
        "rss_loaded_mb": run.rss_loaded_mb,
        "peak_rss_mb": run.peak_rss_mb,
    }
    (out_dir / f"{system_name}.timing.json").write_text(json.dumps(timing, indent=1), encoding="utf-8")
    return run


def run_system_subprocess(module: str, system_name: str, worker_args: Sequence[str], out_dir: Path) -> Run:
    """Run ``python -m <module> --worker <system> <worker_args> --out <out_dir>`` and read its timing."""
    cmd = [sys.executable, "-m", module, "--worker", system_name, *worker_args, "--out", str(out_dir)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    subprocess.run(cmd, check=True, cwd=REPO, env=env)
    timing = json.loads((out_dir / f"{system_name}.timing.json").read_text(encoding="utf-8"))
    return Run(
        timing["system"],
        timing["pages"],
        timing["errors"],
        timing["wall_s"],
        timing["cpu_s"],
        timing["rss_loaded_mb"],
        timing["peak_rss_mb"],
    )


# ---------------------------------------------------------------------------------------------------------
# reporting


def versions(dists: Iterable[str]) -> dict[str, str]:
    out = {}
    for dist in dists:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _git_commit() -> str | None:
    try:
        res = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return res.stdout.strip() or None


def machine_summary() -> str:
    """One line: CPU model, cores, memory, OS, Python."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def run_header(command: str, dists: Iterable[str]) -> list[str]:
    """The provenance lines every RESULTS.md section starts with."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    vers = ", ".join(f"{k} {v}" for k, v in versions(dists).items())
    commit = _git_commit()
    return [
        f"- Run: {now}" + (f", tree at commit `{commit}` (with any uncommitted changes)" if commit else ""),
        f"- Machine: {machine_summary()}",
        f"- Versions: {vers}",
        f"- Command: `{command}`",
    ]


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def update_results(key: str, body: Sequence[str], path: Path = RESULTS_MD) -> None:
    """Replace the section ``key`` of RESULTS.md (between its markers), or append it; others are kept."""
    begin, end = f"<!-- BEGIN {key} -->", f"<!-- END {key} -->"
    block = "\n".join([begin, *body, end])
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
