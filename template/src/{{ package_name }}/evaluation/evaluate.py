"""Stage 6, evaluate: score the trained model on the validation split.

Validation is where models and settings are compared, as often as you like; its metrics
go to reports/validation_metrics.json, which `dvc metrics show` and `dvc exp show` read.

Read next: holdout.py, the one stage allowed to read the test split.
"""

import logging
from pathlib import Path

import numpy as np

from ..config import Params
from ..data.io import load_array, save_json
from ..models.mlp import load_model, predict_proba
from ..paths import FEATURES_FILE, FEATURES_VALIDATION, MODEL, TARGET_FILE, VALIDATION_METRICS
from .metrics import classification_report

log = logging.getLogger(__name__)


def score_split(params: Params, root: Path, split_folder: Path) -> dict[str, float | int]:
    """The classification report of the trained model on one split's features."""
    model = load_model(root / MODEL)
    features = np.asarray(load_array(root / split_folder / FEATURES_FILE))
    target = np.asarray(load_array(root / split_folder / TARGET_FILE), dtype=np.float64)
    return classification_report(target, predict_proba(model, features), params.evaluate.threshold)


def run(params: Params, root: Path) -> None:
    """Write reports/validation_metrics.json."""
    report = score_split(params, root, FEATURES_VALIDATION)
    save_json(root / VALIDATION_METRICS, report)
    log.info("validation: ROC AUC %.3f, log loss %.4f", report["roc_auc"], report["log_loss"])
