"""The generated project's tool configuration: pre-commit, pytest, packaging, .gitignore.

Fast checks of the rendered files; the slow tests (tests/test_generated.py) run the tools
themselves: pre-commit on a newly added uv.lock, pytest with this configuration, `uv build`
after `dvc repro`, and `git status` after the README's "Every day" block.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from .conftest import Rendered

PRE_COMMIT_WITH_UNSUPPORTED = Version("4.4.0")  # `language: unsupported` arrived in 4.4.0


@pytest.fixture
def project(rendered: Rendered) -> Path:
    return rendered({})


def hooks(project: Path) -> dict[str, dict[str, Any]]:
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def pyproject(project: Path) -> dict[str, Any]:
    return tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))


def test_hooks_use_the_language_pre_commit_keeps(project: Path) -> None:
    """No hook uses `system` or `script`, which pre-commit 4.4 renamed and will deprecate;
    the config and the lint group both require a pre-commit that knows the new names."""
    languages = {hook_id: hook["language"] for hook_id, hook in hooks(project).items()}
    assert set(languages.values()) <= {"unsupported", "fail"}, languages
    config = yaml.safe_load((project / ".pre-commit-config.yaml").read_text())
    assert Version(config["minimum_pre_commit_version"]) >= PRE_COMMIT_WITH_UNSUPPORTED
    lint = [Requirement(r) for r in pyproject(project)["dependency-groups"]["lint"]]
    (pre_commit,) = [r for r in lint if r.name == "pre-commit"]
    assert pre_commit.specifier.contains(PRE_COMMIT_WITH_UNSUPPORTED)
    assert not pre_commit.specifier.contains("4.3.0")


@pytest.mark.parametrize(
    ("path", "checked"),
    [
        ("uv.lock", False),
        ("dvc.lock", False),
        ("data/raw/export.csv", True),
        ("models/model.npz", True),
        ("notes/uv.lock.txt", True),
    ],
)
def test_large_file_hook_skips_only_lock_files(project: Path, path: str, checked: bool) -> None:
    """Lock files are exempt from the large-file check (uv.lock is about 1 MB); data is not.

    pre-commit skips a file when the hook's `exclude` pattern matches it (re.search)."""
    exclude = hooks(project)["check-added-large-files"].get("exclude", "^$")
    assert (re.search(exclude, path) is None) == checked


def test_pytest_is_strict(project: Path) -> None:
    """Unknown config keys and markers are errors, an unexpected pass of an xfail fails,
    and failures show the log records."""
    options = pyproject(project)["tool"]["pytest"]["ini_options"]
    assert {"--strict-config", "--strict-markers"} <= set(options["addopts"].split())
    assert options["xfail_strict"] is True
    assert options["log_level"] == "INFO"


@pytest.mark.parametrize("license_name", ["MIT", "Proprietary"])
def test_builds_list_only_code(rendered: Rendered, license_name: str) -> None:
    """The sdist takes src, tests, README, LICENSE (when there is one) and pyproject only."""
    project = rendered({"license": license_name})
    targets = pyproject(project)["tool"]["hatch"]["build"]["targets"]
    listed = set(targets["sdist"]["only-include"])
    licence = {"LICENSE"} if license_name != "Proprietary" else set()
    assert listed == {"src", "tests", "README.md", "pyproject.toml"} | licence
    assert all((project / path).exists() for path in listed)
    assert targets["wheel"]["packages"] == ["src/churn_model"]


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("dvc_plots/index.html", True),  # `dvc plots show`
        ("reports/predictions.csv", True),  # the README's predict command
        ("reports/test_metrics.json", False),  # a metric DVC reads from git
        ("dvc.lock", False),
    ],
)
def test_gitignore_covers_what_tools_leave(
    project: Path, tmp_path: Path, path: str, ignored: bool
) -> None:
    """What the README's commands leave behind is ignored; what git must keep is not."""
    (tmp_path / ".gitignore").write_text((project / ".gitignore").read_text())
    subprocess.run(["git", "init", "--quiet"], cwd=tmp_path, check=True)
    result = subprocess.run(["git", "check-ignore", "--quiet", path], cwd=tmp_path)
    assert (result.returncode == 0) == ignored
