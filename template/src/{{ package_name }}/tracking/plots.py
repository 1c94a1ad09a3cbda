"""A picture of one run: loss, gradient and weight norms, and loss histograms by step.

Drawn on a bare matplotlib Figure (the file-only Agg canvas, no pyplot state), which
works under DVC, CI and tests alike; matplotlib is imported only here, when a plot is
drawn, because it takes seconds to import.

Read next: ../evaluation/money.py, the criterion a model is judged by.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.io import atomic_write
from .runs import RunInfo, read_histograms, read_scalars


def histogram_image(
    histograms: Sequence[dict[str, Any]], bins: int = 40, top: float | None = None
) -> tuple[NDArray[np.float64], float]:
    """Histograms by step as one image: a column per histogram, the share of its samples in
    each of `bins` common loss bins from 0 to `top` (default: the largest edge); and `top`."""
    top = float(max(h["edges"][-1] for h in histograms)) if top is None else top
    edges = np.linspace(0.0, top, bins + 1)
    columns = [
        np.histogram(np.repeat(h["edges"][:-1], h["counts"]), bins=edges)[0] / h["count"]
        for h in histograms
    ]
    return np.stack(columns, axis=1), top


def save_run_plot(run: RunInfo, path: Path) -> None:
    """Three panels as a PNG: the loss by step, the norms by step, and the per-sample loss
    histograms as an image (one column per step, the share of samples in each loss bin)."""
    from matplotlib.figure import Figure  # imported here: slow, see above

    curve = read_scalars(run.folder)
    # the norms every N steps; runs made before 0.3.0 logged them every step with the loss
    norms = read_scalars(run.folder, "norms") if "grad_norm" not in curve else curve
    histograms = [h for h in read_histograms(run.folder, "loss") if h["count"]]
    figure = Figure(figsize=(15, 4), layout="constrained")
    axes = figure.subplots(1, 3)
    axes[0].plot(curve["step"], curve["loss"], linewidth=0.5)
    axes[0].set(title="train loss by step", xlabel="step", yscale="log")
    axes[1].plot(norms["step"], norms["grad_norm"], linewidth=0.5, label="gradient norm")
    axes[1].plot(norms["step"], norms["weight_norm"], label="weight norm")
    axes[1].set(title="norms", xlabel="step", yscale="log")
    axes[1].legend()
    if histograms:
        image, top = histogram_image(histograms)
        steps = [h["step"] for h in histograms]
        axes[2].imshow(
            image,
            origin="lower",
            aspect="auto",
            extent=(steps[0], steps[-1], 0.0, top),
            cmap="viridis",
        )
    axes[2].set(title="per-sample loss histogram by step", xlabel="step", ylabel="loss")
    figure.suptitle(f"run {run.id} ({run.status})")
    with atomic_write(path) as handle:
        figure.savefig(handle, format="png", dpi=100)
