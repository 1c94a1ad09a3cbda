"""Every answer renders: the exact file tree, no Jinja left, every config file parses."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helpers import CHOICES, combination_id, generated_files, pairwise, parse, render

COMBINATIONS = pairwise(CHOICES)
# Jinja's delimiters; GitHub Actions' own `${{ ... }}` expressions are not Jinja.
JINJA_SYNTAX = re.compile(r"(?<!\$)\{\{|\{%|\{#")

PACKAGE_FILES = [
    "__init__.py",
    "__main__.py",
    "cli.py",
    "config.py",
    "console.py",
    "data/__init__.py",
    "data/featurize.py",
    "data/ingest.py",
    "data/io.py",
    "data/prepare.py",
    "data/schema.py",
    "data/split.py",
    "evaluation/__init__.py",
    "evaluation/baselines.py",
    "evaluation/cli.py",
    "evaluation/compare.py",
    "evaluation/evaluate.py",
    "evaluation/holdout.py",
    "evaluation/metrics.py",
    "evaluation/money.py",
    "evaluation/plots.py",
    "evaluation/statistics.py",
    "journal.py",
    "models/__init__.py",
    "models/mlp.py",
    "models/train.py",
    "paths.py",
    "stages.py",
    "tracking/__init__.py",
    "tracking/cli.py",
    "tracking/manifest.py",
    "tracking/run.py",
    "tracking/runs.py",
    "tracking/scalars.py",
    "tracking/timing.py",
]
TEST_FILES = [
    "__init__.py",
    "conftest.py",
    "test_cli.py",
    "test_compare.py",
    "test_config.py",
    "test_evaluate.py",
    "test_featurize.py",
    "test_ingest.py",
    "test_io.py",
    "test_journal.py",
    "test_ledger.py",
    "test_metrics.py",
    "test_model.py",
    "test_money.py",
    "test_pipeline.py",
    "test_prepare.py",
    "test_split.py",
    "test_statistics.py",
    "test_tracking.py",
    "test_wiring.py",
]
# Generated only with include_monitoring.
MONITORING_FILES = [
    "src/{package}/monitoring/__init__.py",
    "src/{package}/monitoring/cli.py",
    "src/{package}/monitoring/drift.py",
    "src/{package}/monitoring/efficiency.py",
    "src/{package}/monitoring/logger.py",
    "src/{package}/monitoring/predictor.py",
    "src/{package}/monitoring/reference.py",
    "src/{package}/monitoring/shadow.py",
    "tests/test_monitoring.py",
]


def expected_tree(answers: dict[str, Any], package: str = "churn_model") -> set[str]:
    """The files a project with these answers must have, and no others."""
    files = {
        ".copier-answers.yml",
        ".dvc/.gitignore",
        ".dvc/config",
        ".dvcignore",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".python-version",
        "JOURNAL.md",
        "README.md",
        "dvc.yaml",
        "params.yaml",
        "pyproject.toml",
    }
    files |= {f"src/{package}/{name}" for name in PACKAGE_FILES}
    files |= {f"tests/{name}" for name in TEST_FILES}
    if answers["include_notebooks"]:
        files |= {"notebooks/01_explore.py", "jupytext.toml", "tests/test_notebooks.py"}
    if answers["include_monitoring"]:
        files |= {name.format(package=package) for name in MONITORING_FILES}
    if answers["license"] != "Proprietary":
        files.add("LICENSE")
    if answers["ci"] == "github":
        files |= {".github/workflows/ci.yml", ".github/workflows/template-update.yml"}
    if answers["ci"] == "gitlab":
        files.add(".gitlab-ci.yml")
    return files


def test_matrix_covers_every_pair() -> None:
    """The designed matrix holds every pair of values of any two questions (so: every value)."""
    seen = {
        (a, row[a], b, row[b]) for row in COMBINATIONS for a in CHOICES for b in CHOICES if a < b
    }
    needed = {
        (a, va, b, vb)
        for a in CHOICES
        for b in CHOICES
        if a < b
        for va in CHOICES[a]
        for vb in CHOICES[b]
    }
    assert needed <= seen
    assert len(COMBINATIONS) <= 30  # far fewer than the 864 of the full product


def test_defaults_render(template: Path, tmp_path: Path) -> None:
    """`copier copy --defaults` gives the default project, file for file."""
    project = render(template, tmp_path / "project", {})
    defaults = {name: values[0] for name, values in CHOICES.items()}
    assert {p.relative_to(project).as_posix() for p in generated_files(project)} == expected_tree(
        defaults
    )


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_combination_renders(template: Path, tmp_path: Path, answers: dict[str, Any]) -> None:
    """Each combination: exact tree, no Jinja syntax left, TOML/YAML/JSON/Python parse."""
    project = render(template, tmp_path / "project", answers)
    files = list(generated_files(project))
    assert {p.relative_to(project).as_posix() for p in files} == expected_tree(answers)

    leftovers = [
        p.relative_to(project).as_posix()
        for p in files
        if JINJA_SYNTAX.search(p.read_text(encoding="utf-8"))
    ]
    assert leftovers == []
    for path in files:
        parse(path)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    version = answers["python_version"]
    assert pyproject["project"]["requires-python"] == f">={version}"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + version.replace(".", "")
    assert pyproject["tool"]["mypy"]["python_version"] == version
    assert (project / ".python-version").read_text().strip() == version

    dvc_config = (project / ".dvc" / "config").read_text(encoding="utf-8")
    has_remote = answers["dvc_remote"] != "none"
    assert ("remote = storage" in dvc_config) == has_remote
    assert "analytics = false" in dvc_config
    assert "password" not in dvc_config
    # DVC can only talk to a cloud remote with that remote's plugin installed.
    pipeline = pyproject["dependency-groups"]["pipeline"]
    plugin = {"s3": "[s3]", "gs": "[gs]", "azure": "[azure]", "ssh": "[ssh]"}
    assert pipeline == [f"dvc{plugin.get(answers['dvc_remote'], '')}>=3.50"]


@pytest.mark.parametrize(
    ("license_name", "first_line"),
    [
        ("MIT", "MIT License"),
        ("BSD-3-Clause", "BSD 3-Clause License"),
        ("Apache-2.0", "Apache License"),
    ],
)
def test_license_text_names_the_author(
    template: Path, tmp_path: Path, license_name: str, first_line: str
) -> None:
    project = render(
        template,
        tmp_path / "p",
        {"license": license_name, "author_name": "Ada Lovelace", "copyright_year": "2031"},
    )
    text = (project / "LICENSE").read_text(encoding="utf-8")
    assert text.strip().startswith(first_line)
    assert "2031" in text
    assert "Ada Lovelace" in text
    license_field = tomllib.loads((project / "pyproject.toml").read_text())["project"]["license"]
    assert license_field == license_name


@pytest.mark.parametrize(
    ("remote", "url", "in_config"),
    [
        # DVC reads a relative folder from .dvc/: the answer's sibling folder is ../../ there
        ("local", "../dvc-storage", "../../dvc-storage"),
        ("local", "/srv/dvc-storage", "/srv/dvc-storage"),
        ("s3", "s3://team-bucket/churn", "s3://team-bucket/churn"),
        ("gs", "gs://team-bucket/churn", "gs://team-bucket/churn"),
        ("azure", "azure://team-container/churn", "azure://team-container/churn"),
        ("ssh", "ssh://ada@storage.example.com/srv/dvc", "ssh://ada@storage.example.com/srv/dvc"),
    ],
)
def test_remote_url_reaches_dvc_config(
    template: Path, tmp_path: Path, remote: str, url: str, in_config: str
) -> None:
    project = render(template, tmp_path / "p", {"dvc_remote": remote, "dvc_remote_url": url})
    assert f"    url = {in_config}\n" in (project / ".dvc" / "config").read_text()


def test_package_name_is_derived_from_project_name(template: Path, tmp_path: Path) -> None:
    project = render(template, tmp_path / "p", {"project_name": "  Fraud Detector 2000!  "})
    assert (project / "src" / "fraud_detector_2000").is_dir()
    dvc = yaml.safe_load((project / "dvc.yaml").read_text())
    assert dvc["stages"]["train"]["cmd"] == "fraud_detector_2000 stage train"


def test_answers_file_records_the_answers(template: Path, tmp_path: Path) -> None:
    project = render(template, tmp_path / "p", {"ci": "gitlab"})
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["ci"] == "gitlab"
    assert answers["package_name"] == "churn_model"
    assert "reserved_package_names" not in answers


@pytest.mark.parametrize(
    ("project_name", "package"),
    [
        ("JSON", "json_ml"),
        ("Zoë's model", "zo_s_model"),
        ("2024 Forecast", "forecast"),
        ("!!!", "ml_project"),
        ("A very long project name that goes on and on", "a_very_long_project_name_that_go"),
    ],
)
def test_derived_package_name_is_always_valid(
    template: Path, tmp_path: Path, project_name: str, package: str
) -> None:
    """The default package name passes its own validator, whatever the project name."""
    project = render(template, tmp_path / "p", {"project_name": project_name})
    assert (project / "src" / package / "cli.py").exists()


def test_github_projects_watch_for_template_updates(template: Path, tmp_path: Path) -> None:
    """With ci: github, a scheduled workflow runs `copier check-update` and opens an issue."""
    project = render(template, tmp_path / "p", {"ci": "github"})
    workflow = yaml.safe_load((project / ".github/workflows/template-update.yml").read_text())
    assert "schedule" in workflow[True]  # YAML 1.1 reads the key `on` as True
    steps = workflow["jobs"]["check"]["steps"]
    script = "\n".join(step.get("run", "") for step in steps)
    assert "copier check-update --quiet" in script
    assert "gh issue create" in script
    readme = (project / "README.md").read_text()
    assert "uvx copier update --trust --defaults" in readme
    assert "git diff --name-only --diff-filter=U" in readme


def ci_commands(project: Path, ci: str) -> list[str]:
    """The shell commands a generated CI configuration runs."""
    if ci == "github":
        workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
        return [s["run"] for s in workflow["jobs"]["check"]["steps"] if "run" in s]
    pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    return list(pipeline["check"]["script"])


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_ci_runs_the_readme_commands(template: Path, tmp_path: Path, ci: str) -> None:
    """CI checks, tests and reproduces exactly as the README tells a person to."""
    project = render(template, tmp_path / "p", {"ci": ci})
    commands = ci_commands(project, ci)
    assert commands == [
        "uv sync",
        "uv run pre-commit run --all-files",
        "uv run pytest",
        "uv run dvc repro",
    ]
    readme = (project / "README.md").read_text()
    missing = [command for command in commands if f"{command}" not in readme]
    assert missing == []
