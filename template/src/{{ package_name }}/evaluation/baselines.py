"""The baselines every evaluation reports beside the model, in the same table.

- do nothing: no one gets an offer; it saves 0 by definition, the criterion's zero;
- offer everyone: every customer gets the offer;
- logistic regression: scikit-learn's, fitted on the same train features, its threshold
  chosen on validation like the model's. A model that cannot beat a linear one on the
  same features is not yet worth its complexity.

The fitted baseline is stored as plain numbers (models/baseline.json) and applied in
numpy, so the test stage needs no pickle. scikit-learn is imported only to fit: it
takes seconds to import, and every other command would pay for it.

Read next: evaluate.py.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.io import load_json, save_json
from ..core.types import Array


@dataclass(frozen=True)
class LinearModel:
    """P(positive) = sigmoid(X coef + intercept)."""

    coef: Array  # (n_features,)
    intercept: float

    def predict_proba(self, features: Array) -> Array:
        """P(positive) per row; sigmoid(z) = exp(-log(1 + exp(-z))), stable for any z."""
        z = features @ self.coef + self.intercept
        probabilities: Array = np.exp(-np.logaddexp(0.0, -z))
        return probabilities


def fit_logistic_regression(features: Array, target: Array, c: float) -> LinearModel:
    """scikit-learn's L2-regularised logistic regression (lbfgs); c is its inverse strength."""
    from sklearn.linear_model import LogisticRegression  # imported here: slow, see above

    fitted = LogisticRegression(C=c, max_iter=1000).fit(features, target)
    return LinearModel(coef=np.asarray(fitted.coef_[0]), intercept=float(fitted.intercept_[0]))


def save_linear(model: LinearModel, path: Path) -> None:
    save_json(path, {"coef": model.coef.tolist(), "intercept": model.intercept})


def load_linear(path: Path) -> LinearModel:
    raw = load_json(path)
    return LinearModel(coef=np.asarray(raw["coef"], dtype=np.float64), intercept=raw["intercept"])
