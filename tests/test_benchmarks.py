"""Every benchmark in benchmarks/ still runs: each at its `--smoke` size, as a user runs it.

A benchmark whose numbers the docs quote must keep working as the template changes (the
tracking one broke when params.yaml became a Jinja file, and nothing noticed). These run
`python -m benchmarks.<name> --smoke` from the repository and check the table it prints,
never its timings. The bench group's alternatives (mlflow, dvclive, tensorboardX) may be
missing: the tracking benchmark then runs its own part and names what it skipped. The
serving benchmark adds MLflow to its own run (`uv run --with`), so `mlflow models serve`
is always measured.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.project import generated_project

from .helpers import TEMPLATE_REPO

BENCHMARKS = sorted(
    path.stem
    for path in (TEMPLATE_REPO / "benchmarks").glob("*.py")
    if path.stem not in ("__init__", "project")  # project.py is their shared helper
)
# What each prints when it ran every case; a benchmark added without a line here fails.
EXPECTED = {
    "doctor": ["doctor (every check)", "doctor --fast (pre-commit)", "dvc status (DVC alone)"],
    "monitoring": [
        "PredictionLogger, logged (rate 1.0)",
        "PredictionLogger, sampled out (rate ~0)",
        "baseline: json.dumps + buffered write",
        "x baseline",
    ],
    "npy_vs_csv": ["np.load .npy (into memory)", "ratio to .npy"],
    "reader": ["before 0.3.0: csv module", "reader: pyarrow, every cell checked", "before / this"],
    "recording": [
        "NULL_RUN (records nothing)",
        "a tracked run (everything)",
        "of training CPU time",
    ],
    "scale": [
        "dvc repro (whole pipeline)",
        "prepare",
        "evaluate",
        "pyarrow.csv.read_csv",
        "pandas.read_csv",
        "np.load of prepare's",
        "largest stage peak RSS",
    ],
    "serving": [
        "floor: bare endpoint, raw row read and scored",
        "bare endpoint, fixed feature row",
        "mlflow models serve, same pipeline",  # MLflow added for the run (uv run --with)
        "serve, log off (sample_rate 1e-9)",
        "serve, log on (sample_rate 1.0)",
        "serve, log on: p99 / the floor",
        "serve, log on: p99 / mlflow models serve",
    ],
    "startup": ["python -c 'import numpy'", "--help / import numpy", "dvc repro / floor"],
    "torch_mlp": ["numpy MLP (models/sgd.py)", "PyTorch MLP, CPU", "scikit-learn MLPClassifier"],
    "tracking": ["ours (memory-mapped)", "json.dumps line per step", "One histogram"],
}
TIME_A_PROJECT = {
    "doctor",
    "monitoring",
    "npy_vs_csv",
    "reader",
    "recording",
    "scale",
    "serving",
    "startup",
}
ALTERNATIVES = ("tensorboardX", "mlflow", "dvclive")  # modules, as the skip line names them


def run_smoke(name: str, *options: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    result = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--smoke", *options],
        cwd=TEMPLATE_REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_every_benchmark_has_a_smoke_check() -> None:
    checked = sorted(EXPECTED)
    assert checked == BENCHMARKS


@pytest.mark.slow
def test_benchmarks_run_at_smoke_size(tmp_path: Path) -> None:
    """Each benchmark runs and prints its table. Those that time a generated project
    share one (rendered from the working tree as they would, via --project), so the
    suite renders and syncs it once."""
    project = generated_project(tmp_path)
    missing = []
    for name in BENCHMARKS:
        options = ["--project", str(project)] if name in TIME_A_PROJECT else []
        output = run_smoke(name, *options)
        missing += [f"{name}: {line}" for line in EXPECTED[name] if line not in output]
    assert missing == []


def test_tracking_names_the_alternatives_it_skipped() -> None:
    """Without the bench group, the tracking benchmark times ours and says what it left out."""
    output = run_smoke("tracking")
    absent = [m for m in ALTERNATIVES if importlib.util.find_spec(m) is None]
    if absent:
        (line,) = [x for x in output.splitlines() if x.startswith("Skipped, not installed")]
        assert all(module in line for module in absent), line
    else:
        assert "Skipped" not in output
    assert "ours (memory-mapped)" in output
