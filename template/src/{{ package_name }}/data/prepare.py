"""Stage 2, prepare: read the raw file once into arrays every later stage can memory-map.

The raw file (CSV or Parquet, named by the contract in data/schema.yaml) is read batch by
batch with reader.py, the reader serving uses too. Numeric columns (number, integer,
boolean) become float64 with NaN where a cell is empty; category columns become int32
codes into the contract's categories (-1 where empty); the target becomes int8, 1 for
the positive value. A JSON sidecar names the columns, the vocabularies and the target,
so the arrays describe themselves. Each batch is appended to the arrays' files as it is
read (core/io.py's appended_array), so memory holds one batch at any size of file. The
first row that breaks the contract stops the stage with its line, column and value, and
no file replaces the previous outputs, even when that row is in the last batch.

Read next: split.py.
"""

import logging
from collections.abc import Iterator
from contextlib import ExitStack
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from ..core.config import Params
from ..core.errors import DataError, MissingInputError
from ..core.io import appended_array, save_json
from ..core.paths import (
    INTERIM_CATEGORICAL,
    INTERIM_COLUMNS,
    INTERIM_NUMERIC,
    INTERIM_TARGET,
    SCHEMA,
)
from .reader import Rows, read_rows
from .schema import Schema, load_schema

log = logging.getLogger(__name__)


def checked_batches(path: Path, schema: Schema) -> Iterator[Rows]:
    """The raw file's batches, in file order; DataError at the first row that breaks the
    contract (after the batches before it were yielded), or when the file has no rows."""
    if not path.exists():
        raise MissingInputError(
            f"{path}: not found; run the ingest stage first, or point {SCHEMA} at your data "
            "with `data adopt`"
        )
    n_rows = 0
    for rows in read_rows(path, schema, labels_required=True):
        if rows.errors:
            raise DataError(f"{path}: {rows.errors[0]} (the rules are in {SCHEMA})")
        n_rows += len(rows.positions)
        yield rows
    if not n_rows:
        raise DataError(f"{path}: has a header but no rows")


def write_arrays(path: Path, schema: Schema, root: Path) -> int:
    """Append each checked batch to data/interim/*.npy as it is read, so memory holds one
    batch; the number of rows. On any error no file replaces the previous ones."""
    batches = checked_batches(path, schema)
    # a missing file, a file without rows or a bad first batch stops here, creating nothing
    first = next(batches)
    n_rows = 0
    with ExitStack() as files:
        numeric, categorical, target = (
            files.enter_context(appended_array(root / name, dtype, columns))
            for name, dtype, columns in (
                (INTERIM_NUMERIC, np.float64, len(schema.numeric_columns)),
                (INTERIM_CATEGORICAL, np.int32, len(schema.categorical_columns)),
                (INTERIM_TARGET, np.int8, None),
            )
        )
        for rows in chain([first], batches):
            assert rows.labels is not None  # labels_required: the target column is there
            numeric(rows.numeric)
            categorical(rows.categorical)
            target(rows.labels)
            n_rows += len(rows.labels)
    return n_rows


def describe_columns(n_rows: int, schema: Schema) -> dict[str, Any]:
    """The sidecar: what each array's columns are, so the .npy files explain themselves."""
    return {
        "n_rows": n_rows,
        "numeric": {"columns": schema.numeric_columns, "dtype": "float64", "missing": "NaN"},
        "categorical": {
            "columns": schema.categorical_columns,
            "dtype": "int32",
            "missing": -1,
            "vocabularies": schema.vocabularies,
        },
        "target": {
            "column": schema.target.column,
            "positive": schema.target.positive,
            "label": schema.target_label,
            "dtype": "int8",
        },
    }


def run(params: Params, root: Path) -> None:
    """Read the contract's raw file into data/interim/*.npy and columns.json."""
    schema = load_schema(root)
    n_rows = write_arrays(schema.source.resolve(root), schema, root)
    save_json(root / INTERIM_COLUMNS, describe_columns(n_rows, schema))
    log.info("read %d rows into %s", n_rows, INTERIM_NUMERIC.parent)
