"""Reading runs back: the public API for the command line, the journal and notebooks.

    from <package>.tracking.runs import latest_run, read_scalars, read_histograms
    run = latest_run(Path("."))              # a RunInfo, or None before the first run
    run.id, run.status, run.manifest["metrics"]
    curve = read_scalars(run.folder)          # {"step": array, "loss": array, ...}
    hists = read_histograms(run.folder, "loss")  # per-sample loss histograms by step

Everything here only reads, and works while a run is still writing: scalars end at the
last step logged, histograms at the last whole line, timings at the last save. A run
whose manifest still says `running` but whose process no longer exists on this host was
killed: it is reported as `interrupted`.

Read next: plots.py.
"""

import json
import os
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.errors import RunNotFoundError
from ..core.paths import RUNS
from . import scalars
from .run import HISTOGRAMS, MANIFEST, TIMINGS


@dataclass(frozen=True)
class RunInfo:
    """One run folder and its manifest, with the status as it really is now."""

    folder: Path
    manifest: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.manifest["id"])

    @property
    def status(self) -> str:
        return str(self.manifest["status"])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def read_manifest(folder: Path) -> dict[str, Any]:
    """manifest.json of a run; `running` becomes `interrupted` when its process is gone."""
    manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    same_host = manifest.get("environment", {}).get("host") == platform.node()
    if manifest["status"] == "running" and same_host and not _alive(int(manifest["pid"])):
        manifest["status"] = "interrupted"
        manifest["error"] = "the process ended without closing the run (killed?)"
    return manifest


def list_runs(root: Path) -> list[RunInfo]:
    """Every run under root/runs/, oldest first (by start time, to the millisecond)."""
    folder = root / RUNS
    if not folder.is_dir():
        return []
    runs = [
        RunInfo(path, read_manifest(path))
        for path in folder.iterdir()
        if (path / MANIFEST).is_file()
    ]
    return sorted(runs, key=lambda run: (run.manifest["started"], run.id))


def latest_run(root: Path) -> RunInfo | None:
    """The most recently started run, or None if there is none."""
    runs = list_runs(root)
    return runs[-1] if runs else None


def find_run(root: Path, run_id: str) -> RunInfo:
    """The run whose id is `run_id` or starts with it; `latest` is the newest run."""
    runs = list_runs(root)
    if run_id == "latest" and runs:
        return runs[-1]
    matches = [run for run in runs if run.id == run_id] or [
        run for run in runs if run.id.startswith(run_id)
    ]
    if len(matches) != 1:
        found = "no run" if not matches else f"{len(matches)} runs"
        raise RunNotFoundError(
            f"{found} matching {run_id!r} under {root / RUNS}; see `runs list` for the ids"
        )
    return matches[0]


def read_scalars(folder: Path, name: str = "train") -> dict[str, NDArray[np.float64]]:
    """A run's scalars table `name` by column, "step" first (see scalars.py)."""
    return scalars.read_scalars(folder, name)


def has_scalars(folder: Path, name: str) -> bool:
    """Whether a run wrote the scalars table `name` (in either format, see scalars.py)."""
    return any((folder / f"{name}{suffix}").exists() for suffix in (scalars.SUFFIX, ".json"))


def read_histograms(folder: Path, name: str | None = None) -> list[dict[str, Any]]:
    """A run's histogram records (keys: step, name, count, mean, counts, edges, quantiles)."""
    return scalars.read_histograms(folder / HISTOGRAMS, name)


def read_timings(folder: Path) -> dict[str, dict[str, float]]:
    """Count, total_s and mean_s per timed section (saved every 10 s while it runs)."""
    path = folder / TIMINGS
    if not path.exists():
        return {}
    timings: dict[str, dict[str, float]] = json.loads(path.read_text(encoding="utf-8"))
    return timings


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """A manifest section as dotted keys: {"train": {"epochs": 5}} -> {"train.epochs": 5}."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat
