"""Stage 5, train: fit the MLP with mini-batch SGD and momentum, seeded end to end.

The loop, for each epoch:
  1. shuffle the train rows (seeded, so the same params give the same model);
  2. for each batch: forward, loss and gradients (mlp.py), then the momentum step
         v <- momentum * v - learning_rate * g
         w <- w + v
  3. record the mean train loss of the epoch.
Everything the loop needs to go on lives in a TrainState, so a checkpoint is that state
saved, and resuming from it gives the same model, bit for bit, as never stopping.

`run` records a run under runs/<id>/ (tracking/run.py): loss, gradient and weight norm by
step, per-sample loss histograms, timings, checkpoints, the best and final model. It
writes models/model.npz, reports/train_metrics.json (for `dvc metrics`) and
reports/train_curve.csv (for `dvc plots`).

Read next: ../evaluation/evaluate.py.
"""

import csv
import io
import json
import logging
import math
from collections.abc import Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..config import Params, TrainParams
from ..console import progress_bar
from ..data.io import atomic_write, load_array, save_json
from ..paths import FEATURES_FILE, FEATURES_TRAIN, MODEL, TARGET_FILE, TRAIN_CURVE, TRAIN_METRICS
from ..tracking.run import Run, start_run
from ..tracking.runs import read_scalars
from .mlp import MLP, Array, init_mlp, loss_and_gradients, save_model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainResult:
    model: MLP
    epoch_losses: list[float]  # mean train loss of each epoch, in order


@dataclass
class TrainState:
    """Where the loop is: enough to continue exactly as if it had never stopped."""

    model: MLP
    velocities: list[Array]
    rng: np.random.Generator  # draws each epoch's row order
    epoch: int = 0  # epochs completed
    step: int = 0  # batches completed, over all epochs
    order: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    position: int = 0  # first row (in `order`) of the next batch of this epoch
    loss_sum: float = 0.0  # sum of batch loss * batch rows so far in this epoch
    epoch_losses: list[float] = field(default_factory=list)


def _parameters(model: MLP) -> Iterator[Array]:
    """Every weight array of the model, in a fixed order (updated in place)."""
    for w, b in model.hidden:
        yield w
        yield b
    yield from model.output


def _parameter_names(model: MLP) -> list[str]:
    names = [f"hidden{i}_{kind}" for i in range(len(model.hidden)) for kind in ("w", "b")]
    return [*names, "output_w", "output_b"]


def initial_state(n_features: int, base_rate: float, params: TrainParams) -> TrainState:
    model = init_mlp(n_features, params.hidden_units, base_rate, params.seed)
    velocities = [np.zeros_like(p) for p in _parameters(model)]
    return TrainState(model=model, velocities=velocities, rng=np.random.default_rng(params.seed))


def train(
    features: Array,
    target: Array,
    params: TrainParams,
    run: Run | None = None,
    resume: TrainState | None = None,
) -> TrainResult:
    """Fit an MLP on (features, target); the same params give the same model.

    With a run, log to it and checkpoint into it; with `resume`, continue from that state.
    """
    n_rows, n_features = features.shape
    state = resume or initial_state(n_features, float(target.mean()), params)
    n_batches = -(-n_rows // params.batch_size)
    curve = run.scalars("train", ("loss", "grad_norm", "weight_norm")) if run else None
    names = _parameter_names(state.model)
    norms = (
        run.scalars("norms", tuple(f"{k}/{n}" for k in ("w", "g") for n in names)) if run else None
    )
    every = run.params.tracking.histogram_every if run else 0
    timed = run.timings.section if run else _untimed
    with progress_bar() as bar:
        task = bar.add_task("train", total=params.epochs * n_batches, completed=state.step)
        while state.epoch < params.epochs:
            if len(state.order) == 0:  # a new epoch (a resumed one keeps its order)
                state.order = state.rng.permutation(n_rows)
            with timed("epoch"):
                while state.position < n_rows:
                    if run is not None and run.stop_requested:
                        save_checkpoint(run, state, "interrupted")
                        raise KeyboardInterrupt
                    rows = state.order[state.position : state.position + params.batch_size]
                    loss, losses, grads = loss_and_gradients(
                        state.model, features[rows], target[rows], params.l2
                    )
                    gradients = [g for layer in grads.hidden for g in layer] + list(grads.output)
                    weights = list(_parameters(state.model))
                    for weight, velocity, gradient in zip(
                        weights, state.velocities, gradients, strict=True
                    ):
                        velocity *= params.momentum
                        velocity -= params.learning_rate * gradient
                        weight += velocity
                    state.loss_sum += loss * len(rows)
                    state.position += params.batch_size
                    state.step += 1
                    if curve is not None and norms is not None:
                        # ||g|| and ||w|| over all weights: sqrt(sum of squares of every entry)
                        g2 = [float(np.vdot(g, g)) for g in gradients]
                        w2 = [float(np.vdot(w, w)) for w in weights]
                        curve.log(state.step, loss, math.sqrt(sum(g2)), math.sqrt(sum(w2)))
                        if state.step % every == 0:
                            assert run is not None
                            with timed("histogram"):
                                run.histograms.log(state.step, "loss", losses)
                                norms.log(state.step, *map(math.sqrt, w2 + g2))
                    bar.advance(task)
            with timed("end_epoch"):
                _end_epoch(state, n_rows, run)
    return TrainResult(model=state.model, epoch_losses=state.epoch_losses)


def _untimed(name: str) -> AbstractContextManager[object]:
    return nullcontext()


def _end_epoch(state: TrainState, n_rows: int, run: Run | None) -> None:
    """Record the epoch's mean loss; stop on a non-finite one; checkpoint when due."""
    state.epoch_losses.append(state.loss_sum / n_rows)
    state.epoch += 1
    state.position, state.loss_sum, state.order = 0, 0.0, state.order[:0]
    log.debug("epoch %d: train loss %.4f", state.epoch, state.epoch_losses[-1])
    if not np.isfinite(state.epoch_losses[-1]):
        raise FloatingPointError(
            f"train loss became {state.epoch_losses[-1]} in epoch {state.epoch}; "
            "lower train.learning_rate"
        )
    if run is None:
        return
    if state.epoch_losses[-1] == min(state.epoch_losses):
        save_checkpoint(run, state, "best")
    every = run.params.tracking.checkpoint_every
    if every and state.epoch % every == 0:
        save_checkpoint(run, state, f"checkpoint-epoch{state.epoch:04d}")


def save_checkpoint(run: Run, state: TrainState, name: str) -> Path:
    """Save the whole TrainState as runs/<id>/<name>.npz."""
    pairs = zip(_parameter_names(state.model), _parameters(state.model), strict=True)
    arrays: dict[str, NDArray[Any]] = dict(pairs)
    arrays |= {f"velocity{i}": v for i, v in enumerate(state.velocities)}
    meta = {
        "epoch": state.epoch,
        "step": state.step,
        "position": state.position,
        "loss_sum": state.loss_sum,
        "epoch_losses": state.epoch_losses,
        "rng": state.rng.bit_generator.state,
        "params": run.params.train.model_dump(),
    }
    return run.save_arrays(name, arrays | {"order": state.order}, meta)


def load_checkpoint(path: Path) -> TrainState:
    """The TrainState saved by save_checkpoint; pass it to train(resume=...)."""
    with np.load(path, allow_pickle=False) as stored:
        meta: dict[str, Any] = json.loads(str(stored["meta"]))
        arrays = {name: stored[name] for name in stored.files}
    n_hidden = sum(1 for name in arrays if name.startswith("hidden") and name.endswith("_w"))
    model = MLP(
        hidden=[(arrays[f"hidden{i}_w"], arrays[f"hidden{i}_b"]) for i in range(n_hidden)],
        output=(arrays["output_w"], arrays["output_b"]),
    )
    velocities = [arrays[f"velocity{i}"] for i in range(2 * n_hidden + 2)]
    rng = np.random.default_rng()
    rng.bit_generator.state = meta["rng"]
    return TrainState(
        model=model,
        velocities=velocities,
        rng=rng,
        epoch=meta["epoch"],
        step=meta["step"],
        order=arrays["order"],
        position=meta["position"],
        loss_sum=meta["loss_sum"],
        epoch_losses=meta["epoch_losses"],
    )


def run(params: Params, root: Path, resume: Path | None = None) -> None:
    """Train on data/features/train, recording a run; write the model and DVC's reports.

    With `resume`, a checkpoint .npz of an earlier run, continue from where it stopped.
    """
    with start_run(root, params, stage="train") as tracked:
        state = None
        if resume is not None:
            state = load_checkpoint(resume)
            tracked.manifest["resumed_from"] = str(resume)
        with tracked.timings.section("load"):
            features = np.asarray(load_array(root / FEATURES_TRAIN / FEATURES_FILE))
            target = np.asarray(load_array(root / FEATURES_TRAIN / TARGET_FILE), dtype=np.float64)
            for name in (FEATURES_FILE, TARGET_FILE):
                tracked.record_input(root / FEATURES_TRAIN / name)
        with tracked.timings.section("train"):
            result = train(features, target, params.train, tracked, state)
        with tracked.timings.section("save"):
            metadata = {"train": params.train.model_dump(), "run_id": tracked.id}
            save_model(result.model, tracked.folder / "model.npz", metadata)
            save_model(result.model, root / MODEL, metadata)
            tracked.flush()
            _write_curve(root / TRAIN_CURVE, read_scalars(tracked.folder))
        losses = result.epoch_losses
        metrics: dict[str, Any] = {
            "train_loss": losses[-1],
            "best_train_loss": min(losses),
            "best_epoch": losses.index(min(losses)) + 1,
            "epochs": len(losses),
            "seconds": {k: v["total_s"] for k, v in tracked.timings.summary().items()},
        }
        tracked.manifest["metrics"] = metrics
        save_json(root / TRAIN_METRICS, metrics)
    log.info("run %s: %d epochs, final train loss %.4f", tracked.id, len(losses), losses[-1])


def _write_curve(path: Path, curve: dict[str, NDArray[np.float64]]) -> None:
    """step,loss as CSV for `dvc plots show` (DVC reads CSV with a header row)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["step", "loss"])
    writer.writerows(zip(curve["step"].astype(int).tolist(), curve["loss"].tolist(), strict=True))
    with atomic_write(path) as handle:
        handle.write(text.getvalue().encode("utf-8"))
