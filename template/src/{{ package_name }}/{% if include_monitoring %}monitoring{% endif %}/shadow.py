"""Shadow runs: the candidate model scores the same inputs as the current one, unseen.

Only the current model's decisions are used; the candidate's are logged beside them and
compared: how often the two decide alike, how far their probabilities are apart, which
saves more money on rows whose outcome is known (evaluation/money.py), and how long each
takes. The same comparison answers "is the distilled (smaller, faster) model as good as
the development model?": pass the development model as current and the small one as
candidate. Both use the threshold frozen by the evaluate stage. `distill` makes such a
small model: it trains one on the current model's probabilities (soft targets) instead
of the labels, with the project's own training loop.

../commands/monitor.py wires these to the command line. Read next: service.py.
"""

import time
from typing import Any

import numpy as np

from ..core.config import OutcomeParams, TrainParams
from ..core.types import Array
from ..evaluation.money import money_saved
from ..models.interface import Model
from ..models.registry import trained
from .logger import PredictionLogger
from .predictor import Batch, Predictor


def best_time_ms(predictor: Predictor, features: Array, repeats: int) -> float:
    """The fastest of `repeats` timings of one batch, in milliseconds (least noisy)."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        predictor.predict(features)
        timings.append(1000 * (time.perf_counter() - started))
    return min(timings)


def shadow_report(
    current: Predictor,
    candidate: Predictor,
    batch: Batch,
    outcome: OutcomeParams,
    logger: PredictionLogger | None = None,
    repeats: int = 5,
) -> dict[str, Any]:
    """Score `batch` with both models; log both; report agreement, money and latency."""
    p = {m.name: m.predict(batch.features) for m in (current, candidate)}
    offer = {m.name: p[m.name] >= m.threshold for m in (current, candidate)}
    ms = {m.name: best_time_ms(m, batch.features, repeats) for m in (current, candidate)}
    if logger is not None:
        n = len(batch.features)
        for i in range(n):
            row = {column: values[i] for column, values in batch.columns.items()}
            for name in (current.name, candidate.name):
                logger.log(row, float(p[name][i]), ms[name] / n, model=name)
    disagree = np.flatnonzero(offer[current.name] != offer[candidate.name])
    report: dict[str, Any] = {
        "rows": len(batch.features),
        "agreement": 1.0 - len(disagree) / max(len(batch.features), 1),
        "offer_rate": {name: float(decisions.mean()) for name, decisions in offer.items()},
        "max_abs_probability_difference": float(
            np.max(np.abs(p[current.name] - p[candidate.name]))
        ),
        "disagreeing_ids": [batch.ids[i] for i in disagree[:20]],
        "latency_ms": ms,
        "latency_ratio": ms[candidate.name] / ms[current.name],
        "labelled_rows": 0 if batch.labels is None else int(np.sum(~np.isnan(batch.labels))),
    }
    if batch.labels is not None and report["labelled_rows"]:
        known = ~np.isnan(batch.labels)  # an empty label is an outcome not known yet
        money = {
            name: money_saved(batch.labels[known], offer[name][known], outcome) for name in offer
        }
        report["money_saved_per_1000"] = money
        report["money_difference"] = money[candidate.name] - money[current.name]
    return report


def distill(teacher: Predictor, features: Array, params: TrainParams) -> Model:
    """A student model (of the family the train stage fits, with these params) trained to
    match the teacher's probabilities instead of the labels.

    The loss is cross-entropy against the teacher's probabilities, softplus(z) - p z, the
    same loss as training with labels, so `fit` needs no change: soft targets carry more
    information per row than 0/1 labels (Hinton et al., 2015)."""
    return trained().fit(features, teacher.predict(features), params).model
