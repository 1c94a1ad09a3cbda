"""Stage 5, train: fit the project's model on the train features, recording a run.

    features, target (data/features/train) -> registry.trained().fit -> models/model.npz

The stage knows no model: it asks registry.py for the family to fit, hands it a run to
record into (../tracking/run.py: loss, norms, per-sample loss histograms, timings,
checkpoints), and saves what comes back through the Model interface. It writes
models/model.npz (and a copy in the run) and reports/train_curve.csv (for `dvc plots`):
the loss by epoch, a few hundred bytes however long the run; the loss of every step
stays in the run.

Read next: ../tracking/run.py, how a run records.
"""

import csv
import io
import logging
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..core.config import Params
from ..core.io import atomic_write, load_array
from ..core.paths import (
    FEATURES_FILE,
    FEATURES_TRAIN,
    MODEL,
    TARGET_FILE,
    TRAIN_CURVE,
)
from ..tracking.run import start_run
from ..tracking.runs import read_scalars
from .registry import trained

log = logging.getLogger(__name__)


def run(params: Params, root: Path, resume: Path | None = None) -> None:
    """Train on data/features/train, recording a run; write the model and DVC's reports.

    With `resume`, a checkpoint of an earlier run, continue from where it stopped."""
    with start_run(root, params, stage="train") as tracked:
        if resume is not None:
            tracked.manifest["resumed_from"] = str(resume)
        with tracked.section("load"):
            features = np.asarray(load_array(root / FEATURES_TRAIN / FEATURES_FILE))
            target = np.asarray(load_array(root / FEATURES_TRAIN / TARGET_FILE), dtype=np.float64)
            for name in (FEATURES_FILE, TARGET_FILE):
                tracked.record_input(root / FEATURES_TRAIN / name)
        with tracked.section("train"):
            fitted = trained().fit(features, target, params.train, tracked, resume)
        with tracked.section("save"):
            metadata = {"train": params.train.model_dump(), "run_id": tracked.id}
            fitted.model.save(tracked.folder / "model.npz", metadata)
            fitted.model.save(root / MODEL, metadata)
            _write_curve(root / TRAIN_CURVE, read_scalars(tracked.folder, "epochs"))
        losses = fitted.epoch_losses
        tracked.manifest["metrics"] = {
            "train_loss": losses[-1],
            "best_train_loss": min(losses),
            "best_epoch": losses.index(min(losses)) + 1,
            "epochs": len(losses),
            "seconds": {k: v["total_s"] for k, v in tracked.timings.summary().items()},
        }

    log.info("run %s: %d epochs, final train loss %.4f", tracked.id, len(losses), losses[-1])


def _write_curve(path: Path, epochs: dict[str, NDArray[np.float64]]) -> None:
    """epoch, mean loss and the 10% / 90% quantiles of per-sample losses, as CSV for
    `dvc plots show` (DVC reads CSV with a header row)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["epoch", "loss", "p10", "p90"])
    columns = (epochs["step"].astype(int), epochs["loss"], epochs["p10"], epochs["p90"])
    writer.writerows(zip(*(column.tolist() for column in columns), strict=True))
    with atomic_write(path) as handle:
        handle.write(text.getvalue().encode("utf-8"))
