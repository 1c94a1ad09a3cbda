"""What a trained model offers the rest of the project, whatever it is made of.

Evaluation, monitoring (the predictor, shadow runs, distillation), `evaluate compare`
and `runs resume` use a model only through these two types, so a new kind of model (a
gradient-boosted ensemble, a PyTorch network) needs its own module and one line in
registry.py, and no change anywhere else:

- `Model`: a trained model. It predicts P(positive) per row of model-ready features and
  saves itself, as an .npz whose `metadata` entry names its family (no pickle: loading
  a model never runs code from the file).
- `ModelFamily`: how to make one: `fit` a model to features and 0/1 (or soft) targets,
  recording into a run and optionally resuming from a checkpoint; `load` a saved one.

Read next: mlp.py, the numpy model.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..core.config import TrainParams
from ..core.types import Array
from ..tracking.run import NULL_RUN, Run


class Model(Protocol):
    """A trained model: scores rows and saves itself."""

    def predict_proba(self, features: Array) -> Array:
        """P(positive) per row: (n, features) -> (n,)."""
        ...

    def save(self, path: Path, metadata: Mapping[str, Any]) -> None:
        """Write the model atomically as .npz, `metadata` (JSON-ready) and its family with it."""
        ...


@dataclass(frozen=True)
class Fitted:
    """What fitting returns: the model, and the mean train loss of each epoch, in order."""

    model: Model
    epoch_losses: list[float]


class Fit(Protocol):
    """Train a model on (features, target); the same params give the same model."""

    def __call__(
        self,
        features: Array,
        target: Array,
        params: TrainParams,
        run: Run = NULL_RUN,
        resume: Path | None = None,
    ) -> Fitted: ...


@dataclass(frozen=True)
class ModelFamily:
    """A kind of model: its name (stored in every saved model), how to fit and load one."""

    name: str
    fit: Fit
    load: Callable[[Path], Model]
    # how far a model trained again may be from the recorded one (`runs reproduce`):
    # 0 is bit for bit, which numpy on a CPU gives; a GPU family needs more
    tolerance: float = 0.0
