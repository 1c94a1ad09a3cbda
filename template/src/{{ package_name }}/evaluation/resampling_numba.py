"""The compiled twin of resampling.resampled_means_plain: the same rows, the same estimates,
without a (B, n) array, compiled by numba.

One loop per resample draws its rows one by one and adds up the values it draws: nothing
but the B estimates is written to memory, so memory stays flat however many rows and
resamples there are. `parallel=True` spreads the resamples over the CPU cores (`prange`;
NUMBA_NUM_THREADS sets how many), and `cache=True` keeps the machine code in __pycache__
beside this file, so the compilation (seconds) happens once per machine and per change
of this file; later processes load it.

Only resampling.compiled_kernel imports this module, when numba is installed and a
bootstrap is large enough, so numba stays out of every stage's start-up.

Read next: metrics.py.
"""

import numpy as np
from numba import njit, prange

from ..core.types import Array
from .resampling import GAMMA, LOW_32, MIX_1, MIX_2


@njit(cache=True)  # type: ignore[misc]  # numba has no type hints
def splitmix64(state: np.uint64) -> np.uint64:
    """SplitMix64's output for one state: two xor-shift-multiply rounds and a xor-shift."""
    z = (state ^ (state >> np.uint64(30))) * MIX_1
    z = (z ^ (z >> np.uint64(27))) * MIX_2
    return z ^ (z >> np.uint64(31))  # type: ignore[no-any-return]


@njit(cache=True, parallel=True)  # type: ignore[misc]
def resampled_means_numba(columns: Array, weights: Array, seed: np.uint64, first: int) -> Array:
    """estimate_b = sum_k weights[b, k] * mean_i columns[k, row_bi]; resampling.py has the draws."""
    n_columns, n = columns.shape
    rows = np.uint64(n)
    pairs = (n + 1) // 2  # m: each 64-bit number z gives two rows
    estimates = np.empty(weights.shape[0])
    for b in prange(weights.shape[0]):
        counter = np.uint64(first + b) * np.uint64(pairs)  # b m, before the first number
        estimate = 0.0
        for k in range(n_columns):
            values = columns[k]
            total = 0.0
            for j in range(pairs):
                z = splitmix64(seed + (counter + np.uint64(j + 1)) * GAMMA)
                # row 2j from the high half u of z, row 2j + 1 from the low: (u n) >> 32
                total += values[((z >> np.uint64(32)) * rows) >> np.uint64(32)]
                if 2 * j + 1 < n:
                    total += values[((z & LOW_32) * rows) >> np.uint64(32)]
            estimate += weights[b, k] * (total / n)
        estimates[b] = estimate
    return estimates
