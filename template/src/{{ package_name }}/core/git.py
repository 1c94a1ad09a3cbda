"""The state of the git repository a result came from: one reading, used everywhere.

Runs, journal entries and the test ledger all record which code made them. They read it
here, so they agree, including outside a repository (commit None, shown as "no git").

Read next: console.py.
"""

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GitState:
    """Where the code stood: the commit, the branch, and the uncommitted changes."""

    commit: str | None  # the full hash of HEAD; None outside git or before the first commit
    branch: str | None
    dirty: bool | None  # uncommitted or untracked changes; None without a commit
    diff: str = ""  # `git diff HEAD --binary`, untracked files listed as comments

    @property
    def label(self) -> str:
        """'3fa2c1d', '3fa2c1d+dirty', or 'no git' when there is no commit to name."""
        if self.commit is None:
            return "no git"
        return self.commit[:7] + ("+dirty" if self.dirty else "")


def _git(root: Path, *args: str) -> str | None:
    """The output of one git command in `root`, or None if git or the repository is absent."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def git_state(root: Path, with_diff: bool = False) -> GitState:
    """Commit, branch and dirtiness of the repository holding `root` (and its diff if asked).

    One `git status --porcelain=v2 --branch` answers the first three; the diff is asked
    for only when there is one."""
    status = _git(root, "status", "--porcelain=v2", "--branch")
    if status is None:
        return GitState(commit=None, branch=None, dirty=None)
    headers = dict(line[2:].split(" ", 1) for line in status.splitlines() if line.startswith("# "))
    commit = headers.get("branch.oid", "(initial)")
    if commit == "(initial)":  # a repository without a commit yet
        return GitState(commit=None, branch=None, dirty=None)
    changes = [line for line in status.splitlines() if not line.startswith("# ")]
    diff = ""
    if with_diff and changes:
        diff = _git(root, "diff", "HEAD", "--binary") or ""
        untracked = [line[2:] for line in changes if line.startswith("? ")]
        diff += "".join(f"# untracked: {name}\n" for name in untracked)
    return GitState(commit, headers.get("branch.head"), bool(changes), diff)
