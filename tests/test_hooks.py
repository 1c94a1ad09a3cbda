"""The post-copy task: uv.lock and a first commit on copy, idempotent, never on update,
optional, and never failing for want of uv or of the package index."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from packaging.version import Version

from hooks import moved_files, post_copy

from .helpers import render, snapshot_working_tree


@pytest.fixture
def no_git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine where git knows no user, as on a fresh CI runner."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for name in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
    ):
        monkeypatch.delenv(name, raising=False)


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, check=True, capture_output=True, text=True
    ).stdout.strip()


def test_initialise_commits_with_the_answers_identity(
    tmp_path: Path, no_git_identity: None
) -> None:
    """Without a git identity, the first commit uses the author from the answers."""
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "README.md").write_text("hi\n")
    assert post_copy.initialise(tmp_path / "project", "Zoë O'Brien", "zoe@example.com")
    assert git(tmp_path / "project", "log", "--format=%an <%ae>|%s") == (
        f"Zoë O'Brien <zoe@example.com>|{post_copy.COMMIT_MESSAGE}"
    )
    assert git(tmp_path / "project", "status", "--porcelain") == ""


def test_initialise_is_idempotent(tmp_path: Path, no_git_identity: None) -> None:
    """A second run, or a run inside an existing repository, changes nothing."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "a.txt").write_text("a\n")
    assert post_copy.initialise(project, "A", "a@example.com")
    (project / "sub").mkdir()
    assert not post_copy.initialise(project, "A", "a@example.com")
    assert not post_copy.initialise(project / "sub", "A", "a@example.com")
    assert git(project, "rev-list", "--count", "HEAD") == "1"


@pytest.fixture
def offline_uv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """uv with no network and an empty cache: only what needs no package index can lock."""
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    monkeypatch.delenv("UV_PROJECT_ENVIRONMENT", raising=False)


def write_project(folder: Path, dependencies: list[str]) -> Path:
    """A minimal uv project; without dependencies, `uv lock` needs no package index."""
    folder.mkdir(parents=True, exist_ok=True)
    listed = ", ".join(f'"{d}"' for d in dependencies)
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "p"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{listed}]\n"
    )
    return folder


def test_lock_writes_uv_lock_once(tmp_path: Path, offline_uv: None) -> None:
    """Where uv can resolve, the project gets uv.lock; an existing lock is kept as it is."""
    project = write_project(tmp_path / "project", [])
    assert post_copy.lock(project) == "locked the dependencies in uv.lock"
    (project / "uv.lock").write_text("# kept\n")
    assert post_copy.lock(project) == "uv.lock already there"
    assert (project / "uv.lock").read_text() == "# kept\n"


def test_lock_without_the_index_says_what_to_run(tmp_path: Path, offline_uv: None) -> None:
    """Without the package index, locking is skipped with the command to run later."""
    project = write_project(tmp_path / "project", ["numpy>=2.0"])
    message = post_copy.lock(project)
    assert message.startswith("`uv lock` failed (")
    assert message.endswith(post_copy.LOCK_LATER)
    assert not (project / "uv.lock").exists()


def test_lock_without_uv_says_what_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = write_project(tmp_path / "project", [])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    message = post_copy.lock(project)
    assert message == f"uv is not installed: skipped locking; {post_copy.LOCK_LATER}"


def test_main_reports_and_exits_zero(
    tmp_path: Path, no_git_identity: None, offline_uv: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first commit holds uv.lock; a second run changes nothing and says so."""
    project = write_project(tmp_path / "project", [])
    argv = ["--author-name", "A", "--author-email", "a@example.com", "--folder", str(project)]
    assert post_copy.main(argv) == 0
    assert post_copy.main(argv) == 0
    assert capsys.readouterr().out.splitlines() == [
        "locked the dependencies in uv.lock",
        "made a git repository with a first commit",
        "uv.lock already there",
        "already a git repository",
    ]
    assert git(project, "ls-files").splitlines() == ["pyproject.toml", "uv.lock"]
    assert git(project, "status", "--porcelain") == ""


def test_main_without_the_index_still_commits(
    tmp_path: Path, no_git_identity: None, offline_uv: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """No package index: the lock is skipped with a message, the commit is made, exit 0."""
    project = write_project(tmp_path / "project", ["numpy>=2.0"])
    argv = ["--author-name", "A", "--author-email", "a@example.com", "--folder", str(project)]
    assert post_copy.main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(post_copy.LOCK_LATER)
    assert lines[1:] == ["made a git repository with a first commit"]
    assert git(project, "ls-files").splitlines() == ["pyproject.toml"]


def test_copy_runs_the_task_and_skip_tasks_does_not(
    template: Path, tmp_path: Path, no_git_identity: None
) -> None:
    """`copier copy` locks and makes the first commit with uv.lock in it (this machine
    reaches the package index); with --skip-tasks neither happens."""
    with_tasks = render(template, tmp_path / "with", {}, skip_tasks=False)
    assert git(with_tasks, "rev-list", "--count", "HEAD") == "1"
    assert "uv.lock" in git(with_tasks, "ls-files").splitlines()
    assert git(with_tasks, "status", "--porcelain") == ""
    without = render(template, tmp_path / "without", {}, skip_tasks=True)
    assert not (without / ".git").exists()
    assert not (without / "uv.lock").exists()


def test_update_does_not_run_the_task_again(tmp_path: Path, no_git_identity: None) -> None:
    """The task is gated on copy: `copier update` does not run it again.

    The hook is swapped for one that counts its runs, so this checks copier.yml's gate
    itself, not the hook's idempotence.
    """
    import copier

    template = snapshot_working_tree(tmp_path / "template")
    runs = tmp_path / "task-runs.txt"
    real_hook = (template / "hooks" / "post_copy.py").read_text()
    counting_hook = (
        f"from pathlib import Path\nwith Path({str(runs)!r}).open('a') as f: f.write('run\\n')\n"
    )
    (template / "hooks" / "post_copy.py").write_text(counting_hook + real_hook)
    identity = ["-c", "user.name=T", "-c", "user.email=t@example.com"]
    git(template, "init", "--quiet", "--initial-branch=main")
    git(template, "add", "--all")
    git(template, *identity, "commit", "--quiet", "-m", "v1")
    git(template, "tag", "v1.0.0")
    project = tmp_path / "project"
    copier.run_copy(str(template), project, defaults=True, unsafe=True, quiet=True)
    assert runs.read_text() == "run\n"
    assert git(project, "rev-list", "--count", "HEAD") == "1"

    readme = template / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nA new section from the template.\n")
    git(template, *identity, "commit", "--quiet", "-am", "v2")
    git(template, "tag", "v2.0.0")
    copier.run_update(project, defaults=True, unsafe=True, quiet=True, overwrite=True)

    assert "A new section from the template." in (project / "README.md").read_text()
    assert runs.read_text() == "run\n"
    assert git(project, "rev-list", "--count", "HEAD") == "1"


def moved_config_case(tmp_path: Path, yours: str, new: str) -> tuple[Path, Path]:
    """A template repository whose tag v0.2.0 has config.py, and a project generated from
    it whose committed config.py is `yours`, updated so that core/config.py is `new`."""
    template, project = tmp_path / "template", tmp_path / "project"
    old = template / "template" / "src" / "{{ package_name }}" / "config.py"
    old.parent.mkdir(parents=True)
    old.write_text("a = 1\nb = 2\nc = 3\n")
    identity = ("-c", "user.name=T", "-c", "user.email=t@example.com")
    git(template, "init", "--quiet")
    git(template, "add", "--all")
    git(template, *identity, "commit", "--quiet", "-m", "0.2.0")
    git(template, "tag", "v0.2.0")
    (project / "src" / "pkg").mkdir(parents=True)
    (project / ".copier-answers.yml").write_text("package_name: pkg\n")
    (project / "src" / "pkg" / "config.py").write_text(yours)
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    git(project, *identity, "commit", "--quiet", "-m", "ours")
    # what `copier update` leaves: the old file gone, the new one written
    (project / "src" / "pkg" / "config.py").unlink()
    (project / "src" / "pkg" / "core").mkdir()
    (project / "src" / "pkg" / "core" / "config.py").write_text(new)
    return template, project


def carry(template: Path, project: Path) -> list[str]:
    return moved_files.carry_edits(project, template, "v0.2.0", Version("0.2.0"), Version("0.3.0"))


def test_moved_file_gets_the_users_edit(tmp_path: Path) -> None:
    """An edit of a file the update moved is merged into the file's new place."""
    template, project = moved_config_case(
        tmp_path, yours="a = 1\nb = 2\nc = 30  # ours\n", new="# moved\na = 1\nb = 2\nc = 3\n"
    )
    (message,) = carry(template, project)
    assert (
        message
        == "src/pkg/config.py moved to src/pkg/core/config.py: your changes were merged into it"
    )
    text = (project / "src" / "pkg" / "core" / "config.py").read_text()
    assert text == "# moved\na = 1\nb = 2\nc = 30  # ours\n"


def test_moved_file_edit_that_clashes_leaves_conflict_markers(tmp_path: Path) -> None:
    """Where the template changed the same line, both versions stay, marked, to resolve."""
    template, project = moved_config_case(
        tmp_path, yours="a = 1\nb = 20  # ours\nc = 3\n", new="a = 1\nb = 200\nc = 3\n"
    )
    (message,) = carry(template, project)
    assert "conflict markers" in message
    text = (project / "src" / "pkg" / "core" / "config.py").read_text()
    assert "<<<<<<< src/pkg/core/config.py (template 0.3.0)" in text
    assert "b = 20  # ours" in text
    assert "b = 200" in text


def test_moved_file_not_edited_is_left_alone(tmp_path: Path) -> None:
    template, project = moved_config_case(
        tmp_path, yours="a = 1\nb = 2\nc = 3\n", new="a = 1\nb = 200\nc = 3\n"
    )
    assert carry(template, project) == []
    assert (project / "src" / "pkg" / "core" / "config.py").read_text() == "a = 1\nb = 200\nc = 3\n"


def reshaped_case(tmp_path: Path, yours: str) -> tuple[Path, Path]:
    """A template whose v0.2.0 has data/schema.py, and a project whose committed one is
    `yours`."""
    template, project = tmp_path / "template", tmp_path / "project"
    old = template / "template" / "src" / "{{ package_name }}" / "data" / "schema.py"
    old.parent.mkdir(parents=True)
    old.write_text('NUMERIC_COLUMNS = ("a",)\n')
    identity = ("-c", "user.name=T", "-c", "user.email=t@example.com")
    git(template, "init", "--quiet")
    git(template, "add", "--all")
    git(template, *identity, "commit", "--quiet", "-m", "0.2.0")
    git(template, "tag", "v0.2.0")
    (project / "src" / "pkg" / "data").mkdir(parents=True)
    (project / ".copier-answers.yml").write_text("package_name: pkg\n")
    (project / "src" / "pkg" / "data" / "schema.py").write_text(yours)
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    git(project, *identity, "commit", "--quiet", "-m", "ours")
    return template, project


@pytest.mark.parametrize(
    ("yours", "advised"),
    [('NUMERIC_COLUMNS = ("age",)\n', True), ('NUMERIC_COLUMNS = ("a",)\n', False)],
)
def test_an_edited_schema_py_is_told_where_its_columns_go(
    tmp_path: Path, yours: str, advised: bool
) -> None:
    """Columns listed in data/schema.py by hand belong in data/schema.yaml from 0.3.0."""
    template, project = reshaped_case(tmp_path, yours)
    lines = moved_files.reshaped_advice(
        project, template, "v0.2.0", Version("0.2.0"), Version("0.3.0")
    )
    if advised:
        (line,) = lines
        assert line.startswith(
            "src/pkg/data/schema.py: the columns are declared in data/schema.yaml"
        )
        assert "uv run pkg data adopt" in line
    else:
        assert lines == []
