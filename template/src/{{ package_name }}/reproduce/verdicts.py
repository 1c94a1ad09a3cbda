"""Recorded against reproduced: one verdict per thing a run produced.

- weights: every array of the final model.npz (its metadata names the run, so it is left
  out);
- metrics: the manifest's final metrics (train loss, best loss and epoch, epochs), not the
  seconds, which no two runs share;
- curves: each scalar table of the run (the loss of every step, the norms, the epochs),
  row by row, naming the first step that differs;
- histograms: the per-sample loss histograms, counts, edges and quantiles.

With a tolerance of 0 a match is bit for bit, which the numpy model gives on a CPU;
otherwise |recorded - reproduced| <= tolerance * (1 + |recorded|) for every number.

Read next: retrain.py.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.io import save_json
from ..tracking.run import HISTOGRAMS
from ..tracking.runs import RunInfo, has_scalars, read_histograms, read_scalars

REPRODUCTION = "reproduction.json"  # the last verdicts, kept in the recorded run
TABLES = ("train", "epochs", "norms")  # the scalar tables a train run writes (tracking/run.py)


@dataclass(frozen=True)
class Verdict:
    """One item compared: whether it matches, and what was compared or how it differs."""

    item: str
    match: bool
    detail: str


def same(recorded: NDArray[Any], reproduced: NDArray[Any], tolerance: float) -> NDArray[np.bool_]:
    """Elementwise: equal bit for bit (tolerance 0), else within tolerance * (1 + |recorded|)."""
    agree: NDArray[np.bool_]
    if tolerance == 0:
        agree = (recorded == reproduced) | (np.isnan(recorded) & np.isnan(reproduced))
    else:
        agree = np.abs(recorded - reproduced) <= tolerance * (1 + np.abs(recorded))
    return agree


def _how(tolerance: float) -> str:
    return "bit for bit" if tolerance == 0 else f"within {tolerance:g}"


def weights(recorded: Path, reproduced: Path, tolerance: float) -> Verdict:
    """Every weight array of two saved models."""
    with np.load(recorded, allow_pickle=False) as a, np.load(reproduced, allow_pickle=False) as b:
        first = {name: a[name] for name in a.files if name != "metadata"}
        second = {name: b[name] for name in b.files if name != "metadata"}
    if first.keys() != second.keys():
        detail = f"arrays {sorted(first)} recorded, {sorted(second)} reproduced"
        return Verdict("weights", False, detail)
    for name, array in first.items():
        other = second[name]
        if array.shape != other.shape:
            return Verdict("weights", False, f"{name}: shape {array.shape} vs {other.shape}")
        if not same(array, other, tolerance).all():
            largest = float(np.max(np.abs(array - other)))
            return Verdict("weights", False, f"{name}: differs by up to {largest:.3g}")
    size = sum(array.size for array in first.values())
    return Verdict("weights", True, f"{len(first)} arrays, {size:,} numbers, {_how(tolerance)}")


def metrics(
    recorded: Mapping[str, Any], reproduced: Mapping[str, Any], tolerance: float
) -> Verdict:
    """The final metrics of two manifests, seconds aside."""
    keys = sorted(key for key in recorded if key != "seconds")
    differing = [
        f"{key} {recorded[key]:.6g} recorded, {reproduced.get(key, float('nan')):.6g} reproduced"
        for key in keys
        if not isinstance(reproduced.get(key), int | float)
        or not same(np.array([recorded[key]]), np.array([reproduced[key]]), tolerance).all()
    ]
    if differing:
        return Verdict("metrics", False, "; ".join(differing))
    return Verdict("metrics", True, f"{', '.join(keys)}, {_how(tolerance)}")


def curve(name: str, recorded: Path, reproduced: Path, tolerance: float) -> Verdict | None:
    """One scalar table, row by row; None when the recorded run has no such table."""
    if not has_scalars(recorded, name):
        return None
    item = f"curve {name}"
    if not has_scalars(reproduced, name):
        return Verdict(item, False, "not written by the reproduction")
    first, second = read_scalars(recorded, name), read_scalars(reproduced, name)
    if list(first) != list(second):
        return Verdict(item, False, f"columns {list(first)} vs {list(second)}")
    rows = len(first["step"])
    if rows != len(second["step"]):
        return Verdict(item, False, f"{rows} rows recorded, {len(second['step'])} reproduced")
    for column, values in first.items():
        agree = same(values, second[column], tolerance)
        if not agree.all():
            row = int(np.argmin(agree))
            step = f"{'epoch' if name == 'epochs' else 'step'} {int(first['step'][row])}"
            detail = (
                f"first differs at {step}: {column} {values[row]:.6g} recorded, "
                f"{second[column][row]:.6g} reproduced"
            )
            return Verdict(item, False, detail)
    columns = ", ".join(list(first)[1:]) if len(first) <= 5 else f"{len(first) - 1} columns"
    return Verdict(item, True, f"{rows:,} rows of {columns}, {_how(tolerance)}")


def histograms(recorded: Path, reproduced: Path, tolerance: float) -> Verdict | None:
    """The per-sample loss histograms: counts, edges and quantiles at every recorded step."""
    if not (recorded / HISTOGRAMS).exists():
        return None
    first, second = read_histograms(recorded), read_histograms(reproduced)
    if len(first) != len(second):
        return Verdict("histograms", False, f"{len(first)} recorded, {len(second)} reproduced")
    for a, b in zip(first, second, strict=True):
        first_numbers, second_numbers = _numbers(a), _numbers(b)
        if (
            len(first_numbers) != len(second_numbers)
            or not same(first_numbers, second_numbers, tolerance).all()
        ):
            return Verdict("histograms", False, f"first differs at step {a['step']}")
    return Verdict("histograms", True, f"{len(first)} histograms, {_how(tolerance)}")


def _numbers(record: Mapping[str, Any]) -> NDArray[np.float64]:
    """Every number of a histogram record, in a fixed order."""
    quantiles = [record["quantiles"][key] for key in sorted(record["quantiles"])]
    flat = [record["step"], record["count"], *record["counts"], *record["edges"], *quantiles]
    return np.asarray(flat, dtype=np.float64)


def compare_runs(recorded: RunInfo, reproduced: RunInfo, tolerance: float) -> list[Verdict]:
    """Every verdict, in the order a person reads them."""
    found = [
        weights(recorded.folder / "model.npz", reproduced.folder / "model.npz", tolerance),
        metrics(recorded.manifest["metrics"], reproduced.manifest["metrics"], tolerance),
        *(curve(name, recorded.folder, reproduced.folder, tolerance) for name in TABLES),
        histograms(recorded.folder, reproduced.folder, tolerance),
    ]
    return [verdict for verdict in found if verdict is not None]


def save_verdicts(folder: Path, verdicts: list[Verdict], record: Mapping[str, Any]) -> None:
    """reproduction.json in the recorded run: when and how it was reproduced, and the verdicts."""
    items = [{"item": v.item, "match": v.match, "detail": v.detail} for v in verdicts]
    data = {**record, "reproduced": all(v.match for v in verdicts), "verdicts": items}
    save_json(folder / REPRODUCTION, data)
