"""The outcome criterion: money saved by the retention offers, against doing nothing.

A customer who would churn (y = 1) and is left alone is lost, with value V. Offering the
retention offer costs C, whoever receives it, and a churner accepts it (and stays) with
probability a. So, against doing nothing, offering to one customer saves a V y - C, and
a decision rule that offers to the rows with offer = 1 saves, per 1,000 customers,

    money_saved = 1000 / n * sum_i offer_i (a V y_i - C)

This is what the model is for, so it is what the threshold is chosen to maximise and
what models are compared on; the loss (log loss) only trains them. Everything else calls
`savings_per_row`: replace it (and the `outcome` section of params.yaml and config.py)
to put your own outcome in its place (docs: "Evaluation criteria").

Read next: resampling.py.
"""

import numpy as np
from numpy.typing import NDArray

from ..core.config import OutcomeParams
from ..core.types import Array
from .resampling import resampled_means

PER_CUSTOMERS = 1000  # the criterion is reported per this many customers


def savings_per_row(y: Array, offer: NDArray[np.bool_], outcome: OutcomeParams) -> Array:
    """Money each row saves against doing nothing: offer (a V y - C), in the units of V."""
    # gain_i = a V y_i - C: what an offer to row i is worth, whether or not it is made
    gain = outcome.acceptance_rate * outcome.customer_value * y - outcome.offer_cost
    return np.where(offer, gain, 0.0)


def money_saved(y: Array, offer: NDArray[np.bool_], outcome: OutcomeParams) -> float:
    """Money saved per 1,000 customers: 1000 / n * sum_i offer_i (a V y_i - C)."""
    return float(PER_CUSTOMERS * savings_per_row(y, offer, outcome).mean())


def choose_threshold(y: Array, p: Array, outcome: OutcomeParams) -> float:
    """The threshold t that maximises money saved when rows with p >= t get the offer.

    Sorting the rows by p, highest first, offering to the top k saves the cumulative sum
    of their gains (savings_per_row with every row offered); the best k is the argmax
    over k = 0..n, cut only between distinct scores (tied rows are all offered or none).
    t is the midpoint between the last score offered and the next; 0 offers everyone, and
    just above 1 offers no one.
    """
    order = np.argsort(-p, kind="stable")
    scores = p[order]
    # what an offer to each row would save, in score order: a V y - C for the churn example
    gain = savings_per_row(y[order], np.ones(len(y), dtype=np.bool_), outcome)
    # saved[k] = sum of the gains of the k highest scores; saved[0] = 0 (offer no one)
    saved = np.concatenate([[0.0], np.cumsum(gain)])
    # a cut after position k is allowed only where the score changes (or at either end)
    allowed = np.concatenate([[True], scores[:-1] > scores[1:], [True]])
    k = int(np.argmax(np.where(allowed, saved, -np.inf)))
    if k == 0:
        return float(np.nextafter(1.0, 2.0))  # p <= 1 always, so no one is offered
    if k == len(scores):
        return 0.0
    return float((scores[k - 1] + scores[k]) / 2)


def bootstrap_interval(
    values: Array, n_resamples: int, confidence: float, seed: int
) -> tuple[float, float]:
    """Percentile bootstrap interval of PER_CUSTOMERS * mean(values), rows resampled.

    Each of the n_resamples resamples draws n rows with replacement (resampling.py, the
    slowest step of the evaluate stage), and the interval is the middle `confidence` of
    their means. The same seed draws the same rows whatever the values, so the decision
    rules scored with one seed are resampled on the same customers.
    """
    means = resampled_means(values[None, :], np.ones((n_resamples, 1)), seed)
    return percentile_interval(PER_CUSTOMERS * means, confidence)


def percentile_interval(estimates: Array, confidence: float) -> tuple[float, float]:
    """The middle `confidence` share of bootstrap estimates, e.g. their 2.5% and 97.5% points."""
    tail = (1 - confidence) / 2
    low, high = np.quantile(estimates, [tail, 1 - tail])
    return float(low), float(high)
