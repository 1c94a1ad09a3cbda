"""The trained pipeline as one object for serving: featurizer + model + frozen threshold.

Serving must transform inputs exactly as training did, so the Predictor is built from
the files the pipeline wrote (models/featurizer.json, models/model.npz and the threshold
the evaluate stage froze in models/thresholds.json), never refitted. Inputs come as a
CSV or Parquet file read by the data contract (data/schema.yaml) with the reader
training uses (data/reader.py; the target column may be absent), or as a .npy matrix of
ready features. A row the reader refuses (a value out of range or not a number, an
unknown category, no feature at all) is never scored: it comes back as a RowError, which
`predict` logs as an error record and writes beside the scored rows. Rows sent to the
HTTP service as JSON objects are read by the same reader (read_json_rows).

Read next: logger.py.
"""

import csv
import io
import math
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.errors import DataError, MissingInputError
from ..core.io import atomic_write, load_json, save_array
from ..core.paths import FEATURIZER, MODEL, SCHEMA, THRESHOLDS
from ..core.types import Array
from ..data.featurize import Featurizer, transform
from ..data.reader import RowError, Rows, read_records, read_rows
from ..data.schema import Schema, load_schema
from ..models.interface import Model
from ..models.registry import load_model


@dataclass(frozen=True)
class Batch:
    """Rows to score: the features of the rows that were read, and the refused rows."""

    features: Array  # (n, features) of the rows read
    positions: NDArray[np.int64]  # (n,) each row's index in the input, from 0
    ids: list[str]  # (n,) the id column, or the row number from 1
    columns: dict[str, list[Any]]  # feature column -> the rows' values, for the log
    labels: Array | None  # (n,) 1 or 0, NaN where not known; None: no target in the input
    refused: list[RowError]  # the rows not scored, in input order
    n_rows: int  # rows in the input, read or refused


@dataclass(frozen=True)
class Predictor:
    """A model ready to score batches; `name` tells models apart in logs and reports."""

    featurizer: Featurizer
    model: Model
    threshold: float
    name: str
    schema: Schema

    def predict(self, features: Array) -> Array:
        """P(positive) per row of model-ready features."""
        return self.model.predict_proba(features)

    def timed_predict(self, features: Array) -> tuple[Array, float]:
        """P(positive) per row, and the milliseconds the batch took."""
        started = time.perf_counter()
        p = self.predict(features)
        return p, 1000 * (time.perf_counter() - started)


def load_predictor(root: Path, model: Path = MODEL, name: str = "current") -> Predictor:
    """The predictor of the pipeline under `root`, with `model` (absolute, or relative to
    `root`) in it; DataError when the featurizer was fitted under another contract."""
    schema = load_schema(root)
    try:
        featurizer = Featurizer.from_dict(load_json(root / FEATURIZER))
    except TypeError:
        featurizer = None
    if featurizer is None or (
        featurizer.numeric_columns != schema.numeric_columns
        or featurizer.vocabularies != schema.vocabularies
    ):
        raise DataError(
            f"{FEATURIZER} was fitted under another data contract than {SCHEMA}: "
            "run `uv run dvc repro` to refit it"
        )
    threshold = float(load_json(root / THRESHOLDS)["model"])
    return Predictor(featurizer, load_model(root / model), threshold, name, schema)


def read_batches(path: Path, featurizer: Featurizer, schema: Schema) -> Iterator[Batch]:
    """Read a CSV or Parquet file by the contract, batch by batch, with the training reader."""
    for rows in read_rows(path, schema, labels_required=False):
        yield as_batch(rows, featurizer, schema)


def read_json_rows(records: Sequence[Mapping[str, Any]], predictor: Predictor) -> Batch:
    """Rows sent as JSON objects (the HTTP service), read by the contract's reader."""
    return as_batch(read_records(records, predictor.schema), predictor.featurizer, predictor.schema)


def as_batch(rows: Rows, featurizer: Featurizer, schema: Schema) -> Batch:
    """The rows the reader kept, featurized as in training, and the rows it refused."""
    kept = ~rows.refused
    numeric, categorical, positions = rows.numeric, rows.categorical, rows.positions
    if rows.errors:  # some rows are refused (else all are kept, as they are)
        numeric, categorical, positions = numeric[kept], categorical[kept], positions[kept]
    columns: dict[str, list[Any]] = {  # Python floats and str: numpy's scalars are slow
        name: [None if math.isnan(v) else v for v in numeric[:, j].tolist()]
        for j, name in enumerate(schema.numeric_columns)
    }
    for j, (name, categories) in enumerate(schema.vocabularies.items()):
        codes = categorical[:, j].tolist()
        columns[name] = [categories[code] if code >= 0 else None for code in codes]
    labels = None
    if rows.labels is not None:
        known = rows.labels[kept]
        labels = np.where(known >= 0, known, np.nan).astype(np.float64)
    return Batch(
        features=transform(featurizer, numeric, categorical),
        positions=positions,
        ids=[i for i, keep in zip(rows.ids(), kept.tolist(), strict=True) if keep],
        columns=columns,
        labels=labels,
        refused=rows.errors,
        n_rows=len(rows.positions) + sum(e.position not in rows.positions for e in rows.errors),
    )


def read_batch(path: Path, featurizer: Featurizer, schema: Schema) -> Batch:
    """A .npy feature matrix, or a CSV or Parquet file by the contract, as one Batch;
    DataError names the culprit of a file that cannot be read at all."""
    if not path.exists():
        raise MissingInputError(f"{path}: not found")
    if path.suffix == ".npy":
        return _feature_matrix(path, featurizer)
    parts = list(read_batches(path, featurizer, schema))
    if not sum(part.n_rows for part in parts):
        raise DataError(f"{path}: has a header but no rows")
    width = len(featurizer.feature_names)
    labels = [part.labels for part in parts if part.labels is not None]
    return Batch(
        features=np.concatenate([part.features for part in parts]).reshape(-1, width),
        positions=np.concatenate([part.positions for part in parts]),
        ids=[i for part in parts for i in part.ids],
        columns={
            name: [v for part in parts for v in part.columns[name]] for name in parts[0].columns
        },
        labels=np.concatenate(labels) if len(labels) == len(parts) else None,
        refused=[error for part in parts for error in part.refused],
        n_rows=sum(part.n_rows for part in parts),
    )


def _feature_matrix(path: Path, featurizer: Featurizer) -> Batch:
    """A .npy of ready features; a row with a value that is not finite is refused."""
    features = np.asarray(np.load(path, allow_pickle=False), dtype=np.float64)
    expected = len(featurizer.feature_names)
    if features.ndim != 2 or features.shape[1] != expected:
        raise DataError(f"{path}: must be (rows, {expected}) features, got {features.shape}")
    finite = np.isfinite(features).all(axis=1)
    refused = [
        RowError(int(i), f"row {i + 1}", None, None, "a feature is not a finite number")
        for i in np.flatnonzero(~finite)
    ]
    kept = np.flatnonzero(finite)
    return Batch(
        features=features[kept],
        positions=kept.astype(np.int64),
        ids=[str(i + 1) for i in kept],
        columns={},
        labels=None,
        refused=refused,
        n_rows=len(features),
    )


def save_predictions(path: Path, batch: Batch, p: Array, threshold: float, schema: Schema) -> None:
    """Write P(positive) for every input row, in input order: a .npy of probabilities (NaN
    for a refused row), or a CSV of id, probability, the decision at the threshold
    (offer = 1 when p >= threshold) and, for a refused row, the error instead."""
    if path.suffix == ".npy":
        full = np.full(batch.n_rows, np.nan)
        full[batch.positions] = p
        save_array(path, full)
        return
    if path.suffix != ".csv":
        raise DataError(f"{path}: must end in .csv or .npy")
    lines: list[tuple[int, list[str]]] = [
        (int(position), [i, f"{v:.6f}", str(int(v >= threshold)), ""])
        for position, i, v in zip(batch.positions, batch.ids, p, strict=True)
    ]
    for error in batch.refused:
        row_id = error.cells.get(schema.id) if schema.id else None
        lines.append((error.position, [str(row_id or error.position + 1), "", "", str(error)]))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["id", "probability", "offer", "error"])
    writer.writerows(cells for _, cells in sorted(lines, key=lambda line: line[0]))
    with atomic_write(path) as handle:
        handle.write(text.getvalue().encode("utf-8"))
