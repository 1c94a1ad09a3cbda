"""Work off the latency path. BackgroundLogger: a request hands its rows to a queue, and
one thread owns the PredictionLogger, sampling and writing them. ShadowWorker: a
candidate model scores what the live model scored, in one thread behind a bounded queue.

A request only appends to an in-memory queue (no sampling, no disk, no wake-up), so its
latency depends neither on the disk nor on the writer. The thread wakes every
FLUSH_SECONDS and writes every item waiting: waking it for each request instead costs
each request a thread switch (about 0.5 ms on a busy machine, more than the rest of the
log's work), and under load one wake-up writes many requests' records either way.
`close()` stops the thread and writes what is left, so every record handed over before
it is written: the HTTP service (service.py) calls it when it stops cleanly, on SIGTERM
or Ctrl-C. A process killed with SIGKILL loses what was still queued, at most the last
FLUSH_SECONDS of requests; what was written stays readable (logger.py).

    with BackgroundLogger(PredictionLogger(folder, params, threshold, fields)) as queued:
        queued.log_batch(batch.columns, p, batch_ms, model="current")  # returns at once

The shadow's queue holds at most `capacity` batches: when the candidate falls behind, a
batch it has no room for is dropped and counted, never waited for, so a slow or failing
candidate neither delays nor fails a live answer. Both models' predictions of each
compared batch go to logs/shadow/ (every one, paired by row, as `monitor shadow` logs
them: shadow.PairedLog), and the comparison (rows, agreeing decisions, each model's
scoring time) to the service's metrics.

Read next: reference.py.
"""

import logging
import queue
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Self

import numpy as np

from ..core.types import Array
from .logger import PredictionLogger
from .predictor import Predictor
from .shadow import CURRENT, PairedLog

log = logging.getLogger(__name__)

FLUSH_SECONDS: Final = 0.05  # the writer's wake-up interval: at most this late on disk


@dataclass(frozen=True)
class _Scored:
    columns: Mapping[str, list[Any]]
    p: Array
    batch_ms: float
    model: str


@dataclass(frozen=True)
class _Refused:
    cells: Mapping[str, Any]
    error: str
    model: str


class BackgroundLogger:
    """A PredictionLogger fed through a queue by one writer thread; `on_logged(n)` is
    called from that thread with the number of records each item wrote (for metrics)."""

    def __init__(
        self,
        logger: PredictionLogger,
        on_logged: Callable[[int], None] = lambda n: None,
        flush_seconds: float = FLUSH_SECONDS,
    ) -> None:
        self.logger, self.on_logged, self.flush_seconds = logger, on_logged, flush_seconds
        self.queue: deque[_Scored | _Refused] = deque()  # append and popleft are thread-safe
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._drain, name="prediction-log", daemon=True)
        self.thread.start()

    def log_batch(
        self, columns: Mapping[str, list[Any]], p: Array, batch_ms: float, model: str = ""
    ) -> None:
        """Queue a scored batch for PredictionLogger.log_batch; returns at once."""
        self.queue.append(_Scored(columns, p, batch_ms, model))

    def log_error(self, cells: Mapping[str, Any], error: str, model: str = "") -> None:
        """Queue a refused row for PredictionLogger.log_error; returns at once."""
        self.queue.append(_Refused(cells, error, model))

    def _drain(self) -> None:
        while not self.stopping.wait(self.flush_seconds):  # False: the interval passed
            self._write_waiting()

    def _write_waiting(self) -> None:
        while self.queue:
            item = self.queue.popleft()
            if isinstance(item, _Scored):
                kept = self.logger.log_batch(item.columns, item.p, item.batch_ms, item.model)
            else:
                self.logger.log_error(item.cells, item.error, item.model)
                kept = 1
            self.on_logged(kept)

    def close(self) -> None:
        """Write everything queued so far, then close the log (the reservoir is written)."""
        self.stopping.set()
        self.thread.join()
        self._write_waiting()  # the thread has stopped: what it left is written here
        self.logger.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True)
class _Shadowed:
    features: Array
    columns: Mapping[str, list[Any]]
    ids: Sequence[str]  # the rows' ids, for joining outcomes to the shadow log
    p: Array  # the live model's probabilities
    model_ms: float  # the live model's scoring time


# Called with: rows compared, rows whose decisions agree, live and candidate seconds.
Compared = Callable[[int, int, float, float], None]


class ShadowWorker:
    """`candidate` scores each offered batch after the live answer, in one thread."""

    def __init__(
        self,
        candidate: Predictor,
        logged: PairedLog,
        on_compared: Compared,
        on_dropped: Callable[[int], None],
        capacity: int = 64,
    ) -> None:
        self.candidate, self.logged = candidate, logged
        self.on_compared, self.on_dropped = on_compared, on_dropped
        self.queue: queue.Queue[_Shadowed | None] = queue.Queue(maxsize=capacity)
        self.thread = threading.Thread(target=self._compare, name="shadow", daemon=True)
        self.thread.start()

    def offer(
        self,
        features: Array,
        columns: Mapping[str, list[Any]],
        ids: Sequence[str],
        p: Array,
        model_ms: float,
    ) -> bool:
        """Queue a scored batch for the candidate, or drop it when the queue is full."""
        try:
            self.queue.put_nowait(_Shadowed(features, columns, ids, p, model_ms))
        except queue.Full:
            self.on_dropped(len(p))
            return False
        return True

    def _compare(self) -> None:
        threshold = self.candidate.threshold  # both models decide at the frozen threshold
        while (item := self.queue.get()) is not None:
            try:
                p, ms = self.candidate.timed_predict(item.features)
            except Exception:  # the candidate's failure is the shadow's, never the service's
                log.exception("the candidate %s failed on a batch", self.candidate.name)
                self.on_dropped(len(item.p))
                continue
            agree = int(np.sum((p >= threshold) == (item.p >= threshold)))
            name = self.candidate.name
            times = {CURRENT: item.model_ms, name: ms}
            self.logged.log(item.columns, item.ids, {CURRENT: item.p, name: p}, times)
            self.on_compared(len(p), agree, item.model_ms / 1000, ms / 1000)

    def close(self) -> None:
        """Compare every batch queued so far, then close the shadow log."""
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()
        self.logged.close()
