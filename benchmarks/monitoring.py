"""Benchmark: the cost of the generated project's prediction logger, per prediction.

The budget (issue 7): at most 20 us per logged prediction and at most 2 us per
prediction that sampling leaves out. This renders a project from the working tree and
times, in the project's own environment, one call per prediction with six input fields:

- the project's PredictionLogger, every prediction logged (sampling: rate 1.0);
- the same, sampled out: rate sampling at rate 0, and uncertainty sampling with the
  prediction far from the threshold;
- reservoir sampling (a fixed number per day, kept in memory until the day ends);
- a plain baseline: build the same dict, json.dumps it and write it to a buffered file;
- the standard `logging` module writing the same JSON through a FileHandler.

The cases take turns, `repeats` rounds of each, so a slow moment of a shared machine
falls on all of them; each case prints its median and its range over the rounds, and its
ratio to the json.dumps baseline (round by round: median and range). A claim in the docs
is one of these lines, with its range.

Run: uv run python -m benchmarks.monitoring [--calls 200000] [--repeats 7] [--smoke]
     [--project PATH]
"""

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.project import add_project_option, project_for, run

TIMING_SCRIPT = """
import importlib, json, logging, statistics, sys, tempfile, time
from pathlib import Path

package, calls, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
load_params = importlib.import_module(package + ".core.config").load_params
logger_module = importlib.import_module(package + ".monitoring.logger")
PredictionLogger = logger_module.PredictionLogger
schema = importlib.import_module(package + ".data.schema").load_schema(Path("."))
monitoring = load_params(Path("params.yaml")).monitoring
inputs = {"customer_id": "C0000042", "tenure_months": 13.0, "monthly_charges": 92.29,
          "support_calls": 1.0, "contract": "month_to_month", "payment_method": "card",
          "internet_service": "fiber"}
fields = logger_module.log_fields(monitoring, schema)  # the contract's feature columns
folder = Path(tempfile.mkdtemp())

def project_logger(p, **changes):
    def case(n):
        settings = monitoring.model_copy(update=changes)
        place = folder / str(time.perf_counter_ns())
        with PredictionLogger(place, settings, 0.3, fields) as logger:
            for _ in range(n):
                logger.log(inputs, p, 0.012, "current")
    return case

def plain_json(n):
    with open(folder / "plain.jsonl", "a") as handle:
        for i in range(n):
            record = {"t": time.time(), "seq": i, "model": "current", "p": 0.7,
                      "offer": True, "latency_ms": 0.012}
            record.update((k, inputs[k]) for k in fields)
            handle.write(json.dumps(record) + "\\n")

def standard_logging(n):
    logger = logging.getLogger("predictions")
    logger.propagate = False
    handler = logging.FileHandler(folder / "logging.jsonl")
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    for i in range(n):
        record = {"t": time.time(), "seq": i, "model": "current", "p": 0.7,
                  "offer": True, "latency_ms": 0.012}
        record.update((k, inputs[k]) for k in fields)
        logger.info(json.dumps(record))
    logger.removeHandler(handler)
    handler.close()

cases = {
    "PredictionLogger, logged (rate 1.0)": project_logger(0.7, sampling="rate", sample_rate=1.0),
    "PredictionLogger, sampled out (rate ~0)": project_logger(0.7, sample_rate=1e-12),
    "PredictionLogger, sampled out (uncertainty)": project_logger(0.9, sampling="uncertainty"),
    "PredictionLogger, reservoir of 1000 per day": project_logger(0.7, sampling="reservoir"),
    "baseline: json.dumps + buffered write": plain_json,
    "baseline: logging module, JSON message": standard_logging,
}
BASELINE = "baseline: json.dumps + buffered write"
costs = {name: [] for name in cases}  # microseconds per call, one value per round
for _ in range(repeats):
    for name, case in cases.items():
        started = time.perf_counter()
        case(calls)
        costs[name].append((time.perf_counter() - started) / calls * 1e6)
print(f"{'case':46s} {'us per call':>11s} {'range':>13s} {'x baseline':>10s} {'range':>11s}")
for name, values in costs.items():
    # ratio per round: this case against the baseline of the same round
    ratios = [value / base for value, base in zip(values, costs[BASELINE])]
    print(
        f"{name:46s} {statistics.median(values):11.2f} "
        f"{min(values):6.2f}-{max(values):<6.2f} {statistics.median(ratios):10.2f} "
        f"{min(ratios):5.2f}-{max(ratios):<5.2f}"
    )
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="1,000 calls, 2 rounds")
    add_project_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.calls, args.repeats = 1_000, 2
    with tempfile.TemporaryDirectory() as scratch:
        project = project_for(args.project, Path(scratch))
        print(
            f"{args.calls} calls per case, {args.repeats} rounds, median and range over them, "
            f"Python {sys.version.split()[0]}"
        )
        timing = [
            "uv", "run", "python", "-c", TIMING_SCRIPT, "churn_model", str(args.calls),
            str(args.repeats),
        ]  # fmt: skip
        print(run(timing, project), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
