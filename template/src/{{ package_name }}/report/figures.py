"""The report's figures, each a PNG file drawn on matplotlib's file-only Agg canvas.

A bare `Figure` (no pyplot) needs no display and keeps no global state; matplotlib is
imported inside each function, as everywhere in the project, because it is slow to
import. Every function takes what was recorded and a path, and writes one PNG.

Read next: markup.py.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..core.io import atomic_write
from ..tracking.plots import histogram_image

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Table = Mapping[str, NDArray[np.float64]]
# nested quantile bands of the per-sample losses (scalars.QUANTILES), widest first
BANDS = (("0.01", "0.99", 0.15), ("0.05", "0.95", 0.25), ("0.25", "0.75", 0.4))
FEW = 30  # curves with this many points or fewer get a marker on each, so one point shows


def _marker(points: int) -> str | None:
    return "." if points <= FEW else None


def _new(width: float, height: float, panels: int = 1) -> tuple["Figure", Any]:
    from matplotlib.figure import Figure  # imported here: slow, see above

    figure = Figure(figsize=(width, height), layout="constrained")
    return figure, figure.subplots(1, panels)


def _save(figure: "Figure", path: Path) -> None:
    with atomic_write(path) as handle:
        figure.savefig(handle, format="png", dpi=90, metadata={"Software": None})


def run_curves(curve: Table, epochs: Table | None, path: Path) -> None:
    """The loss of every step, and each epoch's mean with its 10%-90% band of sample losses."""
    figure, (by_step, by_epoch) = _new(11, 3.6, 2)
    by_step.plot(curve["step"], curve["loss"], linewidth=0.6, marker=_marker(len(curve["step"])))
    by_step.set(title="train loss by step", xlabel="step", ylabel="loss", yscale="log")
    if epochs is not None and len(epochs["step"]):
        by_epoch.fill_between(
            epochs["step"],
            epochs["p10"],
            epochs["p90"],
            alpha=0.25,
            label="10% to 90% of sample losses",
        )
        by_epoch.plot(epochs["step"], epochs["loss"], marker="o", label="mean")
        by_epoch.legend()
    by_epoch.set(title="train loss by epoch", xlabel="epoch", ylabel="loss")
    _save(figure, path)


def loss_histograms(histograms: Sequence[dict[str, Any]], path: Path) -> None:
    """How the per-sample loss distribution moves, two ways: each recorded step's histogram
    as a column of an image (the share of samples per loss bin, up to the largest 99%
    quantile, so the long tail does not flatten the rest), and its quantiles as nested
    bands (1-99%, 5-95%, 25-75%) around the median."""
    figure, (image_axes, band_axes) = _new(11, 3.8, 2)
    steps = [h["step"] for h in histograms]
    top = max(h["quantiles"]["0.99"] for h in histograms)
    image, top = histogram_image(histograms, top=top)
    # the image spans the recorded steps; one histogram alone gets one step of width
    first, last = steps[0], max(steps[-1], steps[0] + 1)
    shown = image_axes.imshow(
        image, origin="lower", aspect="auto", cmap="viridis", extent=(first, last, 0.0, top)
    )
    figure.colorbar(shown, ax=image_axes, label="share of samples")
    image_axes.set(title="per-sample loss histogram by step", xlabel="step", ylabel="loss")
    marker = _marker(len(steps))
    for low, high, alpha in BANDS:
        lows = [h["quantiles"][low] for h in histograms]
        highs = [h["quantiles"][high] for h in histograms]
        label = f"{float(low):.0%} to {float(high):.0%}"
        band_axes.fill_between(steps, lows, highs, alpha=alpha, color="tab:blue", label=label)
    median = [h["quantiles"]["0.5"] for h in histograms]
    band_axes.plot(steps, median, color="tab:blue", marker=marker, label="median")
    band_axes.set(
        title="per-sample loss quantiles by step", xlabel="step", ylabel="loss", yscale="log"
    )
    band_axes.legend(fontsize="small")
    _save(figure, path)


def norms(table: Table, path: Path) -> None:
    """Weight and gradient norms by step: the totals, and each parameter tensor's."""
    figure, (weights, gradients) = _new(11, 3.6, 2)
    for axes, kind, total, title in (
        (weights, "w/", "weight_norm", "weight norms"),
        (gradients, "g/", "grad_norm", "gradient norms"),
    ):
        marker = _marker(len(table["step"]))
        axes.plot(table["step"], table[total], color="black", marker=marker, label="all")
        for column in (c for c in table if c.startswith(kind)):
            axes.plot(table["step"], table[column], linewidth=0.8, marker=marker, label=column[2:])
        axes.set(title=title, xlabel="step", yscale="log")
        axes.legend(fontsize="small")
    _save(figure, path)


def timings(summary: Mapping[str, Mapping[str, float]], path: Path) -> None:
    """Total seconds per timed section, nested sections under their parents."""
    names = list(summary)
    figure, axes = _new(8, 0.6 + 0.35 * len(names))
    axes.barh(names, [summary[name]["total_s"] for name in names])
    axes.invert_yaxis()
    axes.set(title="time by section", xlabel="seconds (total)")
    _save(figure, path)


def money_by_threshold(
    points: Sequence[Mapping[str, float]],
    threshold: float,
    baselines: Mapping[str, float],
    path: Path,
) -> None:
    """Money saved per 1,000 customers at each threshold, the chosen one marked, with the
    baselines' money as horizontal lines."""
    figure, axes = _new(8, 4)
    thresholds = [point["threshold"] for point in points]
    money = [point["money_saved_per_1000"] for point in points]
    axes.plot(thresholds, money, label="model")
    axes.axvline(threshold, color="black", linewidth=0.8, label=f"chosen threshold {threshold:.3f}")
    for (name, value), style in zip(baselines.items(), ("--", ":", "-."), strict=False):
        axes.axhline(value, color="grey", linestyle=style, label=name.replace("_", " "))
    axes.set(
        title="money saved per 1,000 customers on validation",
        xlabel="decision threshold on P(positive)",
        ylabel="money saved per 1,000",
    )
    axes.legend(fontsize="small")
    _save(figure, path)
