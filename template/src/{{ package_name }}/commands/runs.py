"""`<package> runs ...`: list, show, compare, plot and resume the runs under runs/.

    uv run <package> runs list
    uv run <package> runs show latest              # or an id, or the start of one
    uv run <package> runs compare 20260128-1425 20260128-1431
    uv run <package> runs plot latest --out reports/figures/run.png
    uv run <package> runs resume 20260128-1425     # an interrupted run, from its checkpoint
    uv run <package> runs reproduce 20260128-1425  # train it again from its record, compare

Everything is read through tracking/runs.py, so these commands work on a run that is
still going.

Read next: evaluate.py.
"""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..core.console import print_table, table
from ..core.errors import NotReproducedError, ProjectError
from ..core.paths import PACKAGE
from .options import project_root

if TYPE_CHECKING:
    from ..tracking.runs import RunInfo

runs_app = typer.Typer(
    help="List, show, compare, plot, resume and reproduce experiment runs.",
    no_args_is_help=True,
    rich_markup_mode=None,  # click's plain help: typer's rich help imports rich
)

CHECKPOINTS = ("interrupted.npz", "checkpoint-epoch*.npz")
RunArgument = Annotated[str, typer.Argument(help="Run id, its start, or 'latest'.")]


def _find(run_id: str) -> "RunInfo":
    from ..tracking.runs import find_run

    return find_run(project_root(), run_id)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.5g}"
    return "-" if value is None else str(value)


@runs_app.command("list")
def list_command() -> None:
    """Every run, oldest first: id, name, status, start, commit and final train loss."""
    from ..tracking.runs import list_runs

    rows = table("id", "name", "status", "started", "commit", "train_loss", right=("train_loss",))
    for run in list_runs(project_root()):
        git = run.manifest["git"]
        commit = (git["commit"] or "-")[:8] + ("*" if git["dirty"] else "")  # * = dirty
        rows.add_row(
            run.id,
            run.manifest["name"],
            run.status,
            run.manifest["started"][5:16].replace("T", " "),  # MM-DD HH:MM, UTC
            commit,
            _fmt(run.manifest["metrics"].get("train_loss")),
        )
    print_table(rows)


@runs_app.command()
def show(run_id: RunArgument) -> None:
    """One run: status, params, code and data versions, environment, metrics and timings."""
    from ..tracking.runs import flatten, read_timings

    run = _find(run_id)
    manifest = run.manifest
    rows = table("field", "value", title=f"run {run.id}")
    for key in ("name", "stage", "status", "error", "started", "ended", "seed"):
        rows.add_row(key, _fmt(manifest[key]))
    for section in ("params", "git", "data", "metrics", "environment"):
        for key, value in flatten(manifest[section]).items():
            rows.add_row(f"{section}.{key}", _fmt(value))
    for key, value in read_timings(run.folder).items():
        rows.add_row(f"time.{key}", f"{value['count']:g} x {value['mean_s']:.4g} s")
    print_table(rows)


@runs_app.command()
def compare(
    run_ids: Annotated[list[str], typer.Argument(help="Two or more run ids.")],
) -> None:
    """Side by side: the params that differ, final and best metrics, time per section."""
    from ..tracking.runs import flatten, read_timings

    runs = [_find(run_id) for run_id in run_ids]
    rows = table("", *(run.id for run in runs), right=tuple(run.id for run in runs))
    params = [flatten(run.manifest["params"]) for run in runs]
    for key in sorted(set().union(*params)):
        values = [p.get(key) for p in params]
        if len({repr(v) for v in values}) > 1:
            rows.add_row(f"params.{key}", *map(_fmt, values))
    rows.add_row("status", *(run.status for run in runs))
    metrics = [flatten(run.manifest["metrics"]) for run in runs]
    # seconds.* repeat the timings, shown below with their nested sections
    for key in sorted(k for k in set().union(*metrics) if not k.startswith("seconds.")):
        rows.add_row(key, *(_fmt(m.get(key)) for m in metrics))
    timings = [read_timings(run.folder) for run in runs]
    for key in sorted(set().union(*timings)):
        rows.add_row(f"time.{key} (s)", *(_fmt(t.get(key, {}).get("total_s")) for t in timings))
    print_table(rows)


@runs_app.command()
def plot(
    run_id: RunArgument,
    out: Annotated[Path | None, typer.Option(help="PNG to write.")] = None,
) -> None:
    """A PNG of the loss, gradient and weight norm curves and the loss histograms by step."""
    from ..tracking.plots import save_run_plot

    run = _find(run_id)
    path = out or run.folder / "curves.png"
    save_run_plot(run, path)
    typer.echo(str(path))


@runs_app.command()
def resume(run_id: RunArgument) -> None:
    """Continue an interrupted run from its last checkpoint, with the params it had.

    The result is the model an uninterrupted run would have made. It is written outside
    `dvc repro`, so record it in dvc.lock afterwards with `uv run dvc commit --force train`
    (or rerun `uv run dvc repro`).
    """
    from ..core.config import Params
    from ..models import train

    run = _find(run_id)
    if run.status == "finished":
        raise ProjectError(
            f"run {run.id} finished; there is nothing to resume "
            f"(start a new one with `uv run {PACKAGE} stage train`)"
        )
    saved = sorted(run.folder.glob(CHECKPOINTS[0])) or sorted(run.folder.glob(CHECKPOINTS[1]))
    if not saved:
        raise ProjectError(f"run {run.id} has no checkpoint to resume from")
    params = Params.model_validate(run.manifest["params"])
    train.run(params, project_root(), resume=saved[-1])
    typer.echo(
        "resumed; record the model in dvc.lock with: uv run dvc commit --force train", err=True
    )


@runs_app.command()
def reproduce(
    run_id: RunArgument,
    tolerance: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            help="Allowed |recorded - reproduced| / (1 + |recorded|) per number "
            "[default: the model family's; 0, bit for bit, for the numpy MLP].",
            show_default=False,
        ),
    ] = None,
    keep: Annotated[bool, typer.Option(help="Keep the temporary worktree to look into.")] = False,
) -> None:
    """Train a finished run again from its record alone and compare, item by item.

    In a temporary git worktree at the run's commit, with its diff applied, the data it
    read (by hash, from the workspace, the DVC cache or remote) and its params, the run's
    stage runs again; its weights, metrics and curves are compared with the recorded ones.
    Exits 0 only when every item matches.
    """
    from ..reproduce.retrain import reproduce as reproduce_run

    run = _find(run_id)
    result = reproduce_run(project_root(), run, tolerance, keep)
    how = "bit for bit" if result.tolerance == 0 else f"within {result.tolerance:g}"
    rows = table("item", "verdict", "detail", title=f"run {run.id} reproduced {how}?")
    for verdict in result.verdicts:
        rows.add_row(verdict.item, "match" if verdict.match else "DIFFERS", verdict.detail)
    print_table(rows)
    if not result.matched:
        differing = ", ".join(v.item for v in result.verdicts if not v.match)
        raise NotReproducedError(f"run {run.id} did not reproduce: {differing} differ")
    typer.echo(f"run {run.id} reproduced: every item matches", err=True)
