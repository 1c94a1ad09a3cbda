"""What every benchmark needs: a project generated from the working tree (or one given
with `--project`), and a way to run commands in its own environment (not this one's)."""

import argparse
import os
import subprocess
from pathlib import Path

from tests.helpers import render, snapshot_working_tree


def generated_project(scratch: Path) -> Path:
    """Render the default project from the working tree into `scratch` and `uv sync` it."""
    template = snapshot_working_tree(scratch / "template")
    project = render(template, scratch / "project", {})
    run(["uv", "sync", "--quiet"], project)
    return project


def run(command: list[str], cwd: Path) -> str:
    """Run `command` in `cwd` with the project's environment; return its stdout."""
    environment = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run(
        command, cwd=cwd, env=environment, check=True, capture_output=True, text=True
    ).stdout


def add_project_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project",
        type=Path,
        help="run in this generated, `uv sync`ed project (default package name) instead of "
        "rendering one from the working tree",
    )


def project_for(given: Path | None, scratch: Path) -> Path:
    """The project given with --project, else a new one rendered into `scratch`."""
    return given.resolve() if given is not None else generated_project(scratch)
