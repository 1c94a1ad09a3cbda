"""The generated CI keeps the HTML report as an artifact, in GitHub and GitLab alike."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .helpers import render


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_ci_builds_the_report_and_keeps_it(template: Path, tmp_path: Path, ci: str) -> None:
    """A `report` job, after the checks, runs the pipeline and `report`, and keeps the site."""
    project = render(template, tmp_path / "p", {"ci": ci, "package_name": "churn_model"})
    if ci == "github":
        job = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())["jobs"]["report"]
        commands = [step["run"] for step in job["steps"] if "run" in step]
        (upload,) = [step for step in job["steps"] if "upload-artifact" in step.get("uses", "")]
        kept = [upload["with"]["path"]]
        assert job["needs"] == "check"
    else:
        job = yaml.safe_load((project / ".gitlab-ci.yml").read_text())["report"]
        commands = job["script"]
        kept = job["artifacts"]["paths"]
        assert job["needs"] == ["check"]
    assert commands == ["uv sync --locked", "uv run dvc repro", "uv run churn_model report"]
    assert kept == ["reports/site/"]
