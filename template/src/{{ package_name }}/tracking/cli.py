"""`<package> runs ...`: list, show, compare and plot the runs under runs/.

    uv run <package> runs list
    uv run <package> runs show latest              # or an id, or the start of one
    uv run <package> runs compare 20260128-1425 20260128-1431
    uv run <package> runs plot latest --out reports/figures/run.png

Everything is read through runs.py, so these commands work on a run that is still
going. Read next: ../models/train.py, which records the runs.
"""

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich import box
from rich.console import Console
from rich.table import Column, Table

from ..config import Params
from ..models import train
from .runs import (
    RunInfo,
    RunNotFoundError,
    find_run,
    list_runs,
    read_histograms,
    read_scalars,
    read_timings,
)

runs_app = typer.Typer(help="List, show, compare and plot experiment runs.", no_args_is_help=True)

CHECKPOINTS = ("interrupted.npz", "checkpoint-epoch*.npz")
RootOption = Annotated[Path, typer.Option("--root", help="The project folder holding runs/.")]
console = Console()


def _find(root: Path, run_id: str) -> RunInfo:
    try:
        return find_run(root, run_id)
    except RunNotFoundError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=2) from None


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.5g}"
    return "-" if value is None else str(value)


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"train": {"epochs": 5}} -> {"train.epochs": 5}."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat |= _flat(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


@runs_app.command("list")
def list_command(root: RootOption = Path()) -> None:
    """Every run, oldest first: id, name, status, start, commit and final train loss."""
    fixed = ("id", "status", "started", "commit", "train_loss")
    columns = [Column(name, no_wrap=name in fixed) for name in ("id", "name", *fixed[1:])]
    table = Table(*columns, box=box.SIMPLE_HEAD, pad_edge=False)
    for run in list_runs(root):
        git = run.manifest["git"]
        commit = (git["commit"] or "-")[:8] + ("*" if git["dirty"] else "")  # * = dirty
        table.add_row(
            run.id,
            run.manifest["name"],
            run.status,
            run.manifest["started"][5:16].replace("T", " "),  # MM-DD HH:MM, UTC
            commit,
            _fmt(run.manifest["metrics"].get("train_loss")),
        )
    console.print(table)


@runs_app.command()
def show(
    run_id: Annotated[str, typer.Argument(help="Run id, its start, or 'latest'.")],
    root: RootOption = Path(),
) -> None:
    """One run: status, code and data versions, environment, metrics and timings."""
    run = _find(root, run_id)
    manifest = run.manifest
    table = Table("field", "value", title=f"run {run.id}")
    for key in ("name", "stage", "status", "error", "started", "ended", "seed"):
        table.add_row(key, _fmt(manifest[key]))
    for section in ("git", "data", "metrics", "environment"):
        for key, value in _flat(manifest[section]).items():
            table.add_row(f"{section}.{key}", _fmt(value))
    for key, value in read_timings(run.folder).items():
        table.add_row(f"time.{key}", f"{value['count']:g} x {value['mean_s']:.4g} s")
    console.print(table)


@runs_app.command()
def compare(
    run_ids: Annotated[list[str], typer.Argument(help="Two or more run ids.")],
    root: RootOption = Path(),
) -> None:
    """Side by side: the params that differ, final and best metrics, time per section."""
    runs = [_find(root, run_id) for run_id in run_ids]
    table = Table("", *(run.id for run in runs))
    params = [_flat(run.manifest["params"]) for run in runs]
    for key in sorted(set().union(*params)):
        values = [p.get(key) for p in params]
        if len({repr(v) for v in values}) > 1:
            table.add_row(f"params.{key}", *map(_fmt, values))
    table.add_row("status", *(run.status for run in runs))
    metrics = [_flat(run.manifest["metrics"]) for run in runs]
    # seconds.* repeat the timings, shown below with their nested sections
    for key in sorted(k for k in set().union(*metrics) if not k.startswith("seconds.")):
        table.add_row(key, *(_fmt(m.get(key)) for m in metrics))
    timings = [read_timings(run.folder) for run in runs]
    for key in sorted(set().union(*timings)):
        table.add_row(f"time.{key} (s)", *(_fmt(t.get(key, {}).get("total_s")) for t in timings))
    console.print(table)


@runs_app.command()
def plot(
    run_id: Annotated[str, typer.Argument(help="Run id, its start, or 'latest'.")],
    out: Annotated[Path | None, typer.Option(help="PNG to write.")] = None,
    root: RootOption = Path(),
) -> None:
    """A PNG of the loss, gradient and weight norm curves and the loss histograms by step."""
    import matplotlib  # slow to import: only here

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run = _find(root, run_id)
    curve = read_scalars(run.folder)
    histograms = [h for h in read_histograms(run.folder, "loss") if h["count"]]
    figure, axes = plt.subplots(1, 3, figsize=(15, 4), layout="constrained")
    axes[0].plot(curve["step"], curve["loss"], linewidth=0.5)
    axes[0].set(title="train loss by step", xlabel="step", yscale="log")
    axes[1].plot(curve["step"], curve["grad_norm"], linewidth=0.5, label="gradient norm")
    axes[1].plot(curve["step"], curve["weight_norm"], label="weight norm")
    axes[1].set(title="norms", xlabel="step", yscale="log")
    axes[1].legend()
    if histograms:
        # one column per histogram: the share of samples in each loss bin, on common bins
        top = max(h["edges"][-1] for h in histograms)
        edges = np.linspace(0.0, top, 41)
        image = np.stack(
            [
                np.histogram(np.repeat(h["edges"][:-1], h["counts"]), bins=edges)[0] / h["count"]
                for h in histograms
            ],
            axis=1,
        )
        steps = [h["step"] for h in histograms]
        axes[2].imshow(
            image,
            origin="lower",
            aspect="auto",
            extent=(steps[0], steps[-1], 0.0, top),
            cmap="viridis",
        )
    axes[2].set(title="per-sample loss histogram by step", xlabel="step", ylabel="loss")
    figure.suptitle(f"run {run.id} ({run.status})")
    path = out or run.folder / "curves.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    typer.echo(str(path))


@runs_app.command()
def resume(
    run_id: Annotated[str, typer.Argument(help="Run id, its start, or 'latest'.")],
    root: RootOption = Path(),
) -> None:
    """Continue an interrupted run from its last checkpoint, with the params it had.

    The result is the model an uninterrupted run would have made; it is written outside
    DVC, so record it with `dvc commit train` (or rerun `dvc repro`) afterwards.
    """
    run = _find(root, run_id)
    saved = sorted(run.folder.glob(CHECKPOINTS[0])) or sorted(run.folder.glob(CHECKPOINTS[1]))
    if not saved:
        typer.echo(f"error: run {run.id} has no checkpoint to resume from", err=True)
        raise typer.Exit(code=2)
    params = Params.model_validate(run.manifest["params"])
    train.run(params, root, resume=saved[-1])
