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
import yaml

TEMPLATE_REPO = Path(__file__).resolve().parents[1]

# Every answer that can be chosen from a list, with its values; the default comes first.
CHOICES: dict[str, list[Any]] = {
    "python_version": ["3.11", "3.12", "3.13"],
    "license": ["MIT", "Apache-2.0", "BSD-3-Clause", "Proprietary"],
    "ci": ["github", "gitlab", "none"],
    "dvc_remote": ["none", "local", "s3", "gs", "azure", "ssh"],
    "include_notebooks": [True, False],
    "include_monitoring": [True, False],
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
    return "-".join(
        [
            f"py{answers['python_version']}",
            answers["license"],
            answers["ci"],
            answers["dvc_remote"],
            "notebooks" if answers["include_notebooks"] else "no_notebooks",
            "monitoring" if answers["include_monitoring"] else "no_monitoring",
        ]
    )


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
