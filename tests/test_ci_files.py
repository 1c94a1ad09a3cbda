"""The generated CI files pass the tools their users run: zizmor and the JSON schemas.

GitHub: `zizmor --offline` finds nothing in the workflows and the Dependabot config, and
check-jsonschema validates them against its vendored schemas (github-workflows,
dependabot). GitLab: check-jsonschema validates .gitlab-ci.yml (gitlab-ci). Each linter is
also shown a broken file, so a pass cannot come from a linter that looked at nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import Rendered

TOOLS = Path(sys.executable).parent  # zizmor and check-jsonschema come with the dev group


def lint(tool: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TOOLS / tool), *map(str, args)], capture_output=True, text=True, timeout=300
    )


def load(path: Path) -> dict[Any, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture
def github_project(rendered: Rendered) -> Path:
    return rendered({"ci": "github"})


def test_zizmor_finds_nothing(github_project: Path) -> None:
    """zizmor (offline audits, default persona) reports no finding in the generated files."""
    result = lint("zizmor", "--offline", "--no-progress", github_project / ".github")
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_flags_a_checkout_that_keeps_credentials(
    github_project: Path, tmp_path: Path
) -> None:
    """Control: the same workflow with credentials persisted is a finding."""
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    text = (github_project / ".github/workflows/ci.yml").read_text()
    assert "persist-credentials: false" in text
    (workflows / "ci.yml").write_text(text.replace("persist-credentials: false", "fetch-depth: 1"))
    result = lint("zizmor", "--offline", "--no-progress", tmp_path / ".github")
    assert result.returncode != 0
    assert "artipacked" in result.stdout


@pytest.mark.parametrize(
    ("ci", "schema", "files"),
    [
        ("github", "vendor.github-workflows", [".github/workflows/ci.yml"]),
        ("github", "vendor.github-workflows", [".github/workflows/template-update.yml"]),
        ("github", "vendor.github-workflows", [".github/workflows/mutation.yml"]),
        ("github", "vendor.dependabot", [".github/dependabot.yml"]),
        ("gitlab", "vendor.gitlab-ci", [".gitlab-ci.yml"]),
    ],
)
def test_ci_files_match_their_schemas(
    rendered: Rendered, ci: str, schema: str, files: list[str]
) -> None:
    """Each CI file validates against the schema GitHub or GitLab publish for it."""
    project = rendered({"ci": ci})
    result = lint("check-jsonschema", "--builtin-schema", schema, *(project / f for f in files))
    assert result.returncode == 0, result.stdout + result.stderr


def test_schema_check_rejects_a_broken_workflow(github_project: Path, tmp_path: Path) -> None:
    """Control: a workflow whose permission has no valid level fails the schema."""
    text = (github_project / ".github/workflows/ci.yml").read_text()
    broken = tmp_path / "ci.yml"
    broken.write_text(text.replace("contents: read", "contents: sometimes"))
    result = lint("check-jsonschema", "--builtin-schema", "vendor.github-workflows", broken)
    assert result.returncode != 0


def test_github_ci_is_least_privilege(github_project: Path) -> None:
    """Read-only token, no persisted credentials, superseded runs cancelled; the update
    check may also open issues, and runs one at a time; the mutation pass only reads."""
    ci = load(github_project / ".github/workflows/ci.yml")
    assert ci["permissions"] == {"contents": "read"}
    assert ci["concurrency"]["cancel-in-progress"] is True
    assert "github.ref" in ci["concurrency"]["group"]
    update = load(github_project / ".github/workflows/template-update.yml")
    assert update["permissions"] == {"contents": "read", "issues": "write"}
    assert "group" in update["concurrency"]
    mutation = load(github_project / ".github/workflows/mutation.yml")
    assert mutation["permissions"] == {"contents": "read"}
    for workflow in (ci, update, mutation):
        for job in workflow["jobs"].values():
            steps = job["steps"]
            checkouts = [s for s in steps if s.get("uses", "").startswith("actions/checkout@")]
            assert checkouts
            assert all(s["with"]["persist-credentials"] is False for s in checkouts)


@pytest.mark.parametrize("ci", ["github", "gitlab", "none"])
def test_dependabot_watches_actions_and_uv(rendered: Rendered, ci: str) -> None:
    """With ci: github, Dependabot bumps the actions and uv.lock; otherwise no config."""
    project = rendered({"ci": ci})
    config = project / ".github" / "dependabot.yml"
    assert config.exists() == (ci == "github")
    if ci == "github":
        ecosystems = {u["package-ecosystem"] for u in load(config)["updates"]}
        assert ecosystems == {"github-actions", "uv"}
