"""Where every stage reads and writes: one constant per folder and file of the pipeline.

The paths are relative to the project root (the folder that holds dvc.yaml), because DVC
runs every stage from there. Stages join them onto a `root` argument, so the tests can run
the whole pipeline inside a temporary folder. dvc.yaml names the same paths, and
tests/test_wiring.py fails when the two drift apart. Nothing happens on import.

Read next: errors.py.
"""

from pathlib import Path
from typing import Final, Literal

from .errors import NotAProjectError

# The package's import name, which is also the name of its command (`uv run <package> ...`).
PACKAGE: Final = __name__.partition(".")[0]

Split = Literal["train", "validation", "test"]
SPLITS: Final[tuple[Split, ...]] = ("train", "validation", "test")

PARAMS_FILE: Final = Path("params.yaml")
# The pipeline DVC runs; the folder that holds it is the project root.
DVC_YAML: Final = Path("dvc.yaml")
# params (the first stage): written once params.yaml has passed every check; every other
# stage depends on it, so DVC runs the check before it deletes any stage's outputs.
PARAMS_CHECKED: Final = Path("params.checked")
JOURNAL: Final = Path("JOURNAL.md")

DATA: Final = Path("data")

# The data contract: the raw file, its columns and their rules (data/schema.py). The raw
# file's path is in it; data/raw/ holds the data as delivered, never edited by hand.
SCHEMA: Final = DATA / "schema.yaml"
RAW: Final = DATA / "raw"

# prepare: the CSV parsed once into arrays, with a sidecar that names the columns.
INTERIM: Final = DATA / "interim"
INTERIM_NUMERIC: Final = INTERIM / "numeric.npy"
INTERIM_CATEGORICAL: Final = INTERIM / "categorical.npy"
INTERIM_TARGET: Final = INTERIM / "target.npy"
INTERIM_COLUMNS: Final = INTERIM / "columns.json"

# split: one folder per split, each holding numeric.npy, categorical.npy and target.npy.
PROCESSED: Final = DATA / "processed"
PROCESSED_TRAIN: Final = PROCESSED / "train"
PROCESSED_VALIDATION: Final = PROCESSED / "validation"
PROCESSED_TEST: Final = PROCESSED / "test"

# featurize: one folder per split, each holding features.npy and target.npy.
FEATURES: Final = DATA / "features"
FEATURES_TRAIN: Final = FEATURES / "train"
FEATURES_VALIDATION: Final = FEATURES / "validation"
FEATURES_TEST: Final = FEATURES / "test"

# File names inside the split folders above.
NUMERIC_FILE: Final = "numeric.npy"
CATEGORICAL_FILE: Final = "categorical.npy"
TARGET_FILE: Final = "target.npy"
FEATURES_FILE: Final = "features.npy"

# Fitted artefacts: the featurizer (fitted on train only) and the model.
MODELS: Final = Path("models")
FEATURIZER: Final = MODELS / "featurizer.json"
MODEL: Final = MODELS / "model.npz"

# What DVC shows with `dvc metrics show` and `dvc exp show`: the few numbers a person
# compares between experiments, all measured on train or validation, never on test.
REPORTS: Final = Path("reports")
VALIDATION_METRICS: Final = REPORTS / "validation_metrics.json"
# The train loss by epoch, with the spread of the per-sample losses, for `dvc plots show`.
TRAIN_CURVE: Final = REPORTS / "train_curve.csv"
# Everything the evaluate and test stages measured, for people and tools (not DVC metrics).
VALIDATION_REPORT: Final = REPORTS / "validation_report.json"
TEST_REPORT: Final = REPORTS / "test_report.json"
# How long each stage took, and its timed sections (git-ignored: it changes every run).
STAGE_TIMINGS: Final = REPORTS / "timings"
# The static HTML report of runs and evaluations (`<package> report`; git-ignored).
SITE: Final = REPORTS / "site"

# One folder per run of the train stage (tracking/), git-ignored.
RUNS: Final = Path("runs")


# Figures made by notebooks and commands, for people rather than for DVC.
FIGURES: Final = REPORTS / "figures"

# The split folders by name, for stages that loop over splits.
PROCESSED_SPLITS: Final[dict[Split, Path]] = {
    "train": PROCESSED_TRAIN,
    "validation": PROCESSED_VALIDATION,
    "test": PROCESSED_TEST,
}
FEATURES_SPLITS: Final[dict[Split, Path]] = {
    "train": FEATURES_TRAIN,
    "validation": FEATURES_VALIDATION,
    "test": FEATURES_TEST,
}

# evaluate: the decision thresholds chosen on validation, frozen for the test stage, the
# fitted logistic regression baseline, and the plots of `dvc plots show`.
THRESHOLDS: Final = MODELS / "thresholds.json"
BASELINE_MODEL: Final = MODELS / "baseline.json"
CALIBRATION_DATA: Final = REPORTS / "calibration.json"
CALIBRATION_PLOT: Final = REPORTS / "calibration.png"
MONEY_CURVE: Final = REPORTS / "money_by_threshold.json"

# test: one line per scoring of the test split, so you see how often you have looked.
TEST_LEDGER: Final = REPORTS / "test_ledger.jsonl"

# monitoring (generated with the monitoring option): the training reference drift is
# measured against, the prediction logs, and the monitoring reports.
REFERENCE: Final = MODELS / "reference.json"
LOGS: Final = Path("logs")
PREDICTION_LOGS: Final = LOGS / "predictions"
SHADOW_LOGS: Final = LOGS / "shadow"
MONITORING_REPORTS: Final = REPORTS / "monitoring"
PREDICTIONS: Final = REPORTS / "predictions.csv"  # where `predict` writes by default


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above `start` (default: the working directory) that holds
    dvc.yaml, as git and DVC find theirs: every command works from any folder inside the
    project (src/, notebooks/), and so do notebooks and scripts."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DVC_YAML).is_file():
            return folder
    raise NotAProjectError(
        f"no dvc.yaml in {here} or any folder above it: run this inside the project"
    )
