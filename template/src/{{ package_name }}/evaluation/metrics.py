"""Classification metrics in numpy: what the evaluate and test stages report.

All take the true labels y (0 or 1) and the predicted probabilities p of the positive
class. Written here rather than imported so each formula sits beside its code.

Read next: baselines.py.
"""

import numpy as np

from ..core.types import Array


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


def average_precision(y: Array, p: Array) -> float:
    """The area under the precision-recall curve (PR AUC), as a step sum over thresholds.

    AP = sum_k (R_k - R_{k-1}) P_k, with P_k and R_k the precision and recall when the rows
    scoring at or above the k-th highest distinct score are called positive.
    """
    n_positive = int(y.sum())
    if n_positive == 0:
        raise ValueError("average_precision needs at least one positive in y")
    order = np.argsort(-p, kind="stable")
    scores, hits = p[order], y[order]
    # the last position of each run of tied scores: thresholds fall only there
    last = np.flatnonzero(np.concatenate([scores[:-1] > scores[1:], [True]]))
    true_positives = np.cumsum(hits)[last]
    precision = true_positives / (last + 1)
    recall = true_positives / n_positive
    return float(np.sum(np.diff(recall, prepend=0.0) * precision))


def brier(y: Array, p: Array) -> float:
    """mean((p - y)^2): 0 is perfect, 0.25 is a constant guess of one half."""
    return float(np.mean((p - y) ** 2))


def calibration_curve(y: Array, p: Array, n_bins: int) -> list[dict[str, float | int]]:
    """Per equal-width bin of p that holds rows: mean predicted p, observed rate, row count.

    A calibrated model has observed close to predicted in every bin; the chosen threshold
    is only as good as the probabilities it cuts.
    """
    bins = np.minimum((p * n_bins).astype(np.int64), n_bins - 1)  # p = 1 joins the last bin
    counts = np.bincount(bins, minlength=n_bins)
    predicted = np.bincount(bins, weights=p, minlength=n_bins)
    observed = np.bincount(bins, weights=y, minlength=n_bins)
    return [
        {
            "bin": int(b),
            "predicted": float(predicted[b] / counts[b]),
            "observed": float(observed[b] / counts[b]),
            "rows": int(counts[b]),
        }
        for b in np.flatnonzero(counts)
    ]


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
    """The standard metrics: ranking (ROC and PR AUC), probability quality (log loss,
    Brier) and the confusion matrix of the decisions at `threshold`."""
    counts = confusion(y, p, threshold)
    tp, fp, fn = counts["true_positive"], counts["false_positive"], counts["false_negative"]
    return {
        "n_rows": len(y),
        "positive_rate": float(y.mean()),
        "roc_auc": roc_auc(y, p),
        "pr_auc": average_precision(y, p),
        "log_loss": log_loss(y, p),
        "brier": brier(y, p),
        "accuracy": float(np.mean((p >= threshold) == (y == 1))),
        # precision = tp / (tp + fp); recall = tp / (tp + fn); 0 when undefined
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "threshold": threshold,
        **counts,
    }
