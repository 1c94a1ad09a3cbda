"""The statistics behind `<package> evaluate compare`, in numpy and the standard library.

- seed_and_row_bootstrap: resamples both seeds and validation rows, so an interval
  holds the spread from training randomness and from which customers were sampled;
- mcnemar_exact / mcnemar_chi2: do two decision rules make different mistakes on the
  same rows? Only the discordant rows count: b (first right, second wrong), c (the reverse);
- holm: adjusts p-values when several comparisons are made at once.

Read next: compare.py.
"""

import math

import numpy as np

from ..core.types import Array
from .resampling import resampled_means


def seed_and_row_bootstrap(
    values: Array, n_resamples: int, row_seed: int, rng: np.random.Generator
) -> Array:
    """Bootstrap estimates of mean(values) for values of shape (seeds, n rows).

    Per resample b: seeds drawn with replacement give weights w_b (how often each seed was
    drawn / K), and n rows are drawn (resampling.py); estimate_b = mean over the drawn rows
    of (w_b @ values). The same row_seed draws the same rows for every configuration, which
    pairs them on the same customers.
    """
    n_seeds = values.shape[0]
    picks = rng.integers(0, n_seeds, size=(n_resamples, n_seeds))
    weights = np.zeros((n_resamples, n_seeds))
    np.add.at(weights, (np.arange(n_resamples)[:, None], picks), 1.0 / n_seeds)
    return resampled_means(values, weights, row_seed)


def bootstrap_p_value(differences: Array) -> float:
    """Two-sided p-value of "no difference" from bootstrap estimates of a difference:
    p = 2 min(P(d <= 0), P(d >= 0)), each share counted as (k + 1) / (B + 1), at most 1."""
    n = len(differences)
    below = (np.sum(differences <= 0) + 1) / (n + 1)
    above = (np.sum(differences >= 0) + 1) / (n + 1)
    return float(min(1.0, 2 * min(below, above)))


def mcnemar_exact(b: int, c: int) -> float:
    """Exact McNemar p-value: under "same error rate", b ~ Binomial(b + c, 1/2), so
    p = min(1, 2 P(X <= min(b, c))) = min(1, 2 sum_{k <= min(b,c)} C(b+c, k) / 2^(b+c))."""
    n = b + c
    if n == 0:
        return 1.0
    # C(n, k + 1) = C(n, k) (n - k) / (k + 1), exact in integers at every step
    term = tail = 1
    for k in range(min(b, c)):
        term = term * (n - k) // (k + 1)
        tail += term
    p: float = 2 * tail / 2**n  # exact integers, one rounding at the end: no underflow
    return min(1.0, p)


def mcnemar_chi2(b: int, c: int) -> tuple[float, float]:
    """McNemar's chi-squared with continuity correction and its p-value (1 degree of freedom):
    chi2 = (|b - c| - 1)^2 / (b + c); P(X > chi2) = erfc(sqrt(chi2 / 2)) for chi2 with 1 df."""
    if b + c == 0:
        return 0.0, 1.0
    statistic = max(abs(b - c) - 1, 0) ** 2 / (b + c)
    return statistic, math.erfc(math.sqrt(statistic / 2))


def holm(p_values: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the input order.

    Sorted ascending, p_(i) becomes max over j <= i of min(1, (m - j + 1) p_(j)), i counted
    from 1; rejecting where adjusted p < alpha keeps the family-wise error rate <= alpha.
    """
    m = len(p_values)
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(sorted(range(m), key=lambda i: p_values[i])):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
