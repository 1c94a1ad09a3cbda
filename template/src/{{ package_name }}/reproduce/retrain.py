"""Reproduce one run: put its record back together, train again, compare.

1. versions: each package the run recorded, and Python, against this environment; a
   difference is a warning that names the package and both versions;
2. a temporary worktree at the run's commit with its diff applied (worktree.py);
3. the data it read, by hash (inputs.py), and its params written as params.yaml;
4. its stage run again there by this interpreter, with the worktree's src/ first on the
   path, so the code that trains is the run's code, not today's;
5. the verdicts (verdicts.py), kept in the run as reproduction.json.

Read next: ../report/records.py, the report of everything recorded.
"""

import logging
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import ReproductionError
from ..core.paths import PACKAGE, PARAMS_FILE
from ..models.registry import FAMILIES, family_of
from ..tracking.manifest import package_version
from ..tracking.run import DIFF
from ..tracking.runs import RunInfo, list_runs
from .inputs import place_inputs
from .verdicts import Verdict, compare_runs, save_verdicts
from .worktree import apply_diff, worktree_at

log = logging.getLogger(__name__)

MODEL_FILE = "model.npz"  # the final model in a run folder (models/train.py)


@dataclass(frozen=True)
class Reproduction:
    """What reproducing a run found."""

    run_id: str
    tolerance: float
    verdicts: list[Verdict]
    warnings: list[str]  # versions that differ, files the record does not hold
    sources: dict[str, str]  # where each input file came from

    @property
    def matched(self) -> bool:
        return all(verdict.match for verdict in self.verdicts)


def version_warnings(environment: Mapping[str, Any]) -> list[str]:
    """One line per package (and Python) whose version differs from the run's."""
    warnings = []
    python = sys.version.split()[0]
    if environment.get("python") not in (None, python):
        warnings.append(f"Python: the run used {environment['python']}, this one is {python}")
    for name, recorded in environment.get("packages", {}).items():
        installed = package_version(name)  # read as the run recorded it
        if recorded != installed:
            warnings.append(
                f"{name}: the run used {recorded or 'none'}, this environment has "
                f"{installed or 'none'}; results may differ"
                + (f" (`uv pip install {name}=={recorded}` to match)" if recorded else "")
            )
    return warnings


def family_tolerance(model: Path) -> float:
    """The tolerance the model's family declares (0, bit for bit, for the numpy MLP)."""
    family = FAMILIES.get(family_of(model))
    return family.tolerance if family is not None else 0.0


def train_again(project: Path, stage: str) -> RunInfo:
    """Run `stage` in `project` with its own code, and return the run it records."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DVC_EXP_NAME", "DVC_ROOT")}
    path = [str(project / "src"), environment.get("PYTHONPATH", "")]
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, path))
    command = [sys.executable, "-m", PACKAGE, "stage", stage]
    done = subprocess.run(
        command, cwd=project, env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        raise ReproductionError(
            f"training again failed (the {stage} stage exited with {done.returncode}) in "
            f"{project}; keep the worktree with --keep to look into it:\n{tail}"
        )
    runs = list_runs(project)
    if not runs:
        raise ReproductionError(f"the {stage} stage at the run's commit records no run")
    return runs[-1]


def reproduce(
    root: Path, run: RunInfo, tolerance: float | None = None, keep: bool = False
) -> Reproduction:
    """Train `run` again from its record alone and compare; see the module docstring."""
    manifest = run.manifest
    if run.status != "finished":
        raise ReproductionError(
            f"run {run.id} is {run.status}; only a finished run can be reproduced "
            f"(an interrupted one can be finished with `uv run {PACKAGE} runs resume {run.id}`)"
        )
    commit = manifest["git"]["commit"]
    if commit is None:
        raise ReproductionError(
            f"run {run.id} was made outside git (no commit recorded), so its code cannot be "
            "checked out; commit the project so that later runs record theirs"
        )
    if not (run.folder / MODEL_FILE).exists():
        raise ReproductionError(f"{run.folder / MODEL_FILE}: the run's final model is missing")
    tolerance = family_tolerance(run.folder / MODEL_FILE) if tolerance is None else tolerance
    warnings = version_warnings(manifest["environment"])
    for warning in warnings:
        log.warning(warning)
    log.info("checking out %s with the run's diff", commit[:12])
    with worktree_at(root, commit, run.id, keep) as project:
        untracked = apply_diff(project, run.folder / DIFF, run.id)
        # new code the run may have imported is a gap in the record; data, locks are not
        code = [name for name in untracked if "src/" in name or name.endswith(".py")]
        if code:
            warnings.append(
                "files untracked when the run started are not in its record: "
                f"{', '.join(code)}; the reproduction runs without them"
            )
            log.warning(warnings[-1])
        sources = place_inputs(root, project, manifest["data"]["read"], run.id, commit)
        for name, source in sources.items():
            log.info("%s: from %s", name, source)
        params = yaml.safe_dump(manifest["params"], sort_keys=False)
        (project / PARAMS_FILE).write_text(params, encoding="utf-8")
        log.info("training again: %s stage", manifest["stage"])
        again = train_again(project, manifest["stage"])
        verdicts = compare_runs(run, again, tolerance)
    record = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "tolerance": tolerance,
        "warnings": warnings,
    }
    save_verdicts(run.folder, verdicts, record)
    return Reproduction(run.id, tolerance, verdicts, warnings, sources)
