"""Slow: generated projects do what their README promises, step by step, as a user would.

For the defaults and two contrasting answer sets: generate, `uv sync`, lint, format check,
type check, the project's own tests, `dvc repro` (every stage runs), `dvc repro` again
(none runs), then a changed train value reruns train and the stages after it only, each
test-stage run leaves a ledger line, and the money criterion shows in `dvc exp show`.
Last, every command of the README's "Every day" block runs as written. A PyTorch
project runs the toolchain and the pipeline twice, then the README's PyTorch commands.
Python 3.11 is the interpreter here, so these projects keep python_version at 3.11;
the other versions are covered by the fast render tests.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from .helpers import TEMPLATE_REPO, render

pytestmark = pytest.mark.slow

PROJECTS: dict[str, dict[str, Any]] = {
    # The README's own command, run as written (tasks included: git init, first commit).
    "defaults": {},
    # Everything optional off, a 32-character package name (the longest allowed, so
    # line lengths in the generated code are at their worst), another licence and CI.
    "long_name-proprietary-gitlab-s3": {
        "package_name": "monthly_customer_churn_forecasts",
        "license": "Proprietary",
        "ci": "gitlab",
        "dvc_remote": "s3",
        "include_notebooks": False,
        "include_monitoring": False,
    },
    # Hostile but valid free text everywhere it is used.
    "unicode-apache-none-local": {
        "project_name": 'Zoë\'s "quoted" {{ x }} model',
        "description": "Line one,\nline \\two with {{ jinja }} and {% tags %}.",
        "author_name": "Zoë O'Brien",
        "license": "Apache-2.0",
        "ci": "none",
        "dvc_remote": "local",
    },
}

STAGES = ["ingest", "prepare", "split", "featurize", "train", "evaluate", "test"]
MONITORING_STAGES = ["reference"]  # after the others, only with include_monitoring


def clean_environment() -> dict[str, str]:
    """The environment a user's shell would have: not this test run's virtualenv."""
    environment = dict(os.environ)
    for name in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTEST_ADDOPTS"):
        environment.pop(name, None)
    environment["NO_COLOR"] = "1"
    return environment


def step(command: list[str], cwd: Path, environment: Mapping[str, str] | None = None) -> str:
    """Run one user step, printing it first; fail with its output if it fails."""
    print(f"$ {' '.join(command)}", flush=True)
    result = subprocess.run(
        command,
        cwd=cwd,
        env=clean_environment() | dict(environment or {}),
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"`{' '.join(command)}` failed in {cwd}:\n{output}"
    return output


def stages_run(output: str) -> list[str]:
    return re.findall(r"Running stage '([a-z]+)'", output)


def readme_generate_command() -> list[str]:
    """The first command of the template's README, which generates a project."""
    readme = (TEMPLATE_REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    command = shlex.split(block.splitlines()[0], comments=True)
    assert command[:3] == ["uvx", "copier", "copy"], command
    return command


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
    """What the generated README says to do after --skip-tasks."""
    step(["git", "init", "--quiet", "--initial-branch=main"], cwd=project)
    step(["git", "add", "--all"], cwd=project)
    step(
        [
            *("git", "-c", "user.name=Test", "-c", "user.email=test@example.com"),
            *("commit", "--quiet", "-m", "Start from copier-ml-practices"),
        ],
        cwd=project,
    )


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


@pytest.mark.parametrize("name", list(PROJECTS))
def test_generated_project_works_first_time(name: str, template: Path, tmp_path: Path) -> None:
    project = generate(name, template, tmp_path)
    assert step(["git", "log", "--oneline"], cwd=project).count("\n") == 1

    step(["uv", "sync"], cwd=project)
    step(["uv", "run", "ruff", "check", "."], cwd=project)
    step(["uv", "run", "ruff", "format", "--check", "."], cwd=project)
    step(["uv", "run", "mypy"], cwd=project)
    tests = step(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project)
    assert re.search(r"\d+ passed", tests), tests
    assert "failed" not in tests, tests

    step(["uv", "run", "pre-commit", "run", "--all-files"], cwd=project)
    assert_pre_commit_refuses_conflicts(project)

    monitoring = PROJECTS[name].get("include_monitoring", True)
    extra = MONITORING_STAGES if monitoring else []
    first = step(["uv", "run", "dvc", "repro"], cwd=project)
    assert stages_run(first) == STAGES + extra
    second = step(["uv", "run", "dvc", "repro"], cwd=project)
    assert stages_run(second) == []

    params = project / "params.yaml"
    params.write_text(params.read_text().replace("learning_rate: 0.05", "learning_rate: 0.03"))
    third = step(["uv", "run", "dvc", "repro"], cwd=project)
    assert stages_run(third) == ["train", "evaluate", "test", *extra]
    step(["uv", "run", "dvc", "metrics", "show"], cwd=project)

    # Two test-stage runs, two looks recorded; the money criterion reaches `dvc exp show`,
    # and `dvc metrics show` fits a 120-column terminal.
    ledger = (project / "reports" / "test_ledger.jsonl").read_text(encoding="utf-8")
    assert len(ledger.splitlines()) == 2
    experiments = step(["uv", "run", "dvc", "exp", "show", "--json"], cwd=project)
    assert '"money"' in experiments
    metrics = step(["bash", "-c", "COLUMNS=120 uv run dvc metrics show"], cwd=project)
    assert max(map(len, metrics.splitlines())) <= 120, metrics
    step(["uv", "run", "dvc", "plots", "show", "--out", str(tmp_path / "plots")], cwd=project)

    # With monitoring, the block also serves the example data and checks it for drift
    # (exit 0: no alarm) and efficiency, right after `dvc exp run` made model and reference.
    for command in readme_daily_commands(project):
        step(["bash", "-c", command], cwd=project)
    assert "--tag model --spent 30m" not in (project / "JOURNAL.md").read_text()
    assert "· tags: model · spent: 30m" in (project / "JOURNAL.md").read_text()


# A PyTorch project on this CPU-only machine. torch is compiled to bytecode as it is
# installed: the suite runs with PYTHONDONTWRITEBYTECODE=1, and each of the dozens of
# processes that import torch would otherwise compile its modules again. pytest-xdist runs
# two test workers on two cores, so torch keeps to one thread each (torchrun does the same).
TORCH_ENVIRONMENT = {"UV_COMPILE_BYTECODE": "1", "OMP_NUM_THREADS": "1"}


def readme_pytorch_commands(project: Path) -> list[str]:
    """The commands of the generated README's "PyTorch" block, comments stripped."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    block = readme.split("## PyTorch", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_pytorch_project_works_first_time(template: Path, tmp_path: Path) -> None:
    """The toolchain, the project's tests (Karpathy's checks, torchrun, compile), the
    pipeline twice, and the README's PyTorch commands: torchrun with two processes on the
    CPU adds exactly one finished run; the GPU check says it skipped, here without CUDA."""
    project = render(template, tmp_path / "project", {"model_framework": "pytorch"})
    commit_first(project)
    torch_step = partial(step, cwd=project, environment=TORCH_ENVIRONMENT)
    torch_step(["uv", "sync"])
    torch_step(["uv", "run", "ruff", "check", "."])
    torch_step(["uv", "run", "ruff", "format", "--check", "."])
    torch_step(["uv", "run", "mypy"])
    torch_step(["uv", "run", "lint-imports"])
    tests = torch_step(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider", "-rs"])
    assert re.search(r"\d+ passed", tests), tests
    assert "failed" not in tests, tests
    assert "skipped" not in tests, tests  # compile and torchrun ran; CUDA absent, as said
    assert stages_run(torch_step(["uv", "run", "dvc", "repro"])) == STAGES + MONITORING_STAGES
    assert stages_run(torch_step(["uv", "run", "dvc", "repro"])) == []

    commands = readme_pytorch_commands(project)
    assert [c.split()[:3] for c in commands] == [
        ["uv", "run", "churn_model"],
        ["uv", "run", "torchrun"],
    ]
    skipped = torch_step(["bash", "-c", commands[0]])
    assert skipped.startswith("skip  no GPU check: torch "), skipped
    before = set((project / "runs").iterdir())
    torch_step(["bash", "-c", commands[1]])
    (new,) = set((project / "runs").iterdir()) - before
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "finished"
    assert manifest["environment"]["device"]["processes"] == 2
