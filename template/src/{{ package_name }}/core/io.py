"""Atomic array and JSON I/O: a stage interrupted at any moment leaves no partial file.

Each write goes to a temporary file in the destination folder, is flushed to disk, then
renamed over the destination; a rename within one folder is atomic, so a reader (or the
next `dvc repro`) sees the old file or the new one, never half of either. Arrays are
read memory-mapped, so a stage touches only the rows it uses, or in chunks of rows
(`array_chunks`), so a pass over all of them holds one chunk. Arrays larger than memory
are written in pieces: `appended_array` batch by batch, whatever its final length (a
stage that learns its row count as it reads); `new_array` makes a file of known shape
(np.lib.format.open_memmap) under a temporary name that `write_rows` fills through a map
it closes again (from any process that sees the folder, so Dask workers can), renamed
into place when finished.

Read next: git.py.
"""

import json
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import DTypeLike, NDArray

from .errors import MissingInputError


@contextmanager
def atomic_write(path: Path, durable: bool = True) -> Iterator[IO[bytes]]:
    """Open a temporary file beside `path`; on success it replaces `path` in one rename.

    `durable=False` skips the fsync (milliseconds): the file still outlives the process
    (killed or not, it is in the kernel's page cache), not a machine crash. A run's own
    files are written so (tracking/run.py), as docs/tracking.md says."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def save_array(path: Path, array: NDArray[Any]) -> None:
    """Write one array as .npy, atomically; object arrays are refused (they need pickle)."""
    with atomic_write(path) as handle:
        np.save(handle, array, allow_pickle=False)


def load_array(path: Path) -> NDArray[Any]:
    """Memory-map one .npy array read-only."""
    if not path.exists():
        raise MissingInputError(f"{path}: not found; run the stages before this one first")
    array: NDArray[Any] = np.load(path, mmap_mode="r", allow_pickle=False)
    return array


@contextmanager
def new_array(path: Path, shape: tuple[int, ...], dtype: DTypeLike) -> Iterator[Path]:
    """A .npy of `shape` made beside `path` under a temporary name, which the block fills
    (`write_rows`); when the block ends without error it is renamed to `path`."""
    with atomic_write(path) as handle:
        np.lib.format.open_memmap(handle.name, mode="w+", dtype=dtype, shape=shape).flush()
        yield Path(handle.name)


def read_rows(path: Path, start: int, stop: int) -> NDArray[Any]:
    """Rows [start, stop) of a .npy, copied out of a map that is closed again, so the pages
    read do not stay in the process's memory."""
    return np.array(load_array(path)[start:stop])


def write_rows(path: Path, start: int, rows: NDArray[Any]) -> None:
    """Write `rows` over the rows of a .npy from `start` on, through a map closed again."""
    target = np.load(path, mmap_mode="r+", allow_pickle=False)
    target[start : start + len(rows)] = rows
    target.flush()


def copy_array(source: Path, destination: Path) -> None:
    """Copy a .npy byte for byte, in blocks, atomically."""
    if not source.exists():
        raise MissingInputError(f"{source}: not found; run the stages before this one first")
    with source.open("rb") as original, atomic_write(destination) as handle:
        shutil.copyfileobj(original, handle)


@contextmanager
def appended_array(
    path: Path, dtype: type[np.generic], columns: int | None
) -> Iterator[Callable[[NDArray[Any]], None]]:
    """Write a .npy of rows appended batch by batch (`append(rows)`), atomically; the file
    is byte for byte what np.save writes for all the rows. columns: None for a 1-D array."""
    shape_of_a_row = () if columns is None else (columns,)
    header = {
        "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
        "fortran_order": False,
        "shape": (0, *shape_of_a_row),
    }
    n_rows = 0
    with atomic_write(path) as handle:
        np.lib.format.write_array_header_1_0(handle, header)
        data_start = handle.tell()

        def append(rows: NDArray[Any]) -> None:
            nonlocal n_rows
            handle.write(np.ascontiguousarray(rows, dtype=dtype).data)
            n_rows += len(rows)

        yield append
        # numpy pads the header so that the row count can grow in place (format.py)
        handle.seek(0)
        np.lib.format.write_array_header_1_0(handle, {**header, "shape": (n_rows, *shape_of_a_row)})
        if handle.tell() != data_start:
            raise RuntimeError(f"{path}: the .npy header changed length when completed")
        handle.seek(0, os.SEEK_END)


def array_chunks(path: Path, chunk_rows: int) -> Iterator[NDArray[Any]]:
    """The rows of a .npy array, `chunk_rows` at a time, read from the file (not mapped:
    a mapped page stays in the process's memory once read, these do not)."""
    if not path.exists():
        raise MissingInputError(f"{path}: not found; run the stages before this one first")
    with path.open("rb") as handle:
        version = np.lib.format.read_magic(handle)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, fortran_order, dtype = read_header(handle)
        if fortran_order or dtype.hasobject:
            raise ValueError(f"{path}: not a C-ordered array of numbers")
        row_size = int(np.prod(shape[1:]))
        for start in range(0, shape[0], chunk_rows):
            count = min(chunk_rows, shape[0] - start)
            chunk = np.fromfile(handle, dtype=dtype, count=count * row_size)
            yield chunk.reshape(count, *shape[1:])


def save_arrays(folder: Path, arrays: Mapping[str, NDArray[Any]]) -> None:
    """Write several named arrays into one folder (`name` -> folder/name)."""
    for name, array in arrays.items():
        save_array(folder / name, array)


def save_json(path: Path, data: Mapping[str, Any], durable: bool = True) -> None:
    """Write JSON with sorted keys and a final newline, atomically (see atomic_write)."""
    text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"
    with atomic_write(path, durable) as handle:
        handle.write(text.encode("utf-8"))


def load_json(path: Path) -> Any:
    """Read a JSON file written by save_json."""
    if not path.exists():
        raise MissingInputError(f"{path}: not found; run the stages before this one first")
    return json.loads(path.read_text(encoding="utf-8"))
