"""Stage 3, split: divide the rows into train, validation and test, once and for all.

The split is stratified by the target, so each part has the positive rate of the whole,
and seeded, so it never changes unless params.yaml says so. Train fits everything,
validation chooses between models and thresholds, and test is scored once, at the end,
by the test stage: the only honest estimate of how the model will do.

Read next: featurize.py.
"""

import logging
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..core.config import Params, SplitParams
from ..core.io import load_array, save_arrays
from ..core.paths import (
    CATEGORICAL_FILE,
    INTERIM_CATEGORICAL,
    INTERIM_NUMERIC,
    INTERIM_TARGET,
    NUMERIC_FILE,
    PROCESSED_SPLITS,
    TARGET_FILE,
    Split,
)

log = logging.getLogger(__name__)


def split_indices(
    target: NDArray[np.integer], params: SplitParams
) -> dict[Split, NDArray[np.int64]]:
    """Row indices of each split, stratified by `target`; together they cover every row once."""
    rng = np.random.default_rng(params.seed)
    parts: dict[Split, list[NDArray[np.int64]]] = {"train": [], "validation": [], "test": []}
    for label in np.unique(target):
        rows = rng.permutation(np.flatnonzero(target == label))
        n_test = round(len(rows) * params.test_fraction)
        n_validation = round(len(rows) * params.validation_fraction)
        parts["test"].append(rows[:n_test])
        parts["validation"].append(rows[n_test : n_test + n_validation])
        parts["train"].append(rows[n_test + n_validation :])
    # Sorted, so each split keeps the file's row order and reads memory in sequence.
    return {name: np.sort(np.concatenate(chunks)) for name, chunks in parts.items()}


def run(params: Params, root: Path) -> None:
    """Write data/processed/{train,validation,test}/ from the interim arrays."""
    numeric = load_array(root / INTERIM_NUMERIC)
    categorical = load_array(root / INTERIM_CATEGORICAL)
    target = load_array(root / INTERIM_TARGET)
    for name, rows in split_indices(target, params.split).items():
        save_arrays(
            root / PROCESSED_SPLITS[name],
            {
                NUMERIC_FILE: numeric[rows],
                CATEGORICAL_FILE: categorical[rows],
                TARGET_FILE: target[rows],
            },
        )
        log.info("%s: %d rows, positive rate %.3f", name, len(rows), target[rows].mean())
