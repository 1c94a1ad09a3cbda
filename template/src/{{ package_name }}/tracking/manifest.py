"""What a run records about where it came from: code, data, configuration, machine.

- code: the git commit, branch and whether the work tree was dirty, and the uncommitted
  diff saved beside the manifest (../core/git.py), so a run made from dirty code can
  still be reproduced;
- data: the hash of each dep of the stage as DVC computes it for this run, with DVC's
  own code (the hashes dvc.lock records once `dvc repro` has run the stage; a folder's is
  DVC's `<md5>.dir`), and the md5 of each file the stage read;
- machine: Python and package versions, host, CPU and GPU.

Nothing here fails a run: outside a git repository the commit is None; without DVC, or a
stage of that name in dvc.yaml, the deps' hashes are None. Read next: runs.py, the
reading side.
"""

import hashlib
import logging
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from ..core.paths import DVC_YAML

log = logging.getLogger(__name__)

# Distributions whose versions decide the numbers a run produces.
PACKAGES = ("numpy", "pydantic", "pyyaml", "dvc")


def dvc_dependency_hashes(root: Path, stage: str) -> dict[str, str] | None:
    """The hash of each dep of `stage` in root/dvc.yaml (params aside: the manifest holds
    them all), computed now by DVC's own code, as `dvc repro` computes what it writes to
    dvc.lock, .dvcignore included; None without DVC, or a stage of that name."""
    pipeline = root / DVC_YAML
    if not pipeline.exists():
        return None
    if stage not in (yaml.safe_load(pipeline.read_text(encoding="utf-8")) or {}).get("stages", {}):
        return None
    try:  # DVC is a dev dependency (the `pipeline` group): a run without it still records
        from dvc.dependency.param import ParamsDependency
        from dvc.exceptions import DvcException
        from dvc.repo import Repo
    except ImportError:
        return None
    try:
        with Repo(str(root)) as repo:
            # the stage of this dvc.yaml, named by its absolute path: the same from any folder
            (found,) = repo.stage.collect(f"{pipeline.resolve()}:{stage}")
            deps = [dep for dep in found.deps if not isinstance(dep, ParamsDependency)]
            return {str(dep.def_path): str(dep.get_hash().value) for dep in deps}
    except (DvcException, OSError) as error:
        log.debug("the DVC hashes of %s's deps are not recorded: %s", stage, error)
        return None


def file_md5(path: Path) -> str:
    """md5 of a file's bytes (DVC's hash of a file, the one dvc.lock records)."""
    digest = hashlib.md5(usedforsecurity=False)
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
