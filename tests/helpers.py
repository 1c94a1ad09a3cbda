"""Rendering the template from the working tree, and the designed answer matrix."""

from __future__ import annotations

import itertools
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import copier
import jinja2
import yaml

TEMPLATE_REPO = Path(__file__).resolve().parents[1]


def copier_questions() -> dict[str, dict[str, Any]]:
    """The questions of copier.yml (settings and derived values left out)."""
    raw = yaml.safe_load((TEMPLATE_REPO / "copier.yml").read_text(encoding="utf-8"))
    return {
        name: body
        for name, body in raw.items()
        if not name.startswith("_") and isinstance(body, dict) and body.get("when") is not False
    }


def choices_of(question: dict[str, Any]) -> list[Any]:
    """The values a question can take from a list (its default first), or [] for free text."""
    if question.get("type") == "bool":
        values: list[Any] = [True, False]
    elif isinstance(question.get("choices"), dict):
        values = list(question["choices"].values())
    else:
        values = list(question.get("choices") or [])
    default = question.get("default")
    if default in values:
        values.remove(default)
        values.insert(0, default)
    return values


# Every answer that can be chosen from a list, with its values; the default comes first.
# Read from copier.yml, so a new question or choice is covered by the matrix at once.
CHOICES: dict[str, list[Any]] = {
    name: choices_of(question)
    for name, question in copier_questions().items()
    if choices_of(question)
}


def snapshot_working_tree(destination: Path) -> Path:
    """Copy the template repository's tracked and new files (not .git, not ignored ones).

    Rendering from a plain folder uses exactly the working tree, needs no git tags,
    and skips Copier's clone, so each render is fast.
    """
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=TEMPLATE_REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for relative in filter(None, listed):
        source = TEMPLATE_REPO / relative
        if source.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


def render(
    template: Path, destination: Path, answers: Mapping[str, Any], skip_tasks: bool = True
) -> Path:
    """Generate a project non-interactively: the given answers, defaults for the rest."""
    copier.run_copy(
        str(template),
        destination,
        data=dict(answers),
        defaults=True,
        unsafe=True,
        skip_tasks=skip_tasks,
        quiet=True,
    )
    return destination


def readme_generate_command() -> list[str]:
    """The first command of the template's README, which generates a project."""
    readme = (TEMPLATE_REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    command = shlex.split(block.splitlines()[0], comments=True)
    assert command[:3] == ["uvx", "copier", "copy"], command
    return command


def pairwise(choices: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """A small set of combinations in which every pair of values of any two questions
    appears at least once (greedy all-pairs; deterministic)."""
    names = list(choices)
    uncovered = {
        (a, va, b, vb)
        for a, b in itertools.combinations(names, 2)
        for va in choices[a]
        for vb in choices[b]
    }
    combinations: list[dict[str, Any]] = []
    while uncovered:
        best: dict[str, Any] = {}
        best_gain = -1
        for candidate in itertools.product(*(choices[n] for n in names)):
            row = dict(zip(names, candidate, strict=True))
            gain = sum(
                (a, row[a], b, row[b]) in uncovered for a, b in itertools.combinations(names, 2)
            )
            if gain > best_gain:
                best, best_gain = row, gain
        combinations.append(best)
        uncovered -= {(a, best[a], b, best[b]) for a, b in itertools.combinations(names, 2)}
    return combinations


def combination_id(answers: Mapping[str, Any]) -> str:
    """A readable test id: py3.12-Apache-2.0-gitlab-s3-notebooks-no_monitoring."""
    parts = []
    for name, value in answers.items():
        if isinstance(value, bool):
            label = name.removeprefix("include_")
            parts.append(label if value else f"no_{label}")
        else:
            parts.append(f"py{value}" if name == "python_version" else str(value))
    return "-".join(parts)


def expected_tree(
    template: Path, answers: Mapping[str, Any], package: str = "churn_model"
) -> set[str]:
    """The files Copier must write for these answers, read off the template folder of
    `template` (a snapshot of the repository): each
    path rendered as Copier renders names (a segment that renders empty drops the file),
    `.jinja` removed. Everything not answered takes its default from copier.yml."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    context: dict[str, Any] = {
        name: choices_of(question)[0] if choices_of(question) else question.get("default")
        for name, question in copier_questions().items()
    }
    context |= dict(answers)
    context |= {"package_name": package, "_copier_conf": {"answers_file": ".copier-answers.yml"}}
    files = set()
    for path in (template / "template").rglob("*"):
        if not path.is_file():
            continue
        relative = path.relative_to(template / "template")
        parts = [environment.from_string(part).render(context) for part in relative.parts]
        if relative.suffix == ".jinja":  # the suffix goes before Copier looks for a name
            parts[-1] = parts[-1].removesuffix(".jinja")
        if all(parts):
            files.add("/".join(parts))
    return files


def generated_files(project: Path) -> Iterator[Path]:
    """Every file Copier wrote, .git aside."""
    for path in sorted(project.rglob("*")):
        if path.is_file() and ".git" not in path.relative_to(project).parts:
            yield path


def parse(path: Path) -> object:
    """Parse a file by its kind; raise on a syntax error. Other kinds return their text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return tomllib.loads(text)
    if path.suffix in (".yml", ".yaml"):
        return yaml.safe_load(text)
    if path.suffix == ".json":
        import json

        return json.loads(text)
    if path.suffix == ".py":
        compile(text, str(path), "exec", dont_inherit=True)
    return text
