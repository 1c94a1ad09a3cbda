"""Scalars and histograms on disk: appended in batches, readable while a run is running.

Logging a step must cost about a microsecond, so `ScalarWriter.log` only appends a tuple
to a list; every `flush_every` steps the rows become one float64 array written to the
end of `<name>.f64` and flushed to the operating system. A run killed with SIGKILL
loses the unflushed rows only; everything flushed before stays readable. The file is
raw little-endian float64 records of (step, value, value, ...), and `<name>.json`
names the columns, so `read_scalars` is one `np.fromfile` that drops a torn last record.

Histograms are rare (every N steps), so each one is a JSON line: step, counts, bin edges
and quantiles. `read_histograms` skips a torn last line.

This module imports only numpy and the standard library, so the benchmark in the
template repository can load it on its own. Read next: timing.py.
"""

import json
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

QUANTILES: Final = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
RECORD_DTYPE: Final = np.dtype("<f8")


class ScalarWriter:
    """Append rows of (step, *values) for a fixed list of column names."""

    def __init__(self, folder: Path, name: str, columns: tuple[str, ...], flush_every: int):
        folder.mkdir(parents=True, exist_ok=True)
        header = {"columns": ["step", *columns], "dtype": RECORD_DTYPE.str}
        (folder / f"{name}.json").write_text(json.dumps(header) + "\n", encoding="utf-8")
        self.columns = columns
        self.flush_every = flush_every
        self._rows: list[tuple[float, ...]] = []
        self._file = (folder / f"{name}.f64").open("ab")

    def log(self, step: int, *values: float) -> None:
        """Record one step; the values in the order of `columns`. Costs a list append."""
        self._rows.append((step, *values))
        if len(self._rows) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows to the end of the file in one call."""
        if self._rows:
            np.asarray(self._rows, dtype=RECORD_DTYPE).tofile(self._file)
            self._file.flush()
            self._rows.clear()

    def close(self) -> None:
        self.flush()
        self._file.close()


def read_scalars(folder: Path, name: str) -> dict[str, NDArray[np.float64]]:
    """The columns of `<name>.f64` by name ("step" first); a torn last record is dropped."""
    header = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    columns: list[str] = header["columns"]
    raw = np.fromfile(folder / f"{name}.f64", dtype=np.dtype(header["dtype"]))
    rows = raw[: len(raw) - len(raw) % len(columns)].reshape(-1, len(columns))
    return {column: rows[:, i].astype(np.float64) for i, column in enumerate(columns)}


class HistogramWriter:
    """Append one JSON line per histogram: step, name, counts, edges and quantiles."""

    def __init__(self, path: Path, bins: int):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.bins = bins
        self._file = path.open("a", encoding="utf-8")

    def log(self, step: int, name: str, values: NDArray[Any]) -> None:
        """Summarise `values` (e.g. the loss of every sample of a batch) and write it now.

        NaN and infinite values are counted apart (`nonfinite`), so a diverging run still
        gets its histogram written instead of failing here."""
        finite = values[np.isfinite(values)]
        record: dict[str, Any] = {
            "step": step,
            "name": name,
            "count": int(finite.size),
            "nonfinite": int(values.size - finite.size),
            "mean": None,
            "counts": [],
            "edges": [],
            "quantiles": {},
        }
        if finite.size:
            counts, edges = np.histogram(finite, bins=self.bins)
            quantiles = np.quantile(finite, QUANTILES).tolist()
            record |= {
                "mean": float(finite.mean()),
                "counts": counts.tolist(),
                "edges": edges.tolist(),
                "quantiles": dict(zip(map(str, QUANTILES), quantiles, strict=True)),
            }
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def read_histograms(path: Path, name: str | None = None) -> list[dict[str, Any]]:
    """The histogram records of a run in step order (only `name` if given); a torn last
    line, left by a run killed mid-write, is skipped."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if name is None or record["name"] == name:
            records.append(record)
    return records
