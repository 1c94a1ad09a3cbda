"""Stage 6, evaluate: choose the decision threshold on validation, score the model and
the baselines in money and standard metrics, and freeze the thresholds for `test`.

1. Predict P(positive) on validation with the trained model and with a logistic regression
   baseline fitted here on the train features (baselines.py).
2. For each, choose the threshold that maximises money saved on validation (money.py)
   and write them to models/thresholds.json; the test stage reads them unchanged.
3. Report, for the model and every baseline, money saved per 1,000 customers with a
   bootstrap interval, and beside it ROC AUC, PR AUC, log loss, Brier score and the
   confusion matrix at the threshold (metrics.py): reports/validation_report.json, and
   the few numbers to compare experiments by in reports/validation_metrics.json (DVC's).
   `beats_baselines` is false when any baseline saves at least as much as the model, and
   `model_run` names the run that trained the model scored (the journal quotes it).
4. Draw the calibration plot and money-by-threshold curve for `dvc plots show`.
5. Keep all of it in the run that trained the model too (runs/<id>/evaluation.json), so
   the report shows each run's own validation money after a newer model replaced it.

The money on validation is measured at a threshold chosen on those same rows, so it is
a little optimistic; the test stage's figure, at the frozen threshold, is not.

Read next: plots.py.
"""

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.config import Params
from ..core.io import load_array, load_json, save_json
from ..core.paths import (
    BASELINE_MODEL,
    CALIBRATION_DATA,
    CALIBRATION_PLOT,
    FEATURES_FILE,
    FEATURES_TRAIN,
    FEATURES_VALIDATION,
    INTERIM_COLUMNS,
    MODEL,
    MONEY_CURVE,
    TARGET_FILE,
    THRESHOLDS,
    VALIDATION_METRICS,
    VALIDATION_REPORT,
)
from ..core.types import Array
from ..models.registry import load_model, model_metadata, predict_file
from ..tracking.run import runs_folder
from .baselines import fit_logistic_regression, save_linear
from .metrics import calibration_curve, classification_report
from .money import PER_CUSTOMERS, bootstrap_interval, choose_threshold, savings_per_row
from .plots import save_calibration_plot

log = logging.getLogger(__name__)

MONEY = "money_saved_per_1000"  # the criterion's key in every report
RUN_RECORD = "evaluation.json"  # this evaluation, kept in the folder of the run it evaluated


def load_split(root: Path, folder: Path) -> tuple[Array, Array]:
    """The features (memory-mapped) and 0/1 target of one split."""
    features = np.asarray(load_array(root / folder / FEATURES_FILE), dtype=np.float64)
    target = np.asarray(load_array(root / folder / TARGET_FILE), dtype=np.float64)
    return features, target


def split_scores(
    root: Path, folder: Path, models: Mapping[str, Callable[[Array], Array]]
) -> tuple[dict[str, Array], Array]:
    """P(positive) of each model (name -> predict_proba) on one split, scored a chunk of
    rows at a time (registry.predict_file), and the split's 0/1 target."""
    scores = {
        name: predict_file(predict, root / folder / FEATURES_FILE)
        for name, predict in models.items()
    }
    target = np.asarray(load_array(root / folder / TARGET_FILE), dtype=np.float64)
    return scores, target


def money_report(y: Array, offer: NDArray[np.bool_], params: Params) -> dict[str, float]:
    """Money saved per 1,000 customers by these decisions, with its bootstrap interval."""
    values = savings_per_row(y, offer, params.outcome)
    settings = params.evaluate
    low, high = bootstrap_interval(
        values, settings.bootstrap_samples, settings.confidence, settings.seed
    )
    saved = float(PER_CUSTOMERS * values.mean())
    return {MONEY: saved, "money_saved_low": low, "money_saved_high": high}


def outcome_report(
    y: Array, scores: Mapping[str, Array], thresholds: Mapping[str, float], params: Params
) -> dict[str, Any]:
    """The model's report with the baselines' beside it; `scores` holds P(positive) of the
    "model" and of the "logistic_regression" baseline, `thresholds` their thresholds."""

    def scored(name: str) -> dict[str, Any]:
        p, threshold = scores[name], thresholds[name]
        return {**classification_report(y, p, threshold), **money_report(y, p >= threshold, params)}

    baselines = {
        "logistic_regression": scored("logistic_regression"),
        "offer_everyone": money_report(y, np.ones(len(y), dtype=np.bool_), params),
        "do_nothing": money_report(y, np.zeros(len(y), dtype=np.bool_), params),
    }
    report = scored("model")
    best = max(baselines.values(), key=lambda baseline: float(baseline[MONEY]))
    report["beats_baselines"] = bool(report[MONEY] > best[MONEY])
    report["baselines"] = baselines
    return report


def headline(report: Mapping[str, Any]) -> dict[str, float]:
    """The few numbers a person compares between experiments (DVC's metrics): money saved
    per 1,000 customers with its interval, the best baseline's, ROC AUC and log loss."""
    best_baseline = max(float(baseline[MONEY]) for baseline in report["baselines"].values())
    # rounded to what a comparison can tell apart: money to the unit, scores to 4 places
    return {
        "money": round(report[MONEY]),
        "money_low": round(report["money_saved_low"]),
        "money_high": round(report["money_saved_high"]),
        "baseline_money": round(best_baseline),
        "roc_auc": round(report["roc_auc"], 4),
        "log_loss": round(report["log_loss"], 4),
    }


def log_summary(report: Mapping[str, Any], split: str) -> None:
    """One log line with the model's money and the best baseline's; a warning when a
    baseline does at least as well. (`<package> stage` prints the whole table.)"""
    name, best = max(report["baselines"].items(), key=lambda item: float(item[1][MONEY]))
    log.info(
        "%s: the model saves %s per 1,000 (%s to %s); best baseline %s saves %s",
        split,
        f"{report[MONEY]:,.0f}",
        f"{report['money_saved_low']:,.0f}",
        f"{report['money_saved_high']:,.0f}",
        name,
        f"{best[MONEY]:,.0f}",
    )
    if not report["beats_baselines"]:
        log.warning("%s: the model does not save more money than every baseline", split)


def money_curve(y: Array, p: Array, params: Params) -> list[dict[str, float]]:
    """Money saved per 1,000 customers at thresholds 0, 0.01, ..., 1 (for `dvc plots`)."""
    grid = np.linspace(0.0, 1.0, 101)
    gain = savings_per_row(y, np.ones(len(y), dtype=np.bool_), params.outcome)
    # saved(t) = PER_CUSTOMERS * sum of gain over rows with p >= t / n, one threshold at a
    # time: a (101, n) matrix of offers costs 808 bytes a row in the product (docs: "Scaling out")
    saved = [PER_CUSTOMERS * float(gain[p >= t].sum()) / len(y) for t in grid]
    return [{"threshold": float(t), MONEY: s} for t, s in zip(grid, saved, strict=True)]


def run(params: Params, root: Path) -> None:
    """Write models/thresholds.json, models/baseline.json, the validation report and plots."""
    train_features, train_target = load_split(root, FEATURES_TRAIN)
    baseline = fit_logistic_regression(train_features, train_target, params.evaluate.baseline_c)
    del train_features, train_target  # unmapped: the train rows leave memory
    models = {
        "model": load_model(root / MODEL).predict_proba,
        "logistic_regression": baseline.predict_proba,
    }
    scores, y = split_scores(root, FEATURES_VALIDATION, models)
    thresholds = {name: choose_threshold(y, p, params.outcome) for name, p in scores.items()}
    report = outcome_report(y, scores, thresholds, params)
    # which model these numbers are of: a later `stage train` replaces models/model.npz
    report["model_run"] = model_metadata(root / MODEL).get("run_id")
    curves = {
        name: calibration_curve(y, p, params.evaluate.calibration_bins)
        for name, p in scores.items()
    }
    save_linear(baseline, root / BASELINE_MODEL)
    save_json(root / THRESHOLDS, thresholds)
    save_json(root / VALIDATION_REPORT, report)
    save_json(root / VALIDATION_METRICS, headline(report))
    save_json(root / CALIBRATION_DATA, {"calibration": curves["model"]})
    money = money_curve(y, scores["model"], params)
    save_json(root / MONEY_CURVE, {"money": money})
    label = load_json(root / INTERIM_COLUMNS)["target"]["label"]  # what is predicted: `churned = 1`
    save_calibration_plot(curves, thresholds["model"], root / CALIBRATION_PLOT, label)
    record = {"report": report, "thresholds": thresholds, "calibration": curves, "label": label}
    record_in_run(
        root, {**record, "money_by_threshold": money, "outcome": params.outcome.model_dump()}
    )
    log_summary(report, "validation")


def record_in_run(root: Path, evaluation: Mapping[str, Any]) -> None:
    """Write the evaluation into the folder of the run that trained the model, if it has one
    here (a model pulled with DVC comes without its run)."""
    run_id = model_metadata(root / MODEL).get("run_id")
    folder = runs_folder(root) / str(run_id)  # the project's runs/, also in a queued experiment
    if run_id and folder.is_dir():
        evaluated = {"time": datetime.now(UTC).isoformat(timespec="seconds"), **evaluation}
        save_json(folder / RUN_RECORD, evaluated)
