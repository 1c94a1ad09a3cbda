"""Benchmark: the schema-driven reader (pyarrow, every cell checked) against the parser
it replaced (Python's csv module, one cell at a time) on the example's raw CSV.

This renders a project from the working tree, makes its data set with `--rows` customers
(2,000,000 by default), and times, in the project's own environment, best of
`--repeats` with the spread:

- the parser before 0.3.0 (`csv.reader` and a Python loop per cell, copied below as it
  was in data/prepare.py), which checked only numbers and the 0/1 label;
- the reader, as prepare calls it (`prepare.checked_batches`: pyarrow in batches, every cell
  checked against data/schema.yaml: types, ranges, categories, missing rules);
- pyarrow's CSV reader alone, typed, with no checks: the floor the reader builds on.

Each case prints wall time and CPU time (every thread of the process: the reader parses
on pyarrow's threads, so its CPU time can exceed its wall time); on a loaded machine the
CPU figures are the steadier ones.

Run: uv run python -m benchmarks.reader [--rows 2000000] [--repeats 3] [--smoke]
     [--project PATH]
"""

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.project import add_project_option, project_for, run

TIMING_SCRIPT = '''
import csv, importlib, statistics, sys, time
import numpy as np
import pyarrow as pa, pyarrow.csv as pa_csv

package, repeats = sys.argv[1], int(sys.argv[2])
prepare = importlib.import_module(package + ".data.prepare")
schema_module = importlib.import_module(package + ".data.schema")
from pathlib import Path
schema = schema_module.load_schema(Path("."))
path = Path(schema.source.path)
NUMERIC, CATEGORICAL = schema.numeric_columns, schema.categorical_columns
TARGET = schema.target.column

def before_0_3_0():
    """data/prepare.py's parse_csv as it was: csv.reader, a Python loop per cell."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        position = {column: header.index(column) for column in header}
        rows = list(reader)
    numeric = np.full((len(rows), len(NUMERIC)), np.nan)
    categorical = np.full((len(rows), len(CATEGORICAL)), -1, dtype=np.int32)
    target = np.zeros(len(rows), dtype=np.int8)
    vocabularies = {c: {} for c in CATEGORICAL}
    for i, row in enumerate(rows):
        for j, column in enumerate(NUMERIC):
            cell = row[position[column]]
            if cell:
                numeric[i, j] = float(cell)
        for j, column in enumerate(CATEGORICAL):
            cell = row[position[column]]
            if cell:
                codes = vocabularies[column]
                categorical[i, j] = codes.setdefault(cell, len(codes))
        label = row[position[TARGET]]
        if label not in ("0", "1"):
            raise ValueError(label)
        target[i] = int(label)
    return numeric, categorical, target

def reader():
    # every batch, checked, as prepare reads them (it appends each to its .npy files)
    return [(b.numeric, b.categorical, b.labels) for b in prepare.checked_batches(path, schema)]

def pyarrow_alone():
    types = {c: pa.float64() for c in NUMERIC}
    return pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(column_types=types))

cases = {
    "before 0.3.0: csv module, a loop per cell": before_0_3_0,
    "reader: pyarrow, every cell checked": reader,
    "pyarrow.csv.read_csv alone, no checks": pyarrow_alone,
}
def timed(fn):
    """Wall and CPU seconds (every thread of the process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu

runs = {name: [timed(fn) for _ in range(repeats)] for name, fn in cases.items()}
walls = {name: [wall for wall, _ in seconds] for name, seconds in runs.items()}
cpus = {name: [cpu for _, cpu in seconds] for name, seconds in runs.items()}
first = "before 0.3.0: csv module, a loop per cell"
print(
    f"{'case':44s} {'wall best':>9s} {'median':>7s} {'max':>7s} {'before / this':>13s}"
    f" {'CPU best':>8s} {'median':>7s} {'max':>7s} {'before / this':>13s}"
)
for name in cases:
    wall, cpu = walls[name], cpus[name]
    print(
        f"{name:44s} {min(wall):9.3f} {statistics.median(wall):7.3f} {max(wall):7.3f} "
        f"{min(walls[first]) / min(wall):13.1f} {min(cpu):8.3f} {statistics.median(cpu):7.3f} "
        f"{max(cpu):7.3f} {min(cpus[first]) / min(cpu):13.1f}"
    )
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true", help="2,000 rows, 1 repeat")
    add_project_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.repeats = 2_000, 1
    with tempfile.TemporaryDirectory() as scratch:
        project = project_for(args.project, Path(scratch))
        make = ["uv", "run", "churn_model", "-q", "stage", "ingest"]
        run([*make, "--set", f"ingest.n_rows={args.rows}"], project)
        size = (project / "data" / "raw" / "churn.csv").stat().st_size / 1e6
        print(f"{args.rows} rows, CSV {size:.1f} MB, Python {sys.version.split()[0]}")
        timing = ["uv", "run", "python", "-c", TIMING_SCRIPT, "churn_model", str(args.repeats)]
        print(run(timing, project), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
