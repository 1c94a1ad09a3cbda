"""Benchmark: how long the generated project's full audit (`<package> doctor`) takes.

The budget (issue 15): under 10 s on the default project, most of it DVC. This renders
the default project from the working tree, makes it a well-kept one (git, `dvc repro`,
everything committed, a journal entry with time), then times, as a user runs them:

- `uv run <package> doctor`: every check (DVC's `dvc status` among them);
- `uv run <package> doctor --fast`: the checks the pre-commit hook runs (no DVC, no uv);
- `uv run dvc status`: DVC alone, the floor of the full audit;
- `uv run <package> --help`: the command line's start-up, the floor of the fast audit.

Run: uv run python -m benchmarks.doctor [--repeats 5]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.project import generated_project, run

PACKAGE = "churn_model"  # the default project's


def well_kept(project: Path) -> None:
    """Git, the pipeline run once, a journal entry with time, everything committed."""
    identity = ["-c", "user.name=Bench", "-c", "user.email=bench@example.com"]
    run(["git", "init", "--quiet", "--initial-branch=main"], project)
    run(["git", *identity, "add", "--all"], project)
    run(["git", *identity, "commit", "--quiet", "--no-verify", "-m", "start"], project)
    run(["uv", "run", "dvc", "repro", "--quiet"], project)
    run(["uv", "run", PACKAGE, "journal", "add", "Ran the pipeline", "--spent", "1h"], project)
    run(["git", *identity, "add", "--all"], project)
    run(["git", *identity, "commit", "--quiet", "--no-verify", "-m", "first results"], project)


def seconds(command: list[str], project: Path) -> float:
    """Wall time of one run of `command` in the project (its exit status not checked:
    the audit exits 1 when a check fails, and is timed all the same)."""
    started = time.perf_counter()
    subprocess.run(command, cwd=project, capture_output=True, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cases = {
        "doctor (every check)": ["uv", "run", PACKAGE, "doctor"],
        "doctor --fast (pre-commit)": ["uv", "run", PACKAGE, "doctor", "--fast"],
        "dvc status (DVC alone)": ["uv", "run", "dvc", "status"],
        f"{PACKAGE} --help (start-up)": ["uv", "run", PACKAGE, "--help"],
    }
    with tempfile.TemporaryDirectory() as scratch:
        project = generated_project(Path(scratch))
        well_kept(project)
        audit = subprocess.run(
            ["uv", "run", PACKAGE, "doctor", "--show", "err"],
            cwd=project,
            capture_output=True,
            text=True,
        )
        print(f"doctor exit {audit.returncode}:\n{audit.stdout.strip()}")
        times = {
            name: [seconds(command, project) for _ in range(args.repeats)]
            for name, command in cases.items()
        }
    floor = statistics.median(times["dvc status (DVC alone)"])
    print(f"\n{args.repeats} repeats, Python {sys.version.split()[0]}")
    print(f"{'case':32} {'median (s)':>10} {'min':>7} {'max':>7} {'/ dvc status':>13}")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:32} {median:10.2f} {min(values):7.2f} {max(values):7.2f} {median / floor:13.2f}"
        )


if __name__ == "__main__":
    main()
