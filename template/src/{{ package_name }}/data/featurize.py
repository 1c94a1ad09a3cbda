"""Stage 4, featurize: turn parsed columns into the model-ready matrix, fitted on train only.

Numeric columns: missing values are imputed with the train median, then standardised
with the train mean and standard deviation and clipped. Categorical columns are one-hot
encoded with the categories seen in train; a missing or unseen category is all zeros.
Every statistic comes from the train split alone: fitting on validation or test rows
would leak them into the model and flatter every later score (tests/test_featurize.py
checks that changing the test rows changes nothing that was fitted).

The fitted Featurizer is saved to models/featurizer.json, so serving applies exactly
the transformation the model was trained on. Read next: ../models/interface.py.
"""

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from ..core.config import FeaturizeParams, Params
from ..core.io import load_array, load_json, save_arrays, save_json
from ..core.paths import (
    CATEGORICAL_FILE,
    FEATURES_FILE,
    FEATURES_SPLITS,
    FEATURIZER,
    INTERIM_COLUMNS,
    NUMERIC_FILE,
    PROCESSED_SPLITS,
    SPLITS,
    TARGET_FILE,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Featurizer:
    """Everything learned from the train split; apply it with `transform`."""

    medians: list[float]  # per numeric column, for imputation
    means: list[float]  # per numeric column, after imputation
    scales: list[float]  # per numeric column: standard deviation, 1 where it is 0
    categories: list[list[int]]  # per categorical column: the codes seen in train
    clip: float
    feature_names: list[str]
    numeric_columns: list[str]  # the raw columns it was fitted on, in order
    vocabularies: dict[str, list[str]]  # category column -> the contract's categories then

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(**data)


def fit(
    numeric: NDArray[np.float64],
    categorical: NDArray[np.int32],
    params: FeaturizeParams,
    column_names: tuple[list[str], list[str]],
    vocabularies: dict[str, list[str]],
) -> Featurizer:
    """Learn imputation, scaling and the one-hot vocabulary from the train rows given."""
    # the median of each column's present values; 0 for a column empty in train
    medians = np.array(
        [np.median(c[~np.isnan(c)]) if (~np.isnan(c)).any() else 0.0 for c in numeric.T]
    )
    imputed = np.where(np.isnan(numeric), medians, numeric)
    means = imputed.mean(axis=0)
    scales = imputed.std(axis=0)
    scales = np.where(scales > 0, scales, 1.0)
    numeric_names, categorical_names = column_names
    categories = [sorted(int(c) for c in np.unique(column) if c >= 0) for column in categorical.T]
    feature_names = list(numeric_names) + [
        f"{name}={vocabularies[name][code]}"
        for name, codes in zip(categorical_names, categories, strict=True)
        for code in codes
    ]
    return Featurizer(
        medians=medians.tolist(),
        means=means.tolist(),
        scales=scales.tolist(),
        categories=categories,
        clip=params.clip,
        feature_names=feature_names,
        numeric_columns=list(numeric_names),
        vocabularies={name: list(vocabularies[name]) for name in categorical_names},
    )


def transform(
    featurizer: Featurizer, numeric: NDArray[np.float64], categorical: NDArray[np.int32]
) -> NDArray[np.float64]:
    """Apply a fitted Featurizer: (n, numeric + categorical columns) -> (n, features)."""
    imputed = np.where(np.isnan(numeric), featurizer.medians, numeric)
    # z = clip((x - mean) / scale, -clip, clip)
    standardised = np.clip(
        (imputed - featurizer.means) / featurizer.scales, -featurizer.clip, featurizer.clip
    )
    # one column per (categorical column, category seen in train): 1 where the row has it
    one_hot = [
        (column[:, None] == np.asarray(codes)[None, :]).astype(np.float64)
        for column, codes in zip(categorical.T, featurizer.categories, strict=True)
    ]
    return np.hstack([standardised, *one_hot])


def run(params: Params, root: Path) -> None:
    """Fit on data/processed/train, then write data/features/<split>/ for every split."""
    columns = load_json(root / INTERIM_COLUMNS)
    train = root / PROCESSED_SPLITS["train"]
    featurizer = fit(
        load_array(train / NUMERIC_FILE),
        load_array(train / CATEGORICAL_FILE),
        params.featurize,
        column_names=(columns["numeric"]["columns"], columns["categorical"]["columns"]),
        vocabularies=columns["categorical"]["vocabularies"],
    )
    save_json(root / FEATURIZER, featurizer.to_dict())
    for split in SPLITS:
        source = root / PROCESSED_SPLITS[split]
        features = transform(
            featurizer, load_array(source / NUMERIC_FILE), load_array(source / CATEGORICAL_FILE)
        )
        save_arrays(
            root / FEATURES_SPLITS[split],
            {FEATURES_FILE: features, TARGET_FILE: np.asarray(load_array(source / TARGET_FILE))},
        )
        log.info("%s: %d rows x %d features", split, *features.shape)
