"""Quality gate: newswatch's article body extraction on the ScrapingHub benchmark (181 pages).

Scored by the same code as ``benchmarks/extraction.py`` (which imports ``shared/benchmarks/score_extraction.py``):
the ScrapingHub 4-token-shingle body F1. Floors only go up; raise them when a change lifts the figures in
``benchmarks/RESULTS.md``. Skipped when ``../shared`` is absent, failed instead with
``NEWSWATCH_REQUIRE_SHARED=1``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import shared_set

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import load_pages, predict, write_jsonl  # noqa: E402
from benchmarks.extraction import newswatch_system, score_set  # noqa: E402

from newswatch.errors import NewswatchError  # noqa: E402

pytestmark = pytest.mark.shared

SET = "scrapinghub-aeb"
#: The issue requires at least 0.95. Measured 0.966 on 2026-11-29 (trafilatura in precision mode: 0.964 in the
#: same run); the floor sits a little below the measurement and only goes up.
AEB_BODY_F1_FLOOR = 0.96


@pytest.fixture(scope="module")
def aeb_summary(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    pages = load_pages(shared_set(SET))
    assert len(pages) == 181
    # only our own error type may turn a page into an empty output; anything else is a bug and surfaces here
    predictions, errors = predict(newswatch_system(), pages, catch=(NewswatchError,))
    assert errors == 0, f"{errors} pages raised a NewswatchError"
    pred = tmp_path_factory.mktemp("aeb") / "newswatch.jsonl"
    write_jsonl(pred, predictions)
    return score_set(SET, pred, n_bootstrap=0)


def test_body_f1_on_scrapinghub_aeb_meets_floor(aeb_summary: dict[str, Any]) -> None:
    body = aeb_summary["body"]
    assert aeb_summary["missing_predictions"] == 0
    assert body["f1"] >= AEB_BODY_F1_FLOOR, (
        f"body F1 {body['f1']:.4f} < floor {AEB_BODY_F1_FLOOR} "
        f"(precision {body['precision']:.4f}, recall {body['recall']:.4f})"
    )


def test_every_aeb_page_yields_text(aeb_summary: dict[str, Any]) -> None:
    assert aeb_summary["body"]["empty_predictions"] == 0
