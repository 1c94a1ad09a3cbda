"""Benchmark: the cost of logging 3 scalars per step, ours against dvclive, MLflow, TensorBoard.

The design's budget: about 1 us per step amortised, flat from 1k to 1M steps. Each tracker
logs 3 scalars per step into a fresh temporary folder, and the time includes closing
(flushing) the run, so buffered writers are not flattered. Step counts: 1k, 10k, 100k
and 1M; the alternatives are orders of magnitude slower, so their runs are capped (the
output says where) and their ratio is taken against ours at the same step count. Also
timed: one histogram of 10,000 values (ours and TensorBoard's; dvclive and MLflow have
no histograms).

Ours is the generated project's tracking/scalars.py, loaded straight from the template
(it imports only numpy), with the flush_every of the template's params.yaml.

Run: uv run --group bench python -m benchmarks.tracking [--max-steps 1000000]
(`--smoke`: 1,000 steps at most, what the template's tests run; an alternative that is
not installed is skipped, and the output says so.)
"""

import argparse
import importlib.util
import json
import logging
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import jinja2
import numpy as np
import yaml

TEMPLATE = Path(__file__).resolve().parents[1] / "template"
SCALARS = TEMPLATE / "src" / "{{ package_name }}" / "tracking" / "scalars.py"
STEP_COUNTS = (1_000, 10_000, 100_000, 1_000_000)
# Largest run per alternative: enough to show the trend, small enough to finish.
CAPS = {
    "json.dumps line per step": 1_000_000,
    "tensorboardX SummaryWriter": 10_000,
    "mlflow (file store)": 1_000,
    "mlflow (sqlite store)": 200,
    "dvclive": 1_000,
}

Logger = Callable[[Path, int], None]  # log `steps` steps into a folder, then close


def load_scalars() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tracking_scalars", SCALARS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def flush_every() -> int:
    # params.yaml is a Jinja template (its monitoring section is optional): render it first.
    text = (TEMPLATE / "params.yaml.jinja").read_text(encoding="utf-8")
    params = yaml.safe_load(jinja2.Template(text).render(include_monitoring=True))
    return int(params["tracking"]["flush_every"])


def ours(scalars: ModuleType, every: int) -> Logger:
    def run(folder: Path, steps: int) -> None:
        writer = scalars.ScalarWriter(folder, "train", ("loss", "grad_norm", "weight_norm"), every)
        log = writer.log
        for step in range(steps):
            log(step, 0.5, 0.25, 2.0)
        writer.close()

    return run


def json_lines(folder: Path, steps: int) -> None:
    with (folder / "scalars.jsonl").open("w") as handle:
        for step in range(steps):
            record = {"step": step, "loss": 0.5, "grad_norm": 0.25, "weight_norm": 2.0}
            handle.write(json.dumps(record) + "\n")


def tensorboard(folder: Path, steps: int) -> None:
    from tensorboardX import SummaryWriter

    writer = SummaryWriter(str(folder))
    for step in range(steps):
        writer.add_scalar("loss", 0.5, step)
        writer.add_scalar("grad_norm", 0.25, step)
        writer.add_scalar("weight_norm", 2.0, step)
    writer.close()


def mlflow_run(uri: Callable[[Path], str]) -> Logger:
    def run(folder: Path, steps: int) -> None:
        import mlflow

        mlflow.set_tracking_uri(uri(folder))
        with mlflow.start_run():
            for step in range(steps):
                mlflow.log_metrics({"loss": 0.5, "grad_norm": 0.25, "weight_norm": 2.0}, step=step)

    return run


def dvclive_run(folder: Path, steps: int) -> None:
    from dvclive import Live

    with Live(str(folder), save_dvc_exp=False, dvcyaml=None, report=None) as live:
        for _ in range(steps):
            live.log_metric("loss", 0.5)
            live.log_metric("grad_norm", 0.25)
            live.log_metric("weight_norm", 2.0)
            live.next_step()


def warm_up(logger: Logger) -> None:
    """Import and initialise once, so the timed runs measure logging, not imports."""
    with tempfile.TemporaryDirectory() as folder:
        logger(Path(folder), 10)


def per_step_us(logger: Logger, steps: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        logger(Path(folder), steps)
        return (time.perf_counter() - start) / steps * 1e6


def histogram_us(scalars: ModuleType, repeats: int = 200) -> dict[str, float]:
    values = np.random.default_rng(0).exponential(size=10_000)
    costs = {}
    with tempfile.TemporaryDirectory() as folder:
        writer = scalars.HistogramWriter(Path(folder) / "h.jsonl", bins=30)
        start = time.perf_counter()
        for step in range(repeats):
            writer.log(step, "loss", values)
        writer.close()
        costs["ours (30 bins + 7 quantiles, JSON line)"] = (time.perf_counter() - start) / repeats
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        return {name: seconds * 1e6 for name, seconds in costs.items()}

    with tempfile.TemporaryDirectory() as folder:
        tb = SummaryWriter(folder)
        start = time.perf_counter()
        for step in range(repeats):
            tb.add_histogram("loss", values, step)
        tb.close()
        costs["tensorboardX add_histogram"] = (time.perf_counter() - start) / repeats
    return {name: seconds * 1e6 for name, seconds in costs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max-steps", type=int, default=STEP_COUNTS[-1])
    parser.add_argument("--smoke", action="store_true", help="1,000 steps at most")
    args = parser.parse_args()
    if args.smoke:
        args.max_steps = min(args.max_steps, STEP_COUNTS[0])
    os.environ["DVC_NO_ANALYTICS"] = "1"
    os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # MLflow 3 refuses it otherwise
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")

    scalars = load_scalars()
    every = flush_every()
    loggers: dict[str, Logger] = {
        f"ours (flush_every={every})": ours(scalars, every),
        "json.dumps line per step": json_lines,
        "tensorboardX SummaryWriter": tensorboard,
        "mlflow (file store)": mlflow_run(lambda folder: (folder / "mlruns").as_uri()),
        "mlflow (sqlite store)": mlflow_run(lambda folder: f"sqlite:///{folder / 'mlflow.db'}"),
        "dvclive": dvclive_run,
    }
    ours_name = next(iter(loggers))
    counts = [n for n in STEP_COUNTS if n <= args.max_steps]
    results: dict[str, dict[int, float]] = {}
    skipped: list[str] = []
    for name, logger in loggers.items():
        try:
            warm_up(logger)
        except ImportError:  # the bench group's alternatives may not be installed
            skipped.append(name)
            continue
        cap = min(CAPS.get(name, counts[-1]), counts[-1])
        # ours also runs at each cap, so every capped run has a ratio at its own length
        wanted = {n for n in counts if n <= cap} | {cap}
        if name == ours_name:
            wanted |= {c for c in CAPS.values() if c <= counts[-1]}
        results[name] = {n: per_step_us(logger, n) for n in sorted(wanted)}

    print(f"{'tracker':34s} {'steps':>9s} {'us/step':>10s} {'x ours':>8s}")
    for name, by_steps in results.items():
        for steps, cost in sorted(by_steps.items()):
            reference = results[ours_name].get(steps)
            ratio = f"{cost / reference:8.1f}" if reference else f"{'':8s}"
            print(f"{name:34s} {steps:9,d} {cost:10.2f} {ratio}")
        limit = CAPS.get(name)
        if limit is not None and limit < counts[-1]:
            print(f"{'':34s} (capped at {limit:,} steps: slower runs would take minutes)")
    print("\nOne histogram of 10,000 values:")
    for name, cost in histogram_us(scalars).items():
        print(f"  {name:44s} {cost:10.1f} us")
    print("  dvclive, mlflow: no histograms")
    if skipped:
        print(f"\nSkipped, not installed (uv sync --group bench): {', '.join(skipped)}")


if __name__ == "__main__":
    main()
