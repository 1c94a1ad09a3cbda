"""Stage 7, test: score the final model once on the test split.

This is the only module that reads data/features/test, and dvc.yaml gives the test split
to no other stage (tests/test_wiring.py checks both). Every choice made by looking at a
score must be made on validation; a test score you have tuned against is no longer an
estimate of anything.

This is the last stage; go back to ../config.py to see what you can change.
"""

import logging
from pathlib import Path

from ..config import Params
from ..data.io import save_json
from ..paths import FEATURES_TEST, TEST_METRICS
from .evaluate import score_split

log = logging.getLogger(__name__)


def run(params: Params, root: Path) -> None:
    """Write reports/test_metrics.json."""
    report = score_split(params, root, FEATURES_TEST)
    save_json(root / TEST_METRICS, report)
    log.info("test: ROC AUC %.3f, log loss %.4f", report["roc_auc"], report["log_loss"])
