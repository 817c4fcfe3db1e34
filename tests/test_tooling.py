"""The code stays ruff- and mypy-clean: part of the one test command, so CI enforces it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


CODE = [name for name in ("src", "tests", "benchmarks", "scripts") if (ROOT / name).is_dir()]


@pytest.mark.parametrize(
    "command", [["ruff", "check"], ["ruff", "format", "--check"]], ids=["check", "format"]
)
def test_ruff(command: list[str]) -> None:
    if shutil.which("ruff") is None:
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    result = subprocess.run([*command, *CODE], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_public_api() -> None:
    import newswatch

    assert sorted(newswatch.__all__) == [
        "Actor", "Article", "Event", "Failure", "IngestReport", "Link", "Mention", "NewswatchError", "Quote",
        "RawInput", "Settings", "Store", "Translation", "extract_inputs", "ingest_inputs", "load_settings",
        "open_store", "process",
    ]  # fmt: skip
    for name in newswatch.__all__:
        assert getattr(newswatch, name) is not None
