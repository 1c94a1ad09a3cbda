"""Every answer renders: the exact file tree, no Jinja left, every config file parses."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml

from .conftest import Rendered
from .helpers import (
    CHOICES,
    TEMPLATE_REPO,
    combination_id,
    expected_tree,
    generated_files,
    pairwise,
    parse,
    render,
)
from .test_generated import PROJECT_TESTS, PYTORCH_TESTS

COMBINATIONS = pairwise(CHOICES)
# Jinja's delimiters; GitHub Actions' own `${{ ... }}` expressions are not Jinja.
JINJA_SYNTAX = re.compile(r"(?<!\$)\{\{|\{%|\{#")


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


def test_defaults_render(template: Path, rendered: Rendered) -> None:
    """`copier copy --defaults` gives the default project, file for file."""
    project = rendered({})
    defaults = {name: values[0] for name, values in CHOICES.items()}
    written = {p.relative_to(project).as_posix() for p in generated_files(project)}
    assert written == expected_tree(template, defaults)


@pytest.mark.parametrize("answers", COMBINATIONS, ids=combination_id)
def test_combination_renders(template: Path, rendered: Rendered, answers: dict[str, Any]) -> None:
    """Each combination: exact tree, no Jinja syntax left, TOML/YAML/JSON/Python parse."""
    project = rendered(answers)
    files = list(generated_files(project))
    written = {p.relative_to(project).as_posix() for p in files}
    assert written == expected_tree(template, answers)
    # the optional parts are there exactly when asked for
    assert ("src/churn_model/monitoring/drift.py" in written) == answers["include_monitoring"]
    assert ("notebooks/01_explore.py" in written) == answers["include_notebooks"]
    assert ("LICENSE" in written) == (answers["license"] != "Proprietary")
    assert (".github/workflows/ci.yml" in written) == (answers["ci"] == "github")
    assert (".gitlab-ci.yml" in written) == (answers["ci"] == "gitlab")
    pytorch = answers["model_framework"] == "pytorch"
    assert ("src/churn_model/models/torch_sgd.py" in written) == pytorch
    assert ("tests/test_torch.py" in written) == pytorch

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
    assert any(d.startswith("torch") for d in pyproject["project"]["dependencies"]) == pytorch
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


def test_answers_file_records_the_answers(rendered: Rendered) -> None:
    project = rendered({"ci": "gitlab"})
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
    assert (project / "src" / package / "commands" / "__init__.py").exists()


def test_github_projects_watch_for_template_updates(rendered: Rendered) -> None:
    """With ci: github, a scheduled workflow runs `copier check-update` and opens an issue."""
    project = rendered({"ci": "github"})
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
def test_ci_runs_the_readme_commands(rendered: Rendered, ci: str) -> None:
    """CI checks, tests and reproduces exactly as the README tells a person to, then runs
    the README's audit (`doctor`) and keeps its report."""
    project = rendered({"ci": ci})
    commands = ci_commands(project, ci)
    assert commands[:4] == [
        "uv sync --locked",
        "uv run pre-commit run --all-files",
        "uv run pytest",
        "uv run dvc repro",
    ]
    assert commands[4].startswith("uv run churn_model doctor --format html > reports/doctor.html")
    readme = (project / "README.md").read_text()
    missing = [
        command for command in [*commands[:4], "uv run churn_model doctor"] if command not in readme
    ]
    assert missing == []


READ_NEXT = re.compile(r"Read next: (\S+?\.py)\b")


def read_next(module: Path) -> Path | None:
    """The module a module's docstring says to read next, or None at the end of the chain."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    match = READ_NEXT.search(ast.get_docstring(tree) or "")
    return (module.parent / match.group(1)).resolve() if match else None


@pytest.mark.parametrize("framework", CHOICES["model_framework"])
@pytest.mark.parametrize(
    ("monitoring", "example"),
    [(True, True), (False, True), (True, False), (False, False)],
    ids=["monitoring", "no_monitoring", "monitoring-no_example", "no_monitoring-no_example"],
)
def test_read_next_chain_starts_at_the_command_line_and_visits_every_module(
    template: Path, tmp_path: Path, monitoring: bool, example: bool, framework: str
) -> None:
    """Following "Read next:" from commands/__init__.py reaches every module once, never
    loops, and names no file that does not exist."""
    answers = {
        "include_monitoring": monitoring,
        "example_data": example,
        "model_framework": framework,
    }
    project = render(template, tmp_path / "p", answers)
    package = project / "src" / "churn_model"
    modules = {p.resolve() for p in package.rglob("*.py")}
    modules -= {p for p in modules if p.name in ("__init__.py", "__main__.py")}
    chain: list[Path] = []
    module: Path | None = package / "commands" / "__init__.py"
    while module is not None:
        assert module not in chain, f"the chain loops back to {module.relative_to(package)}"
        assert module.exists(), f"{chain[-1].relative_to(package)} names a missing module"
        chain.append(module)
        module = read_next(module)
    unvisited = sorted(p.relative_to(package).as_posix() for p in modules - set(chain))
    assert unvisited == []


DOCS_STAGES = re.compile(r"```yaml\n(stages:\n.*?)```", flags=re.DOTALL)


def test_docs_quote_dvc_yaml_as_generated(template: Path, tmp_path: Path) -> None:
    """Every `stages:` excerpt in docs/ is the default project's dvc.yaml, stage for stage."""
    project = render(template, tmp_path / "p", {})
    stages = yaml.safe_load((project / "dvc.yaml").read_text(encoding="utf-8"))["stages"]
    stale = []
    for page in sorted((template / "docs").glob("*.md")):
        for excerpt in DOCS_STAGES.findall(page.read_text(encoding="utf-8")):
            for name, body in yaml.safe_load(excerpt)["stages"].items():
                if stages.get(name) != body:
                    stale.append(f"{page.name}: {name}")
    assert stale == []


@pytest.mark.parametrize("typed", ["relative", "absolute"])
def test_answers_file_records_a_source_update_can_find(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str
) -> None:
    """A template path typed relative is stored absolute (inside the project it would name
    another folder); URLs keep their form (tests/test_readme_update.py, slow)."""
    monkeypatch.chdir(template.parent)
    source = template.name if typed == "relative" else str(template)
    copier.run_copy(source, tmp_path / "p", defaults=True, unsafe=True, skip_tasks=True, quiet=True)
    answers = yaml.safe_load((tmp_path / "p" / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(template.resolve())


def templates_reading(answer: str) -> set[str]:
    """The generated test files whose template, or its file name, reads `answer`."""
    found = set()
    for path in (TEMPLATE_REPO / "template" / "tests").glob("*test_*.py*"):
        if answer in path.name or answer in path.read_text(encoding="utf-8"):
            name = re.search(r"test_\w+\.py", path.name)
            assert name is not None, path
            found.add(f"tests/{name.group()}")
    assert found, f"no test template reads {answer}: the scan is broken"
    return found


def test_the_contrasting_projects_run_every_test_their_answers_change() -> None:
    """tests/test_generated.py runs a subset of the long-name and PyTorch projects' own
    tests: each test file whose template reads an answer they change is in it, so a new
    one cannot be left out unnoticed. (Monitoring's own tests do not exist with it off.)"""
    long_name = set(PROJECT_TESTS["long_name-unicode-proprietary-gitlab-s3"] or [])
    turned_off = templates_reading("include_notebooks") | {
        path
        for path in templates_reading("include_monitoring")
        if path
        not in (
            "tests/test_drift.py",
            "tests/test_monitoring.py",
            "tests/test_predictor.py",
            "tests/test_serve.py",
        )
    }
    assert turned_off - {"tests/test_notebooks.py"} <= long_name
    assert templates_reading("model_framework") <= set(PYTORCH_TESTS)
