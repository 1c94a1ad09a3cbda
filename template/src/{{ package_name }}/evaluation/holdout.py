"""Stage 7, test: score the final model once on the test split, at the frozen thresholds.

This is the only module that reads data/features/test, and dvc.yaml gives the test split
to no other stage (tests/test_wiring.py checks both). Every choice made by looking at a
score must be made on validation, as the thresholds were (models/thresholds.json); a
test score you have tuned against is no longer an estimate of anything.

Each scoring appends one line to reports/test_ledger.jsonl: when, at which commit, with
which model (its SHA-256), and what it scored. The ledger is the honest count of how
often the test split has been looked at; if it grows long, the test score is optimistic.

This is the last stage. Read next: statistics.py, for comparing models.
"""

import hashlib
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..core.config import Params
from ..core.git import git_state
from ..core.io import load_json, save_json
from ..core.paths import BASELINE_MODEL, FEATURES_TEST, MODEL, TEST_LEDGER, TEST_REPORT, THRESHOLDS
from ..models.registry import load_model
from .baselines import load_linear
from .evaluate import MONEY, log_summary, outcome_report, split_scores

log = logging.getLogger(__name__)


def append_to_ledger(root: Path, report: dict[str, Any]) -> None:
    """Add one record of this look at the test split to reports/test_ledger.jsonl."""
    record = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_state(root).commit,  # None outside git
        "model_sha256": hashlib.sha256((root / MODEL).read_bytes()).hexdigest(),
        "threshold": report["threshold"],
        MONEY: report[MONEY],
        "roc_auc": report["roc_auc"],
    }
    path = root / TEST_LEDGER
    path.parent.mkdir(parents=True, exist_ok=True)
    # one short line in append mode: earlier records are never rewritten
    with path.open("a", encoding="utf-8") as ledger:
        ledger.write(json.dumps(record, sort_keys=True) + "\n")


def run(params: Params, root: Path) -> None:
    """Write reports/test_report.json and add a line to reports/test_ledger.jsonl."""
    models = {
        "model": load_model(root / MODEL).predict_proba,
        "logistic_regression": load_linear(root / BASELINE_MODEL).predict_proba,
    }
    scores, y = split_scores(root, FEATURES_TEST, models)
    thresholds = load_json(root / THRESHOLDS)
    report = outcome_report(y, scores, thresholds, params)
    save_json(root / TEST_REPORT, report)
    append_to_ledger(root, report)
    log_summary(report, "test")
    looks = len((root / TEST_LEDGER).read_text(encoding="utf-8").splitlines())
    log.info("test split scored; %d look(s) recorded in %s", looks, TEST_LEDGER)
