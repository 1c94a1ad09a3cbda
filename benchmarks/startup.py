"""Benchmark: how fast the command line and the stages start, and what DVC adds.

DVC starts one Python process per stage, and `--help` is the first thing a person runs,
so start-up is the floor of every `dvc repro`. In a generated project's environment,
in one run, this times:

- `python -c pass` and `python -c "import numpy"`, the references;
- `<package> --help`;
- `python -c "import <package>.<stage module>"` for every stage;
- `dvc repro` from scratch (every stage, no run cache), against the same pipeline with
  every command replaced by a Python one-liner that only creates the stage's outputs:
  DVC's own cost per stage, the floor no project can go under; and that floor again
  with each one-liner first importing what every stage imports (numpy, pydantic, the
  command line), which shows how near the budget a pipeline doing no work comes. Wall
  and CPU time (of DVC and every stage), as the wall clock of a loaded machine mostly
  measures the other jobs.

Budgets (issue 11): `--help` within 1.5 x `import numpy`; `dvc repro` within 1.5 x its
floor. The machine's PYTHONDONTWRITEBYTECODE=1 means no .pyc files, so every start
compiles the modules it imports: `--compile-bytecode` first writes the .pyc files, as
`uv sync --compile-bytecode` (or a normal pip install) would, and times that case.

Run: uv run python -m benchmarks.startup [--repeats 7] [--repro-repeats 3]
     [--compile-bytecode] [--smoke] [--project PATH]
"""

import argparse
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from benchmarks.project import add_project_option, project_for, run

PACKAGE = "churn_model"
STAGE_MODULES_SCRIPT = (
    f"import json; from {PACKAGE}.pipeline import STAGE_MODULES; "
    "print(json.dumps({str(k): v for k, v in STAGE_MODULES.items()}))"
)


def environment(compiled: bool) -> dict[str, str]:
    """The project's environment: no outer virtualenv; .pyc files written or not."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    if compiled:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def seconds(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall time of one run of `command`, which must succeed."""
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{done.stdout}{done.stderr}")
    return elapsed


def seconds_and_cpu(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, of the command and every process it waited
    for: DVC and each stage's command) of one run of `command`, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = seconds(command, cwd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def timed(command: list[str], cwd: Path, env: dict[str, str], repeats: int) -> list[float]:
    seconds(command, cwd, env)  # warm the file cache (and write .pyc when allowed)
    return [seconds(command, cwd, env) for _ in range(repeats)]


def pipeline_copy(project: Path, destination: Path) -> Path:
    """A copy of the project's code, params and pipeline, without its environment, data,
    cache or git history; it runs with the project's environment on PATH."""
    top_level = {".venv", ".git", "models", "reports", "runs", "logs"}

    def skip(folder: str, names: list[str]) -> set[str]:
        if Path(folder) == project:
            return top_level & set(names)
        if Path(folder) == project / "data":  # the data contract only, no data
            return set(names) - {"schema.yaml"}
        if Path(folder) == project / ".dvc":
            return {"cache", "tmp"} & set(names)
        return set()

    shutil.copytree(project, destination, ignore=skip)
    git_repository(destination)
    return destination


def floor_pipeline(project: Path, destination: Path, imports: str = "") -> Path:
    """A copy of the project whose every stage only creates its outputs, empty (after
    importing `imports`, when given: what any stage of the project imports first)."""
    pipeline_copy(project, destination)
    pipeline = yaml.safe_load((destination / "dvc.yaml").read_text(encoding="utf-8"))
    for stage in pipeline["stages"].values():
        outputs = [
            next(iter(entry)) if isinstance(entry, dict) else entry
            for key in ("outs", "metrics", "plots")
            for entry in stage.get(key, [])
        ]
        files = [path for path in outputs if Path(path).suffix]
        folders = [path for path in outputs if not Path(path).suffix]
        # one line: DVC hands the command to a shell
        script = (
            (f"import {imports}; " if imports else "") + "import pathlib as p; "
            f"[(p.Path(f).parent.mkdir(parents=True, exist_ok=True), p.Path(f).write_text('')) "
            f"for f in {files!r}]; "
            "[(p.Path(d).mkdir(parents=True, exist_ok=True), "
            f"(p.Path(d) / 'empty').write_text('')) for d in {folders!r}]"
        )
        stage["cmd"] = f"python -c {shlex.quote(script)}"
    (destination / "dvc.yaml").write_text(yaml.safe_dump(pipeline), encoding="utf-8")
    subprocess.run(["git", "commit", "-qam", "floor"], cwd=destination, check=True)
    return destination


def git_repository(folder: Path) -> None:
    """Make `folder` a git repository with one commit, unless it is one already."""
    if (folder / ".git").exists():
        return
    for command in (
        ["git", "init", "--quiet"],
        ["git", "add", "--all"],
        ["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "b"],
        ["git", "config", "user.name", "b"],
        ["git", "config", "user.email", "b@example.com"],
    ):
        subprocess.run(command, cwd=folder, check=True, capture_output=True)


def describe(values: list[float]) -> str:
    return f"{statistics.median(values):8.3f} s  ({min(values):.3f} to {max(values):.3f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--repro-repeats", type=int, default=3)
    parser.add_argument("--compile-bytecode", action="store_true")
    parser.add_argument(
        "--smoke", action="store_true", help="1 repeat, a 500-row pipeline, 2 stages split"
    )
    add_project_option(parser)
    args = parser.parse_args()
    repeats, repro_repeats = (1, 1) if args.smoke else (args.repeats, args.repro_repeats)
    with tempfile.TemporaryDirectory() as scratch:
        project = project_for(args.project, Path(scratch))
        env = environment(args.compile_bytecode)
        if args.compile_bytecode:
            run([sys.executable, "-m", "compileall", "-q", ".venv", "src"], project)
        python = str(project / ".venv" / "bin" / "python")
        stages = json.loads(run([python, "-c", STAGE_MODULES_SCRIPT], project))
        case = (
            "compiled bytecode (.pyc)"
            if args.compile_bytecode
            else "no .pyc (PYTHONDONTWRITEBYTECODE=1)"
        )
        print(f"start-up, {case}, median and range of {repeats} runs")
        references = {
            "python -c pass": timed([python, "-c", "pass"], project, env, repeats),
            "python -c 'import numpy'": timed(
                [python, "-c", "import numpy"], project, env, repeats
            ),
            f"{PACKAGE} --help": timed([python, "-m", PACKAGE, "--help"], project, env, repeats),
        }
        for name, module in stages.items():
            statement = f"import {PACKAGE}.{module}"
            references[f"import stage {name}"] = timed(
                [python, "-c", statement], project, env, repeats
            )
        numpy = statistics.median(references["python -c 'import numpy'"])
        for name, values in references.items():
            print(
                f"  {name:32s} {describe(values)}  {statistics.median(values) / numpy:5.2f} x numpy"
            )
        help_ratio = statistics.median(references[f"{PACKAGE} --help"]) / numpy
        print(f"--help / import numpy = {help_ratio:.2f} (budget 1.5)")

        # dvc repro against its floor, on a small data set when smoke-testing
        real = pipeline_copy(project, Path(scratch) / "pipeline")
        if args.smoke:
            params = real / "params.yaml"
            params.write_text(params.read_text().replace("n_rows: 20000", "n_rows: 500"))
            subprocess.run(["git", "commit", "-qam", "smaller"], cwd=real, check=True)
        floor = floor_pipeline(real, Path(scratch) / "floor")
        # what every stage imports before its work: numpy, pydantic, the command line
        imports = f"numpy, pydantic, {PACKAGE}.commands, {PACKAGE}.core.config"
        imported = floor_pipeline(real, Path(scratch) / "imported", imports)
        # both run DVC, and the floor its one-liners, from the project's environment
        env_path = {**env, "PATH": f"{project / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"}
        repro = ["dvc", "repro", "--force", "--no-run-cache", "--quiet"]
        real_times, floor_times, imported_times = [], [], []
        for _ in range(repro_repeats):  # alternate, so all see the same machine
            real_times.append(seconds_and_cpu(repro, real, env_path))
            floor_times.append(seconds_and_cpu(repro, floor, env_path))
            imported_times.append(seconds_and_cpu(repro, imported, env_path))
        print(f"dvc repro from scratch, {len(stages)} stages, median and range of {repro_repeats}")
        print(f"  {'':32s} {'wall':>26s}  {'CPU (DVC and the stages)':>26s}")
        cases = {
            "the pipeline": real_times,
            "the floor (outputs only)": floor_times,
            "the floor, importing the project": imported_times,
        }
        for name, times in cases.items():
            walls, cpus = [wall for wall, _ in times], [cpu for _, cpu in times]
            print(f"  {name:32s} {describe(walls)}  {describe(cpus)}")
        for i, measure in enumerate(("wall", "CPU")):
            real_median = statistics.median(times[i] for times in real_times)
            floor_median = statistics.median(times[i] for times in floor_times)
            print(f"dvc repro / floor = {real_median / floor_median:.2f} {measure} (budget 1.5)")
        # no work at all, only each stage's imports: how close to 1.5 a project can get
        imported_cpu = statistics.median(cpu for _, cpu in imported_times)
        floor_cpu = statistics.median(cpu for _, cpu in floor_times)
        print(f"floor importing the project / floor = {imported_cpu / floor_cpu:.2f} CPU")

        # where the pipeline's CPU goes: each stage's command, run again in the pipeline's
        # copy (its inputs are there now), against the import of its module alone
        # (--smoke: the first two stages, enough to show the split still runs)
        split_stages = dict(list(stages.items())[:2]) if args.smoke else stages
        print(f"each stage, CPU time, median of {repeats}: its command, and its module's import")
        commands = yaml.safe_load((real / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
        totals = [0.0, 0.0]
        for name, module in split_stages.items():
            command = ["sh", "-c", commands[name]["cmd"]]
            importing = [python, "-c", f"import {PACKAGE}.{module}"]
            split = [
                statistics.median(seconds_and_cpu(c, real, env_path)[1] for _ in range(repeats))
                for c in (command, importing)
            ]
            totals = [total + part for total, part in zip(totals, split, strict=True)]
            print(f"  {name:12s} command {split[0]:6.3f} s  import {split[1]:6.3f} s")
        print(f"  {'all':12s} command {totals[0]:6.3f} s  import {totals[1]:6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
