"""What a run records about where it came from: code, data, configuration, machine.

- code: the git commit, branch and whether the work tree was dirty; the uncommitted
  diff (`git diff HEAD`, with untracked files listed) is returned to be saved beside the
  manifest, so a run made from dirty code can still be reproduced;
- data: the hashes dvc.lock records for the stage's deps (what DVC believes the inputs
  were), and an md5 of each file the stage actually read (what they really were);
- machine: Python and package versions, host, CPU and GPU.

Nothing here fails a run: outside a git repository the commit is None, without dvc.lock
the DVC hashes are empty. Read next: run.py.
"""

import hashlib
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

# Distributions whose versions decide the numbers a run produces.
PACKAGES = ("numpy", "pydantic", "pyyaml", "dvc")


def _git(root: Path, *args: str) -> str | None:
    """The output of one git command in `root`, or None if git or the repository is absent."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def git_state(root: Path) -> tuple[dict[str, Any], str]:
    """(commit, branch, dirty) of the repository holding `root`, and its uncommitted diff."""
    commit = _git(root, "rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "branch": None, "dirty": None}, ""
    branch = (_git(root, "rev-parse", "--abbrev-ref", "HEAD") or "").strip()
    status = _git(root, "status", "--porcelain") or ""
    diff = _git(root, "diff", "HEAD", "--binary") or ""
    untracked = [line[3:] for line in status.splitlines() if line.startswith("??")]
    if untracked:
        diff += "".join(f"# untracked: {name}\n" for name in untracked)
    state = {"commit": commit.strip(), "branch": branch, "dirty": bool(status.strip())}
    return state, diff


def dvc_lock_hashes(root: Path, stage: str) -> dict[str, str]:
    """The md5 dvc.lock records for each dep of `stage` (empty before the first `dvc repro`)."""
    lock = root / "dvc.lock"
    if not lock.exists():
        return {}
    stages = (yaml.safe_load(lock.read_text(encoding="utf-8")) or {}).get("stages", {})
    deps = stages.get(stage, {}).get("deps", [])
    return {dep["path"]: dep.get("md5", "") for dep in deps if "path" in dep}


def file_md5(path: Path) -> str:
    """md5 of a file's bytes, or of a folder's files in name order (as `path:md5` lines)."""
    digest = hashlib.md5(usedforsecurity=False)
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(f"{child.relative_to(path).as_posix()}:{file_md5(child)}\n".encode())
        return digest.hexdigest()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _cpu() -> str:
    """The CPU model name where the OS says it, else the architecture."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    return platform.processor() or platform.machine()


def environment() -> dict[str, Any]:
    """Python, package versions, host, CPU and GPU of this process."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "python": sys.version.split()[0],
        "packages": versions,
        "platform": platform.platform(),
        "host": platform.node(),
        "cpu": _cpu(),
        "cpu_count": os.cpu_count(),
        # the model is numpy code, so it runs on the CPU whatever GPUs the host has
        "gpu": "none (numpy runs on the CPU)",
    }
