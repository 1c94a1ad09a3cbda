"""The data a run read, put back by its hashes: from the workspace, the DVC cache or remote.

A run records the md5 of every file it read (`data.read` in its manifest). DVC keeps
each file of a stage's outputs in its cache under that same md5
(`<cache>/files/md5/ab/cdef...`), so a file the workspace has changed since is still
found by its hash, and a file only a DVC remote holds can be fetched by it: `dvc fetch`
of a .dvc file that names the hash brings it into the cache. Looked for in that order:
the workspace (if the file there still has the hash), the cache, the remote.

Read next: verdicts.py.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from ..core.errors import ReproductionError
from ..tracking.manifest import file_md5


def _dvc(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run DVC with this interpreter (it is in the project's dev dependencies)."""
    environment = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    command = [sys.executable, "-m", "dvc", *args]
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )


def cache_object(cache: Path, md5: str) -> Path:
    """Where DVC (3.x) keeps the file whose md5 is `md5`."""
    return cache / "files" / "md5" / md5[:2] / md5[2:]


def fetch(root: Path, wanted: Mapping[str, str], run_id: str) -> str:
    """Ask DVC to bring the files of these md5s from the remote into the cache; return
    DVC's complaint, or "" when it had nothing to say."""
    # one .dvc file per hash, in a folder of the project that neither DVC nor git ignores
    # (DVC refuses a .dvc file in either's ignored paths), removed at once
    folder = root / f".reproduce-{run_id}"
    folder.mkdir(exist_ok=True)
    try:
        targets = []
        for number, md5 in enumerate(wanted.values()):
            target = folder / f"{number}.dvc"
            target.write_text(f'outs:\n- md5: {md5}\n  hash: md5\n  path: "{number}"\n')
            targets.append(target.relative_to(root).as_posix())
        done = _dvc(root, "fetch", *targets)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # DVC exits 0 when no remote is set, saying so on stderr: its last line is the reason
    lines = [line.removeprefix("ERROR: ") for line in done.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def place_inputs(
    root: Path, project: Path, read: Mapping[str, str], run_id: str, commit: str
) -> dict[str, str]:
    """Copy every file the run read into `project`, at the path it had; return where each
    one came from. Raise, naming each missing file and what to run, when one cannot be had."""
    sources: dict[str, str] = {}
    wanted: dict[str, str] = {}
    for name, md5 in read.items():
        here = root / name
        if here.is_file() and file_md5(here) == md5:
            _copy(here, project / name)
            sources[name] = "the workspace"
        else:
            wanted[name] = md5
    if not wanted:
        return sources
    if not (root / ".dvc").is_dir():
        raise ReproductionError(
            f"{', '.join(wanted)} changed since run {run_id}, and the project has no DVC "
            "cache (.dvc/) to hold the old versions; rebuild them at the run's commit "
            f"(`git checkout {commit[:12]}` and run the stages before train)"
        )
    found = _dvc(root, "cache", "dir")
    if found.returncode != 0:
        raise ReproductionError(
            f"{', '.join(wanted)} changed since run {run_id}, and DVC, which keeps the old "
            f"versions, cannot be run here: {found.stderr.strip() or 'not installed'}; "
            "install it with `uv sync`"
        )
    cache = Path(found.stdout.strip())
    complaint = ""
    for attempt in ("the DVC cache", "the DVC remote"):
        if attempt == "the DVC remote":
            complaint = fetch(root, wanted, run_id)
        for name, md5 in list(wanted.items()):
            if cache_object(cache, md5).is_file():
                _copy(cache_object(cache, md5), project / name)
                sources[name] = attempt
                del wanted[name]
        if not wanted:
            return sources
    missing = [f"{name} (md5 {md5})" for name, md5 in wanted.items()]
    raise ReproductionError(
        f"the data run {run_id} read is in neither the workspace, the DVC cache ({cache}) nor "
        f"the remote: {', '.join(missing)}"
        + (f"\nDVC said: {complaint}" if complaint else "")
        + "\nwhere a machine has it, `uv run dvc push` it; else rebuild it at the run's "
        f"commit (`git checkout {commit[:12]} && uv run dvc repro`) if its stages are deterministic"
    )


def _copy(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
