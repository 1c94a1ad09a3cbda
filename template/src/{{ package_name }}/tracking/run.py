"""A run: one folder under runs/ that records one execution of a stage, as it happens.

    with start_run(root, params, stage="train") as run:
        run.record_input(path)                      # md5 of each file the stage reads
        curve = run.scalars("train", ("loss", "grad_norm", "weight_norm"))
        curve.log(step, loss, grad_norm, weight_norm)   # ~1 us, flushed in batches
        run.histograms.log(step, "loss", per_sample_losses)
        with run.timings.section("epoch"): ...
        run.save_arrays("checkpoint", {...}, meta={...})

runs/<run_id>/ holds:
    manifest.json      id, name, stage, status, start/end, git, data, params, environment
    diff.patch         the uncommitted changes when the work tree was dirty
    <name>.f64/.json   scalars by step (scalars.py)
    histograms.jsonl   per-sample loss histograms and quantiles
    timings.json       count, total and mean seconds per timed section
    *.npz              checkpoints, the best and the final model

The manifest says `running` from the first moment, and is rewritten (atomically) as
`finished`, `failed` (with the error) or `interrupted` (Ctrl-C) when the run ends. A
process killed outright (SIGKILL, power loss) cannot write anything, so readers
(runs.py) report a `running` run whose process is gone as `interrupted`.

Ctrl-C does not stop the stage mid-update: the first one only sets `stop_requested`,
which the training loop checks between steps, saves a checkpoint and stops; a second
Ctrl-C stops at once. Read next: runs.py, the reading side.
"""

import datetime as dt
import json
import os
import secrets
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..config import Params, as_dict
from ..data.io import atomic_write, save_json
from ..paths import RUNS
from .manifest import dvc_lock_hashes, environment, file_md5, git_state
from .scalars import HistogramWriter, ScalarWriter
from .timing import Timings

MANIFEST = "manifest.json"
DIFF = "diff.patch"
HISTOGRAMS = "histograms.jsonl"
TIMINGS = "timings.json"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def new_run_id() -> str:
    """Start time to the second, and random so runs started together differ:
    20260128-142501-3fa2."""
    return f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class Run:
    """The open run of one stage; see the module docstring for its files."""

    def __init__(self, root: Path, folder: Path, manifest: dict[str, Any], params: Params):
        self.root = root
        self.folder = folder
        self.manifest = manifest
        self.params = params
        self.timings = Timings()
        self.histograms = HistogramWriter(folder / HISTOGRAMS, params.tracking.histogram_bins)
        self.stop_requested = False
        self._writers: list[ScalarWriter] = []

    @property
    def id(self) -> str:
        return str(self.manifest["id"])

    def scalars(self, name: str, columns: tuple[str, ...]) -> ScalarWriter:
        """A writer of one table of scalars by step, flushed every tracking.flush_every rows."""
        writer = ScalarWriter(self.folder, name, columns, self.params.tracking.flush_every)
        self._writers.append(writer)
        return writer

    def record_input(self, path: Path) -> None:
        """Hash a file (or folder) the stage reads and record it in the manifest."""
        name = path.relative_to(self.root) if path.is_relative_to(self.root) else path
        self.manifest["data"]["read"][name.as_posix()] = file_md5(path)
        self.write_manifest()

    def save_arrays(
        self, name: str, arrays: Mapping[str, NDArray[Any]], meta: Mapping[str, Any]
    ) -> Path:
        """Write `<name>.npz` in the run folder atomically: arrays plus JSON metadata."""
        path = self.folder / f"{name}.npz"
        with atomic_write(path) as handle:
            stored: dict[str, Any] = {**arrays, "meta": np.array(json.dumps(meta, sort_keys=True))}
            np.savez(handle, **stored)
        return path

    def flush(self) -> None:
        """Write every buffered scalar now."""
        for writer in self._writers:
            writer.flush()

    def write_manifest(self) -> None:
        save_json(self.folder / MANIFEST, self.manifest)

    def _close(self, status: str, error: str | None) -> None:
        for writer in self._writers:
            writer.close()
        self.histograms.close()
        save_json(self.folder / TIMINGS, self.timings.summary())
        self.manifest.update(status=status, error=error, ended=_now())
        self.write_manifest()


def runs_folder(root: Path) -> Path:
    """The folder runs are written to: root/runs/, or the project's own runs/ when the
    stage runs in DVC's temporary copy of the project.

    `dvc queue start` (and `dvc exp run --temp`) runs each experiment in a copy under
    <project>/.dvc/tmp/exps/ and deletes the copy when it ends; only what git or DVC track
    comes back, and runs/ is neither, so a run written there would be lost. For those
    stages DVC sets DVC_ROOT to the original project (for every other stage, to the project
    itself). Only a root inside that project's .dvc/tmp/ is redirected, so a stray DVC_ROOT
    never moves the runs of another folder.
    """
    project = os.environ.get("DVC_ROOT")
    if project and root.resolve().is_relative_to(Path(project).resolve() / ".dvc" / "tmp"):
        return Path(project) / RUNS
    return root / RUNS


@contextmanager
def start_run(root: Path, params: Params, stage: str) -> Iterator[Run]:
    """Open a run in runs_folder(root), and close it as finished, failed or interrupted."""
    run_id = new_run_id()
    folder = runs_folder(root) / run_id
    folder.mkdir(parents=True)
    git, diff = git_state(root)
    if diff:
        (folder / DIFF).write_text(diff, encoding="utf-8")
    manifest: dict[str, Any] = {
        "id": run_id,
        # `dvc exp run` names its experiment in DVC_EXP_NAME
        "name": os.environ.get("DVC_EXP_NAME") or stage,
        "stage": stage,
        "status": "running",
        "error": None,
        "started": _now(),
        "ended": None,
        "pid": os.getpid(),
        "root": str(root.resolve()),
        "git": git,
        "data": {"dvc_lock": dvc_lock_hashes(root, stage), "read": {}},
        "params": as_dict(params),
        "seed": getattr(getattr(params, stage, None), "seed", None),
        "environment": environment(),
        "metrics": {},
    }
    run = Run(root, folder, manifest, params)
    run.write_manifest()
    with _stop_on_first_interrupt(run):
        try:
            yield run
        except KeyboardInterrupt:
            run._close("interrupted", "KeyboardInterrupt")
            raise
        except BaseException as error:
            run._close("failed", f"{type(error).__name__}: {error}")
            raise
        run._close("finished", None)


@contextmanager
def _stop_on_first_interrupt(run: Run) -> Iterator[None]:
    """First SIGINT: ask the loop to stop at the next step. Second: the usual interrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if run.stop_requested:
            raise KeyboardInterrupt
        run.stop_requested = True

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
