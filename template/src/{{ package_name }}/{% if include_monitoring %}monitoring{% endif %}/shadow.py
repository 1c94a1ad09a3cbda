"""Shadow runs: the candidate model scores the same inputs as the current one, unseen.

Only the current model's decisions are used; the candidate's are logged beside them and
compared: how often the two decide alike, how far their probabilities are apart, which
saves more money on rows whose outcome is known (evaluation/money.py), and how long each
takes. `serve --candidate` logs both models' rows of live traffic (PairedLog), and
`shadow_report_from_log` makes the same report from that log, with outcomes that arrive
later (a feedback file) joined on the row id. The same comparison answers "is the
distilled (smaller, faster) model as good as the development model?": pass the
development model as current and the small one as candidate. Both use the threshold
frozen by the evaluate stage. `distill` makes such a small model: it trains one on the
current model's probabilities (soft targets) instead of the labels, with the project's
own training loop.

../commands/monitor.py wires these to the command line. Read next: service.py.
"""

import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..core.config import MonitoringParams, OutcomeParams, TrainParams
from ..core.errors import DataError
from ..core.types import Array
from ..evaluation.money import money_saved
from ..models.interface import Model
from ..models.registry import trained
from .logger import PredictionLogger
from .predictor import Batch, Predictor

CURRENT = "current"  # the live model's name in the shadow log (the candidate's: its own)


class PairedLog:
    """Both models' predictions of each compared row, every one, into one log folder
    (logs/shadow/). Each record carries the row's id (`row_id`, the contract's id
    column, to join outcomes that arrive later) and a `pair` key that the two models'
    records of one row share, unique across processes, so that `shadow_report_from_log`
    can put them side by side again."""

    def __init__(
        self, folder: Path, params: MonitoringParams, threshold: float, fields: Sequence[str]
    ) -> None:
        log_all = params.model_copy(update={"sampling": "rate", "sample_rate": 1.0})
        self.logger = PredictionLogger(folder, log_all, threshold, (*fields, "row_id", "pair"))
        self.session = uuid.uuid4().hex[:12]  # this process's pairs
        self.rows = 0

    def log(
        self,
        columns: Mapping[str, list[Any]],
        ids: Sequence[str],
        p: Mapping[str, Array],
        batch_ms: Mapping[str, float],
    ) -> None:
        """Log each model's predictions of one batch, its time per row as the latency."""
        pairs = [f"{self.session}-{self.rows + i}" for i in range(1, len(ids) + 1)]
        self.rows += len(ids)
        tagged = {**columns, "row_id": list(ids), "pair": pairs}
        for name, probabilities in p.items():
            self.logger.log_batch(tagged, probabilities, batch_ms[name], model=name)

    def close(self) -> None:
        self.logger.close()


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
    logged: PairedLog | None = None,
    repeats: int = 5,
) -> dict[str, Any]:
    """Score `batch` with both models; log both; report agreement, money and latency."""
    p = {m.name: m.predict(batch.features) for m in (current, candidate)}
    offer = {m.name: p[m.name] >= m.threshold for m in (current, candidate)}
    ms = {m.name: best_time_ms(m, batch.features, repeats) for m in (current, candidate)}
    if logged is not None:
        logged.log(batch.columns, batch.ids, p, ms)
    return comparison(batch.ids, p, offer, ms, batch.labels, outcome)


def comparison(
    ids: Sequence[str],
    p: Mapping[str, Array],
    offer: Mapping[str, NDArray[np.bool_]],
    ms: Mapping[str, float],
    labels: Array | None,
    outcome: OutcomeParams,
) -> dict[str, Any]:
    """The shadow report of two models' predictions of the same rows (the current model
    first in each mapping): agreement, offer rates, money on labelled rows, latency."""
    current, candidate = list(p)
    disagree = np.flatnonzero(offer[current] != offer[candidate])
    report: dict[str, Any] = {
        "rows": len(ids),
        "agreement": 1.0 - len(disagree) / max(len(ids), 1),
        "offer_rate": {name: float(decisions.mean()) for name, decisions in offer.items()},
        "max_abs_probability_difference": float(np.max(np.abs(p[current] - p[candidate]))),
        "disagreeing_ids": [ids[i] for i in disagree[:20]],
        "latency_ms": dict(ms),
        "latency_ratio": ms[candidate] / ms[current],
        "labelled_rows": 0 if labels is None else int(np.sum(~np.isnan(labels))),
    }
    if labels is not None and report["labelled_rows"]:
        known = ~np.isnan(labels)  # an empty label is an outcome not known yet
        money = {name: money_saved(labels[known], offer[name][known], outcome) for name in offer}
        report["money_saved_per_1000"] = money
        report["money_difference"] = money[candidate] - money[current]
    return report


def shadow_report_from_log(
    records: Iterable[dict[str, Any]],
    outcome: OutcomeParams,
    outcomes: tuple[list[str], NDArray[np.int8]] | None = None,
    folder: Path = Path("logs/shadow"),
    feedback: Path | None = None,
) -> dict[str, Any]:
    """The report `shadow_report` gives, from what a PairedLog wrote (`serve --candidate`
    or a replay): the records of one row are paired by their `pair` key; the latency is
    each model's logged time summed over the rows. `outcomes` (read_outcomes of the
    `feedback` file) are joined on the row id; DataError names an id no row has."""
    pairs: dict[str, dict[str, dict[str, Any]]] = {}
    for record in records:
        if "pair" in record and "p" in record:
            pairs.setdefault(str(record["pair"]), {})[str(record["model"])] = record
    rows = [pair for pair in pairs.values() if CURRENT in pair and len(pair) == 2]
    if not rows:
        raise DataError(
            f"{folder}: no row with both models' predictions; `serve --candidate` and "
            "`monitor shadow FILE --candidate` log them there"
        )
    candidates = sorted({name for pair in rows for name in pair} - {CURRENT})
    if len(candidates) > 1:
        raise DataError(
            f"{folder}: holds more than one candidate ({', '.join(candidates)}); "
            "move the older logs away so that one comparison remains"
        )
    names = [CURRENT, candidates[0]]
    ids = [str(pair[CURRENT]["row_id"]) for pair in rows]
    p = {name: np.array([float(pair[name]["p"]) for pair in rows]) for name in names}
    offer = {name: np.array([bool(pair[name]["offer"]) for pair in rows]) for name in names}
    # each model's time to score these rows: the sum of their per-row latencies
    ms = {name: sum(float(pair[name]["latency_ms"]) for pair in rows) for name in names}
    if outcomes is None:
        return comparison(ids, p, offer, ms, None, outcome)
    known = dict(zip(*outcomes, strict=True))
    # An export of outcomes usually covers more customers than the shadow saw: those rows
    # are left out and counted. None matching at all is the wrong file or id column.
    not_logged = len(set(known) - set(ids))
    if not_logged == len(known):
        first = next(iter(known), None)
        raise DataError(
            f"{feedback}: none of its {len(known)} id(s) matches a logged row (the first: "
            f"{first!r}); the feedback must hold outcomes of rows in {folder} "
            "(their row_id: the contract's id column)"
        )
    # a row without an outcome (not in the feedback, or its label empty) is not known yet
    labels = np.array([float(known.get(i, -1)) for i in ids])
    labels[labels < 0] = np.nan
    return comparison(ids, p, offer, ms, labels, outcome) | {"feedback_not_logged": not_logged}


def distill(teacher: Predictor, features: Array, params: TrainParams) -> Model:
    """A student model (of the family the train stage fits, with these params) trained to
    match the teacher's probabilities instead of the labels.

    The loss is cross-entropy against the teacher's probabilities, softplus(z) - p z, the
    same loss as training with labels, so `fit` needs no change: soft targets carry more
    information per row than 0/1 labels (Hinton et al., 2015)."""
    return trained().fit(features, teacher.predict(features), params).model
