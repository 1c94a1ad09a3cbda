"""Slow: a project copied the way the README says can be updated the way the README says.

The README copies with `uvx copier copy --trust --defaults . ../my-project` from a clone,
and says to give the repository's URL instead of `.` without one; docs/getting-started.md
takes `<template-url-or-path>`. Copier records the source as typed, so a relative `.`
would mean the project itself once `copier update` runs inside it. For each form (the
relative path as written, an absolute path, a URL), this copies with the README's
command, publishes a newer template version, and runs the README's update block in the
project: the update must succeed, bring the change, and leave no conflict or .rej file.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from .helpers import TEMPLATE_REPO, readme_generate_command
from .versions import build_versioned_template, git

pytestmark = pytest.mark.slow

# How the template's location is given to `copier copy`, from a clone at `clone`. The
# repository's URL is stood in for by the file:// URL of the clone's git folder (no
# network here): like https://github.com/owner/name(.git), Copier takes it for a remote
# git URL, clones it, and records it as typed.
SOURCES: dict[str, Callable[[Path], str]] = {
    "relative-path-as-written": lambda clone: ".",
    "absolute-path": lambda clone: str(clone),
    "url": lambda clone: (clone / ".git").as_uri(),
}
NEW_LINE = "A section from a newer template version."


def run(command: str | list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a README line as a user's shell would: not inside this test run's virtualenv."""
    environment = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    shell = isinstance(command, str)
    print(f"$ {command if shell else ' '.join(command)}", flush=True)
    return subprocess.run(
        command, cwd=cwd, env=environment, shell=shell, capture_output=True, text=True
    )


def readme_update_block() -> list[str]:
    """The lines of the README's "Updating a project" block, comments stripped."""
    readme = (TEMPLATE_REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Updating a project", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    lines = [line.split("  #", 1)[0].strip() for line in block.splitlines()]
    assert lines[0] == "uvx copier update --trust --defaults", lines
    return lines


def test_readme_names_every_source_form() -> None:
    """The forms tested here are the ones the README and the getting-started page give."""
    readme = (TEMPLATE_REPO / "README.md").read_text(encoding="utf-8")
    assert readme_generate_command()[-2] == "."
    assert "give Copier the repository's URL instead of `.`" in " ".join(readme.split())
    guide = (TEMPLATE_REPO / "docs" / "getting-started.md").read_text(encoding="utf-8")
    assert "<template-url-or-path>" in guide


@pytest.mark.parametrize("source", list(SOURCES))
def test_readme_copy_then_update(source: str, tmp_path: Path) -> None:
    clone = build_versioned_template(tmp_path / "copier-ml-practices")
    copy = readme_generate_command()
    copy[-2] = SOURCES[source](clone)
    result = run(copy, cwd=clone)
    assert result.returncode == 0, result.stdout + result.stderr
    project = (clone / copy[-1]).resolve()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert git(project, "status", "--porcelain") == ""

    # A newer version of the template, published as a tag.
    readme = clone / "template" / "README.md.jinja"
    readme.write_text(readme.read_text(encoding="utf-8") + f"\n{NEW_LINE}\n", encoding="utf-8")
    git(clone, "commit", "--quiet", "-am", "A newer template version")
    git(clone, "tag", "v999.0.0")

    update, *checks = readme_update_block()
    result = run(update, cwd=project)
    assert result.returncode == 0, f"_src_path: {answers['_src_path']}\n{result.stderr}"
    assert NEW_LINE in (project / "README.md").read_text(encoding="utf-8")
    assert "_commit: v999.0.0" in (project / ".copier-answers.yml").read_text(encoding="utf-8")
    for check in checks:
        assert run(check, cwd=project).stdout == "", check
