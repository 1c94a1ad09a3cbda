"""Scalars and histograms on disk: every step readable at once, and kept when the process dies.

The steps before a crash are the ones that show what went wrong, so a run killed with
SIGKILL (or by the out-of-memory killer) must lose none of them, and logging a step must
still cost well under a microsecond. `ScalarWriter.log` therefore writes each record
straight into a memory-mapped region of `<name>.scalars`, then raises the record count
in the file's header. Mapped pages belong to the kernel's page cache, not to the
process: what was stored there is in the file the moment the store is done, whatever
happens to the process next. There is no buffer to flush. (A machine crash or power loss
can still lose what the kernel had not yet written to the disk: see docs/tracking.md.)

    <name>.scalars   MAGIC         8 bytes, "SCALARS1": the format and its version
                     count         uint64, the number of complete records
                     header line   {"columns": ["step", ...], "dtype": "<f8", "count": "<u8"},
                                   padded with spaces so the records start 64-byte aligned
                     records       (step, value, value, ...) as float64, `count` of them,
                                   then zeros up to the end of the reserved chunk

A record is written before the count that covers it, and a reader reads the count before
the records, so it never reads a record that is not complete: no torn record to drop. If
a file is cut short anyway (copied while a run wrote it), the reader stops at its last
whole record. The file grows by CHUNK_BYTES at a time, reserved with posix_fallocate (a
full disk is then an OSError while growing, not a SIGBUS while writing) and mapped again,
so growing costs nanoseconds per step. The unused rest of the last chunk stays: cutting
it off would make the file system write the records out first (milliseconds, on ext4).

Runs written before 0.3.0 have `<name>.f64` (raw records) and `<name>.json` (the
columns) instead; `read_scalars` reads both formats.

Histograms are rare (every N steps) and cost about a millisecond to compute, so each one
is a JSON line, written and handed to the kernel at once: a kill loses none either.
`read_histograms` skips a torn last line.

This module imports only numpy and the standard library, so the benchmark in the
template repository can load it on its own. Read next: timing.py.
"""

import errno
import json
import mmap
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO, Final

import numpy as np
from numpy.typing import NDArray

QUANTILES: Final = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
SUFFIX: Final = ".scalars"
MAGIC: Final = b"SCALARS1"
COUNT_AT: Final = len(MAGIC)  # byte offset of the record count
HEAD_BYTES: Final = COUNT_AT + 8  # magic and count; the header line follows
CHUNK_BYTES: Final = 1 << 16  # the file grows by 64 KiB at a time
# Values and count in this machine's byte order (the header line says which), so a
# record is one memcpy and the count one aligned 8-byte store.
VALUE_DTYPE: Final = np.dtype("=f8")
COUNT_DTYPE: Final = np.dtype("=u8")


class ScalarWriter:
    """Records of (step, *values) for a fixed list of column names, in `<name>.scalars`.

    One writer per table, logging from one thread (two threads could claim the same slot)."""

    def __init__(self, folder: Path, name: str, columns: tuple[str, ...]):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}{SUFFIX}"
        if not path.exists():
            _create(path, ["step", *columns])
        with path.open("rb") as file:
            count, stored, dtype = _read_header(file)
            self._data = file.tell()  # byte offset of the first record
        if stored != ["step", *columns] or dtype != VALUE_DTYPE:
            raise ValueError(f"{path} holds the columns {stored}; log {columns} under another name")
        self.name = name
        self.columns = columns
        record = struct.Struct(f"={len(stored)}d")
        self._pack = record.pack_into
        self._size = record.size
        self.chunk_records = max(1, CHUNK_BYTES // record.size)
        self._count = count  # a file reopened in the same run is appended to
        self._fd = os.open(path, os.O_RDWR)
        self._capacity = (os.fstat(self._fd).st_size - self._data) // record.size
        self._map(self._data + self._capacity * record.size)

    def log(self, step: float, *values: float) -> None:
        """Record one step, the values in the order of `columns`: in the file at once."""
        count = self._count
        if count == self._capacity:
            self._grow()
        try:
            self._pack(self._mapping, self._data + count * self._size, step, *values)
        except struct.error as error:
            expected = ", ".join(("step", *self.columns))
            raise ValueError(f"{self.name}.log({expected}): {error}") from error
        # publish only now: the count never covers a record that is not fully written
        self._count = self._published[0] = count + 1

    def flush(self) -> None:
        """Nothing to do: every logged step is already in the file. Kept for callers."""

    def close(self) -> None:
        """Unmap and close the file; the records are already in it. Closing twice does nothing."""
        if self._mapping.closed:
            return
        self._unmap()
        os.close(self._fd)

    def _grow(self) -> None:
        """Reserve one more chunk and map the whole file again; the count stays in the file."""
        self._capacity += self.chunk_records
        size = self._data + self._capacity * self._size
        self._unmap()
        _reserve(self._fd, size)
        self._map(size)

    def _map(self, size: int) -> None:
        self._mapping = mmap.mmap(self._fd, size)
        self._published = memoryview(self._mapping)[COUNT_AT:HEAD_BYTES].cast("Q")

    def _unmap(self) -> None:
        self._published.release()  # a mapping with a view into it cannot be closed
        self._mapping.close()


def _create(path: Path, columns: list[str]) -> None:
    """Write the header under a temporary name, then rename: readers see all of it or no file."""
    fields = {"columns": columns, "dtype": VALUE_DTYPE.str, "count": COUNT_DTYPE.str}
    line = json.dumps(fields).encode()
    line += b" " * (-(HEAD_BYTES + len(line) + 1) % 64) + b"\n"
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(MAGIC + bytes(8) + line)
    os.replace(temporary, path)


def _reserve(fd: int, size: int) -> None:
    """Make the file `size` bytes long, with its disk blocks allocated where the OS can."""
    current = os.fstat(fd).st_size
    if hasattr(os, "posix_fallocate"):
        try:
            os.posix_fallocate(fd, current, size - current)
            return
        except OSError as error:
            if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                raise  # a full disk, say: better here than as SIGBUS on a mapped page
    os.ftruncate(fd, size)  # a sparse file: blocks are allocated when written


def _read_header(file: BinaryIO) -> tuple[int, list[str], np.dtype[Any]]:
    """(record count, column names, value dtype); the count is read first, before any record."""
    head = file.read(HEAD_BYTES)
    if head[:COUNT_AT] != MAGIC:
        raise ValueError(f"{file.name}: not a scalars file (it starts with {head[:COUNT_AT]!r})")
    fields = json.loads(file.readline())
    count = int(np.frombuffer(head, dtype=np.dtype(fields["count"]), offset=COUNT_AT)[0])
    return count, list(fields["columns"]), np.dtype(fields["dtype"])


def read_scalars(folder: Path, name: str) -> dict[str, NDArray[np.float64]]:
    """The columns of table `name` by name ("step" first): every record complete so far."""
    path = folder / f"{name}{SUFFIX}"
    if not path.exists() and (folder / f"{name}.json").exists():
        return _read_before_0_3(folder, name)
    with path.open("rb") as file:
        count, columns, dtype = _read_header(file)
        record_bytes = dtype.itemsize * len(columns)
        # a file cut short holds fewer records than its count: keep the whole ones
        whole = (os.fstat(file.fileno()).st_size - file.tell()) // record_bytes
        raw = file.read(min(count, whole) * record_bytes)
    rows = np.frombuffer(raw, dtype=dtype).reshape(-1, len(columns))
    return {column: rows[:, i].astype(np.float64) for i, column in enumerate(columns)}


def _read_before_0_3(folder: Path, name: str) -> dict[str, NDArray[np.float64]]:
    """The format before 0.3.0: `<name>.json` names the columns, `<name>.f64` holds raw
    records appended in batches; a torn last record is dropped."""
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
        # one write to the kernel per histogram: a kill after this line loses nothing
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
