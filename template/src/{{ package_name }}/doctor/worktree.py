"""Working tree: the code behind every result is committed, and so are its versions.

A run records the commit it was made from; that names the code only if the code was
committed. uv.lock pins every package version; it pins them for others only when it is
committed, and only the versions pyproject.toml asks for when it is in step with it.

Read next: stages.py.
"""

import re
import shutil
from typing import TYPE_CHECKING

from .check import PASS, WORKTREE, Verdict, check, fail, listing
from .project import NotAvailableError, Project, last_line

if TYPE_CHECKING:
    from ..tracking.runs import RunInfo

# What a run's result depends on besides params and data: the package and the stages'
# commands. A run's uncommitted dvc.lock, reports or uv.lock do not make its code unknown.
CODE = ("src/", "dvc.yaml")
CHANGED_PATH = re.compile(r"^diff --git a/(\S+) |^# untracked: (.+)$", flags=re.MULTILINE)


@check(
    "WT001", "The project is a git repository with a commit", WORKTREE, "getting-started.md", True
)
def under_git(project: Project) -> Verdict:
    if project.git.commit is None:
        return fail(
            "no git repository with a commit here: run `git init && git add . && "
            "git commit -m start`; DVC and every run record need one"
        )
    return PASS


def uncommitted_code(run: "RunInfo") -> list[str]:
    """The code paths (CODE) that were changed or new when the run started."""
    from ..tracking.run import DIFF

    if not run.manifest.get("git", {}).get("dirty"):
        return []
    diff = run.folder / DIFF
    if not diff.is_file():
        return ["(its diff was not saved)"]
    changed = [a or b for a, b in CHANGED_PATH.findall(diff.read_text(encoding="utf-8"))]
    return [path for path in changed if path.startswith(CODE)]


@check("WT002", "The last runs were made from committed code", WORKTREE, "tracking.md")
def runs_from_committed_code(project: Project) -> Verdict:
    dirty = [
        f"{run.id} ({listing(changed, 3)})"
        for run in project.recent_runs
        if (changed := uncommitted_code(run))
    ]
    if dirty:
        return fail(
            f"runs made with uncommitted code: {listing(dirty)}. Commit before you run, so "
            "each result names the code that made it (runs/<id>/diff.patch holds what "
            "was uncommitted, to recover it)"
        )
    return PASS


@check(
    "WT003", "uv.lock is committed and in step with pyproject.toml", WORKTREE, "getting-started.md"
)
def lock_in_step(project: Project) -> Verdict:
    if not (project.root / "uv.lock").is_file():
        return fail("no uv.lock: run `uv lock` and commit it, so every clone gets your versions")
    uv = shutil.which("uv")
    if uv is None:
        raise NotAvailableError(
            "uv is not on PATH, so uv.lock cannot be compared with pyproject.toml"
        )
    done = project.command(uv, "lock", "--check", "--offline")
    if done.returncode != 0:
        return fail(
            f"uv.lock is out of step with pyproject.toml ({last_line(done)}): run `uv lock` "
            "and commit uv.lock"
        )
    if project.git.commit is not None:
        if not project.git_output("ls-files", "uv.lock").strip():
            return fail("uv.lock is not committed: `git add uv.lock` and commit it")
        if project.git_output("status", "--porcelain", "--", "uv.lock").strip():
            return fail("uv.lock has uncommitted changes: commit it with the pyproject.toml edit")
    return PASS
