"""Benchmark: how long the generated project's full audit (`<package> doctor`) takes.

The budget (issue 15): under 10 s on the default project, most of it DVC. This renders
the default project from the working tree, makes it a well-kept one (git, `dvc repro`,
everything committed, a journal entry with time), then times, as a user runs them:

- `uv run <package> doctor`: every check (DVC's `dvc status` among them);
- `uv run <package> doctor --fast`: the checks the pre-commit hook runs (no DVC, no uv);
- `uv run dvc status`: DVC alone, the floor of the full audit;
- `uv run <package> --help`: the command line's start-up, the floor of the fast audit.

Run: uv run python -m benchmarks.doctor [--repeats 5] [--smoke] [--project PATH]
(--smoke: one repeat on the project as generated, without git or `dvc repro`; --project:
a generated, `uv sync`ed project to use instead of rendering one, which the full run
makes a git repository and reproduces)
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.project import add_project_option, project_for, run

PACKAGE = "churn_model"  # the default project's
# The project's own environment, not this one's (as benchmarks/project.py runs commands).
ENVIRONMENT = {name: value for name, value in os.environ.items() if name != "VIRTUAL_ENV"}


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


def seconds(command: list[str], project: Path) -> tuple[float, float]:
    """Wall and CPU time (user + system, its processes and theirs) of one run of `command`
    in the project; the exit status is not checked: an audit that finds a failure is timed
    all the same. CPU time is what a busy machine does not inflate."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=project, env=ENVIRONMENT, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="1 repeat, no git, no dvc repro")
    add_project_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.repeats = 1
    cases = {
        "doctor (every check)": ["uv", "run", PACKAGE, "doctor"],
        "doctor --fast (pre-commit)": ["uv", "run", PACKAGE, "doctor", "--fast"],
        "dvc status (DVC alone)": ["uv", "run", "dvc", "status"],
        f"{PACKAGE} --help (start-up)": ["uv", "run", PACKAGE, "--help"],
    }
    with tempfile.TemporaryDirectory() as scratch:
        project = project_for(args.project, Path(scratch))
        if not args.smoke:
            well_kept(project)
        audit = subprocess.run(
            ["uv", "run", PACKAGE, "doctor", "--show", "err"],
            cwd=project,
            env=ENVIRONMENT,
            capture_output=True,
            text=True,
        )
        print(f"doctor exit {audit.returncode}:\n{audit.stdout.strip()}")
        times = {
            name: [seconds(command, project) for _ in range(args.repeats)]
            for name, command in cases.items()
        }
    floor = statistics.median(wall for wall, _ in times["dvc status (DVC alone)"])
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{args.repeats} repeats, Python {sys.version.split()[0]}, load average {load}")
    print(f"{'case':32} {'wall median (s)':>15} {'min':>6} {'max':>6} {'CPU (s)':>8} {'/ dvc':>6}")
    for name, values in times.items():
        walls = [wall for wall, _ in values]
        cpu = statistics.median(cpu for _, cpu in values)
        median = statistics.median(walls)
        print(
            f"{name:32} {median:15.2f} {min(walls):6.2f} {max(walls):6.2f} {cpu:8.2f} "
            f"{median / floor:6.2f}"
        )


if __name__ == "__main__":
    main()
