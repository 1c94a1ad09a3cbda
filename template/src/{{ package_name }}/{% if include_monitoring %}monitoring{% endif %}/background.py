"""The prediction logger off the latency path: a request hands its rows to a queue, and
one thread owns the PredictionLogger, sampling and writing them.

A request only appends to an in-memory queue (no sampling, no disk), so its latency does
not depend on the disk. The thread wakes for each item, takes every item waiting with it
and writes them together, so under load one wake-up writes many requests' records.
`close()` puts a stop mark at the end of the queue and waits for the thread, so every
record handed over before it is written: the HTTP service (service.py) calls it when it
stops cleanly, on SIGTERM or Ctrl-C. A process killed with SIGKILL loses what was still
queued, at most the last moment's requests; what was written stays readable (logger.py).

    with BackgroundLogger(PredictionLogger(folder, params, threshold, fields)) as queued:
        queued.log_batch(batch.columns, p, batch_ms, model="current")  # returns at once

Read next: reference.py.
"""

import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from ..core.types import Array
from .logger import PredictionLogger


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


_STOP = None  # the mark close() puts at the end of the queue


class BackgroundLogger:
    """A PredictionLogger fed through a queue by one writer thread; `on_logged(n)` is
    called from that thread with the number of records each item wrote (for metrics)."""

    def __init__(
        self, logger: PredictionLogger, on_logged: Callable[[int], None] = lambda n: None
    ) -> None:
        self.logger, self.on_logged = logger, on_logged
        self.queue: queue.SimpleQueue[_Scored | _Refused | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._drain, name="prediction-log", daemon=True)
        self.thread.start()

    def log_batch(
        self, columns: Mapping[str, list[Any]], p: Array, batch_ms: float, model: str = ""
    ) -> None:
        """Queue a scored batch for PredictionLogger.log_batch; returns at once."""
        self.queue.put(_Scored(columns, p, batch_ms, model))

    def log_error(self, cells: Mapping[str, Any], error: str, model: str = "") -> None:
        """Queue a refused row for PredictionLogger.log_error; returns at once."""
        self.queue.put(_Refused(cells, error, model))

    def _drain(self) -> None:
        while True:
            waiting = [self.queue.get()]  # sleeps until there is work
            while not self.queue.empty():
                waiting.append(self.queue.get_nowait())
            for item in waiting:
                if item is _STOP:
                    return
                if isinstance(item, _Scored):
                    kept = self.logger.log_batch(item.columns, item.p, item.batch_ms, item.model)
                else:
                    self.logger.log_error(item.cells, item.error, item.model)
                    kept = 1
                self.on_logged(kept)

    def close(self) -> None:
        """Write everything queued so far, then close the log (the reservoir is written)."""
        if self.thread.is_alive():
            self.queue.put(_STOP)
            self.thread.join()
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
