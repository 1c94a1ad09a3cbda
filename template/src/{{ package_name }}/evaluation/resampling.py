"""Bootstrap resampling, the slowest step of evaluation: plain numpy, and compiled with numba.

Every money interval is a bootstrap: B resamples each draw n rows at random and average
them, B n random reads (4 million at the default size, for each interval). numpy can do
it only by building a (B, n) array of row numbers; profiling the stages at the default
size and at 10 times it found it evaluation's largest computation (docs: "Compiled code").
`resampled_means` is the one function the callers use. It runs the compiled kernel
(resampling_numba.py) when the numba group is installed (`uv sync --group numba`) and
the work is large enough to pay numba's start-up (or numba is loaded already), and the
plain one below otherwise. The plain kernel is the reference: tests/test_resampling.py
checks that both give the same estimates, and a change to one must be made to the other.

The rows are drawn from a counter-based generator, SplitMix64, so that both kernels draw
the very same rows and any chunk of resamples can be drawn on its own, in any order:

    z_bj = SplitMix64(seed + (b m + j + 1) gamma),   j = 0 .. m - 1,  m = ceil(n / 2)

resample b's row 2j comes from the high 32 bits u of z_bj and row 2j + 1 from the low,
as row = floor(u n / 2^32) = (u n) >> 32, exact in 64-bit integers. Each row is drawn
with probability 1/n, to within n / 2^32 of it (1e-5 relative at 40,000 rows).

Read next: resampling_numba.py.
"""

import functools
import logging
from collections.abc import Callable
from typing import Final

import numpy as np
from numpy.typing import NDArray

from ..core.types import Array

log = logging.getLogger(__name__)

# A kernel: (columns (K, n), weights (B, K), seed, first resample's number) -> (B,) estimates
Kernel = Callable[[Array, Array, np.uint64, int], Array]

# SplitMix64's increment and multipliers (Steele, Lea and Flood 2014)
GAMMA: Final = np.uint64(0x9E3779B97F4A7C15)
MIX_1: Final = np.uint64(0xBF58476D1CE4E5B9)
MIX_2: Final = np.uint64(0x94D049BB133111EB)
LOW_32: Final = np.uint64(0xFFFFFFFF)
DRAWS_PER_BLOCK = 2**18  # the plain kernel holds this many row numbers at a time
# Numba's start in a new process (import, then loading the cached kernel: about 2 s on the
# benchmark's machine) costs what the plain kernel takes for 100 to 200 million reads
# (resamples x columns x rows; benchmarks/resampling.py). A stage computes four or more
# intervals, so numba is loaded from 20 million reads a call on (ten times the example's
# size), and once loaded it runs every later bootstrap of the process.
COMPILED_FROM_READS = 20_000_000


def resampled_means(columns: Array, weights: Array, seed: int, first: int = 0) -> Array:
    """Bootstrap estimates, one per row of `weights`: for resample b (numbered first + b),

        estimate_b = sum_k weights[b, k] * mean over its n drawn rows r of columns[k, r]

    columns: (K, n) values of the same n rows, e.g. money saved per row by K seeds' models;
    weights: (B, K) how much each column counts in each resample (ones, for K = 1);
    seed: the same seed and resample numbers draw the same rows, which pairs comparisons.
    """
    columns = np.ascontiguousarray(columns, dtype=np.float64)
    weights = np.ascontiguousarray(weights, dtype=np.float64)
    if columns.ndim != 2 or columns.shape[1] == 0:
        raise ValueError(f"columns must have shape (K, n) with n >= 1, got {columns.shape}")
    if weights.ndim != 2 or weights.shape[1] != columns.shape[0]:
        raise ValueError(f"weights must have shape (B, {columns.shape[0]}), got {weights.shape}")
    large = weights.shape[0] * columns.size >= COMPILED_FROM_READS
    loaded = compiled_kernel.cache_info().currsize > 0  # numba loaded (or found missing)
    kernel = (compiled_kernel() if large or loaded else None) or resampled_means_plain
    return kernel(columns, weights, np.uint64(seed % 2**64), first)


@functools.cache
def compiled_kernel() -> Kernel | None:
    """The numba kernel, or None without the numba group (imports numba on first call)."""
    try:
        from .resampling_numba import resampled_means_numba
    except ImportError as error:  # numba missing, or built for another numpy
        if error.name not in ("numba", "llvmlite"):
            log.warning("numba is installed but cannot be imported (%s): using plain numpy", error)
        return None
    kernel: Kernel = resampled_means_numba  # numba's dispatcher is untyped
    return kernel


def resampled_means_plain(columns: Array, weights: Array, seed: np.uint64, first: int) -> Array:
    """The reference kernel, in numpy: a block of resamples at a time, whose row numbers
    (at most DRAWS_PER_BLOCK of them) are drawn, gathered and averaged at once."""
    n_columns, n = columns.shape
    block = max(1, DRAWS_PER_BLOCK // n)
    estimates = np.empty(len(weights))
    for start in range(0, len(weights), block):
        stop = min(start + block, len(weights))
        rows = draw_rows(seed, first + start, stop - start, n)  # (resamples, n)
        for k in range(n_columns):
            # weights[b, k] * mean_i columns[k, rows[b, i]], added up column by column
            term = weights[start:stop, k] * columns[k][rows].mean(axis=1)
            estimates[start:stop] = term if k == 0 else estimates[start:stop] + term
    return estimates


def draw_rows(seed: np.uint64, first: int, count: int, n: int) -> NDArray[np.intp]:
    """The (count, n) rows drawn by resamples first .. first + count - 1 (module docstring)."""
    pairs = (n + 1) // 2  # m: each 64-bit number gives two rows
    # the counters b m + j + 1 of every number, consecutive from first m + 1, row by row
    counter = np.arange(first * pairs + 1, (first + count) * pairs + 1, dtype=np.uint64)
    # z = SplitMix64(seed + counter gamma)
    z = counter.reshape(count, pairs) * GAMMA + seed
    z = (z ^ (z >> np.uint64(30))) * MIX_1
    z = (z ^ (z >> np.uint64(27))) * MIX_2
    z ^= z >> np.uint64(31)
    # row 2j from the high 32 bits, row 2j + 1 from the low: (u n) >> 32 for each half u
    halves = np.stack([z >> np.uint64(32), z & LOW_32], axis=-1).reshape(count, 2 * pairs)
    rows: NDArray[np.intp] = ((halves[:, :n] * np.uint64(n)) >> np.uint64(32)).astype(np.intp)
    return rows
