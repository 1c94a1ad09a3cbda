"""What the project recorded, read back for the report; nothing here computes a result.

- runs (../tracking/runs.py), each with the evaluation the evaluate stage kept in it
  (evaluation.json) and its last reproduction (reproduction.json, `runs reproduce`);
- evaluations: each run's, and the current one from reports/ when the run that trained
  models/model.npz is not here (a model pulled with DVC comes without its run);
- comparisons: the JSON files `evaluate compare --json` wrote into reports/;
- the test report and ledger, the latest monitoring reports, the model's metadata.

A file that is not there is None or empty: the report shows what exists.

Read next: figures.py.
"""

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core.paths import (
    CALIBRATION_DATA,
    MODEL,
    MONEY_CURVE,
    MONITORING_REPORTS,
    REPORTS,
    TEST_LEDGER,
    THRESHOLDS,
    VALIDATION_REPORT,
)
from ..evaluation.evaluate import RUN_RECORD
from ..models.registry import model_metadata
from ..reproduce.verdicts import REPRODUCTION
from ..tracking.runs import RunInfo, flatten

MONITORING = ("drift", "efficiency", "shadow")  # reports/monitoring/<name>.json


def read_json(path: Path) -> Any:
    """A JSON file's content, or None when there is no such file."""
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Evaluation:
    """One evaluation on validation: its report, thresholds, calibration and money curve."""

    id: str  # the run id, or "current" for reports/ without its run
    run_id: str | None  # the run that trained the model evaluated
    record: dict[str, Any]


def run_evaluation(run: RunInfo) -> dict[str, Any] | None:
    record: dict[str, Any] | None = read_json(run.folder / RUN_RECORD)
    return record


def run_reproduction(run: RunInfo) -> dict[str, Any] | None:
    record: dict[str, Any] | None = read_json(run.folder / REPRODUCTION)
    return record


def model_run_id(root: Path) -> str | None:
    """The run that trained models/model.npz, as its metadata says."""
    if not (root / MODEL).is_file():
        return None
    run_id = model_metadata(root / MODEL).get("run_id")
    return None if run_id is None else str(run_id)


def evaluations(root: Path, runs: Sequence[RunInfo]) -> list[Evaluation]:
    """Each run's evaluation, oldest first; then the current one if its run is not here."""
    found = [
        Evaluation(run.id, run.id, record)
        for run in runs
        if (record := run_evaluation(run)) is not None
    ]
    report = read_json(root / VALIDATION_REPORT)
    current = model_run_id(root)
    if report is not None and current not in {evaluation.run_id for evaluation in found}:
        calibration = read_json(root / CALIBRATION_DATA) or {"calibration": []}
        record = {
            "report": report,
            "thresholds": read_json(root / THRESHOLDS) or {},
            "calibration": {"model": calibration["calibration"]},
            "money_by_threshold": (read_json(root / MONEY_CURVE) or {"money": []})["money"],
        }
        found.append(Evaluation("current", current, record))
    return found


def comparisons(root: Path) -> list[tuple[str, dict[str, Any]]]:
    """(file name, content) of each `evaluate compare --json` result in reports/."""
    found = []
    for path in sorted((root / REPORTS).glob("*.json")):
        content = read_json(path)
        if isinstance(content, dict) and {"configs", "pairs", "criterion"} <= content.keys():
            found.append((path.name, content))
    return found


def ledger(root: Path) -> list[dict[str, Any]]:
    """The test ledger's records, one per look at the test split, oldest first."""
    path = root / TEST_LEDGER
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def monitoring(root: Path) -> dict[str, dict[str, Any]]:
    """The latest drift, efficiency and shadow reports that exist, by name."""
    reports = {name: read_json(root / MONITORING_REPORTS / f"{name}.json") for name in MONITORING}
    return {name: report for name, report in reports.items() if report is not None}


def model_hashes(runs: Sequence[RunInfo]) -> dict[str, str]:
    """The run id of each run's final model, by the model's SHA-256 (as the ledger names it)."""
    hashes = {}
    for run in runs:
        model = run.folder / "model.npz"
        if model.is_file():
            hashes[hashlib.sha256(model.read_bytes()).hexdigest()] = run.id
    return hashes


def differing_params(runs: Sequence[RunInfo]) -> list[str]:
    """The params (dotted keys) whose values are not the same in every run."""
    flats = [flatten(run.manifest["params"]) for run in runs]
    keys = sorted(set().union(*flats)) if flats else []
    return [key for key in keys if len({repr(flat.get(key)) for flat in flats}) > 1]


def seconds(run: RunInfo) -> float | None:
    """Wall time of a run, from its start and end (None while it has not ended)."""
    started, ended = run.manifest.get("started"), run.manifest.get("ended")
    if not started or not ended:
        return None
    return (datetime.fromisoformat(ended) - datetime.fromisoformat(started)).total_seconds()
