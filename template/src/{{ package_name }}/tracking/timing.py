"""Time sections of code: a context manager and a decorator, nested, summarised per name.

    timings = Timings()
    with timings.section("epoch"):
        with timings.section("checkpoint"):   # recorded as "epoch/checkpoint"
            ...

    @timings.section("load")                  # every call is timed
    def load(...): ...

    timings.summary()  # {"epoch": {"count": 15, "total_s": 3.1, "mean_s": 0.21}, ...}

A section's name is the path of the sections open around it, so the same code timed
from two callers shows up twice. Times come from `time.perf_counter`; entering and
leaving a section costs about a microsecond, so time loops, epochs and stages, not each
arithmetic step. The train stage records its summary in the run (timings.json) and in
the run manifest. Stages can use the shared `TIMINGS` instance.

Given a `save` function (a run passes one that writes timings.json), the summary is
saved when a section ends, at most every `save_every_s` seconds (the first section to
end is saved at once): a killed run keeps its timings up to the last save, for one
comparison per section. A save costs a fraction of a millisecond, so not more often.

Read next: manifest.py.
"""

import time
from collections.abc import Callable
from contextlib import ContextDecorator
from types import TracebackType
from typing import Final

Summary = dict[str, dict[str, float]]


class Timings:
    """Count and total time per section path."""

    def __init__(
        self, save: Callable[[Summary], None] | None = None, save_every_s: float = 10.0
    ) -> None:
        self.count: dict[str, int] = {}
        self.total: dict[str, float] = {}
        # the sections open right now: (path, start time), innermost last
        self._open: list[tuple[str, float]] = []
        self._save = save
        self.save_every_s = save_every_s
        self._saved_at = -float("inf")  # the first section to end is saved at once

    def section(self, name: str) -> "Section":
        """A context manager, and a decorator, that times its body under `name`."""
        if not name or "/" in name:
            raise ValueError(f"section name must be non-empty and without '/', got {name!r}")
        return Section(self, name)

    def _enter(self, name: str) -> None:
        path = f"{self._open[-1][0]}/{name}" if self._open else name
        self._open.append((path, time.perf_counter()))

    def _exit(self) -> None:
        path, start = self._open.pop()
        now = time.perf_counter()
        self.total[path] = self.total.get(path, 0.0) + now - start
        self.count[path] = self.count.get(path, 0) + 1
        if self._save is not None and now - self._saved_at >= self.save_every_s:
            self._saved_at = now
            self._save(self.summary())

    def summary(self) -> Summary:
        """Per section path: count, total seconds and mean seconds per call."""
        return {
            path: {
                "count": self.count[path],
                "total_s": self.total[path],
                "mean_s": self.total[path] / self.count[path],
            }
            for path in sorted(self.total)
        }


class Section(ContextDecorator):
    """One named section of a Timings; its state lives in the Timings, so it can be
    re-entered (recursion, or a decorated function calling itself)."""

    def __init__(self, timings: Timings, name: str):
        self.timings = timings
        self.name = name

    def __enter__(self) -> "Section":
        self.timings._enter(self.name)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.timings._exit()


# A shared instance for code that has no run of its own (stages, scripts).
TIMINGS: Final = Timings()
