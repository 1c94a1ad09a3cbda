"""The trained pipeline as one object for serving: featurizer + model + frozen threshold.

Serving must transform inputs exactly as training did, so the Predictor is built from
the files the pipeline wrote (models/featurizer.json, models/model.npz and the threshold
the evaluate stage froze in models/thresholds.json), never refitted. Inputs come as a CSV
in the raw schema (data/schema.py; the target column may be absent) or as a .npy matrix
of ready features. Categories are matched by name, so a CSV's own ordering of values
does not matter; a value never seen in training is encoded as all zeros, as in training.

Read next: logger.py.
"""

import csv
import io
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.errors import DataError, MissingInputError
from ..core.io import atomic_write, load_json, save_array
from ..core.paths import FEATURIZER, MODEL, THRESHOLDS
from ..core.types import Array
from ..data import schema
from ..data.featurize import Featurizer, transform
from ..models.interface import Model
from ..models.registry import load_model


@dataclass(frozen=True)
class Batch:
    """Rows to score: model-ready features, the raw columns (for the log) and labels."""

    features: Array  # (n, features)
    columns: dict[str, list[Any]]  # raw column -> values; empty for .npy input
    ids: list[str]  # customer ids, or row numbers for .npy input
    labels: Array | None  # 0/1 target when the input has it (shadow money), else None


@dataclass(frozen=True)
class Predictor:
    """A model ready to score batches; `name` tells models apart in logs and reports."""

    featurizer: Featurizer
    model: Model
    threshold: float
    name: str

    def predict(self, features: Array) -> Array:
        """P(churn) per row of model-ready features."""
        return self.model.predict_proba(features)

    def timed_predict(self, features: Array) -> tuple[Array, float]:
        """P(churn) per row, and the milliseconds the batch took."""
        started = time.perf_counter()
        p = self.predict(features)
        return p, 1000 * (time.perf_counter() - started)


def load_predictor(root: Path, model: Path = MODEL, name: str = "current") -> Predictor:
    """The predictor of the pipeline under `root`, with `model` (absolute, or relative to
    `root`) in it."""
    featurizer = Featurizer.from_dict(load_json(root / FEATURIZER))
    threshold = float(load_json(root / THRESHOLDS)["model"])
    return Predictor(featurizer, load_model(root / model), threshold, name)


def read_batch(path: Path, featurizer: Featurizer) -> Batch:
    """Read a .npy feature matrix or a CSV in the raw schema; DataError names the culprit."""
    if not path.exists():
        raise MissingInputError(f"{path}: not found")
    if path.suffix == ".npy":
        features = np.asarray(np.load(path, allow_pickle=False), dtype=np.float64)
        expected = len(featurizer.feature_names)
        if features.ndim != 2 or features.shape[1] != expected:
            raise DataError(f"{path}: must be (rows, {expected}) features, got {features.shape}")
        return Batch(features, {}, [str(i) for i in range(len(features))], None)
    if path.suffix != ".csv":
        raise DataError(f"{path}: must be a .csv in the raw schema or a .npy feature matrix")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        found = list(reader.fieldnames or [])
    needed = (schema.ID_COLUMN, *schema.NUMERIC_COLUMNS, *schema.CATEGORICAL_COLUMNS)
    missing = [column for column in needed if column not in found]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)}; needs {', '.join(needed)}"
        )
    if not rows:
        raise DataError(f"{path}: has a header but no rows")
    numeric = np.full((len(rows), len(schema.NUMERIC_COLUMNS)), np.nan)
    for j, column in enumerate(schema.NUMERIC_COLUMNS):
        for i, row in enumerate(rows):
            cell = row[column]
            try:
                numeric[i, j] = float(cell) if cell else np.nan
            except ValueError:
                raise DataError(
                    f"{path}: line {i + 2}, column {column}: {cell!r} is not a number"
                ) from None
    categorical = np.stack(
        [
            _codes(featurizer, j, [row[c] for row in rows])
            for j, c in enumerate(schema.CATEGORICAL_COLUMNS)
        ],
        axis=1,
    )
    labels = None
    if schema.TARGET_COLUMN in found:
        labels = np.array([float(row[schema.TARGET_COLUMN] == "1") for row in rows])
    columns: dict[str, list[Any]] = {
        c: [None if np.isnan(v) else float(v) for v in numeric[:, j]]
        for j, c in enumerate(schema.NUMERIC_COLUMNS)
    }
    columns |= {c: [row[c] or None for row in rows] for c in schema.CATEGORICAL_COLUMNS}
    ids = [row[schema.ID_COLUMN] for row in rows]
    return Batch(transform(featurizer, numeric, categorical), columns, ids, labels)


def _codes(featurizer: Featurizer, column: int, values: list[str]) -> NDArray[np.int32]:
    """Training codes of a categorical column's values; -1 (all zeros) if unseen or empty.

    The featurizer names its one-hot features `column=value` in the order of its codes."""
    name = schema.CATEGORICAL_COLUMNS[column]
    seen = [f.split("=", 1)[1] for f in featurizer.feature_names if f.startswith(f"{name}=")]
    code = dict(zip(seen, featurizer.categories[column], strict=True))
    return np.array([code.get(value, -1) for value in values], dtype=np.int32)


def save_predictions(path: Path, batch: Batch, p: Array, threshold: float) -> None:
    """Write P(positive) per row: a .npy of probabilities, or a CSV of id, probability
    and the decision at the threshold (offer = 1 when p >= threshold)."""
    if path.suffix == ".npy":
        save_array(path, p)
        return
    if path.suffix != ".csv":
        raise DataError(f"{path}: must end in .csv or .npy")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["id", "probability", "offer"])
    writer.writerows(
        [i, f"{v:.6f}", int(v >= threshold)] for i, v in zip(batch.ids, p, strict=True)
    )
    with atomic_write(path) as handle:
        handle.write(text.getvalue().encode("utf-8"))
