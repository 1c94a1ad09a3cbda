"""Benchmark: `dvc repro` from scratch as the data grows, time and peak memory per stage.

Issue 14's budget: every stage under 1.5 GB of peak RSS at any size up to 10,000,000
rows, and time growing no faster than 1.3 x linearly. In a generated project's
environment, for each size (`ingest.n_rows`) in one run, this:

- copies the project's code and pipeline (no data, no cache: from scratch) and runs
  `dvc repro`, DVC timing the whole; every stage's command runs under a small wrapper that
  records its wall time and the peak RSS of its process (getrusage of its child);
- reads the raw CSV the ingest stage wrote with pyarrow.csv.read_csv and pandas.read_csv
  (pandas is not a dependency of the project: when it lacks pandas, that read runs in
  `uv run --no-project --with pandas`, a throwaway environment with pandas from the
  package index or uv's cache; if neither works, the line says skipped), and np.load's
  prepare's outputs (data/interim/*.npy), each in its own process, best of 3 reads.

It prints one table: per step and size, the wall time, the time per row against the
smallest size and against the previous size (1.0 = linear; a fixed start-up cost gives
less), and the peak RSS. The machine's load average is printed before and after: on a
shared machine the times move with it, the memory does not.

Default sizes 20,000, 200,000, 2,000,000; 10,000,000 (about 0.5 GB of CSV; about 23
minutes on 2 cores) only when asked with --sizes.

Run: uv run python -m benchmarks.scale [--sizes 20000 200000 2000000] [--smoke]
     [--project PATH]
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.project import add_project_option, project_for
from benchmarks.startup import environment, pipeline_copy

DEFAULT_SIZES = [20_000, 200_000, 2_000_000]
SMOKE_SIZES = [500]
MB = 1024 * 1024

# Runs the command after `--` and appends {"step", "seconds", "peak_rss_bytes"} to the log:
# RUSAGE_CHILDREN of this process covers only that one command (and its own children).
WRAPPER = """\
import json, resource, subprocess, sys, time
log, step, command = sys.argv[1], sys.argv[2], sys.argv[4:]
started = time.perf_counter()
status = subprocess.call(command)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
# ru_maxrss: kilobytes on Linux, bytes on macOS
peak_bytes = peak if sys.platform == "darwin" else peak * 1024
with open(log, "a") as f:
    f.write(json.dumps({"step": step, "seconds": seconds, "peak_rss_bytes": peak_bytes}) + "\\n")
sys.exit(status)
"""

# Reads `path` with `reader` three times, prints the best read time in seconds.
READER = """\
import sys, time
from pathlib import Path
reader, paths = sys.argv[1], [Path(p) for p in sys.argv[2:]]
if reader == "pyarrow":
    import pyarrow.csv
    def read(): pyarrow.csv.read_csv(paths[0])
elif reader == "pandas":
    import pandas
    def read(): pandas.read_csv(paths[0])
else:
    import numpy as np
    def read(): [np.load(p) for p in paths]
best = float("inf")
for _ in range(3):
    started = time.perf_counter()
    read()
    best = min(best, time.perf_counter() - started)
print(best)
"""


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def sized_pipeline(project: Path, destination: Path, rows: int, wrapper: Path, log: Path) -> Path:
    """A from-scratch copy of the project at `rows` rows, every stage under the wrapper."""
    pipeline_copy(project, destination)
    params = destination / "params.yaml"
    text, replaced = re.subn(
        r"^(\s+n_rows:\s*)\d+", rf"\g<1>{rows}", params.read_text(encoding="utf-8"), flags=re.M
    )
    if replaced != 1:
        raise SystemExit(
            f"{project}: params.yaml has no ingest.n_rows; the scale benchmark needs the "
            "example data set (example_data: true)"
        )
    params.write_text(text, encoding="utf-8")
    dvc_yaml = destination / "dvc.yaml"
    pipeline = yaml.safe_load(dvc_yaml.read_text(encoding="utf-8"))
    for name, stage in pipeline["stages"].items():
        stage["cmd"] = (
            f"python {shlex.quote(str(wrapper))} {shlex.quote(str(log))} {name} -- {stage['cmd']}"
        )
    dvc_yaml.write_text(yaml.safe_dump(pipeline, sort_keys=False), encoding="utf-8")
    subprocess.run(["git", "commit", "-qam", f"{rows} rows"], cwd=destination, check=True)
    return destination


def wrapped(
    wrapper: Path, log: Path, step: str, command: list[str], cwd: Path, env: dict[str, str]
) -> str:
    """Run `command` under the wrapper (its time and peak RSS go to the log); its stdout."""
    done = subprocess.run(
        ["python", str(wrapper), str(log), step, "--", *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{step} failed in {cwd}:\n{done.stdout}{done.stderr}")
    return done.stdout


def measure_size(
    project: Path, scratch: Path, rows: int, env: dict[str, str], pandas: list[str] | None
) -> dict[str, dict[str, float]]:
    """Every step at one size: {step: {"seconds", "peak_rss_bytes"}}."""
    wrapper, reader = scratch / "wrapper.py", scratch / "reader.py"
    log = scratch / f"steps-{rows}.jsonl"
    copy = sized_pipeline(project, scratch / f"rows-{rows}", rows, wrapper, log)
    started = time.perf_counter()
    repro = subprocess.run(
        ["dvc", "repro", "--no-run-cache", "--quiet"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    whole = time.perf_counter() - started
    if repro.returncode != 0:
        raise SystemExit(f"dvc repro failed at {rows} rows:\n{repro.stdout}{repro.stderr}")
    source = yaml.safe_load((copy / "data" / "schema.yaml").read_text(encoding="utf-8"))
    csv = copy / source["source"]["path"]
    interim = sorted(str(p) for p in (copy / "data" / "interim").glob("*.npy"))
    # each read: the Python that runs it, then the reader script's arguments
    reads = {"pyarrow.csv.read_csv": (["python"], ["pyarrow", str(csv)])}
    if pandas is not None:
        reads["pandas.read_csv"] = (pandas, ["pandas", str(csv)])
    reads[f"np.load of prepare's {len(interim)} .npy"] = (["python"], ["numpy", *interim])
    read_seconds = {
        step: float(wrapped(wrapper, log, step, [*python, str(reader), *args], copy, env))
        for step, (python, args) in reads.items()
    }
    steps: dict[str, dict[str, float]] = {"dvc repro (whole pipeline)": {"seconds": whole}}
    for line in log.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        steps[entry["step"]] = {
            "seconds": entry["seconds"],
            "peak_rss_bytes": entry["peak_rss_bytes"],
        }
    for step, seconds in read_seconds.items():  # the read alone, not the interpreter
        steps[step]["seconds"] = seconds
    steps["raw CSV size (MB)"] = {"seconds": csv.stat().st_size / MB}
    shutil.rmtree(copy)  # gigabytes at the larger sizes
    return steps


def pandas_python(env: dict[str, str], cwd: Path) -> list[str] | None:
    """The command that runs Python with pandas importable: the project's own, else a
    throwaway environment with pandas (`uv run --no-project --with pandas`); None when
    neither works (no pandas, and no package index or cache to get it from)."""
    for command in (["python"], ["uv", "run", "--with", "pandas", "--no-project", "python"]):
        check = subprocess.run(
            [*command, "-c", "import pandas"], env=env, cwd=cwd, capture_output=True
        )
        if check.returncode == 0:
            return command
    return None


def print_table(results: dict[int, dict[str, dict[str, float]]], has_pandas: bool) -> None:
    sizes = sorted(results)
    smallest = sizes[0]
    steps = list(results[smallest])
    print(
        f"{'step':40s} {'rows':>11s} {'wall s':>9s} {'per row / smallest':>19s} "
        f"{'per row / previous':>19s} {'peak RSS MB':>12s}"
    )
    for step in steps:
        if step == "raw CSV size (MB)":
            continue
        previous: int | None = None
        for rows in sizes:
            seconds = results[rows][step]["seconds"]
            per_row = seconds / rows
            to_smallest = per_row / (results[smallest][step]["seconds"] / smallest)
            to_previous = (
                f"{per_row / (results[previous][step]['seconds'] / previous):19.2f}"
                if previous is not None
                else f"{'':19s}"
            )
            peak = results[rows][step].get("peak_rss_bytes")
            rss = f"{peak / MB:12.0f}" if peak is not None else f"{'':12s}"
            print(f"{step:40s} {rows:11,d} {seconds:9.3f} {to_smallest:19.2f} {to_previous} {rss}")
            previous = rows
    if not has_pandas:
        print(f"{'pandas.read_csv':40s} skipped: pandas neither in the project nor installable")
    for rows in sizes:
        peaks = {
            step: values["peak_rss_bytes"]
            for step, values in results[rows].items()
            if "peak_rss_bytes" in values and not step.startswith(("pyarrow", "pandas", "np."))
        }
        worst = max(peaks, key=lambda step: peaks[step])
        csv_mb = results[rows]["raw CSV size (MB)"]["seconds"]
        print(
            f"{rows:,d} rows ({csv_mb:.0f} MB of CSV): largest stage peak RSS "
            f"{peaks[worst] / MB:.0f} MB ({worst}; budget 1536 MB)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", type=int, nargs="+", help=f"rows (default {DEFAULT_SIZES}; smoke {SMOKE_SIZES})"
    )
    parser.add_argument("--smoke", action="store_true", help=f"sizes {SMOKE_SIZES}")
    add_project_option(parser)
    args = parser.parse_args()
    sizes = args.sizes or (SMOKE_SIZES if args.smoke else DEFAULT_SIZES)
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        project = project_for(args.project, scratch)
        (scratch / "wrapper.py").write_text(WRAPPER, encoding="utf-8")
        (scratch / "reader.py").write_text(READER, encoding="utf-8")
        env = environment(compiled=False)
        env["PATH"] = f"{project / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
        pandas = pandas_python(env, project)
        print(f"scale: dvc repro from scratch at {', '.join(f'{n:,d}' for n in sizes)} rows")
        print(f"load average (1, 5, 15 min) before: {load_average()}, {os.cpu_count()} cores")
        results = {rows: measure_size(project, scratch, rows, env, pandas) for rows in sizes}
        print(f"load average (1, 5, 15 min) after:  {load_average()}")
        print_table(results, pandas is not None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
