"""Slow: a bad value loses nothing, and a run records what it really used.

One test, in steps that share one generated project (making it, `uv sync` and the first
`dvc repro` cost more than any step), with tiny params so each stage costs little more
than its start-up:

1. After `dvc repro`, the train run's manifest holds each dep's hash exactly as dvc.lock
   records it. After a change upstream (`featurize.clip`) and `dvc repro train`, the new
   run names the new features, not the hashes of the lock before it.
2. Each kind of bad params.yaml (a bad value in two sections, an unknown key, an unknown
   section, a section a stage reads left out, an empty file, unparsable YAML): `dvc repro`
   fails, names the culprit, and every file under data/, models/ and reports/ is byte for
   byte what it was.
3. The same for `dvc exp run -S train.learning_rate=-1`, and for that experiment queued
   and run with `dvc exp run --run-all`.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from .helpers import render
from .test_generated import clean_environment, stages_run, step

pytestmark = pytest.mark.slow

ANSWERS = {"include_notebooks": False, "ci": "none"}
# Each stage a few seconds; reference_sample must not exceed the train rows.
TINY = {
    "n_rows: 20000": "n_rows: 300",
    "epochs: 15": "epochs: 2",
    "bootstrap_samples: 1000": "bootstrap_samples: 100",
    "reference_sample: 2000": "reference_sample: 100",
}
KEPT = ("data", "models", "reports")


def replaced(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def without_monitoring(text: str) -> str:
    """params.yaml without its monitoring section (from its comment to the next blank line),
    the sections after it kept."""
    start = text.index("\n# Production monitoring")
    end = text.find("\n\n", start + 1)
    return text[:start] + (text[end:] if end != -1 else "\n")


# name: (how the good params.yaml is spoilt, what the output must name)
BAD_PARAMS: dict[str, tuple[Callable[[str], str], str]] = {
    "a bad train value": (
        lambda text: replaced(text, "learning_rate: 0.05", "learning_rate: -1"),
        "train.learning_rate: must be > 0, got -1",
    ),
    "a bad ingest value": (
        lambda text: replaced(text, "n_rows: 300", "n_rows: 5"),
        "ingest.n_rows: must be >= 100, got 5",
    ),
    "an unknown key": (
        lambda text: replaced(text, "  momentum: 0.9", "  momentum: 0.9\n  learnin_rate: 0.1"),
        "train.learnin_rate: is not a known key",
    ),
    "an unknown section": (
        lambda text: replaced(text, "\noutcome:", "\noutcom:"),
        "outcom: is not a known key",
    ),
    "a section a stage reads, left out": (
        without_monitoring,
        "monitoring.reference_sample: is missing; the reference stage of dvc.yaml reads it",
    ),
    "an empty file": (lambda text: "", "params.yaml: is empty"),
    # DVC reads params.yaml itself before it runs any stage, and names the line
    "unparsable YAML": (
        lambda text: text + "train: [1\n",
        "line {}",
    ),
}


def attempt(command: list[str], cwd: Path) -> tuple[int, str]:
    """Run a step that may fail, printing it first: its exit status and output."""
    print(f"$ {' '.join(command)}", flush=True)
    result = subprocess.run(
        command, cwd=cwd, env=clean_environment(), capture_output=True, text=True, timeout=900
    )
    return result.returncode, result.stdout + result.stderr


def kept_files(project: Path) -> dict[str, str]:
    """The md5 of every file under data/, models/ and reports/."""
    return {
        path.relative_to(project).as_posix(): hashlib.md5(path.read_bytes()).hexdigest()
        for folder in KEPT
        for path in sorted((project / folder).rglob("*"))
        if path.is_file()
    }


def differences(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The files changed, added or deleted between two `kept_files`."""
    return sorted(
        path for path in before.keys() | after.keys() if before.get(path) != after.get(path)
    )


def latest_manifest(project: Path) -> dict[str, object]:
    """The manifest of the newest run (run ids sort by start time)."""
    newest = max((project / "runs").iterdir(), key=lambda folder: folder.name)
    manifest: dict[str, object] = json.loads((newest / "manifest.json").read_text())
    return manifest


def locked_deps(project: Path, stage: str) -> dict[str, str]:
    """What dvc.lock records for each dep of `stage`: path -> md5."""
    lock = yaml.safe_load((project / "dvc.lock").read_text(encoding="utf-8"))
    return {dep["path"]: dep["md5"] for dep in lock["stages"][stage]["deps"]}


def assert_run_records_the_lock(project: Path) -> None:
    data = latest_manifest(project)["data"]
    assert isinstance(data, dict)
    assert data["deps"] == locked_deps(project, "train")
    read = {path: hashlib.md5((project / path).read_bytes()).hexdigest() for path in data["read"]}
    assert data["read"] == read
    assert sorted(read) == ["data/features/train/features.npy", "data/features/train/target.npy"]


def test_bad_params_lose_nothing_and_runs_record_what_they_used(
    template: Path, tmp_path: Path
) -> None:
    project = render(template, tmp_path / "project", ANSWERS)
    params = project / "params.yaml"
    good = params.read_text(encoding="utf-8")
    for old, new in TINY.items():
        good = replaced(good, old, new)
    params.write_text(good, encoding="utf-8")
    step(["git", "init", "--quiet", "--initial-branch=main"], cwd=project)
    step(["git", "add", "--all"], cwd=project)
    commit = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "commit"]
    step([*commit, "--quiet", "-m", "Start"], cwd=project)
    step(["uv", "sync"], cwd=project)

    # 1. the run's manifest holds the deps' hashes as dvc.lock records them after the run
    first = step(["uv", "run", "dvc", "repro"], cwd=project)
    assert stages_run(first)[0] == "params"
    assert_run_records_the_lock(project)
    features_before = locked_deps(project, "train")["data/features/train"]
    params.write_text(replaced(good, "clip: 5.0", "clip: 0.5"), encoding="utf-8")
    second = step(["uv", "run", "dvc", "repro", "train"], cwd=project)
    assert stages_run(second) == ["params", "featurize", "train"]
    assert_run_records_the_lock(project)
    assert locked_deps(project, "train")["data/features/train"] != features_before
    params.write_text(good, encoding="utf-8")
    step(["git", "add", "--all"], cwd=project)
    step([*commit, "--quiet", "-m", "Pipeline run"], cwd=project)

    # 2. every kind of bad params.yaml stops `dvc repro` before anything is deleted
    before = kept_files(project)
    failures = []
    for name, (spoil, culprit) in BAD_PARAMS.items():
        params.write_text(spoil(good), encoding="utf-8")
        status, output = attempt(["uv", "run", "dvc", "repro"], cwd=project)
        culprit = culprit.format(good.count("\n") + 1)
        if status == 0 or culprit not in output:
            failures.append(f"{name}: exit {status}, {culprit!r} not named in:\n{output}")
        changed = differences(before, kept_files(project))
        if changed:
            failures.append(f"{name}: {changed} changed or deleted")
        params.write_text(good, encoding="utf-8")
    assert failures == []

    # 3. experiments, in the workspace and queued
    status, output = attempt(
        ["uv", "run", "dvc", "exp", "run", "-S", "train.learning_rate=-1"], cwd=project
    )
    assert status != 0
    assert "train.learning_rate: must be > 0, got -1" in output
    assert differences(before, kept_files(project)) == []
    step(["git", "checkout", "--", "params.yaml"], cwd=project)
    step(["uv", "run", "dvc", "exp", "run", "--queue", "-S", "train.learning_rate=-1"], project)
    _, output = attempt(["uv", "run", "dvc", "exp", "run", "--run-all"], cwd=project)
    assert "train.learning_rate: must be > 0, got -1" in output
    assert differences(before, kept_files(project)) == []
