"""The kinds of model this project can train and load, by name.

A saved model names its family in its metadata, so `load_model` reads any of them back
without the caller knowing which it is. To add a kind of model, write its module (a
Model, and a `fit` like sgd.py's) and add one line to FAMILIES; set TRAINED to its name
to have the train stage fit it.

Read next: train.py, the stage.
"""

import json
from pathlib import Path
from typing import Final

import numpy as np

from ..core.errors import DataError, MissingInputError
from . import mlp, sgd
from .interface import Model, ModelFamily

FAMILIES: Final[dict[str, ModelFamily]] = {
    family.name: family for family in (ModelFamily(mlp.NAME, fit=sgd.fit, load=mlp.load),)
}
TRAINED = mlp.NAME  # the family the train stage fits


def trained() -> ModelFamily:
    """The family the train stage fits (and `evaluate compare` and distillation too)."""
    return FAMILIES[TRAINED]


def family_of(path: Path) -> str:
    """The family a saved model names in its metadata (models saved before there were
    families are MLPs)."""
    if not path.exists():
        raise MissingInputError(f"{path}: not found; run the train stage first")
    try:
        with np.load(path, allow_pickle=False) as stored:
            metadata = json.loads(str(stored["metadata"])) if "metadata" in stored.files else {}
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: not a saved model (.npz): {error}") from None
    return str(metadata.get("family", mlp.NAME))


def load_model(path: Path) -> Model:
    """Any saved model, loaded by its own family."""
    name = family_of(path)
    if name not in FAMILIES:
        known = ", ".join(sorted(FAMILIES))
        raise DataError(f"{path}: a model of family {name!r}, not in registry.py ({known})")
    return FAMILIES[name].load(path)
