"""The one reader of raw rows: training (prepare.py) and serving (monitoring/predictor.py)
both call `read_rows`, so they accept and refuse the same rows.

pyarrow reads the file, CSV or Parquet, in record batches, so memory holds a few batches
whatever the file's size, and every cell of a batch is checked against the contract
(schema.py) with vectorised arrow and numpy operations. A row is refused when a cell
breaks its column's rule, when every feature cell is empty, or (CSV) when it does not
split into as many cells as the header; its RowError names the line (CSV, the header is
line 1) or row (Parquet), the column and the value. Training stops at the first refused
row; serving logs each as an error record and scores the others. Rows that arrive as
JSON objects (the HTTP service, monitoring/service.py) go through `read_records`, which
hands them to the same per-batch check, or, for a few rows, to `check_cells`: the same
rules cell by cell in Python, since arrow's cost per call would be most of a one-row
request's time (tests/test_reader_cells.py holds the two to the same rows and errors).

A CSV is parsed on pyarrow's threads, which cannot tell the line of a row that does not
split; at such a row (or a byte the encoding cannot decode) the file is read again on
one thread from the first row not yet handed out, so that row is named by its line and
no row comes twice. Cells stay text until checked here, so both reads give the same
rows and errors (pyarrow's typed number parsing would accept " 1.5", which the contract
refuses).

    for rows in read_rows(path, schema):  # one Rows per batch, in file order
        rows.numeric, rows.categorical, rows.labels, rows.refused, rows.errors
    rows = read_records([{"column": "cell", ...}, ...], schema)

Read next: prepare.py.
"""

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from numpy.typing import NDArray

from ..core.errors import DataError, MissingInputError
from ..core.paths import SCHEMA
from .schema import FALSE_WORDS, TRUE_WORDS, Column, Schema, Target

BATCH_ROWS: Final = 65_536  # rows per batch (Parquet exactly; CSV about as many)
CSV_BYTES_PER_ROW: Final = 64  # a guess that sizes CSV blocks for about BATCH_ROWS rows
PARQUET_SUFFIXES: Final = (".parquet", ".pq")
# What arrow's string-to-number cast accepts, so that a batch with a bad cell can still
# convert the good ones in one call (the literal inf and nan parse, then fail as not finite).
NUMBER: Final = r"(?i)^[+-]?((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|inf|infinity|nan)$"
# Rows at most this many (a JSON body's, typically one) are checked cell by cell in Python
# (check_cells): each arrow call costs microseconds whatever the rows, and check_batch
# makes a few per column. For the example's contract: one row, 0.4 ms against 15 us;
# the two cost the same near 90 rows.
SMALL_BATCH_ROWS: Final = 64
_NUMBER: Final = re.compile(NUMBER, re.ASCII)  # \d: ASCII digits only, as in arrow's RE2


@dataclass(frozen=True)
class RowError:
    """Why one row was refused: where it is, the first cell at fault, and its raw cells."""

    position: int  # the row's index among the file's data rows, from 0
    where: str  # "line 7" (CSV: the header is line 1) or "row 6" (Parquet)
    column: str | None  # None: the row as a whole
    value: str | None  # the cell as written; None for an empty cell
    reason: str
    cells: Mapping[str, Any] = field(default_factory=dict)  # the row's cells, for a log record

    def __str__(self) -> str:
        if self.column is None:
            return f"{self.where}: {self.reason}"
        if self.value is None:
            return f"{self.where}, column {self.column}: {self.reason}"
        return f"{self.where}, column {self.column}: {self.value!r} {self.reason}"


@dataclass(frozen=True)
class Rows:
    """One batch of rows, parsed by the contract. Refused rows stay in the arrays (with
    NaN or -1 where a cell is bad), so positions line up; `refused` marks them."""

    positions: NDArray[np.int64]  # (n,) each row's index among the file's data rows
    numeric: NDArray[np.float64]  # (n, numeric columns), NaN = empty
    categorical: NDArray[np.int32]  # (n, category columns): index into the categories, -1 = empty
    labels: NDArray[np.int8] | None  # (n,) 1 positive, 0 negative, -1 empty; None: no target
    refused: NDArray[np.bool_]  # (n,) True where the row broke the contract
    errors: list[RowError]  # every refused row, including rows that did not split into cells
    id_cells: pa.Array | list[str | None] | None  # the id column, when the contract has one

    def ids(self) -> list[str]:
        """Each row's id: the id column, or the row's number from 1 when there is none."""
        if self.id_cells is None:
            return [str(position + 1) for position in self.positions]
        cells = self.id_cells if isinstance(self.id_cells, list) else self.id_cells.to_pylist()
        return [str(value) for value in cells]


Batch = tuple[dict[str, pa.Array], NDArray[np.int64], list[RowError]]


def read_rows(
    path: Path, schema: Schema, labels_required: bool = True, batch_rows: int = BATCH_ROWS
) -> Iterator[Rows]:
    """The rows of a CSV or Parquet file (by its suffix; else the contract's format), batch
    by batch. Training requires a label on every row; serving reads the target column
    only if the file has it, and an empty label there means "not known yet"."""
    where = _row_number if _is_parquet(path, schema) else _line_number
    for columns, positions, skipped in _raw_batches(path, schema, labels_required, batch_rows):
        rows = check_batch(columns, positions, schema, labels_required, where)
        if skipped:
            errors = sorted([*rows.errors, *skipped], key=lambda error: error.position)
            rows = replace(rows, errors=errors)
        yield rows


def read_outcomes(path: Path, schema: Schema) -> tuple[list[str], NDArray[np.int8]]:
    """Outcomes known after the predictions (feedback): the id and target columns of a CSV
    or Parquet file, read as the contract reads its raw file; each row's id and label (1
    positive, 0 negative, -1 not known yet). DataError names a missing column, an empty
    id or a label the contract does not know."""
    if schema.id is None:
        raise DataError(
            f"{SCHEMA} names no id column, so outcomes cannot be matched to predictions; "
            "set id: to the column that identifies a row"
        )
    keys = schema.model_copy(update={"columns": {}})  # the id and the target, nothing else
    where = _row_number if _is_parquet(path, schema) else _line_number
    target, allowed = schema.target, [schema.target.positive, *schema.target.negative]
    ids: list[str] = []
    labels: list[NDArray[np.int8]] = []
    for columns, positions, skipped in _raw_batches(path, keys, True, BATCH_ROWS):
        if skipped:
            raise DataError(f"{path}: {skipped[0]}")
        codes = _codes(columns[target.column], allowed)
        unknown = np.flatnonzero(_present(columns[target.column]) & (codes < 0))
        empty = np.flatnonzero(~_present(columns[schema.id]))
        if len(unknown) or len(empty):
            i = min([*unknown[:1], *empty[:1]])
            column, value = (target.column, columns[target.column][i].as_py())
            reason = f"{value!r} {_not_a_label(target)}"
            if i in empty:
                column, reason = schema.id, "is empty: every outcome needs the row's id"
            raise DataError(f"{path}: {where(int(positions[i]))}, column {column}: {reason}")
        ids += [str(value) for value in columns[schema.id].to_pylist()]
        labels.append(np.where(codes == 0, 1, np.where(codes > 0, 0, -1)).astype(np.int8))
    return ids, np.concatenate([np.zeros(0, dtype=np.int8), *labels])


def _is_parquet(path: Path, schema: Schema) -> bool:
    """Parquet by the suffix; else the contract's format (a .csv is always CSV)."""
    return path.suffix in PARQUET_SUFFIXES or (
        path.suffix != ".csv" and schema.source.format == "parquet"
    )


def _raw_batches(
    path: Path, schema: Schema, labels_required: bool, batch_rows: int
) -> Iterator[Batch]:
    """The file's raw columns batch by batch; DataError when it cannot be read at all."""
    if not path.is_file():
        raise MissingInputError(f"{path}: not found")
    parquet = _is_parquet(path, schema)
    batches = _parquet_batches if parquet else _csv_batches
    try:
        yield from batches(path, schema, labels_required, batch_rows)
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        if parquet or not ("UTF8" in str(error) or isinstance(error, UnicodeDecodeError)):
            raise DataError(f"{path}: cannot be read: {str(error).splitlines()[0]}") from None
        raise DataError(_encoding_problem(path, schema.source.encoding)) from None


def _needed_columns(
    path: Path, schema: Schema, found: list[str], labels_required: bool
) -> list[str]:
    """The contract's columns the file has; DataError when one it needs is missing."""
    repeated = sorted({name for name in found if found.count(name) > 1})
    if repeated:
        raise DataError(f"{path}: the header repeats column(s) {', '.join(repeated)}")
    needed = [c for c in schema.read_columns if labels_required or c != schema.target.column]
    missing = [column for column in needed if column not in found]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(missing)}; the contract ({SCHEMA}) "
            f"reads {', '.join(schema.read_columns)}"
        )
    return [column for column in schema.read_columns if column in found]


def _csv_header(path: Path, schema: Schema) -> list[str]:
    """The header line's cells, decoded as the contract says."""
    with path.open("rb") as handle:
        first = handle.readline(1 << 20)
    encoding = schema.source.encoding
    if first.startswith(codecs.BOM_UTF8) and codecs.lookup(encoding).name == "utf-8":
        first = first[len(codecs.BOM_UTF8) :]
    try:
        text = first.decode(encoding)
    except UnicodeDecodeError:
        raise DataError(_encoding_problem(path, encoding)) from None
    return next(csv.reader(io.StringIO(text), delimiter=schema.source.delimiter), [])


def _csv_batches(
    path: Path, schema: Schema, labels_required: bool, batch_rows: int
) -> Iterator[Batch]:
    """A CSV's raw columns, first read on pyarrow's threads (fast, but blind to line
    numbers); at a row that does not split or a byte that does not decode, read again on
    one thread (`_lined_batches`), from the first row not handed out yet, so that each
    such row is named by its line and no row is handed out twice or lost."""
    header = _csv_header(path, schema)
    present = _needed_columns(path, schema, header, labels_required)
    done = 0  # rows handed out so far
    batches = _arrow_csv(path, schema, present, batch_rows, None)
    while True:
        try:
            batch = next(batches, None)
        except (pa.ArrowInvalid, UnicodeDecodeError):
            break
        if batch is None:
            return
        yield _columns(batch, present), np.arange(done, done + batch.num_rows), []
        done += batch.num_rows
    yield from _lined_batches(path, schema, present, batch_rows, done)


def _arrow_csv(
    path: Path,
    schema: Schema,
    present: list[str],
    batch_rows: int,
    skip: Callable[[pa_csv.InvalidRow], str] | None,
) -> Iterator[pa.RecordBatch]:
    """pyarrow's CSV reader, every cell kept as text: on its threads, raising at a row
    that does not split (`skip` None); else on one thread, `skip` told of each such row."""
    # A few distinct values (categories, labels, true/false) read as a dictionary, so
    # each distinct value is looked up once per batch, not once per row.
    words = {schema.target.column} | {
        name for name, rule in schema.columns.items() if rule.type in ("category", "boolean")
    }
    dictionary = pa.dictionary(pa.int32(), pa.string())
    yield from pa_csv.open_csv(
        path,
        read_options=pa_csv.ReadOptions(
            encoding=schema.source.encoding,
            block_size=max(1 << 16, batch_rows * CSV_BYTES_PER_ROW),
            use_threads=skip is None,  # one thread: pyarrow knows the line of a skipped row
        ),
        parse_options=pa_csv.ParseOptions(
            delimiter=schema.source.delimiter,
            invalid_row_handler=skip,
            ignore_empty_lines=False,  # an empty line is a row (refused: no feature), so
        ),  # every line after the header is one row: line = position + 2
        convert_options=pa_csv.ConvertOptions(
            column_types={c: dictionary if c in words else pa.string() for c in present},
            include_columns=present,
            null_values=schema.source.missing_values,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )


def _lined_batches(
    path: Path, schema: Schema, present: list[str], batch_rows: int, start: int
) -> Iterator[Batch]:
    """The rows from position `start` on, read on one thread: a row that does not split
    is skipped and becomes a RowError naming its line."""
    skipped: list[RowError] = []  # rows that did not split, reported by pyarrow as it parses

    def skip(row: pa_csv.InvalidRow) -> str:
        line = row.number or 0  # known: the reader runs on one thread
        reason = f"has {row.actual_columns} cells, the header has {row.expected_columns}"
        skipped.append(RowError(line - 2, f"line {line}", None, None, reason))
        return "skip"

    cursor = 0  # the position of the next row the reader keeps
    for batch in _arrow_csv(path, schema, present, batch_rows, skip):
        # positions of this batch's rows: the next ones that pyarrow did not skip
        skipped_positions = {error.position for error in skipped}
        candidates = np.arange(cursor, cursor + batch.num_rows + len(skipped_positions))
        kept = candidates[~np.isin(candidates, list(skipped_positions))][: batch.num_rows]
        cursor = int(kept[-1]) + 1 if len(kept) else cursor
        passed = [error for error in skipped if error.position < cursor]
        skipped[:] = [error for error in skipped if error.position >= cursor]
        first = int(np.searchsorted(kept, start))  # rows before `start` were handed out
        if first < len(kept) or passed:
            yield _columns(batch.slice(first), present), kept[first:].astype(np.int64), passed
    if skipped:
        yield {}, np.zeros(0, dtype=np.int64), sorted(skipped, key=lambda e: e.position)


def _columns(batch: pa.RecordBatch, present: list[str]) -> dict[str, pa.Array]:
    return {name: batch.column(name) for name in present}


def _parquet_batches(
    path: Path, schema: Schema, labels_required: bool, batch_rows: int
) -> Iterator[Batch]:
    try:
        file = pq.ParquetFile(path)
    except pa.ArrowException as error:
        raise DataError(f"{path}: not a Parquet file ({error})") from None
    present = _needed_columns(path, schema, file.schema_arrow.names, labels_required)
    markers = pa.array(schema.source.missing_values, type=pa.string())
    cursor = 0
    for batch in file.iter_batches(batch_size=batch_rows, columns=present):
        columns = {}
        for name in present:
            array = batch.column(name)
            if pa.types.is_dictionary(array.type):
                array = array.dictionary_decode()
            if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
                array = pc.cast(array, pa.string())
                array = pc.if_else(pc.is_in(array, value_set=markers), None, array)
            columns[name] = array
        yield columns, np.arange(cursor, cursor + batch.num_rows, dtype=np.int64), []
        cursor += batch.num_rows


def _line_number(position: int) -> str:
    return f"line {position + 2}"  # the header is line 1, and each row is one line


def _row_number(position: int) -> str:
    return f"row {position + 1}"


# --- checking a batch -----------------------------------------------------------------

# What a batch's columns refuse: (column, the refused rows, why), in the contract's order,
# so that a row's error names its first bad cell.
Problems = list[tuple[str, NDArray[np.bool_], str]]
# Why a cell is refused; the same words from check_batch and check_cells.
NOT_BOOLEAN: Final = "is not true/false, yes/no or 1/0"
NOT_A_NUMBER: Final = "is not a number"
NOT_FINITE: Final = "is not a finite number"
NOT_WHOLE: Final = "is not a whole number"
EMPTY_REFUSED: Final = "is empty, and the contract refuses that here"
NO_LABEL: Final = "is empty: every row needs a label"
NO_FEATURE: Final = "every feature is empty"


def _not_a_category(categories: list[str]) -> str:
    listed = ", ".join(categories[:8]) + (", ..." if len(categories) > 8 else "")
    return f"is not one of the categories ({listed})"


def _not_a_label(target: Target) -> str:
    return f"is not a label of the contract ({', '.join([target.positive, *target.negative])})"


def _text(array: pa.Array) -> pa.Array:
    """Any column as strings (a Parquet number or boolean as arrow writes it: 1.5, true)."""
    if pa.types.is_string(array.type):
        return array
    return pc.cast(array, pa.string())


def _present(array: pa.Array) -> NDArray[np.bool_]:
    return np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)


def _numbers(
    array: pa.Array, present: NDArray[np.bool_]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """The column as float64 (NaN where empty or unreadable), and where it is unreadable."""
    unreadable = np.zeros(len(array), dtype=np.bool_)
    if pa.types.is_string(array.type):
        try:
            array = pc.cast(array, pa.float64())
        except pa.ArrowInvalid:  # some cell is not a number: convert the others
            looks = pc.fill_null(pc.match_substring_regex(array, NUMBER), False)
            unreadable = present & ~looks.to_numpy(zero_copy_only=False)
            array = pc.cast(pc.if_else(looks, array, None), pa.float64())
    elif not (pa.types.is_floating(array.type) or pa.types.is_integer(array.type)):
        array = pc.cast(array, pa.float64())  # a Parquet boolean: 1.0 and 0.0
    values = np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.float64)
    return values, unreadable


def _number_column(
    name: str, rule: Column, array: pa.Array, present: NDArray[np.bool_], problems: Problems
) -> NDArray[np.float64]:
    """A number, integer or boolean column as float64; its refused cells into `problems`."""
    if rule.type == "boolean":
        lower = pc.utf8_lower(_text(array))
        true = pc.is_in(lower, value_set=pa.array(TRUE_WORDS)).to_numpy(zero_copy_only=False)
        false = pc.is_in(lower, value_set=pa.array(FALSE_WORDS)).to_numpy(zero_copy_only=False)
        values = np.where(true, 1.0, np.where(false, 0.0, np.nan))
        problems.append((name, present & ~true & ~false, NOT_BOOLEAN))
    else:
        values, unreadable = _numbers(array, present)
        with np.errstate(invalid="ignore"):
            problems.append((name, unreadable, NOT_A_NUMBER))
            problems.append((name, present & ~unreadable & ~np.isfinite(values), NOT_FINITE))
            if rule.type == "integer":
                fractional = np.isfinite(values) & (values != np.floor(values))
                problems.append((name, fractional, NOT_WHOLE))
            if rule.min is not None:
                low = rule.min
                problems.append((name, values < low, f"is below the minimum {low:g}"))
            if rule.max is not None:
                high = rule.max
                problems.append((name, values > high, f"is above the maximum {high:g}"))
    if rule.missing == "refused":
        problems.append((name, ~present, EMPTY_REFUSED))
    return values


def _codes(array: pa.Array, values: list[str]) -> NDArray[np.int32]:
    """Each cell's index in `values`, -1 where it is empty or not among them."""
    known = pa.array(values, pa.string())
    if pa.types.is_dictionary(array.type):
        # each distinct cell looked up once; an empty cell's index points past the end: -1
        found = pc.fill_null(pc.index_in(array.dictionary, value_set=known), -1)
        lookup = np.append(np.asarray(found.to_numpy(zero_copy_only=False)), -1)
        indices = pc.fill_null(array.indices, len(array.dictionary)).to_numpy()
        return np.asarray(lookup[indices], dtype=np.int32)
    codes = pc.fill_null(pc.index_in(_text(array), value_set=known), -1)
    return np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int32)


def _category_column(
    name: str, rule: Column, array: pa.Array, present: NDArray[np.bool_], problems: Problems
) -> NDArray[np.int32]:
    """A category column as codes into its categories; its refused cells into `problems`."""
    categories = rule.categories or []
    codes = _codes(array, categories)
    problems.append((name, present & (codes < 0), _not_a_category(categories)))
    if rule.missing == "refused":
        problems.append((name, ~present, EMPTY_REFUSED))
    return codes


def check_batch(
    columns: Mapping[str, pa.Array],
    positions: NDArray[np.int64],
    schema: Schema,
    labels_required: bool,
    where: Callable[[int], str],
) -> Rows:
    """Parse and check one batch of raw columns (as read from the file) by the contract."""
    n = len(positions)
    if not columns:  # nothing but rows that did not split into cells
        columns = {name: pa.nulls(n, pa.string()) for name in schema.read_columns}
    problems: Problems = []
    present = {name: _present(array) for name, array in columns.items()}  # not empty
    numeric = np.empty((n, len(schema.numeric_columns)))  # every column filled below
    for j, name in enumerate(schema.numeric_columns):
        rule, array = schema.columns[name], columns[name]
        numeric[:, j] = _number_column(name, rule, array, present[name], problems)
    categorical = np.empty((n, len(schema.categorical_columns)), dtype=np.int32)
    for j, name in enumerate(schema.categorical_columns):
        rule, array = schema.columns[name], columns[name]
        categorical[:, j] = _category_column(name, rule, array, present[name], problems)
    target = schema.target
    labels = None
    if target.column in columns:
        array = columns[target.column]
        codes = _codes(array, [target.positive, *target.negative])
        labels = np.where(codes == 0, 1, np.where(codes > 0, 0, -1)).astype(np.int8)
        labelled = present[target.column]
        problems.append((target.column, labelled & (codes < 0), _not_a_label(target)))
        if labels_required:
            problems.append((target.column, ~labelled, NO_LABEL))
    # a row with no feature at all says nothing: refused rather than scored as the average
    no_feature = ~np.any([present[name] for name in schema.feature_columns], axis=0)
    problems.append(("", no_feature, NO_FEATURE))

    refused = np.zeros(n, dtype=np.bool_)
    for problem in problems:
        refused |= problem[1]
    errors = []
    for i in np.flatnonzero(refused):
        name, _, reason = next(problem for problem in problems if problem[1][i])
        cells = {column: array[i].as_py() for column, array in columns.items()}
        value = None if not name else cells[name]
        errors.append(
            RowError(
                int(positions[i]),
                where(int(positions[i])),
                name or None,
                None if value is None else str(value),
                reason,
                cells,
            )
        )
    return Rows(
        positions=positions,
        numeric=numeric,
        categorical=categorical,
        labels=labels,
        refused=refused,
        errors=errors,
        id_cells=columns.get(schema.id) if schema.id else None,
    )


def check_cells(
    cells: Mapping[str, Sequence[str | None]],
    positions: NDArray[np.int64],
    schema: Schema,
    labels_required: bool,
    where: Callable[[int], str],
) -> Rows:
    """check_batch's rules applied cell by cell to a few rows of text cells (a JSON body),
    without arrow's cost per call: the same Rows and the same errors as check_batch
    (tests/test_reader_cells.py draws good and bad rows and compares the two)."""
    target = schema.target
    numbers = [(name, schema.columns[name]) for name in schema.numeric_columns]
    categories = [(name, schema.columns[name]) for name in schema.categorical_columns]
    features = schema.feature_columns
    label_words = [target.positive, *target.negative]
    numeric: list[float] = []  # row after row, made arrays at the end
    categorical: list[int] = []
    labels: list[int] = []
    refused: list[bool] = []
    errors = []
    for i, place in enumerate(positions.tolist()):
        row = {column: values[i] for column, values in cells.items()}
        problems: list[tuple[str, str]] = []  # (column, why) of each bad cell, in rule order
        for name, rule in numbers:
            number, why = _number_cell(rule, row[name])
            numeric.append(number)
            if why:
                problems.append((name, why))
        for name, rule in categories:
            cell, allowed = row[name], rule.categories or []
            categorical.append(allowed.index(cell) if cell in allowed else -1)
            if cell is not None and cell not in allowed:
                problems.append((name, _not_a_category(allowed)))
            elif cell is None and rule.missing == "refused":
                problems.append((name, EMPTY_REFUSED))
        label = row.get(target.column)
        labels.append(int(label == target.positive) if label in label_words else -1)
        if label is not None and label not in label_words:
            problems.append((target.column, _not_a_label(target)))
        elif label is None and labels_required and target.column in cells:
            problems.append((target.column, NO_LABEL))
        if all(row[name] is None for name in features):
            problems.append(("", NO_FEATURE))
        refused.append(bool(problems))
        if problems:
            name, why = problems[0]
            value = row[name] if name else None
            errors.append(RowError(place, where(place), name or None, value, why, row))
    ids = cells.get(schema.id) if schema.id else None
    return Rows(
        positions=positions,
        numeric=np.array(numeric, dtype=np.float64).reshape(len(positions), len(numbers)),
        categorical=np.array(categorical, dtype=np.int32).reshape(len(positions), len(categories)),
        labels=np.array(labels, dtype=np.int8) if target.column in cells else None,
        refused=np.array(refused, dtype=np.bool_),
        errors=errors,
        id_cells=None if ids is None else list(ids),
    )


def _number_cell(rule: Column, cell: str | None) -> tuple[float, str | None]:
    """One cell of a number, integer or boolean column, as _number_column reads it: its
    value (NaN where empty or unreadable) and why it is refused (None: it is not)."""
    if cell is None:
        return math.nan, EMPTY_REFUSED if rule.missing == "refused" else None
    if rule.type == "boolean":
        word = cell.lower()  # arrow's utf8_lower: the same on every cell that lowers to a word
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return float(word in TRUE_WORDS), None
        return math.nan, NOT_BOOLEAN
    if not _NUMBER.fullmatch(cell):  # not match: Python's $ also matches before a final \n
        return math.nan, NOT_A_NUMBER
    value = float(cell)  # what arrow's cast gives for every cell NUMBER matches
    if not math.isfinite(value):
        return value, NOT_FINITE
    if rule.type == "integer" and value != math.floor(value):
        return value, NOT_WHOLE
    if rule.min is not None and value < rule.min:
        return value, f"is below the minimum {rule.min:g}"
    if rule.max is not None and value > rule.max:
        return value, f"is above the maximum {rule.max:g}"
    return value, None


def read_records(records: Sequence[Mapping[str, Any]], schema: Schema) -> Rows:
    """Rows given as objects of column -> cell (a JSON body), checked by `check_batch` as
    a file's rows are (a few rows by `check_cells`, its rules cell by cell, which gives
    the same); a row's place is "row N" from 1, and its label is optional. Each
    cell goes in as the text a CSV would hold; a feature the object lacks refuses the row
    (an empty cell is an explicit null), so a misspelt column is never read as empty; the
    id, the label and text columns are optional."""
    markers = set(schema.source.missing_values)
    features = schema.feature_columns
    present = [c for c in schema.read_columns if c in features or any(c in r for r in records)]
    cells = {name: [_as_cell(record.get(name), markers) for record in records] for name in present}
    positions = np.arange(len(records), dtype=np.int64)
    if len(records) <= SMALL_BATCH_ROWS:
        rows = check_cells(cells, positions, schema, False, _row_number)
    else:
        columns = {name: pa.array(column, pa.string()) for name, column in cells.items()}
        rows = check_batch(columns, positions, schema, False, _row_number)
    absent: dict[int, RowError] = {}  # row -> its first feature column not in the object
    for position, record in enumerate(records):
        lacking = [name for name in features if name not in record]
        if lacking:
            absent[position] = RowError(
                position,
                _row_number(position),
                lacking[0],
                None,
                "is missing from the row (send null for an empty cell)",
                {name: record[name] for name in present if name in record},
            )
    if not absent:
        return rows
    errors = {error.position: error for error in rows.errors} | absent
    refused = rows.refused.copy()
    refused[list(absent)] = True
    return replace(rows, refused=refused, errors=[errors[p] for p in sorted(errors)])


def _as_cell(value: Any, markers: set[str]) -> str | None:
    """A JSON value as the CSV cell that says the same: null or a missing-value marker is
    empty, true/false and numbers are written out, anything else (a list) stays JSON."""
    if value is None or (isinstance(value, str) and value in markers):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value)


def first_undecodable(path: Path, encoding: str) -> tuple[int, bytes] | None:
    """The byte offset and first bytes of what `encoding` cannot decode in `path`, or None.
    Reads in 1 MiB chunks, so a multi-gigabyte file costs no memory."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            # A character split across chunks waits in the decoder: its bytes count from
            # the previous chunk, so the offset is the file's, not the chunk's.
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return offset - pending + error.start, error.object[error.start : error.start + 4]
            offset += len(chunk)
    return None


def _encoding_problem(path: Path, encoding: str) -> str:
    """One line naming the first byte that `encoding` cannot decode, and what to do."""
    found = first_undecodable(path, encoding)
    if found is None:
        return f"{path}: cannot be decoded as {encoding}; set source.encoding in {SCHEMA}"
    at, bad = found
    return (
        f"{path}: not valid {encoding} at byte {at} ({bad!r}); name the file's "
        f"encoding in {SCHEMA} (source.encoding: latin-1, cp1252, ...)"
    )
