"""The prediction log: sampled predictions as JSON lines, cheap enough to leave on.

Each logged prediction is one line, `{"t": unix time, "seq": n, "model": name,
"p": P(positive), "offer": bool, "latency_ms": ms, <allow-listed inputs>}`. Only the
input columns named in `monitoring.log_fields` (by default every feature column of the
data contract) are written, so an identifier or a secret in the input never reaches the
log. `seq` counts every prediction the logger saw, logged or not, so the throughput of a
window is known whatever the sampling (efficiency.py).

Sampling (`monitoring.sampling`):
- rate: each prediction is logged with probability sample_rate;
- reservoir: a uniform sample of reservoir_size predictions per day (Algorithm R: the
  n-th prediction replaces a random slot with probability size / n), written when the
  day ends or the logger closes;
- uncertainty: predictions with |p - threshold| < uncertainty_margin, where a wrong
  decision is likeliest and a label is worth buying.
Errors (a row the reader refused, with its raw cells) are always logged. Files are
`<folder>/predictions-YYYY-MM-DD-NNN.jsonl`: a new one each UTC day and whenever one
passes max_log_megabytes.

Each line goes to the operating system in one write on a file opened for appending, so
a process killed at any moment leaves every record it finished; at worst the last line is
cut short, and read_log skips such a final fragment (any other bad line is an error).
Cost: see benchmarks/monitoring.py in the template (docs: "Production monitoring").

Read next: background.py.
"""

import json
import logging
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from ..core.config import MonitoringParams
from ..core.errors import ConfigError, DataError
from ..core.paths import SCHEMA
from ..core.types import Array
from ..data.schema import Schema

log = logging.getLogger(__name__)

DAY = 86_400.0  # seconds
_encode = json.JSONEncoder(separators=(",", ":")).encode


def log_fields(params: MonitoringParams, schema: Schema) -> tuple[str, ...]:
    """The input columns written to the log: monitoring.log_fields when given (each must
    be a column of the contract), else every feature column of the contract."""
    if params.log_fields is None:
        return tuple(schema.feature_columns)
    unknown = [name for name in params.log_fields if name not in schema.read_columns]
    if unknown:
        raise ConfigError(
            f"monitoring.log_fields: {unknown[0]!r} is not a column of {SCHEMA}; "
            f"its columns: {', '.join(schema.read_columns)}"
        )
    return tuple(params.log_fields)


class PredictionLogger:
    """Write sampled predictions under `folder`; use as a context manager, or call close()."""

    def __init__(
        self,
        folder: Path,
        params: MonitoringParams,
        threshold: float,
        fields: Sequence[str],
        seed: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.folder, self.threshold, self.clock = folder, threshold, clock
        self.sampling, self.rate = params.sampling, params.sample_rate
        self.margin, self.size = params.uncertainty_margin, params.reservoir_size
        self.fields = tuple(fields)  # the allow-list: log_fields(params, schema)
        self.max_bytes = int(params.max_log_megabytes * 1_000_000)
        self.random = random.Random(seed).random
        self.seq = 0  # predictions seen, logged or not
        self.reservoir: list[dict[str, Any]] = []
        self.reservoir_seen = 0  # predictions seen in the reservoir's day ...
        self.reservoir_end = 0.0  # ... which ends then
        self.fd = -1
        self.day_end = 0.0  # the file is reopened at this time (next UTC midnight) ...
        self.written = 0  # ... or when this many bytes pass max_bytes

    def log(self, inputs: Mapping[str, Any], p: float, latency_ms: float, model: str = "") -> bool:
        """Maybe log one prediction (see the sampling above); True when it was kept."""
        self.seq += 1
        if self.sampling == "rate":
            if self.random() >= self.rate:
                return False
        elif self.sampling == "uncertainty" and abs(p - self.threshold) >= self.margin:
            return False
        record = {"t": self.clock(), "seq": self.seq, "model": model, "p": p}
        record["offer"] = p >= self.threshold
        record["latency_ms"] = latency_ms
        for field in self.fields:
            if field in inputs:
                record[field] = inputs[field]
        if self.sampling == "reservoir":
            self._keep_in_reservoir(record)
        else:
            self._write(record)
        return True

    def log_batch(
        self, columns: Mapping[str, list[Any]], p: Array, batch_ms: float, model: str = ""
    ) -> int:
        """Offer every row of a scored batch to `log` (sampling decides what is kept), each
        with the batch's time per row as its latency; the number kept."""
        kept = 0
        for i, value in enumerate(p):
            row = {column: values[i] for column, values in columns.items()}
            kept += self.log(row, float(value), batch_ms / len(p), model=model)
        return kept

    def log_error(self, inputs: Mapping[str, Any], error: str, model: str = "") -> None:
        """Log a failed prediction; errors are never sampled out."""
        self.seq += 1
        record: dict[str, Any] = {"t": self.clock(), "seq": self.seq, "model": model}
        record["error"] = error
        record |= {field: inputs[field] for field in self.fields if field in inputs}
        self._write(record)

    def _keep_in_reservoir(self, record: dict[str, Any]) -> None:
        """Algorithm R over one day: after n predictions each is kept with probability size/n."""
        if record["t"] >= self.reservoir_end:
            self._flush_reservoir()
            self.reservoir_end = (record["t"] // DAY + 1) * DAY
        self.reservoir_seen += 1
        if len(self.reservoir) < self.size:
            self.reservoir.append(record)
            return
        slot = int(self.random() * self.reservoir_seen)
        if slot < self.size:
            self.reservoir[slot] = record

    def _flush_reservoir(self) -> None:
        kept, self.reservoir, self.reservoir_seen = self.reservoir, [], 0
        for record in sorted(kept, key=lambda r: int(r["seq"])):
            self._write(record)

    def _write(self, record: dict[str, Any]) -> None:
        line = (_encode(record) + "\n").encode("utf-8")
        full = self.written >= self.max_bytes
        if self.fd < 0 or record["t"] >= self.day_end or full:
            self._open(float(record["t"]))
        os.write(self.fd, line)  # one write per line: see the module docstring
        self.written += len(line)

    def _open(self, now: float) -> None:
        """Open today's first file that is not full, for appending."""
        self._close_file()
        self.folder.mkdir(parents=True, exist_ok=True)
        day = datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%d")
        index = 0
        while (path := self.folder / f"predictions-{day}-{index:03d}.jsonl").exists():
            if path.stat().st_size < self.max_bytes:
                break
            index += 1
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.written = path.stat().st_size
        self.day_end = (now // DAY + 1) * DAY

    def _close_file(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def close(self) -> None:
        """Write the reservoir (if any) and close the file."""
        if self.reservoir:
            self._flush_reservoir()
        self._close_file()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def log_files(folder: Path) -> list[Path]:
    """The log files under `folder`, oldest first (their names sort by day, then index)."""
    return sorted(folder.glob("predictions-*.jsonl"))


def read_log(folder: Path) -> Iterator[dict[str, Any]]:
    """Every record under `folder`, oldest file first; DataError names a bad line.

    A final line without its newline is what a killed logger leaves: it is skipped."""
    files = log_files(folder)
    if not files:
        raise DataError(f"{folder}: no prediction logs (predictions-*.jsonl) found")
    for path in files:
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        for number, line in enumerate(lines, start=1):
            if not line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                if number == len(lines):  # no newline after it: cut short by a crash
                    log.warning("%s:%d: skipping a line cut short", path, number)
                    continue
                raise DataError(f"{path}:{number}: not a JSON line: {line[:60]!r}") from None
            if not isinstance(record, dict):
                raise DataError(f"{path}:{number}: must be a JSON object, got {line[:60]!r}")
            yield record
