"""Stage 3, split: divide the rows into train, validation and test, once and for all.

The split is stratified by the target, so each part has the positive rate of the whole,
and seeded, so it never changes unless params.yaml says so. Train fits everything,
validation chooses between models and thresholds, and test is scored once, at the end,
by the test stage: the only honest estimate of how the model will do. The arrays are
read and written a chunk of rows at a time (core/io.py), so memory holds the row numbers
of the splits and one chunk, at any size.

Read next: featurize.py.
"""

import logging
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ..core.config import Params, SplitParams
from ..core.io import appended_array, array_chunks, load_array
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

ROWS_PER_CHUNK: Final = 65_536


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
    """Write data/processed/{train,validation,test}/ from the interim arrays, ROWS_PER_CHUNK
    rows at a time: each split's rows of the chunk are appended to its files, in file
    order, so memory holds one chunk and the row numbers, whatever the size."""
    target = load_array(root / INTERIM_TARGET)
    splits = split_indices(target, params.split)
    inputs = {
        NUMERIC_FILE: root / INTERIM_NUMERIC,
        CATEGORICAL_FILE: root / INTERIM_CATEGORICAL,
        TARGET_FILE: root / INTERIM_TARGET,
    }
    with ExitStack() as files:
        append: dict[tuple[Split, str], Callable[[NDArray[Any]], None]] = {}
        for file, path in inputs.items():
            array = load_array(path)  # mapped for its dtype and shape only
            columns = array.shape[1] if array.ndim == 2 else None
            for name in splits:
                output = root / PROCESSED_SPLITS[name] / file
                append[name, file] = files.enter_context(
                    appended_array(output, array.dtype.type, columns)
                )
        start = 0
        chunks = (array_chunks(path, ROWS_PER_CHUNK) for path in inputs.values())
        for chunk in zip(*chunks, strict=True):
            stop = start + len(chunk[0])
            for name, rows in splits.items():
                # the split's rows in [start, stop), as positions within the chunk
                inside = rows[np.searchsorted(rows, start) : np.searchsorted(rows, stop)] - start
                for file, values in zip(inputs, chunk, strict=True):
                    append[name, file](values[inside])
            start = stop
    for name, rows in splits.items():
        log.info("%s: %d rows, positive rate %.3f", name, len(rows), target[rows].mean())
