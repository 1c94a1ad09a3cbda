"""A temporary git worktree at a run's commit, with the run's uncommitted diff applied.

`git worktree add` checks the commit out beside the project without touching the
project's own work tree, and shares its object store, so it is quick. The run's
diff.patch (`git diff HEAD --binary` when the run started, see ../core/git.py) goes on
top with `git apply`; files that were untracked then are only named in the patch, not
stored, so they are reported as missing from the record. Whatever fails says which
piece is missing and what to run.

Read next: inputs.py.
"""

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import ReproductionError

log = logging.getLogger(__name__)

UNTRACKED = "# untracked: "  # how diff.patch names a file that was not in git


def _git(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """One git command; its result, whatever its status (the callers explain failures)."""
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, input=stdin, capture_output=True, text=True, check=False
        )
    except OSError as error:
        raise ReproductionError(f"git cannot be run ({error}); install git") from None


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "").strip()


@contextmanager
def worktree_at(root: Path, commit: str, run_id: str, keep: bool = False) -> Iterator[Path]:
    """Check out `commit` in a temporary worktree and yield the project folder in it (the
    folder holding dvc.yaml); remove the worktree afterwards unless `keep`."""
    inside = _git(root, "rev-parse", "--show-prefix")
    if inside.returncode != 0:
        raise ReproductionError(f"{root} is not in a git repository: no commit to check out")
    if _git(root, "cat-file", "-e", commit + "^{commit}").returncode != 0:
        raise ReproductionError(
            f"commit {commit[:12]} of run {run_id} is not in this repository: "
            "`git fetch --all` if it is on a remote, or restore the branch that held it "
            "(a commit dropped by a rebase and garbage-collected cannot come back)"
        )
    folder = Path(tempfile.mkdtemp(prefix=f"reproduce-{run_id}-")) / "worktree"
    added = _git(root, "worktree", "add", "--detach", "--quiet", str(folder), commit)
    if added.returncode != 0:
        shutil.rmtree(folder.parent, ignore_errors=True)
        raise ReproductionError(f"git worktree add failed: {_first_line(added.stderr)}")
    try:
        yield folder / inside.stdout.strip()
    finally:
        if keep:
            log.info(
                "the reproduction is kept in %s (remove: git worktree remove --force %s)",
                folder,
                folder,
            )
        else:
            _git(root, "worktree", "remove", "--force", str(folder))
            shutil.rmtree(folder.parent, ignore_errors=True)
            _git(root, "worktree", "prune")


def apply_diff(worktree: Path, patch: Path, run_id: str) -> list[str]:
    """Apply a run's diff.patch at the top of `worktree`; return the untracked files it
    names but does not hold. Raise when the patch does not apply."""
    if not patch.exists():
        return []
    text = patch.read_text(encoding="utf-8")
    untracked = [
        line.removeprefix(UNTRACKED) for line in text.splitlines() if line.startswith(UNTRACKED)
    ]
    changes = "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith(UNTRACKED)
    )
    if changes.strip():
        top = Path(_git(worktree, "rev-parse", "--show-toplevel").stdout.strip())
        applied = _git(top, "apply", "--binary", "--whitespace=nowarn", "-", stdin=changes)
        if applied.returncode != 0:
            raise ReproductionError(
                f"{patch} does not apply to the run's commit: {_first_line(applied.stderr)}; "
                f"run {run_id} cannot be rebuilt from its record (was the patch edited?)"
            )
    return untracked
