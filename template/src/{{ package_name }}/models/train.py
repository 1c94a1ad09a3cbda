"""Stage 5, train: fit the MLP with mini-batch SGD and momentum, seeded end to end.

The loop, for each epoch:
  1. shuffle the train rows (seeded, so the same params give the same model);
  2. for each batch: forward, loss and gradients (mlp.py), then the momentum step
         v <- momentum * v - learning_rate * g
         w <- w + v
  3. record the mean train loss of the epoch.
The model is saved to models/model.npz with the params that made it, and the loss
curve to reports/train_metrics.json for `dvc metrics show`.

Read next: ../evaluation/evaluate.py.
"""

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config import Params, TrainParams
from ..console import progress_bar
from ..data.io import load_array, save_json
from ..paths import FEATURES_FILE, FEATURES_TRAIN, MODEL, TARGET_FILE, TRAIN_METRICS
from .mlp import MLP, Array, init_mlp, loss_and_gradients, save_model

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainResult:
    model: MLP
    epoch_losses: list[float]  # mean train loss of each epoch, in order


def _parameters(model: MLP) -> Iterator[Array]:
    """Every weight array of the model, in a fixed order (updated in place)."""
    for w, b in model.hidden:
        yield w
        yield b
    yield from model.output


def train(features: Array, target: Array, params: TrainParams) -> TrainResult:
    """Fit an MLP on (features, target); the same params give the same model."""
    n_rows, n_features = features.shape
    rng = np.random.default_rng(params.seed)
    model = init_mlp(n_features, params.hidden_units, float(target.mean()), params.seed)
    velocities = [np.zeros_like(p) for p in _parameters(model)]
    epoch_losses = []
    n_batches = -(-n_rows // params.batch_size)
    with progress_bar() as bar:
        task = bar.add_task("train", total=params.epochs * n_batches)
        for epoch in range(params.epochs):
            order = rng.permutation(n_rows)
            batch_losses = []
            for start in range(0, n_rows, params.batch_size):
                rows = order[start : start + params.batch_size]
                loss, _, grads = loss_and_gradients(model, features[rows], target[rows], params.l2)
                gradients = [g for layer in grads.hidden for g in layer] + list(grads.output)
                for weight, velocity, gradient in zip(
                    _parameters(model), velocities, gradients, strict=True
                ):
                    velocity *= params.momentum
                    velocity -= params.learning_rate * gradient
                    weight += velocity
                batch_losses.append(loss * len(rows))
                bar.advance(task)
            epoch_losses.append(sum(batch_losses) / n_rows)
            log.debug("epoch %d: train loss %.4f", epoch + 1, epoch_losses[-1])
            if not np.isfinite(epoch_losses[-1]):
                raise FloatingPointError(
                    f"train loss became {epoch_losses[-1]} in epoch {epoch + 1}; "
                    "lower train.learning_rate"
                )
    return TrainResult(model=model, epoch_losses=epoch_losses)


def run(params: Params, root: Path) -> None:
    """Train on data/features/train and write models/model.npz."""
    features = np.asarray(load_array(root / FEATURES_TRAIN / FEATURES_FILE))
    target = np.asarray(load_array(root / FEATURES_TRAIN / TARGET_FILE), dtype=np.float64)
    result = train(features, target, params.train)
    save_model(result.model, root / MODEL, metadata={"train": params.train.model_dump()})
    save_json(
        root / TRAIN_METRICS,
        {"train_loss": result.epoch_losses[-1], "epochs": len(result.epoch_losses)},
    )
    log.info(
        "trained for %d epochs, final train loss %.4f", params.train.epochs, result.epoch_losses[-1]
    )
