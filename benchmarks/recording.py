"""Benchmark: what recording a run costs the training loop, at the default settings.

The loop takes a Run: NULL_RUN records nothing, a tracked run records the loss of every
step, histograms and norms every `tracking.histogram_every` steps, checkpoints, timings
and the manifest. In a generated project's environment, on the default data set's train
features, this times `fit` with NULL_RUN and `fit` inside `start_run` (the whole run:
opening it with its git and environment records, and closing it), alternating, after a
warm-up run of each (so neither pays for first imports), and prints the ratio of the
medians and the median and quartiles of each back-to-back pair's ratio. Then, once per
train stage, what recording the deps' DVC hashes costs in a fresh process (DVC's import,
mostly).

Budget (issue 11): recording costs at most 10% of training time.

Run: uv run python -m benchmarks.recording [--repeats 7] [--smoke] [--project PATH]
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.project import add_project_option, project_for, run

PACKAGE = "churn_model"

TIMING_SCRIPT = """
import shutil, statistics, sys, tempfile, time
from pathlib import Path

import numpy as np

from {package}.core.config import load_params
from {package}.core.io import load_array
from {package}.models.sgd import fit
from {package}.pipeline import StageName, stage
from {package}.tracking.run import start_run

repeats, overrides = int(sys.argv[1]), sys.argv[2:]
params = load_params(Path("params.yaml"), overrides)
data = Path(tempfile.mkdtemp())
(data / "data").mkdir()
shutil.copy("data/schema.yaml", data / "data/schema.yaml")  # the contract the stages read
for name in (StageName.INGEST, StageName.PREPARE, StageName.SPLIT, StageName.FEATURIZE):
    stage(name)(params, data)
features = np.asarray(load_array(data / "data/features/train/features.npy"))
target = np.asarray(load_array(data / "data/features/train/target.npy"), dtype=np.float64)


# Wall and CPU seconds of work(): the CPU time (this process, every thread) is what
# recording really costs; the wall time also holds whatever else the machine runs.
def timed(work):
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def bare():
    return timed(lambda: fit(features, target, params.train))


def recorded():
    root = Path(tempfile.mkdtemp())

    def work():
        with start_run(root, params, "train") as run:
            fit(features, target, params.train, run)

    elapsed = timed(work)
    shutil.rmtree(root)
    return elapsed


bare(), recorded()  # warm-up: first imports, page cache
times = {{"NULL_RUN (records nothing)": [], "a tracked run (everything)": []}}
for _ in range(repeats):  # alternate, so both see the same machine
    times["NULL_RUN (records nothing)"].append(bare())
    times["a tracked run (everything)"].append(recorded())
size = f"{{len(target)}} train rows, {{params.train.epochs}} epochs"
print(f"{{size}}, batches of {{params.train.batch_size}}, {{repeats}} repeats")
print(f"{{'fit':30s}} {{'wall median (s)':>16s}} {{'range':>16s}} {{'CPU median (s)':>15s}}")
medians = {{}}
for name, pairs in times.items():
    walls, cpus = [w for w, _ in pairs], [c for _, c in pairs]
    medians[name] = statistics.median(walls), statistics.median(cpus)
    spread = f"{{min(walls):.3f}} to {{max(walls):.3f}}"
    print(f"{{name:30s}} {{medians[name][0]:16.3f}} {{spread:>16s}} {{medians[name][1]:15.3f}}")
(bare_wall, bare_cpu), (run_wall, run_cpu) = medians.values()
print(f"recording costs {{run_cpu / bare_cpu - 1:+.1%}} of training CPU time "
      f"({{run_wall / bare_wall - 1:+.1%}} wall; budget +10%)")
# Each pair ran back to back, so its ratio cancels most of what the machine did meanwhile:
# the median and quartiles of the pairs' CPU ratios are the steadier figure.
ratios = sorted(r[1] / b[1] - 1 for b, r in zip(*times.values()))
q1, q2, q3 = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else ratios * 3
print(f"paired: recording costs {{q2:+.1%}} of training CPU time "
      f"(quartiles {{q1:+.1%}} to {{q3:+.1%}} over {{len(ratios)}} pairs; budget +10%)")
shutil.rmtree(data)
"""

# In the train stage, the run also records the hash of each dep as DVC computes it
# (tracking/manifest.py), which imports DVC: a cost per run, not per step, that the
# loop above does not see (its run folder has no dvc.yaml). Timed in a fresh process, as
# the stage pays it, in CPU seconds of that process.
DVC_HASHES_SCRIPT = """
import time
from pathlib import Path
started = time.process_time()
from {package}.tracking.manifest import dvc_dependency_hashes
hashes = dvc_dependency_hashes(Path("."), "train")
print(f"{{time.process_time() - started:.3f}} {{'hashed' if hashes else 'not hashed'}}")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="2,000 rows, 2 epochs, 1 repeat")
    add_project_option(parser)
    args = parser.parse_args()
    repeats = 1 if args.smoke else args.repeats
    overrides = ["ingest.n_rows=2000", "train.epochs=2"] if args.smoke else []
    with tempfile.TemporaryDirectory() as scratch:
        project = project_for(args.project, Path(scratch))
        script = TIMING_SCRIPT.format(package=PACKAGE)
        print(run(["uv", "run", "python", "-c", script, str(repeats), *overrides], project))
        hashes = [
            run(["uv", "run", "python", "-c", DVC_HASHES_SCRIPT.format(package=PACKAGE)], project)
            for _ in range(repeats)
        ]
        seconds = statistics.median(float(line.split()[0]) for line in hashes)
        print(
            f"once per train stage: recording DVC's dep hashes (import DVC, hash) {seconds:.3f} s "
            f"CPU, median of {repeats} fresh processes ({hashes[0].split(maxsplit=1)[1].strip()})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
