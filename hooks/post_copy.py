"""Post-copy task: lock the dependencies, then make the project a git repository.

DVC needs a git repository, and a first commit gives `copier update` a clean base to
merge into. That commit holds `uv.lock`, so the first `uv sync` installs exactly what the
generated CI installs (`uv sync --locked`) and the first run is not "dirty". Copier runs
this on `copy` only (copier.yml gates it on `_copier_operation == 'copy'`), in the
destination folder. Both steps are idempotent: an existing `uv.lock` is kept, and in a
folder that is already inside a git repository nothing is committed, so copying into an
existing repository never rewrites its history. Locking needs uv and the package index:
without either it is skipped with a message saying what to run later, never a failure.

Run by hand after `copier copy --skip-tasks`:

    python hooks/post_copy.py --author-name "Ada" --author-email ada@example.com
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

COMMIT_MESSAGE = "Start from copier-ml-practices"
LOCK_LATER = "run `uv lock` in the project, then commit uv.lock"
LOCK_TIMEOUT_SECONDS = 300


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run git quietly, raising on failure with git's own message."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def inside_git_repository(folder: Path) -> bool:
    """True when `folder` is already part of a git work tree."""
    result = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    return result.returncode == 0 and result.stdout.strip() == "true"


def configured(key: str, folder: Path) -> bool:
    """True when git already has a value for `key` (user.name, user.email) here."""
    return subprocess.run(["git", "config", key], cwd=folder, capture_output=True).returncode == 0


def initialise(folder: Path, author_name: str, author_email: str) -> bool:
    """git init, add and commit in `folder` unless it is already a repository.

    The answers' author is used only where git has no identity configured, so a
    user's own git settings always win. Returns True when a repository was made.
    """
    if inside_git_repository(folder):
        return False
    git("init", "--quiet", "--initial-branch=main", cwd=folder)
    identity = []
    if not configured("user.name", folder):
        identity += ["-c", f"user.name={author_name}"]
    if not configured("user.email", folder):
        identity += ["-c", f"user.email={author_email}"]
    git("add", "--all", cwd=folder)
    git(*identity, "commit", "--quiet", "--no-verify", "-m", COMMIT_MESSAGE, cwd=folder)
    return True


def lock(folder: Path) -> str:
    """Write `uv.lock` in `folder` unless it exists; return one line saying what happened.

    Never raises for want of uv or of the package index: the line then says what to run.
    """
    if (folder / "uv.lock").exists():
        return "uv.lock already there"
    uv = shutil.which("uv")
    if uv is None:
        return f"uv is not installed: skipped locking; {LOCK_LATER}"
    # Copier may run inside another project's environment: lock this project, not that one.
    environment = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    try:
        result = subprocess.run(
            [uv, "lock", "--quiet"],
            cwd=folder,
            env=environment,
            capture_output=True,
            text=True,
            timeout=LOCK_TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired:
        return f"`uv lock` took over {LOCK_TIMEOUT_SECONDS} s: skipped; {LOCK_LATER}"
    if result.returncode != 0:
        reason = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
        return f"`uv lock` failed ({reason[0].strip()}): skipped; {LOCK_LATER}"
    return "locked the dependencies in uv.lock"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Lock a new project's dependencies and commit it.")
    parser.add_argument("--author-name", required=True)
    parser.add_argument("--author-email", required=True)
    parser.add_argument("--folder", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    print(lock(args.folder))
    try:
        made = initialise(args.folder, args.author_name, args.author_email)
    except FileNotFoundError:
        print("git is not installed: skipped `git init`; see the README", file=sys.stderr)
        return 0
    except subprocess.CalledProcessError as error:
        print(f"git failed: {(error.stderr or error.stdout).strip()}", file=sys.stderr)
        return 1
    print("made a git repository with a first commit" if made else "already a git repository")
    return 0


if __name__ == "__main__":
    sys.exit(main())
