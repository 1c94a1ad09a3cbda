"""Stage 2, prepare: read the raw file once into arrays every later stage can memory-map.

The raw file (CSV or Parquet, named by the contract in data/schema.yaml) is read batch by
batch with reader.py, the reader serving uses too. Numeric columns (number, integer,
boolean) become float64 with NaN where a cell is empty; category columns become int32
codes into the contract's categories (-1 where empty); the target becomes int8, 1 for
the positive value. A JSON sidecar names the columns, the vocabularies and the target,
so the arrays describe themselves. The first row that breaks the contract stops the
stage with its line, column and value, before anything is written.

Read next: split.py.
"""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.config import Params
from ..core.errors import DataError, MissingInputError
from ..core.io import save_array, save_json
from ..core.paths import (
    INTERIM_CATEGORICAL,
    INTERIM_COLUMNS,
    INTERIM_NUMERIC,
    INTERIM_TARGET,
    SCHEMA,
)
from .reader import read_rows
from .schema import Schema, load_schema

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedTable:
    """The raw file as arrays: one row per data row, columns in contract order."""

    numeric: NDArray[np.float64]  # (n_rows, n_numeric), NaN = missing
    categorical: NDArray[np.int32]  # (n_rows, n_categorical), -1 = missing
    target: NDArray[np.int8]  # (n_rows,), 1 = the positive value, 0 = any other


def parse(path: Path, schema: Schema) -> ParsedTable:
    """Read the raw file; raise DataError naming the first row that breaks the contract."""
    if not path.exists():
        raise MissingInputError(
            f"{path}: not found; run the ingest stage first, or point {SCHEMA} at your data "
            "with `data adopt`"
        )
    numeric, categorical, target = [], [], []
    for rows in read_rows(path, schema, labels_required=True):
        if rows.errors:
            raise DataError(f"{path}: {rows.errors[0]} (the rules are in {SCHEMA})")
        assert rows.labels is not None  # labels_required: the target column is there
        numeric.append(rows.numeric)
        categorical.append(rows.categorical)
        target.append(rows.labels)
    if not sum(len(part) for part in target):
        raise DataError(f"{path}: has a header but no rows")
    return ParsedTable(
        numeric=np.concatenate(numeric),
        categorical=np.concatenate(categorical),
        target=np.concatenate(target),
    )


def describe_columns(table: ParsedTable, schema: Schema) -> dict[str, Any]:
    """The sidecar: what each array's columns are, so the .npy files explain themselves."""
    return {
        "n_rows": len(table.target),
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
    table = parse(schema.source.resolve(root), schema)
    save_array(root / INTERIM_NUMERIC, table.numeric)
    save_array(root / INTERIM_CATEGORICAL, table.categorical)
    save_array(root / INTERIM_TARGET, table.target)
    save_json(root / INTERIM_COLUMNS, describe_columns(table, schema))
    log.info("read %d rows into %s", len(table.target), INTERIM_NUMERIC.parent)
