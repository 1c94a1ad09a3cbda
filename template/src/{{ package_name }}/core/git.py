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
    """Commit, branch and dirtiness of the repository holding `root` (and its diff if asked)."""
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return GitState(commit=None, branch=None, dirty=None)
    branch = (_git(root, "rev-parse", "--abbrev-ref", "HEAD") or "").strip()
    status = _git(root, "status", "--porcelain") or ""
    diff = ""
    if with_diff:
        diff = _git(root, "diff", "HEAD", "--binary") or ""
        untracked = [line[3:] for line in status.splitlines() if line.startswith("??")]
        diff += "".join(f"# untracked: {name}\n" for name in untracked)
    return GitState(commit.strip(), branch, bool(status.strip()), diff)
