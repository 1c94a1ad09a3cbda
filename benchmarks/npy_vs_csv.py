"""Benchmark: reading a stage's cached .npy arrays against parsing the raw CSV.

The design's budget: loading cached .npy is at least 20x faster than parsing the same
data from CSV. This renders a project from the working tree, makes its data set with
`n_rows` customers, and times, in the project's own environment:

- reading data/raw/churn.csv with the project's reader (`prepare.checked_batches`: what a pipeline
  without stage caches would do every time);
- parsing it with `numpy.genfromtxt` (the numpy way, numeric columns only);
- loading data/interim/*.npy fully into memory, and memory-mapped (what later stages do).

Run: uv run python -m benchmarks.npy_vs_csv [--rows 200000] [--repeats 5] [--smoke]
     [--project PATH]
"""

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.project import add_project_option, project_for, run

TIMING_SCRIPT = """
import importlib, sys, timeit
import numpy as np

package, repeats = sys.argv[1], int(sys.argv[2])
prepare = importlib.import_module(package + ".data.prepare")
paths = importlib.import_module(package + ".core.paths")
schema = importlib.import_module(package + ".data.schema").load_schema(paths.Path("."))
raw = paths.Path(schema.source.path)
arrays = (paths.INTERIM_NUMERIC, paths.INTERIM_CATEGORICAL, paths.INTERIM_TARGET)

def load_npy():
    return [np.load(p) for p in arrays]

def load_mmap():
    return [np.load(p, mmap_mode="r").sum() for p in arrays]  # touch every byte

def genfromtxt():
    return np.genfromtxt(raw, delimiter=",", skip_header=1, usecols=(1, 2, 3))

cases = {
    "prepare's reader (checked batches)": lambda: list(prepare.checked_batches(raw, schema)),
    "numpy.genfromtxt (3 numeric columns)": genfromtxt,
    "np.load .npy (into memory)": load_npy,
    "np.load .npy (memory-mapped, summed)": load_mmap,
}
best = {name: min(timeit.repeat(fn, number=1, repeat=repeats)) for name, fn in cases.items()}
baseline = best["np.load .npy (into memory)"]
print(f"{'case':40s} {'best time (ms)':>15s} {'ratio to .npy':>14s}")
for name, seconds in best.items():
    print(f"{name:40s} {seconds * 1e3:15.2f} {seconds / baseline:14.1f}")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="2,000 rows, 1 repeat")
    add_project_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.repeats = 2_000, 1
    with tempfile.TemporaryDirectory() as scratch:
        project = project_for(args.project, Path(scratch))
        for stage in ("ingest", "prepare"):
            run(
                [
                    "uv",
                    "run",
                    "churn_model",
                    "-q",
                    "stage",
                    stage,
                    "--set",
                    f"ingest.n_rows={args.rows}",
                ],
                project,
            )
        size = (project / "data" / "raw" / "churn.csv").stat().st_size / 1e6
        print(f"{args.rows} rows, CSV {size:.1f} MB, Python {sys.version.split()[0]}")
        timing = ["uv", "run", "python", "-c", TIMING_SCRIPT, "churn_model", str(args.repeats)]
        print(run(timing, project), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
