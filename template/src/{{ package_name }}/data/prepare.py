"""Stage 2, prepare: parse the raw CSV once into arrays every later stage can memory-map.

Text is slow to parse and easy to misread; this is the only stage that reads it. Numeric
columns become float64 with NaN where a cell is empty; categorical columns become int32
codes into a vocabulary (-1 where empty); the target becomes int8. A JSON sidecar names
the columns, their types and the vocabularies, so the arrays describe themselves.
A malformed file stops the stage with the row and column at fault.

Read next: split.py.
"""

import csv
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
    RAW_CSV,
)
from . import schema

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParsedTable:
    """The raw CSV as arrays: one row per customer, columns in schema order."""

    numeric: NDArray[np.float64]  # (n_rows, n_numeric), NaN = missing
    categorical: NDArray[np.int32]  # (n_rows, n_categorical), -1 = missing
    target: NDArray[np.int8]  # (n_rows,), 0 or 1
    vocabularies: dict[str, list[str]]  # categorical column -> its values, code = index


def parse_csv(path: Path) -> ParsedTable:
    """Parse the raw export; raise DataError naming the first bad row and column."""
    if not path.exists():
        raise MissingInputError(f"{path}: not found; run the ingest stage first")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        missing = [column for column in schema.COLUMNS if column not in header]
        if missing:
            raise DataError(
                f"{path}: missing column(s) {', '.join(missing)}; "
                f"found {', '.join(header) or 'no header'}"
            )
        position = {column: header.index(column) for column in schema.COLUMNS}
        rows = list(reader)

    numeric = np.full((len(rows), len(schema.NUMERIC_COLUMNS)), np.nan)
    categorical = np.full((len(rows), len(schema.CATEGORICAL_COLUMNS)), -1, dtype=np.int32)
    target = np.zeros(len(rows), dtype=np.int8)
    vocabularies: dict[str, dict[str, int]] = {c: {} for c in schema.CATEGORICAL_COLUMNS}
    for i, row in enumerate(rows):
        line = i + 2  # 1-based, after the header: what an editor shows
        if len(row) != len(header):
            raise DataError(
                f"{path}: line {line} has {len(row)} cells, the header has {len(header)}"
            )
        for j, column in enumerate(schema.NUMERIC_COLUMNS):
            cell = row[position[column]]
            if cell:
                try:
                    numeric[i, j] = float(cell)
                except ValueError:
                    raise DataError(
                        f"{path}: line {line}, column {column}: {cell!r} is not a number"
                    ) from None
        for j, column in enumerate(schema.CATEGORICAL_COLUMNS):
            cell = row[position[column]]
            if cell:
                codes = vocabularies[column]
                categorical[i, j] = codes.setdefault(cell, len(codes))
        label = row[position[schema.TARGET_COLUMN]]
        if label not in ("0", "1"):
            raise DataError(
                f"{path}: line {line}, column {schema.TARGET_COLUMN}: must be 0 or 1, got {label!r}"
            )
        target[i] = int(label)
    if not rows:
        raise DataError(f"{path}: has a header but no rows")
    return ParsedTable(
        numeric=numeric,
        categorical=categorical,
        target=target,
        vocabularies={column: list(codes) for column, codes in vocabularies.items()},
    )


def describe_columns(table: ParsedTable) -> dict[str, Any]:
    """The sidecar: what each array's columns are, so the .npy files explain themselves."""
    return {
        "n_rows": len(table.target),
        "numeric": {"columns": list(schema.NUMERIC_COLUMNS), "dtype": "float64", "missing": "NaN"},
        "categorical": {
            "columns": list(schema.CATEGORICAL_COLUMNS),
            "dtype": "int32",
            "missing": -1,
            "vocabularies": table.vocabularies,
        },
        "target": {"column": schema.TARGET_COLUMN, "dtype": "int8"},
    }


def run(params: Params, root: Path) -> None:
    """Parse data/raw/churn.csv into data/interim/*.npy and columns.json."""
    del params  # prepare has nothing to tune; it is in the signature so all stages match
    table = parse_csv(root / RAW_CSV)
    save_array(root / INTERIM_NUMERIC, table.numeric)
    save_array(root / INTERIM_CATEGORICAL, table.categorical)
    save_array(root / INTERIM_TARGET, table.target)
    save_json(root / INTERIM_COLUMNS, describe_columns(table))
    log.info("parsed %d rows into %s", len(table.target), INTERIM_NUMERIC.parent)
