"""A small multilayer perceptron for a yes/no outcome, forward and backward by hand.

    h = relu(X W1 + b1)          (n, d) -> (n, hidden)
    z = h W2 + b2                (n, hidden) -> (n,)   the logit of P(positive)
    p = sigmoid(z)

With hidden_units = 0 there is no hidden layer and z = X W + b: logistic regression.
The core is yours to change (a second layer, another loss): the gradient check in
tests/test_model.py tells you at once whether the backward pass still matches.

Read next: sgd.py, its training loop.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from ..core.errors import MissingInputError
from ..core.io import atomic_write
from ..core.types import Array

NAME: Final = "mlp"  # the family name saved with the weights (registry.py)


@dataclass
class MLP:
    """The weights, by layer. `hidden` is empty for logistic regression.

    It is a `Model` (interface.py): it predicts and saves itself."""

    hidden: list[tuple[Array, Array]] = field(default_factory=list)  # (W, b) per hidden layer
    output: tuple[Array, Array] = field(default_factory=lambda: (np.zeros((0, 1)), np.zeros(1)))

    def predict_proba(self, features: Array) -> Array:
        """P(positive) per row: sigmoid of the logits."""
        z, _ = logits(self, features)
        return sigmoid(z)

    def save(self, path: Path, metadata: Mapping[str, Any]) -> None:
        """Write the weights and a description of how they were made, atomically (.npz)."""
        arrays: dict[str, Any] = {"output_w": self.output[0], "output_b": self.output[1]}
        for i, (w, b) in enumerate(self.hidden):
            arrays[f"hidden{i}_w"], arrays[f"hidden{i}_b"] = w, b
        described = json.dumps({**metadata, "family": NAME}, sort_keys=True)
        with atomic_write(path) as handle:
            np.savez(handle, metadata=np.array(described), **arrays)


def init_mlp(n_features: int, hidden_units: int, base_rate: float, seed: int) -> MLP:
    """He-initialised hidden layer; the output starts at the base rate, so the first loss
    is the entropy of the labels rather than a confident guess (Karpathy's 'init well')."""
    rng = np.random.default_rng(seed)
    hidden = []
    width = n_features
    if hidden_units > 0:
        # W1 ~ N(0, 2 / d): keeps the variance of relu activations near that of the input
        w1 = rng.normal(0.0, np.sqrt(2.0 / n_features), size=(n_features, hidden_units))
        hidden.append((w1, np.zeros(hidden_units)))
        width = hidden_units
    # b2 = log(r / (1 - r)), so sigmoid(z) = r for every row while W2 is near zero
    rate = min(max(base_rate, 1e-6), 1 - 1e-6)
    w2 = rng.normal(0.0, 0.01, size=(width, 1))
    b2 = np.array([np.log(rate / (1.0 - rate))])
    return MLP(hidden=hidden, output=(w2, b2))


def logits(model: MLP, features: Array) -> tuple[Array, list[Array]]:
    """The logit z per row, and the activations the backward pass needs."""
    activations = [features]
    for w, b in model.hidden:
        activations.append(np.maximum(activations[-1] @ w + b, 0.0))
    w, b = model.output
    return (activations[-1] @ w + b)[:, 0], activations


def sigmoid(z: Array) -> Array:
    """1 / (1 + exp(-z)), computed without overflow for large |z|."""
    return np.exp(-np.logaddexp(0.0, -z))


def per_sample_loss(z: Array, target: Array) -> Array:
    """Binary cross-entropy from logits: softplus(z) - y z, stable for any z."""
    return np.logaddexp(0.0, z) - target * z


@dataclass
class Gradients:
    """dLoss/dweight for every weight of an MLP, in the same layout."""

    hidden: list[tuple[Array, Array]]
    output: tuple[Array, Array]


def loss_and_gradients(
    model: MLP, features: Array, target: Array, l2: float
) -> tuple[float, Array, Gradients]:
    """Mean loss + (l2 / 2) * sum of squared weights, the per-row losses, and the gradients."""
    n = len(target)
    z, activations = logits(model, features)
    losses = per_sample_loss(z, target)
    weights = [w for w, _ in model.hidden] + [model.output[0]]
    loss = float(losses.mean() + 0.5 * l2 * sum(float((w * w).sum()) for w in weights))

    # dL/dz = (sigmoid(z) - y) / n                       (n, 1)
    delta = ((sigmoid(z) - target) / n)[:, None]
    w_out, _ = model.output
    output_grads = (activations[-1].T @ delta + l2 * w_out, delta.sum(axis=0))
    hidden_grads: list[tuple[Array, Array]] = []
    upstream = w_out
    for layer in reversed(range(len(model.hidden))):
        # dL/dh = delta W^T, through relu: zero where the unit was off
        delta = (delta @ upstream.T) * (activations[layer + 1] > 0)
        w, _ = model.hidden[layer]
        hidden_grads.insert(0, (activations[layer].T @ delta + l2 * w, delta.sum(axis=0)))
        upstream = w
    return loss, losses, Gradients(hidden=hidden_grads, output=output_grads)


def load(path: Path) -> MLP:
    """Read a model written by MLP.save."""
    if not path.exists():
        raise MissingInputError(f"{path}: not found; run the train stage first")
    with np.load(path, allow_pickle=False) as stored:
        n_hidden = sum(1 for name in stored.files if name.endswith("_w")) - 1
        hidden = [(stored[f"hidden{i}_w"], stored[f"hidden{i}_b"]) for i in range(n_hidden)]
        return MLP(hidden=hidden, output=(stored["output_w"], stored["output_b"]))
