"""`data adopt`: infer the data contract of a CSV or Parquet file, and make it the source.

The file is read once, batch by batch, with pyarrow: CSV cells as text (in the encoding
found from its byte-order mark, else UTF-8, or the one named), Parquet columns as typed.
For each column:

- every cell a finite number: integer if all are whole, else number; min 0 when none is
  negative (counts and amounts), no max; an integer column whose values are all distinct
  is an identifier, read as text;
- every cell true/false, yes/no, t/f or y/n: boolean;
- at most `max_categories` distinct values: category, the values sorted;
- more than that: text (read, not a feature: free text and identifiers);
- missing: allowed where the file has an empty cell, refused where it has none.

The target must be filled on every row; its positive value is the one named, or the
obvious one of 0/1, false/true, no/yes, n/y, f/t. A path inside the project is kept
relative; a file outside stays where it is (DVC checks it as an external dependency, so
a changed export reruns the pipeline), or is copied into data/raw/ when asked. The
example's ingest stage and its params are removed from dvc.yaml and params.yaml, after
checking that nothing else changes.

Read next: ../commands/doctor.py, the practices audit.
"""

import codecs
import csv
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from ..core.config import parse_yaml
from ..core.errors import DataError
from ..core.io import atomic_write
from ..core.paths import PARAMS_FILE, RAW, SCHEMA
from .reader import NUMBER, PARQUET_SUFFIXES, first_undecodable
from .schema import FALSE_WORDS, TRUE_WORDS, Schema, parse_schema

MAX_CATEGORIES: Final = 50  # more distinct values than this: text, not a category
DISTINCT_CAP: Final = 100_000  # distinct values remembered per column (identifier check)
MARKERS: Final = ("NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "None", "?", "-")
POSITIVE_WORDS: Final = ("1", "1.0", "true", "yes", "y", "t")  # the obvious positive values
BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class Stats:
    """What one column holds, accumulated batch by batch."""

    rows: int = 0
    empty: int = 0
    first_empty: int | None = None  # position of the first empty cell
    distinct: set[str] = field(default_factory=set)  # up to DISTINCT_CAP values
    all_numbers: bool = True
    all_whole: bool = True
    all_booleans: bool = True
    low: float = float("inf")
    high: float = float("-inf")
    markers: set[str] = field(default_factory=set)  # missing markers seen among numbers

    @property
    def present(self) -> int:
        return self.rows - self.empty


@dataclass(frozen=True)
class Adopted:
    """What `adopt` did: the contract's text, and what it changed and wants reviewed."""

    schema: Schema
    text: str
    notes: dict[str, str]  # column -> what to review about it
    changed: list[str]  # the files written


def detect_encoding(path: Path, named: str | None) -> str:
    """The encoding named, else the one a byte-order mark says, else UTF-8; DataError with
    the byte offset when the file does not decode in it."""
    with path.open("rb") as handle:
        start = handle.read(4)
    encoding = named or next((name for bom, name in BOMS if start.startswith(bom)), "utf-8")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise DataError(f"--encoding {encoding}: not an encoding Python knows") from None
    found = first_undecodable(path, encoding)
    if found is not None:
        at, bad = found
        raise DataError(
            f"{path}: not valid {encoding} at byte {at} ({bad!r}); name its encoding, "
            "e.g. --encoding latin-1 or --encoding cp1252"
        )
    return encoding


def detect_delimiter(path: Path, encoding: str) -> str:
    """The header line's most frequent of , ; tab and |."""
    with path.open(encoding=encoding, newline="") as handle:
        header = handle.readline()
    return max((",", ";", "\t", "|"), key=header.count)


def text_batches(path: Path, encoding: str | None) -> Iterator[dict[str, pa.Array]]:
    """The file's columns batch by batch: CSV cells as text (empty = null), Parquet as typed;
    DataError names the first CSV line that does not split into the header's cells."""
    if path.suffix in PARQUET_SUFFIXES:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=65_536):
            yield {name: batch.column(name) for name in batch.schema.names}
        return
    assert encoding is not None
    delimiter = detect_delimiter(path, encoding)
    with path.open(encoding=encoding, newline="") as handle:
        header = next(csv.reader([handle.readline().lstrip("\ufeff")], delimiter=delimiter), [])

    broken: list[str] = []  # the first row that does not split, as pyarrow parses it

    def refuse(row: pa_csv.InvalidRow) -> str:
        # pyarrow ignores an exception raised here: say "error" (it stops with ArrowInvalid)
        # and name the row from what was kept
        broken.append(
            f"{path}: line {row.number}: has {row.actual_columns} cells, the header has "
            f"{row.expected_columns}"
        )
        return "error"

    try:
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(
                encoding=encoding, block_size=1 << 22, use_threads=False
            ),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, invalid_row_handler=refuse),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=True,
                null_values=[""],
            ),
        )
        for batch in reader:
            yield {name: batch.column(name) for name in batch.schema.names}
    except pa.ArrowInvalid:
        if broken:
            raise DataError(broken[0]) from None
        raise


def observe(stats: Stats, column: pa.Array, start: int) -> None:
    """Add one batch of a column to its stats."""
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    boolean = pa.types.is_boolean(column.type)
    array = pc.cast(column, pa.string())
    null = array.is_null()
    stats.rows += len(array)
    empties = int(pc.sum(pc.cast(null, pa.int64())).as_py() or 0)
    if empties and stats.first_empty is None:
        stats.first_empty = start + int(pc.index(null, True).as_py())
    stats.empty += empties
    present = pc.drop_null(array)
    if len(stats.distinct) <= DISTINCT_CAP:
        stats.distinct.update(pc.unique(present).to_pylist())
    if not len(present):
        return
    words = pa.array(TRUE_WORDS + FALSE_WORDS)
    stats.all_booleans &= bool(pc.all(pc.is_in(pc.utf8_lower(present), value_set=words)).as_py())
    if boolean or not stats.all_numbers:
        stats.all_numbers = False
        return
    looks = pc.match_substring_regex(present, NUMBER)
    is_marker = pc.is_in(present, value_set=pa.array(MARKERS))
    if not pc.all(pc.or_(looks, is_marker)).as_py():
        stats.all_numbers = False
        return
    stats.markers.update(pc.unique(pc.filter(present, is_marker)).to_pylist())
    values = pc.cast(pc.filter(present, looks), pa.float64())
    if not len(values):
        return
    if not pc.all(pc.is_finite(values)).as_py():
        stats.all_numbers = False
        return
    low, high = pc.min_max(values).values()
    stats.low, stats.high = min(stats.low, low.as_py()), max(stats.high, high.as_py())
    stats.all_whole &= bool(pc.all(pc.equal(values, pc.floor(values))).as_py())


def survey(path: Path, encoding: str | None) -> tuple[list[str], dict[str, Stats]]:
    """Read the file once: its column names, and each column's stats."""
    stats: dict[str, Stats] = {}
    names: list[str] = []
    start = 0
    try:
        for columns in text_batches(path, encoding):
            if not names:
                names = list(columns)
                stats = {name: Stats() for name in names}
            for name, array in columns.items():
                observe(stats[name], array, start)
            start += len(next(iter(columns.values()))) if columns else 0
    except pa.ArrowInvalid as error:
        raise DataError(f"{path}: cannot be read: {str(error).splitlines()[0]}") from None
    if not start:
        raise DataError(f"{path}: has no rows")
    return names, stats


def column_rule(
    name: str, stats: Stats, max_categories: int, markers: set[str]
) -> tuple[dict[str, object], str]:
    """The contract entry of one column, and a note on what to review (or "")."""
    # a missing marker (NA) among numbers is an empty cell to the reader, not in stats.empty
    marked = ", ".join(sorted(stats.markers & markers))
    missing = "allowed" if stats.empty or marked else "refused"
    values = stats.distinct - markers
    empty_share = f"{stats.empty / stats.rows:.1%} empty" if stats.empty else "never empty"
    if marked and stats.empty:
        empty_share += f", more as {marked}"
    elif marked:
        empty_share = f"empty only as {marked}"
    if not values:
        return {"type": "text"}, "always empty: read as text, not used"
    if stats.all_numbers:
        observed = f"observed {stats.low:g} to {stats.high:g}, {empty_share}"
        if stats.all_whole and len(values) == stats.present >= 20 and len(values) < DISTINCT_CAP:
            return {
                "type": "text"
            }, "every value distinct: an identifier? read as text; --id names it"
        rule: dict[str, object] = {"type": "integer" if stats.all_whole else "number"}
        if stats.low >= 0:
            rule["min"] = 0
        rule["missing"] = missing
        return rule, observed
    if stats.all_booleans:  # 0/1 columns are numbers, above
        return {"type": "boolean", "missing": missing}, empty_share
    if len(values) <= max_categories:
        categories = sorted(values)
        return {"type": "category", "categories": categories, "missing": missing}, empty_share
    many = f"{len(values)}{'+' if len(values) > DISTINCT_CAP else ''} distinct values"
    return {"type": "text"}, f"{many} (more than {max_categories}): read as text, not used"


def positive_value(path: Path, target: str, values: list[str], named: str | None) -> str:
    """The target's positive value: the one named, or the obvious one of a yes/no pair."""
    if named is not None:
        if named not in values:
            shown = ", ".join(values[:10])
            raise DataError(f"--positive {named}: {target} has no such value; it has {shown}")
        return named
    obvious = [v for v in values if v.lower() in POSITIVE_WORDS]
    if len(values) == 2 and len(obvious) == 1:
        return obvious[0]
    shown = ", ".join(values[:10]) + (", ..." if len(values) > 10 else "")
    raise DataError(f"{path}: say which value of {target} is positive: --positive VALUE ({shown})")


PLAIN: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
YAML_WORDS: Final = {"yes", "no", "y", "n", "true", "false", "on", "off", "null", "none", "~"}


def yaml_value(value: object) -> str:
    """A value as YAML: a plain word as it is, any other string double-quoted (JSON is
    valid YAML), so that `no` or `1` stays text."""
    if isinstance(value, list):
        return "[" + ", ".join(yaml_value(v) for v in value) + "]"
    if isinstance(value, str) and PLAIN.fullmatch(value) and value.lower() not in YAML_WORDS:
        return value
    return json.dumps(value, ensure_ascii=False)


def contract_text(
    source: dict[str, object],
    id_column: str | None,
    target: dict[str, object],
    columns: dict[str, dict[str, object]],
    notes: dict[str, str],
    origin: Path,
) -> str:
    """data/schema.yaml for the inferred contract, with a comment per column."""
    lines = [
        f"# The data contract of {origin.name}, written by `data adopt`: review the ranges,",
        "# categories and missing rules below, then `uv run dvc repro`. Every stage that reads",
        '# rows, and `predict`, read them by these rules (docs: "Your own data").',
        "",
        "source:",
        *(f"  {key}: {yaml_value(value)}" for key, value in source.items()),
        "",
        f"id: {yaml_value(id_column) if id_column else 'null'}  # null: rows are numbered from 1",
        "",
        "target:",
        *(f"  {key}: {yaml_value(value)}" for key, value in target.items()),
        "",
        "columns:",
    ]
    for name, rule in columns.items():
        entry = ", ".join(f"{key}: {yaml_value(value)}" for key, value in rule.items())
        note = f"  # {notes[name]}" if notes.get(name) else ""
        lines.append(f"  {yaml_value(name)}: " + "{" + entry + "}" + note)
    return "\n".join(lines) + "\n"


def remove_block(text: str, key: str, indent: int) -> str:
    """`text` without the YAML block `key:` at this indent (and the comment lines right
    above it): from its line to the next line indented as much or less."""
    lines = text.splitlines(keepends=True)
    head = re.compile("^" + " " * indent + re.escape(key) + r":\s*(#.*)?$")
    start = next((i for i, line in enumerate(lines) if head.match(line.rstrip("\n"))), None)
    if start is None:
        return text
    end = start + 1
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
    ):
        end += 1
    while (
        start > 0
        and lines[start - 1].strip().startswith("#")
        and (len(lines[start - 1]) - len(lines[start - 1].lstrip()) == indent)
    ):
        start -= 1
    return "".join(lines[:start] + lines[end:])


def without_example(root: Path) -> dict[Path, str]:
    """dvc.yaml without the ingest stage and params.yaml without its section, when they
    have them; DataError if taking them out would change anything else."""
    changes = {}
    for path, key, indent, inside in (
        (root / "dvc.yaml", "ingest", 2, "stages"),
        (root / PARAMS_FILE, "ingest", 0, None),
    ):
        text = path.read_text(encoding="utf-8")
        before = parse_yaml(text)
        holder = before.get(inside, {}) if inside else before
        if key not in holder:
            continue
        after_text = remove_block(text, key, indent)
        after = parse_yaml(after_text)
        del holder[key]
        if after != before:
            raise DataError(f"{path}: could not take out `{key}` safely; remove it by hand")
        changes[path] = after_text
    return changes


def adopt(
    path: Path,
    root: Path,
    target: str,
    positive: str | None = None,
    id_column: str | None = None,
    encoding: str | None = None,
    copy: bool = False,
    max_categories: int = MAX_CATEGORIES,
) -> Adopted:
    """Infer the contract of `path`, write it to data/schema.yaml, make the file the
    pipeline's source (a copy in data/raw/ with `copy`) and take the example out."""
    path = path.resolve()
    if not path.is_file():
        raise DataError(f"{path}: not found")
    parquet = path.suffix in PARQUET_SUFFIXES
    if not parquet and path.suffix not in (".csv", ".tsv", ".txt"):
        raise DataError(f"{path}: must be a CSV (.csv) or Parquet (.parquet, .pq) file")
    found = None if parquet else detect_encoding(path, encoding)
    names, stats = survey(path, found)
    for option, column in (("--target", target), ("--id", id_column)):
        if column is not None and column not in names:
            raise DataError(
                f"{option} {column}: not a column of {path.name}; it has {', '.join(names)}"
            )
    if id_column == target:
        raise DataError("--id and --target must be different columns")
    label = stats[target]
    if label.empty:
        raise DataError(
            f"{path}: column {target} is empty on {label.empty} rows (the first is data row "
            f"{(label.first_empty or 0) + 1}): every row needs a label; fill or drop them"
        )
    values = sorted(label.distinct)
    positive = positive_value(path, target, values, positive)
    markers = set().union(*(s.markers for s in stats.values())) if stats else set()
    columns, notes = {}, {}
    for name in names:
        if name not in (target, id_column):
            columns[name], notes[name] = column_rule(name, stats[name], max_categories, markers)
    destination = root / RAW / path.name
    if copy and path != destination:
        source_path = (RAW / path.name).as_posix()
    elif path.is_relative_to(root.resolve()):
        source_path = path.relative_to(root.resolve()).as_posix()
    else:
        source_path = str(path)
    source: dict[str, object] = {"path": source_path, "format": "parquet" if parquet else "csv"}
    if not parquet:
        assert found is not None
        source |= {"encoding": found, "delimiter": detect_delimiter(path, found)}
    source["missing_values"] = ["", *sorted(markers)]
    target_rule: dict[str, object] = {
        "column": target,
        "positive": positive,
        "negative": [v for v in values if v != positive],
    }
    if all(rule["type"] == "text" for rule in columns.values()):
        raise DataError(f"{path}: no column could be a feature (every one is text or empty)")
    text = contract_text(source, id_column, target_rule, columns, notes, path)
    schema = parse_schema(parse_yaml(text), root / SCHEMA)  # what we wrote must load
    edits = without_example(root)
    if copy and path != destination:
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    for file, content in {root / SCHEMA: text, **edits}.items():
        with atomic_write(file) as handle:
            handle.write(content.encode("utf-8"))
    changed = [SCHEMA.as_posix(), *(f.relative_to(root).as_posix() for f in edits)]
    return Adopted(schema, text, notes, changed)
