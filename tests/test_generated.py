"""Slow: generated projects do what their README promises, step by step, as a user would.

For the defaults and two contrasting answer sets: generate, `uv sync`, lint, format check,
type check, the project's own tests, `dvc repro` (every stage runs), `dvc repro` again
(none runs), then a changed train value reruns train and the stages after it only.
Python 3.11 is the interpreter here, so these projects keep python_version at 3.11;
the other versions are covered by the fast render tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .helpers import render

pytestmark = pytest.mark.slow

PROJECTS: dict[str, dict[str, Any]] = {
    # The README's command, tasks included (git init and the first commit).
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


def clean_environment() -> dict[str, str]:
    """The environment a user's shell would have: not this test run's virtualenv."""
    environment = dict(os.environ)
    for name in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH", "PYTEST_ADDOPTS"):
        environment.pop(name, None)
    environment["NO_COLOR"] = "1"
    return environment


def step(command: list[str], cwd: Path) -> str:
    """Run one user step, printing it first; fail with its output if it fails."""
    print(f"$ {' '.join(command)}", flush=True)
    result = subprocess.run(
        command, cwd=cwd, env=clean_environment(), capture_output=True, text=True, timeout=900
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"`{' '.join(command)}` failed in {cwd}:\n{output}"
    return output


def stages_run(output: str) -> list[str]:
    return re.findall(r"Running stage '([a-z]+)'", output)


def generate(name: str, template: Path, destination: Path) -> Path:
    if name == "defaults":
        copier = Path(sys.executable).parent / "copier"
        step([str(copier), "copy", "--trust", "--defaults", str(template), str(destination)], cwd=destination.parent)
    else:
        render(template, destination, PROJECTS[name], skip_tasks=True)
        # What the README says to do after --skip-tasks.
        step(["git", "init", "--quiet", "--initial-branch=main"], cwd=destination)
        step(["git", "add", "--all"], cwd=destination)
        step(
            ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
             "commit", "--quiet", "-m", "Start from copier-ml-practices"],
            cwd=destination,
        )
    return destination


@pytest.mark.parametrize("name", list(PROJECTS))
def test_generated_project_works_first_time(name: str, template: Path, tmp_path: Path) -> None:
    project = generate(name, template, tmp_path / "project")
    assert step(["git", "log", "--oneline"], cwd=project).count("\n") == 1

    step(["uv", "sync"], cwd=project)
    step(["uv", "run", "ruff", "check", "."], cwd=project)
    step(["uv", "run", "ruff", "format", "--check", "."], cwd=project)
    step(["uv", "run", "mypy"], cwd=project)
    tests = step(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project)
    assert re.search(r"\d+ passed", tests) and "failed" not in tests, tests

    first = step(["uv", "run", "dvc", "repro"], cwd=project)
    assert stages_run(first) == STAGES
    second = step(["uv", "run", "dvc", "repro"], cwd=project)
    assert stages_run(second) == []

    params = project / "params.yaml"
    params.write_text(params.read_text().replace("learning_rate: 0.05", "learning_rate: 0.03"))
    third = step(["uv", "run", "dvc", "repro"], cwd=project)
    assert stages_run(third) == ["train", "evaluate", "test"]
    step(["uv", "run", "dvc", "metrics", "show"], cwd=project)
