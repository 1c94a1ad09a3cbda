"""Benchmark: what logging 3 scalars a step costs, and how many steps a SIGKILL loses.

The design's budget: at most 1 us per step, flat from 1k to 1M steps, and no step lost
when the process is killed. Two measures per tracker, in one run:

- us per step: log 3 scalars per step into a fresh temporary folder, timed from opening
  the writer to closing it (so buffered writers are not flattered), repeated; the table
  shows the median and the range over the repeats. Step counts: 1k, 10k, 100k and 1M;
  the alternatives are orders of magnitude slower, so their runs are capped (the output
  says where) and their ratio is taken against ours at the same step count.
- steps lost when killed: a subprocess logs K steps and SIGKILLs itself, without closing
  anything; then this process reads back what is on disk, with each tracker's own file
  format, and counts the steps whose 3 scalars are not all there.

The trackers: ours (the generated project's tracking/scalars.py, loaded straight from
the template: it imports only numpy), ours as it was before 0.3.0 (a list flushed every
500 steps), a json.dumps line per step, tensorboardX, MLflow (file and SQLite stores)
and dvclive. Also timed: one histogram of 10,000 values (ours and TensorBoard's; dvclive
and MLflow have no histograms). A tracker whose package is missing (the `bench`
dependency group is not installed) is listed as such and skipped.

Run: uv run --group bench python -m benchmarks.tracking [--max-steps N] [--repeats N]
     uv run python -m benchmarks.tracking --smoke    # tiny sizes, a few seconds
"""

import argparse
import csv
import importlib.util
import json
import logging
import os
import signal
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

REPOSITORY = Path(__file__).resolve().parents[1]
SCALARS = REPOSITORY / "template" / "src" / "{{ package_name }}" / "tracking" / "scalars.py"
COLUMNS = ("loss", "grad_norm", "weight_norm")
STEP_COUNTS = (1_000, 10_000, 100_000, 1_000_000)
KILL_AFTER = (456, 1_234)  # the step counts of issue 19's measurements
SMOKE_CAP = 20  # --smoke: the alternatives log this many steps

Close = Callable[[], object]
Logger = Callable[[Path, int], Close]  # log steps 0..n-1 into a folder; returns the closer


@dataclass(frozen=True)
class Tracker:
    label: str
    log: Logger
    read: Callable[[Path], set[int]]  # the steps whose 3 scalars can be read back
    cap: int  # the largest timed run: enough to show the trend, small enough to finish
    needs: str | None = None  # the package it needs, from the `bench` group


def load_scalars() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tracking_scalars", SCALARS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scalars = load_scalars()


def complete(steps_by_column: dict[str, set[int]]) -> set[int]:
    """The steps present in every one of COLUMNS."""
    return set.intersection(*(steps_by_column.get(column, set()) for column in COLUMNS))


def ours(folder: Path, steps: int) -> Close:
    writer = scalars.ScalarWriter(folder, "train", COLUMNS)
    log = writer.log
    for step in range(steps):
        log(step, 0.5, 0.25, 2.0)
    close: Close = writer.close
    return close


class Buffered:
    """Ours before 0.3.0: rows kept in a list, appended to train.f64 every 500 steps."""

    def __init__(self, folder: Path, every: int = 500):
        header = {"columns": ["step", *COLUMNS], "dtype": "<f8"}
        (folder / "train.json").write_text(json.dumps(header) + "\n")
        self.every = every
        self.rows: list[tuple[float, ...]] = []
        self.file = (folder / "train.f64").open("ab")

    def log(self, step: int, *values: float) -> None:
        self.rows.append((step, *values))
        if len(self.rows) >= self.every:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            np.asarray(self.rows, dtype="<f8").tofile(self.file)
            self.file.flush()
            self.rows.clear()

    def close(self) -> None:
        self.flush()
        self.file.close()


def buffered(folder: Path, steps: int) -> Close:
    writer = Buffered(folder)
    log = writer.log
    for step in range(steps):
        log(step, 0.5, 0.25, 2.0)
    return writer.close


def read_ours(folder: Path) -> set[int]:
    """Both formats: scalars.read_scalars falls back to train.f64 + train.json."""
    return {int(step) for step in scalars.read_scalars(folder, "train")["step"]}


def json_lines(folder: Path, steps: int) -> Close:
    handle = (folder / "scalars.jsonl").open("w")
    for step in range(steps):
        record = {"step": step, "loss": 0.5, "grad_norm": 0.25, "weight_norm": 2.0}
        handle.write(json.dumps(record) + "\n")
    return handle.close


def read_json_lines(folder: Path) -> set[int]:
    steps = set()
    for line in (folder / "scalars.jsonl").read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # a torn last line
        if set(COLUMNS) <= record.keys():
            steps.add(int(record["step"]))
    return steps


def tensorboard(folder: Path, steps: int) -> Close:
    from tensorboardX import SummaryWriter

    writer = SummaryWriter(str(folder))
    for step in range(steps):
        writer.add_scalar("loss", 0.5, step)
        writer.add_scalar("grad_norm", 0.25, step)
        writer.add_scalar("weight_norm", 2.0, step)
    close: Close = writer.close
    return close


def read_tensorboard(folder: Path) -> set[int]:
    """TFRecord framing: uint64 length, uint32 CRC, an Event protobuf, uint32 CRC."""
    from tensorboardX.proto.event_pb2 import Event

    steps: dict[str, set[int]] = {}
    for path in folder.glob("events.out.tfevents.*"):
        data, at = path.read_bytes(), 0
        while at + 12 <= len(data):
            (length,) = struct.unpack_from("<Q", data, at)
            if at + 12 + length + 4 > len(data):
                break  # a torn last record
            event = Event.FromString(data[at + 12 : at + 12 + length])
            for value in event.summary.value:
                steps.setdefault(value.tag, set()).add(event.step)
            at += 12 + length + 4
    return complete(steps)


def mlflow_run(uri: Callable[[Path], str]) -> Logger:
    def run(folder: Path, steps: int) -> Close:
        import mlflow

        mlflow.set_tracking_uri(uri(folder))
        mlflow.start_run()
        for step in range(steps):
            mlflow.log_metrics({"loss": 0.5, "grad_norm": 0.25, "weight_norm": 2.0}, step=step)
        close: Close = mlflow.end_run
        return close

    return run


def read_mlflow_files(folder: Path) -> set[int]:
    """mlruns/<experiment>/<run>/metrics/<name>: lines of `timestamp value step`."""
    steps: dict[str, set[int]] = {}
    for path in folder.glob("mlruns/*/*/metrics/*"):
        rows = (line.split() for line in path.read_text().splitlines())
        steps[path.name] = {int(row[2]) for row in rows if len(row) == 3}
    return complete(steps)


def read_mlflow_sqlite(folder: Path) -> set[int]:
    steps: dict[str, set[int]] = {}
    with closing(sqlite3.connect(folder / "mlflow.db")) as database:
        for key, step in database.execute("SELECT key, step FROM metrics"):
            steps.setdefault(key, set()).add(int(step))
    return complete(steps)


def dvclive_run(folder: Path, steps: int) -> Close:
    from dvclive import Live

    live = Live(str(folder), save_dvc_exp=False, dvcyaml=None, report=None)
    for _ in range(steps):
        live.log_metric("loss", 0.5)
        live.log_metric("grad_norm", 0.25)
        live.log_metric("weight_norm", 2.0)
        live.next_step()
    close: Close = live.end
    return close


def read_dvclive(folder: Path) -> set[int]:
    """plots/metrics/<name>.tsv: a `step` and a value column."""
    steps: dict[str, set[int]] = {}
    for column in COLUMNS:
        path = folder / "plots" / "metrics" / f"{column}.tsv"
        if path.exists():
            rows = csv.DictReader(path.read_text().splitlines(), delimiter="\t")
            steps[column] = {int(row["step"]) for row in rows if row.get(column)}
    return complete(steps)


TRACKERS = {
    "ours": Tracker("ours (memory-mapped)", ours, read_ours, cap=STEP_COUNTS[-1]),
    "buffered": Tracker("ours before 0.3.0 (500 buffered)", buffered, read_ours, STEP_COUNTS[-1]),
    "json": Tracker("json.dumps line per step", json_lines, read_json_lines, STEP_COUNTS[-1]),
    "tensorboardx": Tracker(
        "tensorboardX SummaryWriter", tensorboard, read_tensorboard, 10_000, "tensorboardX"
    ),
    "mlflow-files": Tracker(
        "mlflow (file store)",
        mlflow_run(lambda folder: (folder / "mlruns").as_uri()),
        read_mlflow_files,
        1_000,
        "mlflow",
    ),
    "mlflow-sqlite": Tracker(
        "mlflow (sqlite store)",
        mlflow_run(lambda folder: f"sqlite:///{folder / 'mlflow.db'}"),
        read_mlflow_sqlite,
        200,
        "mlflow",
    ),
    "dvclive": Tracker("dvclive", dvclive_run, read_dvclive, 1_000, "dvclive"),
}


def quiet() -> None:
    """The alternatives' logging and warnings would drown the table."""
    os.environ["DVC_NO_ANALYTICS"] = "1"
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # MLflow 3 refuses it otherwise
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")


def per_step_us(tracker: Tracker, steps: int) -> tuple[float, float]:
    """Wall-clock and CPU microseconds per step. CPU time (this process, all its threads)
    leaves out the time other jobs on the machine had the core."""
    with tempfile.TemporaryDirectory() as folder:
        start, start_cpu = time.perf_counter(), time.process_time()
        tracker.log(Path(folder), steps)()
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        return wall / steps * 1e6, cpu / steps * 1e6


def steps_lost(key: str, steps: int) -> int:
    """Log `steps` steps in a subprocess that then SIGKILLs itself; count what is missing."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "benchmarks.tracking", "--kill-after", str(steps)]
        child = subprocess.run(
            [*command, "--tracker", key, "--folder", folder],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
        )
        if child.returncode != -signal.SIGKILL:
            raise RuntimeError(f"{key} did not die by SIGKILL: {child.stderr[-2000:]}")
        kept = {step for step in TRACKERS[key].read(Path(folder)) if 0 <= step < steps}
        return steps - len(kept)


def kill_after(key: str, steps: int, folder: Path) -> None:
    """The subprocess of `steps_lost`: log, leave everything open, and die at once."""
    quiet()
    close = TRACKERS[key].log(folder, steps)  # held: dropping it could close the writer
    os.kill(os.getpid(), signal.SIGKILL)
    close()  # not reached


def histogram_us(repeats: int, installed: Iterable[str]) -> dict[str, float]:
    values = np.random.default_rng(0).exponential(size=10_000)
    costs = {}
    with tempfile.TemporaryDirectory() as folder:
        writer = scalars.HistogramWriter(Path(folder) / "h.jsonl", bins=30)
        start = time.perf_counter()
        for step in range(repeats):
            writer.log(step, "loss", values)
        writer.close()
        costs["ours (30 bins + 7 quantiles, JSON line)"] = (time.perf_counter() - start) / repeats
    if "tensorboardx" in installed:
        from tensorboardX import SummaryWriter

        with tempfile.TemporaryDirectory() as folder:
            board = SummaryWriter(folder)
            start = time.perf_counter()
            for step in range(repeats):
                board.add_histogram("loss", values, step)
            board.close()
            costs["tensorboardX add_histogram"] = (time.perf_counter() - start) / repeats
    return {name: seconds * 1e6 for name, seconds in costs.items()}


def print_table(
    samples: dict[str, dict[int, list[tuple[float, float]]]],
    lost: dict[str, list[int]],
    kills: tuple[int, ...],
    capped: dict[str, int],
) -> None:
    """One row per tracker and step count; the steps lost on the tracker's first row."""
    repeats = len(next(iter(samples["ours"].values())))
    after = " and ".join(f"{k:,}" for k in kills)
    print(f"us/step: wall clock, median (min-max) of {repeats}; cpu: median CPU time per step")
    print("x ours: ratio of the wall-clock medians; lost: steps unreadable after a SIGKILL")
    header = f"{'tracker':34s} {'steps':>9s} {'us/step':>9s} {'(min-max)':>17s} {'cpu':>8s}"
    print(f"{header} {'x ours':>8s}  lost after {after}")
    ours = {steps: statistics.median(w for w, _ in runs) for steps, runs in samples["ours"].items()}
    for key, by_steps in samples.items():
        for row, (steps, runs) in enumerate(sorted(by_steps.items())):
            walls = [wall for wall, _ in runs]
            median, cpu = statistics.median(walls), statistics.median(c for _, c in runs)
            spread = f"({min(walls):.2f}-{max(walls):.2f})"
            ratio = f"{median / ours[steps]:8.1f}" if steps in ours else f"{'':8s}"
            losses = ", ".join(f"{n:,}" for n in lost[key]) if row == 0 else ""
            line = f"{TRACKERS[key].label:34s} {steps:9,d} {median:9.2f} {spread:>17s}"
            print(f"{line} {cpu:8.2f} {ratio}  {losses}")
        if key in capped:
            print(f"{'':34s} (capped at {capped[key]:,} steps: slower runs would take minutes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-steps", type=int, default=STEP_COUNTS[-1])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per step count")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks it runs")
    parser.add_argument("--kill-after", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tracker", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.kill_after is not None:
        kill_after(args.tracker, args.kill_after, args.folder)
        return  # not reached: the child has killed itself
    quiet()

    missing = {
        key for key, t in TRACKERS.items() if t.needs and not importlib.util.find_spec(t.needs)
    }
    trackers = {key: t for key, t in TRACKERS.items() if key not in missing}
    counts = [n for n in STEP_COUNTS if n <= args.max_steps]
    kills: tuple[int, ...] = KILL_AFTER
    repeats = args.repeats
    if args.smoke:
        counts, kills, repeats = [200], (45,), 1
    # --smoke: the slow alternatives (those with a cap) log only SMOKE_CAP steps
    small = {
        key: SMOKE_CAP if args.smoke and t.cap < STEP_COUNTS[-1] else t.cap
        for key, t in trackers.items()
    }
    caps = {key: min(cap, counts[-1]) for key, cap in small.items()}
    wanted = {key: {n for n in counts if n <= cap} | {cap} for key, cap in caps.items()}
    # ours also runs at every cap, so each capped run has a ratio at its own length
    wanted["ours"] |= set(caps.values())

    load = os.getloadavg()[0]  # other work on the machine stretches every timing
    for tracker in trackers.values():  # import and initialise once, outside the timings
        with tempfile.TemporaryDirectory() as folder:
            tracker.log(Path(folder), 10)()
    # repeats interleaved, so a burst of load on the machine spreads over every tracker
    samples: dict[str, dict[int, list[tuple[float, float]]]] = {key: {} for key in trackers}
    for _ in range(repeats):
        for key, tracker in trackers.items():
            for steps in sorted(wanted[key]):
                samples[key].setdefault(steps, []).append(per_step_us(tracker, steps))
    lost = {key: [steps_lost(key, k) for k in kills] for key in trackers}

    print(f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, ", end="")
    print(f"{os.cpu_count()} CPUs")
    print_table(
        samples, lost, kills, {key: caps[key] for key in trackers if caps[key] < counts[-1]}
    )
    print("\nOne histogram of 10,000 values:")
    for name, cost in histogram_us(3 if args.smoke else 200, trackers).items():
        print(f"  {name:44s} {cost:10.1f} us")
    print("  dvclive, mlflow: no histograms")
    if missing:
        modules = sorted({str(TRACKERS[key].needs) for key in missing})
        print(f"\nSkipped, not installed (uv sync --group bench): {', '.join(modules)}")


if __name__ == "__main__":
    main()
