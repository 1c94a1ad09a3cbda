"""A run: one folder under runs/ that records one execution of a training stage.

    with start_run(root, params, stage="train") as run:
        run.record_input(path)                   # md5 of each file the stage reads
        with run.section("epoch"): ...           # timed sections (timing.py)
        run.log_step(step, loss, losses, norms)  # the loss; norms, histograms every N steps
        run.check_stop(checkpoint)               # Ctrl-C: save where the loop is, stop
        run.end_epoch(epoch, loss, checkpoint)   # best and periodic checkpoints

Code that trains takes a `Run` and never asks whether it is recording: NULL_RUN has the
same methods and does nothing, so the loop reads as the algorithm plus one line per thing
it records, and tests or `evaluate compare` train without writing anything. How often
a run records histograms, norms and checkpoints is the run's business: it is built with
the `tracking` section of params.yaml, and the loop never reads it.

runs/<run_id>/ holds:
    manifest.json      id, name, stage, status, start/end, git, data (the deps' hashes
                       as DVC records them for this run, and what the stage read), params,
                       environment
    diff.patch         the uncommitted changes when the work tree was dirty
    <name>.scalars     scalars (scalars.py), every step kept if the process is killed: train
                       (the loss of every step), norms (weight and gradient norms every N
                       steps), epochs (the mean loss and the 10%, 50%, 90% quantiles of
                       per-sample losses of each epoch)
    histograms.jsonl   per-sample loss histograms and quantiles
    timings.json       count, total and mean seconds per timed section (saved every 10 s)
    *.npz              checkpoints, the best and the final model (best.npz is a second
                       name of the periodic checkpoint of its epoch, when there is one)

The run's files are renamed into place whole but not fsynced: they outlive the process
(killed or not), not a machine crash; docs/tracking.md says why.

The manifest says `running` from the first moment, and is rewritten (atomically) as
`finished`, `failed` (with the error) or `interrupted` (Ctrl-C) when the run ends. A
process killed outright (SIGKILL, power loss) cannot write anything, so readers
(runs.py) report a `running` run whose process is gone as `interrupted`.

Ctrl-C does not stop the stage mid-update: the first one only sets `stop_requested`,
which the training loop checks between steps (`check_stop`): it saves a checkpoint and
stops, and the command says how to resume. A second Ctrl-C stops at once.

Read next: scalars.py.
"""

import datetime as dt
import json
import math
import os
import secrets
import shutil
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from types import FrameType
from typing import Any, Final, Protocol

import numpy as np
from numpy.typing import NDArray

from ..core.config import Params, TrackingParams, as_dict
from ..core.errors import RunInterruptedError
from ..core.git import git_state
from ..core.io import atomic_write, save_json
from ..core.paths import PACKAGE, RUNS
from ..core.types import Array
from .manifest import dvc_dependency_hashes, environment, file_md5
from .scalars import HistogramWriter, ScalarWriter
from .timing import Summary, Timings

MANIFEST = "manifest.json"
DIFF = "diff.patch"
HISTOGRAMS = "histograms.jsonl"
TIMINGS = "timings.json"
INTERRUPTED = "interrupted"  # the checkpoint written on Ctrl-C
BEST = "best"  # best.npz: the state at the epoch with the lowest train loss
# The quantiles of per-sample losses recorded with each epoch's mean loss (the "epochs" table).
EPOCH_QUANTILES: Final = (0.1, 0.5, 0.9)
EPOCH_QUANTILE_NAMES: Final = ("p10", "p50", "p90")

# What a training loop hands over to be saved: named arrays and JSON-ready metadata.
Checkpoint = tuple[Mapping[str, NDArray[Any]], Mapping[str, Any]]
# Squared norms of each parameter tensor, (||w||^2, ||g||^2) by name; called only when due.
Norms = Callable[[], Mapping[str, tuple[float, float]]]


class Run(Protocol):
    """What a training loop may record; TrackedRun writes it, NullRun ignores it."""

    @property
    def stop_requested(self) -> bool: ...

    def section(self, name: str) -> AbstractContextManager[object]:
        """Time the body of a `with` block under `name` (nested sections nest names)."""
        ...

    def log_step(self, step: int, loss: float, losses: Array, norms: Norms) -> None:
        """Record one optimisation step: the loss always; every tracking.histogram_every
        steps, the per-sample loss histogram and the norms (`norms` is called only then)."""
        ...

    def check_stop(self, checkpoint: Callable[[], Checkpoint]) -> None:
        """After Ctrl-C: save the checkpoint as `interrupted` and stop (KeyboardInterrupt)."""
        ...

    def end_epoch(self, epoch: int, loss: float, checkpoint: Callable[[], Checkpoint]) -> None:
        """Keep the checkpoint as `best` when `loss` is the lowest yet (written with the next
        periodic checkpoint and when the run ends), and save it as `checkpoint-epochNNNN`
        every tracking.checkpoint_every epochs."""
        ...


class NullRun:
    """A run that records nothing: for tests, `evaluate compare` and distillation."""

    stop_requested: Final = False

    def section(self, name: str) -> AbstractContextManager[object]:
        return nullcontext()

    def log_step(self, step: int, loss: float, losses: Array, norms: Norms) -> None:
        pass

    def check_stop(self, checkpoint: Callable[[], Checkpoint]) -> None:
        pass

    def end_epoch(self, epoch: int, loss: float, checkpoint: Callable[[], Checkpoint]) -> None:
        pass


NULL_RUN: Final[Run] = NullRun()


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def new_run_id() -> str:
    """Start time to the second, and random so runs started together differ:
    20260128-142501-3fa2."""
    return f"{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class TrackedRun:
    """The open run of one stage, writing into its folder; see the module docstring."""

    def __init__(
        self, root: Path, folder: Path, manifest: dict[str, Any], settings: TrackingParams
    ):
        self.root = root
        self.folder = folder
        self.manifest = manifest
        self.settings = settings
        self.timings = Timings(save=self._save_timings)
        self.stop_requested = False
        self._last_losses: Array = np.zeros(1)
        self._histograms = HistogramWriter(folder / HISTOGRAMS, settings.histogram_bins)
        self._writers: list[ScalarWriter] = []
        self._curve = self.scalars("train", ("loss",))
        self._norms: ScalarWriter | None = None  # made at the first due step: names known then
        self._best_loss = math.inf
        self._best: Checkpoint | None = None  # kept in memory, written at checkpoints and close
        self._epochs = self.scalars("epochs", ("loss", *EPOCH_QUANTILE_NAMES))
        self._epoch_sample: list[Array] = []  # per-sample losses of batches seen this epoch

    @property
    def id(self) -> str:
        return str(self.manifest["id"])

    def section(self, name: str) -> AbstractContextManager[object]:
        return self.timings.section(name)

    def scalars(self, name: str, columns: tuple[str, ...]) -> ScalarWriter:
        """A writer of one table of scalars by step; each step is in the file once logged."""
        writer = ScalarWriter(self.folder, name, columns)
        self._writers.append(writer)
        return writer

    def log_step(self, step: int, loss: float, losses: Array, norms: Norms) -> None:
        self._curve.log(step, loss)
        self._last_losses = losses
        if step % self.settings.histogram_every:
            return
        # every histogram_every steps: the loss of each sample, and the norms
        with self.timings.section("histogram"):
            self._histograms.log(step, "loss", losses)
            self._epoch_sample.append(losses)
            squared = norms()
            if self._norms is None:
                per_tensor = tuple(f"{k}/{name}" for k in ("w", "g") for name in squared)
                self._norms = self.scalars("norms", ("weight_norm", "grad_norm", *per_tensor))
            # ||w|| over all tensors = sqrt of the sum of every entry's square; ||g|| alike
            total_w = math.sqrt(sum(w2 for w2, _ in squared.values()))
            total_g = math.sqrt(sum(g2 for _, g2 in squared.values()))
            w = [math.sqrt(w2) for w2, _ in squared.values()]
            g = [math.sqrt(g2) for _, g2 in squared.values()]
            self._norms.log(step, total_w, total_g, *w, *g)

    def check_stop(self, checkpoint: Callable[[], Checkpoint]) -> None:
        if self.stop_requested:
            self.save_arrays(INTERRUPTED, *checkpoint())
            raise KeyboardInterrupt

    def end_epoch(self, epoch: int, loss: float, checkpoint: Callable[[], Checkpoint]) -> None:
        # the spread of per-sample losses in the epoch, from the batches histogrammed in it
        # (or its last batch): an estimate that costs nothing per step
        sample = np.concatenate(self._epoch_sample or [self._last_losses])
        self._epochs.log(epoch, loss, *np.quantile(sample, EPOCH_QUANTILES).tolist())
        self._epoch_sample = []
        every = self.settings.checkpoint_every
        due = bool(every) and epoch % every == 0
        best = loss < self._best_loss
        if not (best or due):
            return
        with self.timings.section("checkpoint"):
            arrays, meta = checkpoint()
            if best:
                self._best_loss = loss
            if due:
                saved = self.save_arrays(f"checkpoint-epoch{epoch:04d}", arrays, meta)
                if best:  # the same state: best.npz is a second name of that file
                    self._best = None
                    _link(saved, self.folder / f"{BEST}.npz")
                else:
                    self._save_best()
            elif best:
                # a copy in memory; written with the next periodic checkpoint, or at the end
                self._best = ({k: np.array(v, copy=True) for k, v in arrays.items()}, meta)

    def record_input(self, path: Path) -> None:
        """Record the md5 of a file the stage reads (of each file, for a folder)."""
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            name = file.relative_to(self.root) if file.is_relative_to(self.root) else file
            self.manifest["data"]["read"][name.as_posix()] = file_md5(file)
        self.write_manifest()

    def save_arrays(
        self, name: str, arrays: Mapping[str, NDArray[Any]], meta: Mapping[str, Any]
    ) -> Path:
        """Write `<name>.npz` in the run folder atomically: arrays plus JSON metadata."""
        path = self.folder / f"{name}.npz"
        with atomic_write(path, durable=False) as handle:
            stored: dict[str, Any] = {**arrays, "meta": np.array(json.dumps(meta, sort_keys=True))}
            np.savez(handle, **stored)
        return path

    def _save_timings(self, summary: Summary) -> None:
        save_json(self.folder / TIMINGS, summary, durable=False)

    def write_manifest(self) -> None:
        save_json(self.folder / MANIFEST, self.manifest, durable=False)

    def _save_best(self) -> None:
        if self._best is not None:
            self.save_arrays(BEST, *self._best)
            self._best = None

    def _close(self, status: str, error: str | None) -> None:
        self._save_best()
        for writer in self._writers:
            writer.close()
        self._histograms.close()
        self._save_timings(self.timings.summary())
        self.manifest.update(status=status, error=error, ended=_now())
        self.write_manifest()


def _link(source: Path, target: Path) -> None:
    """Make `target` name the file `source` names (a copy where links are not allowed),
    replacing `target` in one rename."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    try:
        os.link(source, temporary)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, temporary)
    os.replace(temporary, target)


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
def start_run(root: Path, params: Params, stage: str) -> Iterator[TrackedRun]:
    """Open a run in runs_folder(root), and close it as finished, failed or interrupted.

    Ctrl-C ends the run as `interrupted` and raises RunInterruptedError, whose message names the
    checkpoint and the command that resumes from it."""
    run_id = new_run_id()
    folder = runs_folder(root) / run_id
    folder.mkdir(parents=True)
    git = git_state(root, with_diff=True)
    if git.diff:
        (folder / DIFF).write_text(git.diff, encoding="utf-8")
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
        "git": {"commit": git.commit, "branch": git.branch, "dirty": git.dirty},
        "data": {"deps": dvc_dependency_hashes(root, stage), "read": {}},
        "params": as_dict(params),
        "seed": getattr(getattr(params, stage, None), "seed", None),
        "environment": environment(),
        "metrics": {},
    }
    run = TrackedRun(root, folder, manifest, params.tracking)
    run.write_manifest()
    with _stop_on_first_interrupt(run):
        try:
            yield run
        except KeyboardInterrupt:
            run._close("interrupted", "KeyboardInterrupt")
            raise RunInterruptedError(_resume_hint(run)) from None
        except BaseException as error:
            run._close("failed", f"{type(error).__name__}: {error}")
            raise
        run._close("finished", None)


def _resume_hint(run: TrackedRun) -> str:
    """What was kept of an interrupted run, and the command that continues it."""
    saved = run.folder / f"{INTERRUPTED}.npz"
    if not saved.exists():
        return f"interrupted before the first step; run {run.id} has nothing to resume"
    where = saved.relative_to(run.root) if saved.is_relative_to(run.root) else saved
    return (
        f"interrupted: the training state is saved in {where.as_posix()}\n"
        f"continue with: uv run {PACKAGE} runs resume {run.id}"
    )


@contextmanager
def _stop_on_first_interrupt(run: TrackedRun) -> Iterator[None]:
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
