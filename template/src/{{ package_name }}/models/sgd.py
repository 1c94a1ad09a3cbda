"""The MLP's training loop: mini-batch SGD with momentum, seeded end to end.

For each epoch:
  1. shuffle the train rows (seeded, so the same params give the same model);
  2. for each batch: forward, loss and gradients (mlp.py), then the momentum step
         v <- momentum * v - learning_rate * g
         w <- w + v
  3. record the mean train loss of the epoch; stop if it is not a finite number.
Everything the loop needs to go on lives in a TrainState, so a checkpoint is that state
saved, and resuming from it gives the same model, bit for bit, as never stopping.

The loop records through a Run (../tracking/run.py), one line per thing recorded; with
the default NULL_RUN it records nothing, which is how tests, `evaluate compare` and
distillation call it. `fit` is this family's entry in registry.py.

Read next: registry.py.
"""

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.config import TrainParams
from ..core.console import progress_bar
from ..core.errors import DivergedError
from ..core.types import Array
from ..tracking.run import NULL_RUN, Checkpoint, Run
from .interface import Fitted
from .mlp import MLP, init_mlp, loss_and_gradients

log = logging.getLogger(__name__)


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


def parameters(model: MLP) -> Iterator[Array]:
    """Every weight array of the model, in a fixed order (updated in place)."""
    for w, b in model.hidden:
        yield w
        yield b
    yield from model.output


def parameter_names(model: MLP) -> list[str]:
    names = [f"hidden{i}_{kind}" for i in range(len(model.hidden)) for kind in ("w", "b")]
    return [*names, "output_w", "output_b"]


def initial_state(n_features: int, base_rate: float, params: TrainParams) -> TrainState:
    model = init_mlp(n_features, params.hidden_units, base_rate, params.seed)
    velocities = [np.zeros_like(p) for p in parameters(model)]
    return TrainState(model=model, velocities=velocities, rng=np.random.default_rng(params.seed))


def fit(
    features: Array,
    target: Array,
    params: TrainParams,
    run: Run = NULL_RUN,
    resume: Path | None = None,
) -> Fitted:
    """Fit an MLP on (features, target), targets 0/1 or probabilities; the same params give
    the same model. With `resume`, a checkpoint of this loop, continue from where it stopped."""
    n_rows, n_features = features.shape
    state = load_checkpoint(resume) if resume else initial_state(n_features, target.mean(), params)
    names = parameter_names(state.model)
    weights = list(parameters(state.model))
    n_batches = -(-n_rows // params.batch_size)
    with progress_bar() as bar:
        task = bar.add_task("train", total=params.epochs * n_batches, completed=state.step)
        while state.epoch < params.epochs:
            # 1. shuffle: a new epoch draws a new row order (a resumed one keeps its own)
            if len(state.order) == 0:
                state.order = state.rng.permutation(n_rows)
            with run.section("epoch"):
                while state.position < n_rows:
                    run.check_stop(lambda: checkpoint(state, params))
                    # 2. the next batch: forward, loss and gradients (mlp.py)
                    rows = state.order[state.position : state.position + params.batch_size]
                    loss, losses, grads = loss_and_gradients(
                        state.model, features[rows], target[rows], params.l2
                    )
                    gradients = [g for layer in grads.hidden for g in layer] + list(grads.output)
                    # v <- momentum * v - learning_rate * g;  w <- w + v  (in place)
                    for weight, velocity, gradient in zip(
                        weights, state.velocities, gradients, strict=True
                    ):
                        velocity *= params.momentum
                        velocity -= params.learning_rate * gradient
                        weight += velocity
                    state.loss_sum += loss * len(rows)
                    state.position += params.batch_size
                    state.step += 1
                    run.log_step(
                        state.step, loss, losses, partial(norms, names, weights, gradients)
                    )
                    bar.advance(task)
            # 3. the epoch's mean loss; stop if it is not finite
            end_epoch(state, n_rows)
            run.end_epoch(state.epoch, state.epoch_losses[-1], lambda: checkpoint(state, params))
    return Fitted(model=state.model, epoch_losses=state.epoch_losses)


def norms(
    names: list[str], weights: list[Array], gradients: list[Array]
) -> dict[str, tuple[float, float]]:
    """(||w||^2, ||g||^2) of each parameter tensor, by name: sums of squared entries."""
    return {
        name: (float(np.vdot(w, w)), float(np.vdot(g, g)))
        for name, w, g in zip(names, weights, gradients, strict=True)
    }


def end_epoch(state: TrainState, n_rows: int) -> None:
    """Record the epoch's mean loss and start the next epoch; stop on a non-finite loss."""
    state.epoch_losses.append(state.loss_sum / n_rows)
    state.epoch += 1
    state.position, state.loss_sum, state.order = 0, 0.0, state.order[:0]
    log.debug("epoch %d: train loss %.4f", state.epoch, state.epoch_losses[-1])
    if not np.isfinite(state.epoch_losses[-1]):
        raise DivergedError(
            f"train loss became {state.epoch_losses[-1]} in epoch {state.epoch}; "
            "lower train.learning_rate"
        )


def checkpoint(state: TrainState, params: TrainParams) -> Checkpoint:
    """The whole TrainState as named arrays and JSON metadata, for Run to save."""
    arrays: dict[str, NDArray[Any]] = dict(
        zip(parameter_names(state.model), parameters(state.model), strict=True)
    )
    arrays |= {f"velocity{i}": v for i, v in enumerate(state.velocities)}
    arrays["order"] = state.order
    meta = {
        "epoch": state.epoch,
        "step": state.step,
        "position": state.position,
        "loss_sum": state.loss_sum,
        "epoch_losses": state.epoch_losses,
        "rng": state.rng.bit_generator.state,
        "params": params.model_dump(),
    }
    return arrays, meta


def load_checkpoint(path: Path) -> TrainState:
    """The TrainState saved from `checkpoint`; fit(resume=path) continues from it."""
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
