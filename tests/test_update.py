"""`copier update` brings old projects to the working tree without losing the user's work.

For every recorded release and two answer sets: generate at that release, commit, edit
as a user would, commit, update to the working tree. Then: no unmerged files, no .rej,
no conflict markers, every edit still there (and, slow, for each release with one of
the answer sets in turn, the project installs; the oldest release's then adopts the
example's rows as its own data and passes its own tests and `dvc repro`). An untouched
project updates to exactly a fresh copy. A control case, where user and template change
the same line, must report a conflict, so the clean-merge assertions cannot pass
vacuously.
"""

from __future__ import annotations

import filecmp
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import copier
import pytest

from .helpers import generated_files
from .test_generated import step
from .test_own_data import adopt_and_run, touched
from .versions import Release, build_versioned_template, changelog_version, git, recorded_releases

ANSWER_SETS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "fraud-apache-gitlab-s3": {
        "project_name": "Fraud model",
        "license": "Apache-2.0",
        "ci": "gitlab",
        "dvc_remote": "s3",
        "include_notebooks": False,
    },
}
# Updated with --skip-tasks, which must change the files and make no commit.
SKIP_TASKS = {"fraud-apache-gitlab-s3"}
CASES = [
    pytest.param(release, name, id=f"{release.tag}-{name}")
    for release in recorded_releases()
    for name in ANSWER_SETS
]
# The slow check (the updated project installs from its old lock, passes its own tests
# and `dvc repro`) costs minutes a case, so it runs on a diagonal: every release once, the
# answer sets taken in turn (the merge checks above run them all). An untouched project
# updates to the fresh copy file for file from every release (below), so the updated code
# differs between releases only by the user's edits, the same for each: the tests and the
# pipeline run for the oldest release, the largest jump, after it adopts its own data;
# every release's lock is synced.
SLOW_CASES = [
    pytest.param(release, name, id=f"{release.tag}-{name}")
    for (release, name) in zip(
        recorded_releases(),
        [list(ANSWER_SETS)[i % len(ANSWER_SETS)] for i in range(len(recorded_releases()))],
        strict=True,
    )
]
CONFLICT_MARKER = re.compile(r"^(<<<<<<<|>>>>>>>)( |$)", flags=re.MULTILINE)


@pytest.fixture(scope="module")
def versioned_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_versioned_template(tmp_path_factory.mktemp("versioned") / "template")


@pytest.fixture(scope="module")
def fresh(versioned_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the newest release with the default answers, to compare against."""
    newest = f"v{changelog_version()}"
    return generate(versioned_template, tmp_path_factory.mktemp("fresh") / "p", newest, {})


def generate(template: Path, destination: Path, ref: str, answers: dict[str, Any]) -> Path:
    copier.run_copy(
        str(template),
        destination,
        data=answers,
        vcs_ref=ref,
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    return destination


def update(project: Path, ref: str, skip_tasks: bool = False) -> None:
    copier.run_update(
        project,
        vcs_ref=ref,
        defaults=True,
        overwrite=True,
        unsafe=True,
        quiet=True,
        skip_tasks=skip_tasks,
    )


def package_of(project: Path) -> str:
    (package,) = [p.name for p in (project / "src").iterdir() if p.is_dir()]
    return package


def edit_as_a_user(project: Path) -> dict[str, str]:
    """Change params, add a module, write the journal, add a README section, change a stage
    line, and commit; return each edited file with a line that must survive the update."""
    package = package_of(project)
    kept: dict[str, str] = {}

    params = project / "params.yaml"
    params.write_text(params.read_text().replace("learning_rate: 0.05", "learning_rate: 0.07"))
    kept["params.yaml"] = "learning_rate: 0.07"

    module = project / "src" / package / "data" / "holidays.py"
    module.write_text(
        '"""Public holidays, a feature we are trying."""\n\nHOLIDAYS = ("01-01", "12-25")\n'
    )
    kept[module.relative_to(project).as_posix()] = 'HOLIDAYS = ("01-01", "12-25")'

    journal = project / "JOURNAL.md"
    entry = "\n## 2026-03-02 · tag: data · spent: 2h\nTried holiday features; no gain yet.\n"
    journal.write_text(journal.read_text() + entry)
    kept["JOURNAL.md"] = "Tried holiday features; no gain yet."

    readme = project / "README.md"
    section = "## Our data\n\nThe export comes from the billing system every Monday.\n\n"
    text = readme.read_text()
    readme.write_text(text.replace("## Layout", section + "## Layout", 1))
    kept["README.md"] = "The export comes from the billing system every Monday."

    # A file that 0.3.0 moved (config.py -> core/config.py): the edit must follow it.
    config = project / "src" / package / "config.py"
    if config.exists():
        line = "    # Our note: clip at 4 once the outliers are gone."
        config.write_text(
            config.read_text().replace(
                "class FeaturizeParams(Section):", f"class FeaturizeParams(Section):\n{line}"
            )
        )
        kept[f"src/{package}/core/config.py"] = line

    ingest = project / "src" / package / "data" / "ingest.py"
    ingest.write_text(
        ingest.read_text().replace("ROWS_PER_CHUNK = 5_000", "ROWS_PER_CHUNK = 2_500")
    )
    kept[ingest.relative_to(project).as_posix()] = "ROWS_PER_CHUNK = 2_500"

    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Our changes")
    return kept


def merge_problems(project: Path) -> Iterator[str]:
    """Unmerged files, .rej files and conflict markers: everything `update` may leave."""
    for name in git(project, "diff", "--name-only", "--diff-filter=U").splitlines():
        yield f"unmerged: {name}"
    for path in generated_files(project):
        relative = path.relative_to(project).as_posix()
        if path.suffix == ".rej":
            yield f"rejected hunks: {relative}"
        elif CONFLICT_MARKER.search(path.read_text(encoding="utf-8", errors="replace")):
            yield f"conflict markers: {relative}"


def updated_project(
    template: Path, tmp_path: Path, release: Release, name: str
) -> tuple[Path, dict[str, str]]:
    project = generate(template, tmp_path / "project", release.tag, ANSWER_SETS[name])
    kept = edit_as_a_user(project)
    update(project, f"v{changelog_version()}", skip_tasks=name in SKIP_TASKS)
    return project, kept


@pytest.mark.parametrize(("release", "name"), CASES)
def test_update_keeps_user_edits_without_conflicts(
    versioned_template: Path, tmp_path: Path, release: Release, name: str
) -> None:
    """Every edit survives, nothing is left to merge; with --skip-tasks (one answer set
    of each release) the update changes the files and makes no commit of its own."""
    project, kept = updated_project(versioned_template, tmp_path, release, name)
    assert list(merge_problems(project)) == []
    lost = [path for path, line in kept.items() if line not in (project / path).read_text()]
    assert lost == []
    answers = (project / ".copier-answers.yml").read_text()
    assert f"_commit: v{changelog_version()}" in answers
    if name in SKIP_TASKS:
        assert git(project, "log", "-1", "--format=%s").strip() == "Our changes"


@pytest.mark.slow
@pytest.mark.parametrize(("release", "name"), SLOW_CASES)
def test_updated_project_passes_its_own_checks(
    versioned_template: Path, tmp_path: Path, release: Release, name: str
) -> None:
    """The updated project installs from its old lock. The oldest release's, the largest
    jump, then goes on as its team would: commits the update and takes the README's
    own-data walkthrough with the example's rows written out as a CSV outside it (as
    tests/test_own_data.py does with another data set): `data adopt`, the project's own
    tests, `dvc repro`, pre-commit, `predict`, `monitor drift`, and no file edited but
    those adoption writes. One project for both claims: each runs the whole suite."""
    project, _ = updated_project(versioned_template, tmp_path, release, name)
    step(["uv", "sync", "--quiet"], cwd=project)
    if release != recorded_releases()[0]:
        return
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Update to the newest template")
    before = set(git(project, "ls-files").split())
    step(["uv", "run", package_of(project), "-q", "stage", "ingest"], cwd=project)
    example = tmp_path / "exports" / "churn_export.csv"
    example.parent.mkdir()
    (project / "data/raw/churn.csv").rename(example)
    adopt_and_run(project, example, "churned", ["--id", "customer_id"])
    # adopt wrote the contract and took the example out; nobody edited anything else
    assert touched(project, before) <= {"data/schema.yaml", "dvc.yaml", "params.yaml"}


@pytest.mark.parametrize("release", recorded_releases(), ids=lambda r: r.tag)
def test_untouched_project_updates_to_a_fresh_copy(
    versioned_template: Path, fresh: Path, tmp_path: Path, release: Release
) -> None:
    """Updating a project nobody edited gives the working tree's project, file for file."""
    old = generate(versioned_template, tmp_path / "old", release.tag, {})
    update(old, f"v{changelog_version()}")
    # uv.lock is made by the copy task (`uv lock`), not rendered: updates never lock.
    ignored = {".copier-answers.yml", "JOURNAL.md", "uv.lock"}
    old_files = {p.relative_to(old).as_posix() for p in generated_files(old)} - ignored
    fresh_files = {p.relative_to(fresh).as_posix() for p in generated_files(fresh)} - ignored
    assert old_files == fresh_files
    different = [f for f in sorted(old_files) if not filecmp.cmp(old / f, fresh / f, shallow=False)]
    assert different == []


def test_conflict_is_reported(versioned_template: Path, tmp_path: Path) -> None:
    """Control: the user and a newer template change the same line; the update must say so."""
    newest = f"v{changelog_version()}"
    project = generate(versioned_template, tmp_path / "project", newest, {})
    readme = project / "README.md"
    first_line = readme.read_text().splitlines()[0]
    readme.write_text(readme.read_text().replace(first_line, "# Our own title", 1))
    git(project, "commit", "--quiet", "-am", "Our title")

    template_readme = versioned_template / "template" / "README.md.jinja"
    original = template_readme.read_text()
    try:
        template_readme.write_text(
            original.replace("# {{ project_name }}", "# Project {{ project_name }}", 1)
        )
        git(versioned_template, "commit", "--quiet", "-am", "A new title line")
        git(versioned_template, "tag", "v999.0.0")
        update(project, "v999.0.0")
    finally:
        git(versioned_template, "tag", "-d", "v999.0.0")
        git(versioned_template, "reset", "--quiet", "--hard", "HEAD~1")
    assert "unmerged: README.md" in list(merge_problems(project))
