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

Run: uv run python -m benchmarks.monitoring [--calls 200000] [--repeats 3]
"""

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.project import generated_project, run

TIMING_SCRIPT = """
import importlib, json, logging, sys, tempfile, time
from pathlib import Path

package, calls, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
load_params = importlib.import_module(package + ".config").load_params
PredictionLogger = importlib.import_module(package + ".monitoring.logger").PredictionLogger
monitoring = load_params(Path("params.yaml")).monitoring
inputs = {"customer_id": "C0000042", "tenure_months": 13.0, "monthly_charges": 92.29,
          "support_calls": 1.0, "contract": "month_to_month", "payment_method": "card",
          "internet_service": "fiber"}
fields = monitoring.log_fields
folder = Path(tempfile.mkdtemp())

def project_logger(p, **changes):
    def case(n):
        settings = monitoring.model_copy(update=changes)
        with PredictionLogger(folder / str(time.perf_counter_ns()), settings, 0.3) as logger:
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
print(f"{'case':46s} {'us per call':>12s}")
for name, case in cases.items():
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        case(calls)
        best = min(best, time.perf_counter() - started)
    print(f"{name:46s} {best / calls * 1e6:12.2f}")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = generated_project(Path(scratch))
        print(
            f"{args.calls} calls per case, best of {args.repeats}, Python {sys.version.split()[0]}"
        )
        timing = [
            "uv", "run", "python", "-c", TIMING_SCRIPT, "churn_model", str(args.calls),
            str(args.repeats),
        ]  # fmt: skip
        print(run(timing, project), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
