"""Slow: generated projects do what their README promises, step by step, as a user would.

For the defaults and a contrasting answer set: generate, `uv sync`, lint, format check,
type check, the project's own tests (for the contrasting set, those of the modules its
answers change), `dvc repro` (every stage runs), `dvc repro` again (none runs), then a
changed train value reruns train and the stages after it only, each test-stage run
leaves a ledger line, and the money criterion shows in `dvc exp show`. Last, every
command of the README's "Every day" block runs as written (those the test ran verbatim
before, once), git sees no leftover, and `uv build` ships only code.
A PyTorch project runs the toolchain and the pipeline twice, then the README's PyTorch
commands.
Python 3.11 is the interpreter here, so these projects keep python_version at 3.11;
the other versions are covered by the fast render tests.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tarfile
import zipfile
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from .helpers import readme_generate_command, render

pytestmark = pytest.mark.slow

PROJECTS: dict[str, dict[str, Any]] = {
    # The README's own command, run as written (tasks included: git init, first commit).
    "defaults": {},
    # Everything optional off, a 32-character package name (the longest allowed, so
    # line lengths in the generated code are at their worst), another licence and CI, and
    # hostile but valid free text everywhere it is used. (The other choices of ci and
    # dvc_remote are rendered and checked by the fast tests, pairwise with every answer.)
    "long_name-unicode-proprietary-gitlab-s3": {
        "package_name": "monthly_customer_churn_forecasts",
        "project_name": 'Zoë\'s "quoted" {{ x }} model',
        "description": "Line one,\nline \\two with {{ jinja }} and {% tags %}.",
        "author_name": "Zoë O'Brien",
        "license": "Proprietary",
        "ci": "gitlab",
        "dvc_remote": "s3",
        "include_notebooks": False,
        "include_monitoring": False,
    },
}

# The project's own tests each answer set runs (None: all of them). The contrasting set's
# answers change the code of these modules only (dvc.yaml's stages, the command list, the
# doctor's checks, the journal command, the layers, the model interface without
# monitoring, tests/conftest.py) and the text they read (README, JOURNAL, pyproject);
# every other module is the defaults' code under another package name, which ruff, mypy
# and import-linter check here and the defaults' run tests.
PROJECT_TESTS: dict[str, list[str] | None] = {
    "defaults": None,
    "long_name-unicode-proprietary-gitlab-s3": [
        "tests/test_cli.py",
        "tests/test_config.py",
        "tests/test_doctor.py",
        "tests/test_imports.py",
        "tests/test_interface.py",
        "tests/test_journal.py",
        "tests/test_layers.py",
        "tests/test_pipeline.py",
        "tests/test_wiring.py",
    ],
}

GIT_COMMIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit"]
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}
# `params` checks params.yaml first, so a bad value stops DVC before it deletes outputs.
STAGES = ["params", "ingest", "prepare", "split", "featurize", "train", "evaluate", "test"]
MONITORING_STAGES = ["reference"]  # after the others, only with include_monitoring


def clean_environment() -> dict[str, str]:
    """The environment a user's shell would have: not this test run's virtualenv."""
    environment = dict(os.environ)
    for name in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTEST_ADDOPTS"):
        environment.pop(name, None)
    environment["NO_COLOR"] = "1"
    return environment


def step(command: list[str], cwd: Path, environment: dict[str, str] | None = None) -> str:
    """Run one user step, printing it first; fail with its output if it fails."""
    print(f"$ {' '.join(command)}", flush=True)
    result = subprocess.run(
        command,
        cwd=cwd,
        env={**clean_environment(), **(environment or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"`{' '.join(command)}` failed in {cwd}:\n{output}"
    return output


def stages_run(output: str) -> list[str]:
    return re.findall(r"Running stage '([a-z]+)'", output)


def readme_daily_commands(project: Path) -> list[str]:
    """The commands of the generated README's "Every day" block, comments stripped."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Every day", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("  #", 1)[0].strip() for line in block.splitlines()]
    assert len(commands) >= 8, block
    return [c for c in commands if c]


def generate(name: str, template: Path, scratch: Path) -> Path:
    if name == "defaults":
        # `uvx copier copy --trust --defaults . ../my-project`, from the template's folder.
        command = readme_generate_command()
        step(command, cwd=template)
        return (template / command[-1]).resolve()
    project = scratch / "project"
    render(template, project, PROJECTS[name], skip_tasks=True)
    commit_first(project)
    return project


def commit_first(project: Path) -> None:
    """What the generated README says to do after --skip-tasks, as written."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("## If the project was generated with `--skip-tasks`", 1)[1]
    (line,) = section.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    step(["bash", "-c", line], cwd=project, environment=GIT_IDENTITY)


def assert_doctor_answers_every_check(project: Path) -> None:
    """The README's audit answers each check; a fresh project fails some (uv.lock and the
    results are not committed yet), each failure with what to do."""
    answers = (project / ".copier-answers.yml").read_text(encoding="utf-8")
    package = re.search(r"^package_name: (\S+)$", answers, flags=re.MULTILINE)
    assert package is not None, answers
    command = ["uv", "run", package.group(1), "doctor", "--format", "json"]
    print(f"$ {' '.join(command)}", flush=True)
    audit = subprocess.run(
        command, cwd=project, env=clean_environment(), capture_output=True, text=True
    )
    assert audit.returncode in (0, 1), audit.stderr
    checks = json.loads(audit.stdout)["checks"]
    assert len(checks) >= 20
    assert all(check["result"] is not False or check["err_msg"] for check in checks.values())
    assert checks["PL001"]["result"] is True


def assert_pre_commit_refuses_conflicts(project: Path) -> None:
    """The pair of the passing run: conflict markers and .rej files stop a commit."""
    (project / "notes.txt").write_text("a\n<<<<<<< before updating\nb\n=======\nc\n>>>>>>> after\n")
    (project / "README.md.rej").write_text("@@ -1 +1 @@\n")
    step(["git", "add", "notes.txt", "README.md.rej"], cwd=project)
    command = ["uv", "run", "pre-commit", "run", "--files", "notes.txt", "README.md.rej"]
    result = subprocess.run(
        command, cwd=project, env=clean_environment(), capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "notes.txt:2: Merge conflict string" in result.stdout
    assert "rejected hunks from copier update" in result.stdout
    step(["git", "rm", "--quiet", "--force", "notes.txt", "README.md.rej"], cwd=project)


def assert_large_file_hook_skips_lock_files(project: Path) -> None:
    """A newly added uv.lock (about 1 MB) passes the large-file hook; a large data file
    added beside it does not."""
    step(["git", "rm", "--quiet", "--cached", "uv.lock"], cwd=project)
    step([*GIT_COMMIT, "--quiet", "-m", "Untrack uv.lock for a moment"], cwd=project)
    (project / "big.bin").write_bytes(b"\0" * 600_000)
    step(["git", "add", "uv.lock", "big.bin"], cwd=project)
    command = ["uv", "run", "pre-commit", "run", "check-added-large-files", "--files"]
    result = subprocess.run(
        [*command, "uv.lock", "big.bin"],
        cwd=project,
        env=clean_environment(),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "big.bin (" in result.stdout
    assert "uv.lock (" not in result.stdout
    step(["git", "rm", "--quiet", "--force", "big.bin"], cwd=project)
    step(["git", "reset", "--quiet", "--soft", "HEAD~1"], cwd=project)
    assert step(["git", "status", "--porcelain"], cwd=project) == ""


def declared_outputs(project: Path) -> set[str]:
    """Every path dvc.yaml declares as a stage's output, metric or plot."""
    pipeline = yaml.safe_load((project / "dvc.yaml").read_text(encoding="utf-8"))
    declared = set()
    for stage in pipeline["stages"].values():
        for kind in ("outs", "metrics", "plots"):
            for entry in stage.get(kind, []):
                declared |= set(entry) if isinstance(entry, dict) else {entry}
    return declared


def assert_only_pipeline_changes(project: Path) -> None:
    """After a day's commands, git sees only what a day's work changes: the pipeline's
    declared outputs (and the .gitignore files DVC writes beside them), dvc.lock, the
    params an experiment changed and the journal; nothing a tool left behind."""
    status = step(["git", "status", "--porcelain", "--untracked-files=all"], cwd=project)
    declared = declared_outputs(project)
    beside = {(PurePosixPath(path).parent / ".gitignore").as_posix() for path in declared}
    expected = {"dvc.lock", "params.yaml", "JOURNAL.md"} | declared | beside
    unexpected = [line for line in status.splitlines() if line[3:] not in expected]
    assert unexpected == []


def assert_build_holds_only_code(project: Path, out: Path) -> None:
    """`uv build` after the pipeline ran: the sdist and wheel hold the code, not the data."""
    step(["uv", "build", "--quiet", "--out-dir", str(out)], cwd=project)
    (sdist,) = out.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        tops = {name.split("/")[1] for name in archive.getnames() if name.count("/")}
    # PKG-INFO is the metadata; hatch adds .gitignore, which says what the sdist leaves out.
    allowed = {"src", "tests", "README.md", "LICENSE", "pyproject.toml", "PKG-INFO", ".gitignore"}
    assert {"src", "tests", "README.md", "pyproject.toml"} <= tops <= allowed, tops
    (wheel,) = out.glob("*.whl")
    (package,) = [path.name for path in (project / "src").iterdir()]
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    assert {top.split("-")[0] for top in tops} == {package}, tops


@pytest.mark.parametrize("name", list(PROJECTS))
def test_generated_project_works_first_time(name: str, template: Path, tmp_path: Path) -> None:
    project = generate(name, template, tmp_path)
    assert step(["git", "log", "--oneline"], cwd=project).count("\n") == 1
    # The lock is committed from the start, and CI installs exactly it.
    assert "uv.lock" in step(["git", "ls-files"], cwd=project).splitlines()
    step(["uv", "sync", "--locked"], cwd=project)

    # The README's commands, verbatim, on a fresh clone before any pipeline output exists
    # (as CI runs them); the "Every day" block below does not run them a second time.
    # pre-commit runs ruff check, ruff format --check and mypy on every file.
    checks = step(["uv", "run", "pre-commit", "run", "--all-files"], cwd=project)
    passed = {line.split(".", 1)[0] for line in checks.splitlines() if line.endswith("Passed")}
    assert {"ruff check", "ruff format", "mypy"} <= passed, checks
    tests = step(["uv", "run", "pytest", *(PROJECT_TESTS[name] or [])], cwd=project)
    assert re.search(r"\d+ passed", tests), tests
    assert "failed" not in tests, tests
    already_run = {"uv run pre-commit run --all-files", "uv run pytest", "uv run dvc repro"}

    assert_pre_commit_refuses_conflicts(project)
    assert_large_file_hook_skips_lock_files(project)

    monitoring = PROJECTS[name].get("include_monitoring", True)
    extra = MONITORING_STAGES if monitoring else []
    first = step(["uv", "run", "dvc", "repro"], cwd=project)
    assert stages_run(first) == STAGES + extra
    second = step(["uv", "run", "dvc", "repro"], cwd=project)
    assert stages_run(second) == []

    params = project / "params.yaml"
    params.write_text(params.read_text().replace("learning_rate: 0.05", "learning_rate: 0.03"))
    third = step(["uv", "run", "dvc", "repro"], cwd=project)
    assert stages_run(third) == ["params", "train", "evaluate", "test", *extra]
    step(["uv", "run", "dvc", "metrics", "show"], cwd=project)

    # Two test-stage runs, two looks recorded; the money criterion reaches `dvc exp show`,
    # and `dvc metrics show` fits a 120-column terminal.
    ledger = (project / "reports" / "test_ledger.jsonl").read_text(encoding="utf-8")
    assert len(ledger.splitlines()) == 2
    experiments = step(["uv", "run", "dvc", "exp", "show", "--json"], cwd=project)
    assert '"money"' in experiments
    metrics = step(["bash", "-c", "COLUMNS=120 uv run dvc metrics show"], cwd=project)
    assert max(map(len, metrics.splitlines())) <= 120, metrics

    # With monitoring, the block also serves the example data and checks it for drift
    # (exit 0: no alarm) and efficiency, right after `dvc exp run` made model and reference.
    # `dvc plots show` writes dvc_plots/, which git must ignore (checked below).
    for command in readme_daily_commands(project):
        if command not in already_run:
            step(["bash", "-c", command], cwd=project)
    assert "--tag model --spent 30m" not in (project / "JOURNAL.md").read_text()
    assert "· tags: model · spent: 30m" in (project / "JOURNAL.md").read_text()
    assert_only_pipeline_changes(project)
    assert_build_holds_only_code(project, tmp_path / "dist")
    assert_doctor_answers_every_check(project)


# The PyTorch project's own tests this runs: those whose template reads the answer
# (model_framework), those of the modules whose template does (config, models, the train
# stage, the commands, the run manifest) or that use the model through its interface
# (evaluate, compare, monitoring, serving, reproduce), those that read the stage list
# (wiring, pipeline, imports, layers), and those of the optional groups the generated CI
# syncs (numba: resampling, dask: featurize). The rest (data, doctor, drift, the money
# and statistics, the report) runs the defaults' code on the defaults' data, there.
PYTORCH_TESTS = [
    f"tests/test_{name}.py"
    for name in (
        *("cli", "compare", "config", "evaluate", "featurize", "imports", "interface"),
        *("journal", "layers", "model", "monitoring", "pipeline", "reproduce"),
        *("resampling", "serve", "torch", "torch_parts", "tracking", "wiring"),
    )
]


# A PyTorch project on this CPU-only machine. pytest-xdist runs two test workers on two
# cores, so torch keeps to one thread each (torchrun does the same). Its modules are not
# compiled to bytecode at install (UV_COMPILE_BYTECODE): that took 40 s of CPU for the
# thousands no process imports, where the first import writes the .pyc files of those it
# needs (tests/conftest.py lets it), about 5 s once.
TORCH_ENVIRONMENT = {"OMP_NUM_THREADS": "1"}


def readme_pytorch_commands(project: Path) -> list[str]:
    """The commands of the generated README's "PyTorch" block, comments stripped."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    block = readme.split("## PyTorch", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_pytorch_project_works_first_time(template: Path, tmp_path: Path) -> None:
    """The toolchain, the project's tests of what the answer changes (PYTORCH_TESTS:
    Karpathy's checks, torchrun, compile, and the numba bootstrap against the plain
    one), the pipeline twice, the bootstrap benchmark at
    its smoke size, and the README's PyTorch commands: torchrun with two processes on the
    CPU adds exactly one finished run; the GPU check says it skipped, here without CUDA.
    (A default install has no numba, so its tests/test_resampling.py skips the compiled
    half; this is the project that runs it, with the groups the generated CI syncs.)"""
    project = render(template, tmp_path / "project", {"model_framework": "pytorch"})
    commit_first(project)
    torch_step = partial(step, cwd=project, environment=TORCH_ENVIRONMENT)
    # with the optional groups, as the generated CI syncs them: torch and numba share one
    # numpy, and featurize's Dask tests run (nothing may skip)
    torch_step(["uv", "sync", "--group", "numba", "--group", "dask"])
    torch_step(["uv", "run", "ruff", "check", "."])
    torch_step(["uv", "run", "ruff", "format", "--check", "."])
    torch_step(["uv", "run", "mypy"])
    torch_step(["uv", "run", "lint-imports"])
    tests = torch_step(
        ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider", "-rs", *PYTORCH_TESTS]
    )
    assert re.search(r"\d+ passed", tests), tests
    assert "failed" not in tests, tests
    assert "skipped" not in tests, tests  # compile, torchrun, numba ran; CUDA absent, as said
    assert stages_run(torch_step(["uv", "run", "dvc", "repro"])) == STAGES + MONITORING_STAGES
    assert stages_run(torch_step(["uv", "run", "dvc", "repro"])) == []
    # numba compiles the kernel in a new process, then loads it from its cache; timings
    # are never checked, only that every size and start prints its line
    table = torch_step(["uv", "run", "python", "benchmarks/resampling.py", "--smoke"])
    assert "numba start, new process: cold (compiling)" in table, table
    assert re.search(r"400,000 .* \d+\.\dx", table), table

    commands = readme_pytorch_commands(project)
    assert [c.split()[:3] for c in commands] == [
        ["uv", "run", "churn_model"],
        ["uv", "run", "torchrun"],
    ]
    skipped = torch_step(["bash", "-c", commands[0]])
    assert skipped.startswith("skip  no GPU check: torch "), skipped
    # two epochs, not fifteen: `dvc repro` trained at the default size already; this
    # checks that two processes make one run (20 s of CPU less)
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("epochs: 15", "epochs: 2", 1))
    before = set((project / "runs").iterdir())
    torch_step(["bash", "-c", commands[1]])
    (new,) = set((project / "runs").iterdir()) - before
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "finished"
    assert manifest["params"]["train"]["epochs"] == 2
    assert manifest["environment"]["device"]["processes"] == 2
