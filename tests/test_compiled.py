"""Slow: the compiled bootstrap of a generated project, with its numba group installed.

A default install has no numba, so the generated tests/test_resampling.py skips its
compiled half there (the other slow tests run it so). Here the group is installed once,
as the generated CI does: the file must pass with nothing skipped, which compares the
numba kernel with the plain one; then the project's benchmark runs at its smoke size and
prints its table. Timings are never checked.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from .helpers import render

pytestmark = pytest.mark.slow


def run(command: list[str], project: Path) -> str:
    """Run a user's command in the project, outside this suite's virtualenv."""
    environment = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    # bytecode compiled as numba installs: with PYTHONDONTWRITEBYTECODE each process would
    # compile numba's modules again (minutes over the file's processes)
    environment["UV_COMPILE_BYTECODE"] = "1"
    result = subprocess.run(
        command, cwd=project, env=environment, capture_output=True, text=True, timeout=900
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"`{' '.join(command)}` failed:\n{output}"
    return output


def test_compiled_kernel_gives_the_plain_estimates_with_the_numba_group(
    template: Path, tmp_path: Path
) -> None:
    project = render(template, tmp_path / "project", {})
    run(["uv", "sync", "--group", "numba"], project)
    tests = run(
        ["uv", "run", "pytest", "-p", "no:cacheprovider", "-rs", "tests/test_resampling.py"],
        project,
    )
    assert re.search(r"\d+ passed", tests), tests
    assert "skipped" not in tests, tests  # the compiled half ran
    table = run(["uv", "run", "python", "benchmarks/resampling.py", "--smoke"], project)
    assert "numba start, new process: cold (compiling)" in table, table
    assert re.search(r"400,000 .* \d+\.\dx", table), table
