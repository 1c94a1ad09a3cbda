"""Classification metrics in numpy: what the evaluate and test stages report.

All take the true labels y (0 or 1) and the predicted probabilities p of the positive
class. Written here rather than imported so each formula sits beside its code.

Read next: evaluate.py.
"""

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


def log_loss(y: Array, p: Array, eps: float = 1e-12) -> float:
    """-mean(y log p + (1 - y) log(1 - p)), with p kept inside [eps, 1 - eps]."""
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def roc_auc(y: Array, p: Array) -> float:
    """P(score of a random positive > score of a random negative), ties counting one half.

    Mann-Whitney: AUC = (sum of positive ranks - n_pos (n_pos + 1) / 2) / (n_pos n_neg),
    with tied scores given their average rank.
    """
    n_positive = int(y.sum())
    n_negative = len(y) - n_positive
    if n_positive == 0 or n_negative == 0:
        raise ValueError("roc_auc needs both classes in y")
    _, inverse, counts = np.unique(p, return_inverse=True, return_counts=True)
    # average rank of each distinct score: ranks start at 1
    upper = np.cumsum(counts)
    average_rank = upper - (counts - 1) / 2.0
    ranks = average_rank[inverse]
    return float(
        (ranks[y == 1].sum() - n_positive * (n_positive + 1) / 2) / (n_positive * n_negative)
    )


def confusion(y: Array, p: Array, threshold: float) -> dict[str, int]:
    """Counts of true/false positives/negatives when p >= threshold predicts positive."""
    predicted = p >= threshold
    actual = y == 1
    return {
        "true_positive": int(np.sum(predicted & actual)),
        "false_positive": int(np.sum(predicted & ~actual)),
        "true_negative": int(np.sum(~predicted & ~actual)),
        "false_negative": int(np.sum(~predicted & actual)),
    }


def classification_report(y: Array, p: Array, threshold: float) -> dict[str, float | int]:
    """The metrics the stages write: ranking quality, calibration and the decisions at threshold."""
    counts = confusion(y, p, threshold)
    tp, fp, fn = counts["true_positive"], counts["false_positive"], counts["false_negative"]
    return {
        "n_rows": len(y),
        "positive_rate": float(y.mean()),
        "roc_auc": roc_auc(y, p),
        "log_loss": log_loss(y, p),
        "accuracy": float(np.mean((p >= threshold) == (y == 1))),
        # precision = tp / (tp + fp); recall = tp / (tp + fn); 0 when undefined
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "threshold": threshold,
        **counts,
    }
