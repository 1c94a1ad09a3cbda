"""Benchmark: the numpy MLP, the PyTorch MLP on the CPU and scikit-learn's MLPClassifier.

The same model (one hidden layer of train.hidden_units ReLU units, a sigmoid output),
the same mini-batch SGD (train.learning_rate, heavy-ball train.momentum, L2 train.l2 on
the weights, train.batch_size rows, train.epochs epochs) and the same data: the train
and validation features of a PyTorch project generated from the working tree, with
params.yaml's values. For each: training samples per second (best of `--repeats`, and
the slowest), and the validation log loss and money saved per 1,000 customers at the
threshold chosen on validation, as the evaluate stage chooses it.

scikit-learn's L2 term is alpha / (2 * batch rows) * ||W||^2 added to the batch's mean
loss, so alpha = l2 * batch_size gives the same gradient. Every library runs on
`--threads` threads (1 by default: the model is too small for more to help, and the
machine may be shared).

Run: uv run python -m benchmarks.torch_mlp [--rows 20000] [--repeats 3] [--threads 1] [--smoke]
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

from benchmarks.project import run
from tests.helpers import render, snapshot_working_tree

TIMING_SCRIPT = """
import importlib, sys, time, warnings
from pathlib import Path
import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

package, repeats, overrides = sys.argv[1], int(sys.argv[2]), sys.argv[4:]
torch.set_num_threads(int(sys.argv[3]))
module = lambda name: importlib.import_module(f"{package}.{name}")
config, paths = module("core.config"), module("core.paths")
evaluate, money = module("evaluation.evaluate"), module("evaluation.money")
metrics = module("evaluation.metrics")
sgd, torch_sgd = module("models.sgd"), module("models.torch_sgd")

params = config.load_params(Path("params.yaml"), ["train.device=cpu", *overrides])
train = params.train
features, target = evaluate.load_split(Path("."), paths.FEATURES_TRAIN)
valid_features, valid_target = evaluate.load_split(Path("."), paths.FEATURES_VALIDATION)


def sklearn_fit():
    model = MLPClassifier(
        hidden_layer_sizes=(train.hidden_units,), activation="relu", solver="sgd",
        learning_rate="constant", learning_rate_init=train.learning_rate,
        momentum=train.momentum, nesterovs_momentum=False, alpha=train.l2 * train.batch_size,
        batch_size=train.batch_size, max_iter=train.epochs, shuffle=True,
        random_state=train.seed, tol=0.0, n_iter_no_change=train.epochs + 1,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is the epoch count
        model.fit(features, target)
    return lambda x: model.predict_proba(x)[:, 1]


def ours(fit):
    def train_model():
        model = fit(features, target, train).model
        return model.predict_proba
    return train_model


cases = {
    "numpy MLP (models/sgd.py)": ours(sgd.fit),
    "PyTorch MLP, CPU (models/torch_sgd.py)": ours(torch_sgd.fit),
    "scikit-learn MLPClassifier": sklearn_fit,
}
samples = len(target) * train.epochs
print(f"{len(target)} train rows x {train.epochs} epochs, batch {train.batch_size}, "
      f"{train.hidden_units} hidden units; {torch.get_num_threads()} thread(s); "
      f"torch {torch.__version__}, numpy {np.__version__}, Python {sys.version.split()[0]}")
header = ('model', 'samples/s', 'slowest', 'ratio', 'val log loss', 'money/1000')
print('{:40s} {:>10s} {:>9s} {:>6s} {:>13s} {:>11s}'.format(*header))
rows = []
for name, fit in cases.items():
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        predict = fit()
        seconds.append(time.perf_counter() - started)
    p = predict(valid_features)
    threshold = money.choose_threshold(valid_target, p, params.outcome)
    saved = money.money_saved(valid_target, p >= threshold, params.outcome)
    loss = metrics.log_loss(valid_target, p)
    rows.append((name, samples / min(seconds), samples / max(seconds), loss, saved))
fastest = max(row[1] for row in rows)
for name, best, slowest, loss, saved in rows:
    ratio = best / fastest
    print(f"{name:40s} {best:10,.0f} {slowest:9,.0f} {ratio:6.2f} {loss:13.4f} {saved:11,.0f}")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="1,000 rows, 2 epochs, 1 repeat")
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.repeats = 1_000, 1
    overrides = ["train.epochs=2"] if args.smoke else []
    threads = str(args.threads)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = threads  # the project's processes inherit them
    with tempfile.TemporaryDirectory() as scratch:
        template = snapshot_working_tree(Path(scratch) / "template")
        project = render(template, Path(scratch) / "project", {"model_framework": "pytorch"})
        run(["uv", "sync", "--quiet"], project)
        package = "churn_model"
        rows = f"ingest.n_rows={args.rows}"
        for stage in ("ingest", "prepare", "split", "featurize"):
            run(["uv", "run", package, "-q", "stage", stage, "--set", rows], project)
        print(
            run(
                [
                    "uv",
                    "run",
                    "python",
                    "-c",
                    TIMING_SCRIPT,
                    package,
                    str(args.repeats),
                    threads,
                    *overrides,
                ],
                project,
            ),
            end="",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
