"""Atomic array and JSON I/O: a stage interrupted at any moment leaves no partial file.

Each write goes to a temporary file in the destination folder, is flushed to disk, then
renamed over the destination; a rename within one folder is atomic, so a reader (or the
next `dvc repro`) sees the old file or the new one, never half of either. Arrays are
read memory-mapped, so a stage touches only the rows it uses.

Read next: git.py.
"""

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import NDArray

from .errors import MissingInputError


@contextmanager
def atomic_write(path: Path) -> Iterator[IO[bytes]]:
    """Open a temporary file beside `path`; on success it replaces `path` in one rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            yield handle
            handle.flush()
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


def save_arrays(folder: Path, arrays: Mapping[str, NDArray[Any]]) -> None:
    """Write several named arrays into one folder (`name` -> folder/name)."""
    for name, array in arrays.items():
        save_array(folder / name, array)


def save_json(path: Path, data: Mapping[str, Any]) -> None:
    """Write JSON with sorted keys and a final newline, atomically."""
    text = json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"
    with atomic_write(path) as handle:
        handle.write(text.encode("utf-8"))


def load_json(path: Path) -> Any:
    """Read a JSON file written by save_json."""
    if not path.exists():
        raise MissingInputError(f"{path}: not found; run the stages before this one first")
    return json.loads(path.read_text(encoding="utf-8"))
