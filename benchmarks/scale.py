"""Scale: ingest throughput of 1 and 2 ``newswatch worker`` processes on PostgreSQL beside one
``newswatch ingest`` process on SQLite, on the same corpus, and the peak memory of each process.

The corpus is the bundled sample's captures and pages, ``--copies`` times over: each copy of a file gets a line
naming the copy (text: appended; HTML: a paragraph before ``</body>``), so the copies are distinct articles
that the linker still has to compare with one another — the work of a real day's ingest, not of re-reading one
file. Each run starts from a fresh database:

- *SQLite, 1 process*: ``newswatch ingest --db fresh.db FILES…``, timed from start to exit;
- *PostgreSQL, N workers*: N ``newswatch worker --concurrency C`` processes started and registered first, then
  every file queued as an ``ingest_url`` job (``newswatch.workers.enqueue_inputs``); timed from queueing to the
  last job done.

Memory is each process's peak resident set (``VmHWM`` of ``/proc/<pid>/status``, read until it exits). The
PostgreSQL server runs on the same machine and its CPU is not counted apart. Run from the repository root:
``nice python -m benchmarks.scale [--copies 10] [--concurrency 2] [--write]``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
from benchmarks.common import markdown_table, run_header, update_results

from newswatch.sample import sample_inputs, sample_reference_date
from newswatch.workers import enqueue_inputs

ADMIN = os.environ.get("NEWSWATCH_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def _corpus(directory: Path, copies: int) -> list[str]:
    names: list[str] = []
    for copy in range(copies):
        for source in sample_inputs():
            path = Path(source)
            if "/feeds/" in source:
                continue
            data = path.read_bytes()  # some sample files are not UTF-8: mark them in ASCII
            mark = f"This is copy {copy} of the report, kept for the scale benchmark.".encode()
            if path.suffix == ".html":
                data = data.replace(b"</body>", b"<p>" + mark + b"</p></body>", 1)
            else:
                data = data.rstrip(b"\n") + b"\n\n" + mark + b"\n"
            target = directory / f"{copy:03d}-{path.name}"
            target.write_bytes(data)
            names.append(str(target))
    return names


class PeakMemory:
    """The peak resident set (MiB) of a process, read from /proc until it exits."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0.0
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        status = Path(f"/proc/{self.pid}/status")
        while True:
            try:
                for line in status.read_text(encoding="utf-8").splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak = max(self.peak, int(line.split()[1]) / 1024)
            except (OSError, ValueError):
                return
            time.sleep(0.1)

    def result(self) -> float:
        self._thread.join(timeout=2)
        return self.peak


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env["NEWSWATCH_POLL_HOST_DELAY"] = "0"
    return env


def run_sqlite(names: list[str], workdir: Path) -> tuple[float, float]:
    db = workdir / "scale.db"
    command = [sys.executable, "-m", "newswatch", "ingest", "--db", str(db)]
    command += ["--reference-date", sample_reference_date().isoformat(), *names]
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = PeakMemory(proc.pid)
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed: {err.decode()[-500:]}")
    return elapsed, memory.result()


def _query(dsn: str, sql: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        row = conn.execute(sql.encode()).fetchone()
        return int(row[0]) if row else 0


def run_workers(names: list[str], workers: int, concurrency: int) -> tuple[float, list[float]]:
    database = f"nw_scale_{secrets.token_hex(4)}"
    dsn = ADMIN.rsplit("/", 1)[0] + "/" + database
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"'.encode())
    procs: list[subprocess.Popen[bytes]] = []
    try:
        command = [
            sys.executable,
            "-m",
            "newswatch",
            "worker",
            "--db",
            dsn,
            "--concurrency",
            str(concurrency),
        ]
        for _ in range(workers):
            procs.append(
                subprocess.Popen(command, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            )
        memories = [PeakMemory(p.pid) for p in procs]
        deadline = time.monotonic() + 120
        while True:  # every worker registered (the schema made, the store migrated)
            try:
                if _query(dsn, "SELECT count(*) FROM procrastinate_workers") >= workers:
                    break
            except psycopg.Error:
                pass
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise SystemExit("the workers did not start")
            time.sleep(0.2)
        start = time.perf_counter()
        enqueue_inputs(dsn, names, reference_date=sample_reference_date())
        left = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'newswatch.ingest_url'"
        while _query(dsn, left + " AND status IN ('todo', 'doing')") > 0:
            time.sleep(0.1)
        elapsed = time.perf_counter() - start
        failed = _query(dsn, left + " AND status = 'failed'")
        if failed:
            raise SystemExit(f"{failed} jobs failed")
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.communicate(timeout=60)
        return elapsed, [m.result() for m in memories]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'.encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="write the Scale section of RESULTS.md")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="nw-scale-"))
    try:
        names = _corpus(workdir, args.copies)
        rows = []
        seconds, peak = run_sqlite(names, workdir)
        rows.append(
            [
                "SQLite, `newswatch ingest`",
                "1 process",
                f"{seconds:.1f}",
                f"{len(names) / seconds:.1f}",
                f"{peak:.0f}",
            ]
        )
        print(rows[-1], flush=True)
        for workers in (1, 2):
            seconds, peaks = run_workers(names, workers, args.concurrency)
            label = f"{workers} × `newswatch worker --concurrency {args.concurrency}`"
            memory = " / ".join(f"{p:.0f}" for p in peaks)
            rows.append(["PostgreSQL", label, f"{seconds:.1f}", f"{len(names) / seconds:.1f}", memory])
            print(rows[-1], flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    command = f"python -m benchmarks.scale --copies {args.copies} --concurrency {args.concurrency} --write"
    body = [
        "## Scale (benchmarks/scale.py)",
        "",
        *run_header(command, ["procrastinate", "psycopg"]),
        "",
        f"{len(names)} inputs: the sample's captures and pages, {args.copies} distinct copies of each (a line"
        " naming the copy added), so the linker compares the copies with one another. Each run on a fresh database;"
        " workers started and registered before the jobs are queued, timed from queueing to the last job done."
        " The SQLite time includes starting the process (about 2 s of imports); the workers' does not."
        " PostgreSQL 15 runs on the same 2-core machine (shared with other work), and storing and linking is"
        " serialised across workers (docs/deploy.md), so a second worker gains only where fetching and the"
        " pipeline dominate. Memory: peak resident set of each process.",
        "",
        *markdown_table(["store", "processes", "seconds", "inputs/s", "peak MiB per process"], rows),
    ]
    print("\n".join(body))
    if args.write:
        update_results("scale", body)


if __name__ == "__main__":
    main()
