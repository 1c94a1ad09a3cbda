"""Drift: has what the model sees, or what it says, moved away from training?

Against models/reference.json (reference.py), for the logged predictions:
- each numeric input: PSI over the reference's quantile bins, and the two-sample
  Kolmogorov-Smirnov test against the reference sample;
- each categorical input: PSI over its categories (a category unseen in training counts
  as its own bin) and the chi-squared goodness-of-fit test against the training shares;
- the output P(positive): PSI and KS, like a numeric input;
- the positive-prediction rate (offers / predictions) in each time window, against the
  training rate: the cat-to-dog ratio of the classic advice.

An input or the output drifts when PSI > psi_alarm or its p-value < p_value_alarm / k,
with k the number of tests (Bonferroni: one false alarm in 1 / p_value_alarm reports at
most, on unchanged data). A window alarms when its rate is more than
positive_rate_tolerance from training's and it holds at least min_rows predictions.

Read next: efficiency.py.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from ..core.config import MonitoringParams
from ..core.io import atomic_write
from ..core.types import Array
from .reference import MISSING

UNSEEN = "<unseen>"  # a category that training never had
FLOOR = 1e-4  # shares are floored here so that PSI stays finite for an empty bin


def psi(reference: Array, current: Array) -> float:
    """Population stability index: sum over bins of (c - r) ln(c / r), shares floored."""
    r, c = np.maximum(reference, FLOOR), np.maximum(current, FLOOR)
    return float(np.sum((c - r) * np.log(c / r)))


def numeric_drift(reference: Mapping[str, Any], values: Array) -> dict[str, float]:
    """PSI and KS p-value of one numeric column (NaN dropped) against its reference."""
    values = values[~np.isnan(values)]
    edges = np.asarray(reference["edges"])
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    shares = counts / max(len(values), 1)
    p_value = float(stats.ks_2samp(np.asarray(reference["sample"]), values).pvalue)
    return {"psi": psi(np.asarray(reference["proportions"]), shares), "p_value": p_value}


def categorical_drift(reference: Mapping[str, float], values: list[str]) -> dict[str, float]:
    """PSI and chi-squared p-value of one categorical column against the training shares.

    Values training never saw form an extra PSI bin (reference share floored); the
    chi-squared test compares only the rows of known categories with the training shares."""
    counts = Counter(value if value in reference else UNSEEN for value in values)
    names = list(reference)
    observed = np.array([counts[name] for name in names], dtype=np.float64)
    expected_shares = np.array([reference[name] for name in names])
    shares = np.append(observed, counts[UNSEEN]) / max(len(values), 1)
    expected = expected_shares / expected_shares.sum() * observed.sum()
    p_value = float(stats.chisquare(observed, expected).pvalue) if observed.sum() else 0.0
    return {"psi": psi(np.append(expected_shares, 0.0), shares), "p_value": p_value}


def rate_windows(
    records: list[Mapping[str, Any]], reference_rate: float, params: MonitoringParams
) -> list[dict[str, Any]]:
    """The positive-prediction rate per time window of window_minutes, oldest first."""
    width = 60 * params.window_minutes
    windows: dict[int, list[bool]] = {}
    for record in records:
        windows.setdefault(int(record["t"] // width), []).append(bool(record["offer"]))
    report = []
    for index, offers in sorted(windows.items()):
        rate = float(np.mean(offers))
        alarm = len(offers) >= params.min_rows and (
            abs(rate - reference_rate) > params.positive_rate_tolerance
        )
        start = datetime.fromtimestamp(index * width, UTC).isoformat(timespec="seconds")
        report.append({"start": start, "n": len(offers), "rate": rate, "alarm": alarm})
    return report


def drift_report(
    reference: Mapping[str, Any], records: Iterable[Mapping[str, Any]], params: MonitoringParams
) -> dict[str, Any]:
    """Every check above on the logged predictions (error records are left out)."""
    rows = [record for record in records if "error" not in record]
    results: dict[str, dict[str, Any]] = {}
    inputs = [*reference["numeric"], *reference["categorical"]]
    # an input the log does not hold cannot drift unnoticed: the report names it
    unchecked = [column for column in inputs if not rows or column not in rows[0]]
    if len(rows) >= params.min_rows:
        for column, ref in reference["numeric"].items():
            if column in rows[0]:
                values = np.array(
                    [np.nan if r[column] is None else r[column] for r in rows], dtype=float
                )
                results[column] = {"test": "ks", **numeric_drift(ref, values)}
        for column, ref in reference["categorical"].items():
            if column in rows[0]:
                names = [MISSING if r[column] is None else str(r[column]) for r in rows]
                results[column] = {"test": "chi2", **categorical_drift(ref, names)}
        p = np.array([r["p"] for r in rows], dtype=float)
        results["output"] = {"test": "ks", **numeric_drift(reference["output"], p)}
    level = params.p_value_alarm / max(len(results), 1)  # Bonferroni over the k tests
    for result in results.values():
        result["alarm"] = bool(result["psi"] > params.psi_alarm or result["p_value"] < level)
    windows = rate_windows(rows, reference["positive_rate"], params)
    alarms = [f"{name} drifted" for name, result in results.items() if result["alarm"]]
    alarms += [
        f"positive rate {w['rate']:.3f} in window {w['start']}" for w in windows if w["alarm"]
    ]
    return {
        "alarm": bool(alarms),
        "alarms": alarms,
        "n_rows": len(rows),
        "tested": len(rows) >= params.min_rows,
        "p_value_level": level,
        "checks": results,
        "unchecked": unchecked,
        "positive_rate": {"reference": reference["positive_rate"], "windows": windows},
    }


# pragma: no mutate block -- a plot is checked by eye, so mutmut skips it (as plots.py)
def save_drift_plot(report: Mapping[str, Any], params: MonitoringParams, path: Path) -> None:
    """PSI per input and output beside the positive rate per window, as a PNG."""
    from matplotlib.figure import Figure  # slow to import; see evaluation/plots.py

    figure = Figure(figsize=(10, 4))
    left, right = figure.subplots(1, 2)
    names = list(report["checks"])
    values = [report["checks"][name]["psi"] for name in names]
    colours = ["tab:red" if report["checks"][n]["alarm"] else "tab:blue" for n in names]
    left.barh(names, values, color=colours)
    left.axvline(params.psi_alarm, color="black", linestyle=":", label="alarm")
    left.set(xlabel="PSI against training", title="Drift per input (red: alarm)")
    windows = report["positive_rate"]["windows"]
    rates = [w["rate"] for w in windows]
    right.plot(range(len(rates)), rates, marker="o", label="logged")
    reference = report["positive_rate"]["reference"]
    tolerance = params.positive_rate_tolerance
    right.axhspan(reference - tolerance, reference + tolerance, alpha=0.2, label="tolerance")
    right.axhline(reference, color="black", linewidth=0.8, label="training")
    right.set(xlabel=f"window ({params.window_minutes:g} min)", ylabel="share offered")
    right.set(title="Positive-prediction rate")
    right.legend(loc="upper right")
    figure.tight_layout()
    with atomic_write(path) as handle:
        figure.savefig(handle, format="png", dpi=100, metadata={"Software": None})
