"""The pipeline's stages in order, by the names dvc.yaml and the command line use.

Every stage is `run(params, root)`: read inputs under `root`, compute, write outputs.
"""

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Final

from .config import Params
from .data import featurize, ingest, prepare, split
from .evaluation import evaluate, holdout
from .models import train

Stage = Callable[[Params, Path], None]


class StageName(StrEnum):
    """The stage names of dvc.yaml, in pipeline order."""

    INGEST = "ingest"
    PREPARE = "prepare"
    SPLIT = "split"
    FEATURIZE = "featurize"
    TRAIN = "train"
    EVALUATE = "evaluate"
    TEST = "test"


STAGES: Final[dict[StageName, Stage]] = {
    StageName.INGEST: ingest.run,
    StageName.PREPARE: prepare.run,
    StageName.SPLIT: split.run,
    StageName.FEATURIZE: featurize.run,
    StageName.TRAIN: train.run,
    StageName.EVALUATE: evaluate.run,
    StageName.TEST: holdout.run,
}
