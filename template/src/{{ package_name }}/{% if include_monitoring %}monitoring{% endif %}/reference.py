"""Stage 8, reference: the training distributions that drift is measured against.

For each feature column of the train split (named by data/interim/columns.json, which
prepare wrote from the data contract), and for the model's output on it, this
stores what drift.py needs: numeric columns get ten quantile bins with their shares (for
PSI) and a random sample of values (for the Kolmogorov-Smirnov test); categorical
columns get the share of each category by name (for PSI and chi-squared), missing values
as their own category. The output gets the same as a numeric column, plus the share of
rows offered at the frozen threshold: the positive-prediction rate to watch over time.
All of it goes to models/reference.json, deployed beside the model.

Read next: drift.py.
"""

import logging
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.config import Params
from ..core.errors import ConfigError
from ..core.io import load_array, load_json, save_json
from ..core.paths import (
    CATEGORICAL_FILE,
    FEATURES_FILE,
    FEATURES_TRAIN,
    INTERIM_COLUMNS,
    MODEL,
    NUMERIC_FILE,
    PROCESSED_TRAIN,
    REFERENCE,
    THRESHOLDS,
)
from ..models.registry import load_model, predict_file

log = logging.getLogger(__name__)

MISSING = "<missing>"  # the category of an empty cell
N_BINS = 10


def numeric_reference(values: NDArray[np.float64], sample: int, seed: int) -> dict[str, Any]:
    """Quantile bin edges and shares, and a sample, of one numeric column (NaN dropped)."""
    values = values[~np.isnan(values)]
    # inner edges at the 10%, ..., 90% quantiles; repeated edges (ties) are merged
    edges = np.unique(np.quantile(values, np.linspace(0, 1, N_BINS + 1)[1:-1]))
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    rng = np.random.default_rng(seed)
    kept = rng.choice(values, size=min(sample, len(values)), replace=False)
    return {
        "edges": edges.tolist(),
        "proportions": (counts / len(values)).tolist(),
        "sample": np.sort(kept).tolist(),
    }


def category_shares(codes: NDArray[np.integer], vocabulary: list[str]) -> dict[str, float]:
    """The share of each category (by name) among the codes of one categorical column,
    the codes counted as numbers (a name per row would take 50 bytes a row); -1 is MISSING.
    A category no row has is left out."""
    # counts[0]: code -1 (missing), counts[1 + k]: vocabulary[k]
    counts = np.bincount(np.asarray(codes, dtype=np.int64) + 1, minlength=len(vocabulary) + 1)
    names = [MISSING, *vocabulary]
    return {
        name: float(count / len(codes)) for name, count in zip(names, counts, strict=True) if count
    }


def build_reference(
    numeric: dict[str, NDArray[np.float64]],
    categorical: dict[str, dict[str, float]],
    p: NDArray[np.float64],
    threshold: float,
    sample: int,
) -> dict[str, Any]:
    """The reference from raw numeric columns and category shares (category_shares) by
    name, and the model's P(positive) on the same rows."""
    return {
        "n_rows": len(p),
        "threshold": threshold,
        "positive_rate": float(np.mean(p >= threshold)),
        "numeric": {
            c: numeric_reference(v, sample, seed=i) for i, (c, v) in enumerate(numeric.items())
        },
        "categorical": categorical,
        "output": numeric_reference(p, sample, seed=len(numeric)),
    }


def run(params: Params, root: Path) -> None:
    """Write models/reference.json from the train split and the trained model."""
    if params.monitoring is None:
        raise ConfigError("monitoring: is missing from params.yaml")
    columns = load_json(root / INTERIM_COLUMNS)
    numeric = load_array(root / PROCESSED_TRAIN / NUMERIC_FILE)
    codes = load_array(root / PROCESSED_TRAIN / CATEGORICAL_FILE)
    p = predict_file(load_model(root / MODEL).predict_proba, root / FEATURES_TRAIN / FEATURES_FILE)
    vocabularies = columns["categorical"]["vocabularies"]
    reference = build_reference(
        {
            c: np.asarray(numeric[:, j], dtype=np.float64)
            for j, c in enumerate(columns["numeric"]["columns"])
        },
        {
            c: category_shares(codes[:, j], vocabularies[c])
            for j, c in enumerate(columns["categorical"]["columns"])
        },
        p,
        float(load_json(root / THRESHOLDS)["model"]),
        params.monitoring.reference_sample,
    )
    save_json(root / REFERENCE, reference)
    log.info("reference of %d train rows written to %s", len(p), REFERENCE)
