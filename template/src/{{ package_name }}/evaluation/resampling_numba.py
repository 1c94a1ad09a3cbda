"""The compiled twin of resampling.resampled_means_plain: the same rows, the same estimates,
without a (B, n) array, compiled by numba.

One loop per resample draws its rows one by one and adds up the values it draws (again
for each seed's column: drawing is cheaper than reading K values a row apart). Only the
B estimates are written to memory, so memory stays flat whatever the size.
`parallel=True` spreads the resamples over the CPU cores (`prange`; NUMBA_NUM_THREADS
sets how many), and `cache=True` keeps the machine code in __pycache__ beside this file,
so the compilation (seconds) happens once per machine and per change of this file; later
processes load it. numba's `njit` has no type hints: mypy calls it an untyped decorator
when numba is installed, and sees nothing when it is not, hence the two-sided ignores.

Only resampling.compiled_kernel imports this module, when numba is installed and a
bootstrap is large enough, so numba stays out of every stage's start-up.

Read next: metrics.py.
"""

import numpy as np
from numba import njit, prange

from ..core.types import Array
from .resampling import GAMMA, LOW_32, MIX_1, MIX_2

SHIFT_32 = np.uint64(32)


@njit(cache=True)  # type: ignore[untyped-decorator,unused-ignore]  # see above
def splitmix64(state: np.uint64) -> np.uint64:
    """SplitMix64's output for one state: two xor-shift-multiply rounds and a xor-shift."""
    z = (state ^ (state >> np.uint64(30))) * MIX_1
    z = (z ^ (z >> np.uint64(27))) * MIX_2
    return z ^ (z >> np.uint64(31))


@njit(cache=True, parallel=True)  # type: ignore[untyped-decorator,unused-ignore]
def resampled_means_numba(columns: Array, weights: Array, seed: np.uint64, first: int) -> Array:
    """estimate_b = sum_k weights[b, k] * mean_i columns[k, row_bi]; resampling.py has the draws."""
    n_columns, n = columns.shape
    size = np.uint64(n)
    pairs = (n + 1) // 2  # m: each 64-bit number z gives two rows
    estimates = np.empty(weights.shape[0])
    for b in prange(weights.shape[0]):
        # number b m + j + 1 is SplitMix64(seed + (b m + j + 1) gamma), as in draw_rows
        start = seed + np.uint64(first + b) * np.uint64(pairs) * GAMMA
        estimate = 0.0
        for k in range(n_columns):
            values = columns[k]
            total = 0.0
            for j in range(n // 2):
                z = splitmix64(start + np.uint64(j + 1) * GAMMA)
                # row 2j from the high half u of z, row 2j + 1 from the low: (u n) >> 32
                total += values[((z >> SHIFT_32) * size) >> SHIFT_32]
                total += values[((z & LOW_32) * size) >> SHIFT_32]
            if n % 2:  # an odd n uses the high half of the last number only
                z = splitmix64(start + np.uint64(pairs) * GAMMA)
                total += values[((z >> SHIFT_32) * size) >> SHIFT_32]
            estimate += weights[b, k] * (total / n)
        estimates[b] = estimate
    return estimates
