"""What a run records about where it came from: code, data, configuration, machine.

- code: the git commit, branch and whether the work tree was dirty, and the uncommitted
  diff saved beside the manifest (../core/git.py), so a run made from dirty code can
  still be reproduced;
- data: the hashes dvc.lock records for the stage's deps (what DVC believes the inputs
  were), and an md5 of each file the stage actually read (what they really were);
- machine: Python and package versions, host, CPU and GPU.

Nothing here fails a run: outside a git repository the commit is None, without dvc.lock
the DVC hashes are empty. Read next: runs.py, the reading side.
"""

import hashlib
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

# Distributions whose versions decide the numbers a run produces.
PACKAGES = ("numpy", "pydantic", "pyyaml", "dvc")


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
