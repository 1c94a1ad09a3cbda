"""The calibration plot as a PNG, drawn with matplotlib's file-only Agg canvas.

A bare `Figure` (not pyplot) renders with Agg and touches no global state or display,
so it works under DVC, CI and tests alike. matplotlib is imported only when a plot is
drawn: it takes seconds to import, and every other command would pay for it.

The same numbers go to reports/calibration.json, which `dvc plots show` draws too.

Read next: holdout.py.
"""

from collections.abc import Mapping, Sequence
from pathlib import Path

from ..core.io import atomic_write

Curve = Sequence[Mapping[str, float | int]]


def save_calibration_plot(
    curves: Mapping[str, Curve], threshold: float, path: Path, label: str
) -> None:
    """Observed share of `label` (`churned = 1`) against its mean predicted probability,
    one line per model."""
    from matplotlib.figure import Figure  # imported here: slow, see above

    figure = Figure(figsize=(5, 5))
    axes = figure.subplots()
    axes.plot([0, 1], [0, 1], linestyle=":", color="grey", label="perfectly calibrated")
    for name, curve in curves.items():
        predicted = [point["predicted"] for point in curve]
        observed = [point["observed"] for point in curve]
        axes.plot(predicted, observed, marker="o", label=name)
    axes.axvline(threshold, color="black", linewidth=0.8, label=f"model threshold {threshold:.2f}")
    axes.set(xlabel=f"mean predicted P({label})", ylabel=f"observed share of {label}", xlim=(0, 1))
    axes.set(ylim=(0, 1), title="Calibration on validation")
    axes.legend(loc="upper left")
    with atomic_write(path) as handle:
        figure.savefig(handle, format="png", dpi=100, metadata={"Software": None})
