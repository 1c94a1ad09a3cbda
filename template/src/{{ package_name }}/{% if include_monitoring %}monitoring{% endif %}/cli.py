"""`<package> predict` for batches, and `<package> monitor drift|efficiency|shadow`.

Exit status: 0 when all is well, 2 for bad input (one line naming the file, line or
column at fault; nothing is written), and 3 when `monitor drift` raises an alarm, so a
scheduler (cron, Airflow, a CI job) can act on it.

    uv run <package> predict data/raw/churn.csv predictions.csv
    uv run <package> monitor drift
    uv run <package> monitor efficiency
    uv run <package> monitor distill models/small.npz --hidden-units 4
    uv run <package> monitor shadow data/raw/churn.csv --candidate models/small.npz

Read next: predictor.py.
"""

import csv
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from ..config import ConfigError, MonitoringParams, Params, as_dict, load_params
from ..data.io import (
    MissingInputError,
    atomic_write,
    load_array,
    load_json,
    save_array,
    save_json,
)
from ..data.prepare import DataError
from ..models.mlp import save_model
from ..paths import (
    FEATURES_FILE,
    FEATURES_TRAIN,
    MODEL,
    MONITORING_REPORTS,
    PARAMS_FILE,
    PREDICTION_LOGS,
    REFERENCE,
    SHADOW_LOGS,
)
from .drift import drift_report, save_drift_plot
from .efficiency import efficiency_report
from .logger import PredictionLogger, read_log
from .predictor import load_predictor, read_batch
from .shadow import distill, shadow_report

log = logging.getLogger(__name__)

ALARM = 3  # exit status of `monitor drift` when an alarm fires
monitor_app = typer.Typer(
    help="Watch the model in production: drift, efficiency, shadow models.",
    no_args_is_help=True,
)
ParamsOption = Annotated[Path, typer.Option("--params", help="The params file to read.")]


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Bad input: print `error: ...` (one line per problem) and exit with status 2."""
    try:
        yield
    except (ConfigError, DataError, MissingInputError) as error:
        for line in str(error).splitlines():
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(code=2) from None


def monitoring_params(params: Params) -> MonitoringParams:
    """The monitoring section, which a params.yaml without monitoring does not have."""
    if params.monitoring is None:
        raise ConfigError("monitoring: is missing from params.yaml")
    return params.monitoring


def predict(
    source: Annotated[Path, typer.Argument(help="A CSV in the raw schema, or a .npy of features.")],
    destination: Annotated[Path, typer.Argument(help="Where to write: .csv or .npy.")],
    model: Annotated[Path, typer.Option(help="The model to serve.")] = MODEL,
    log_predictions: Annotated[bool, typer.Option("--log/--no-log", help="Log them.")] = True,
    params_file: ParamsOption = PARAMS_FILE,
) -> None:
    """Score a batch with the trained model at the frozen threshold; log a sample."""
    with one_line_errors():
        if destination.suffix not in (".csv", ".npy"):
            raise DataError(f"{destination}: must end in .csv or .npy")
        settings = monitoring_params(load_params(params_file))
        predictor = load_predictor(Path.cwd(), model)
        batch = read_batch(source, predictor.featurizer)
        p, ms = predictor.timed_predict(batch.features)
    if destination.suffix == ".npy":
        save_array(destination, p)
    else:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(["id", "probability", "offer"])
        writer.writerows(
            [i, f"{v:.6f}", int(v >= predictor.threshold)]
            for i, v in zip(batch.ids, p, strict=True)
        )
        with atomic_write(destination) as handle:
            handle.write(text.getvalue().encode("utf-8"))
    if log_predictions:
        with PredictionLogger(PREDICTION_LOGS, settings, predictor.threshold) as logger:
            for i, value in enumerate(p):
                row = {column: values[i] for column, values in batch.columns.items()}
                logger.log(row, float(value), ms / len(p), model=predictor.name)
    log.info("%d predictions written to %s (%.1f ms)", len(p), destination, ms)


@monitor_app.command()
def drift(
    logs: Annotated[Path, typer.Option(help="The prediction log folder.")] = PREDICTION_LOGS,
    reference: Annotated[Path, typer.Option(help="The training reference.")] = REFERENCE,
    params_file: ParamsOption = PARAMS_FILE,
) -> None:
    """Compare logged inputs and outputs with training; exit 3 when an alarm fires."""
    with one_line_errors():
        settings = monitoring_params(load_params(params_file))
        stored = load_json(reference)
        report = drift_report(stored, read_log(logs), settings)
    save_json(MONITORING_REPORTS / "drift.json", report)
    save_drift_plot(report, settings, MONITORING_REPORTS / "drift.png")
    if not report["tested"]:
        log.warning("only %d logged rows: fewer than min_rows, inputs not tested", report["n_rows"])
    for alarm in report["alarms"]:
        typer.echo(f"alarm: {alarm}", err=True)
    if report["alarm"]:
        raise typer.Exit(code=ALARM)
    log.info("no drift in %d logged predictions", report["n_rows"])


@monitor_app.command()
def efficiency(
    logs: Annotated[Path, typer.Option(help="The prediction log folder.")] = PREDICTION_LOGS,
    params_file: ParamsOption = PARAMS_FILE,
) -> None:
    """Latency p50/p95/p99 and throughput per window, from the prediction log."""
    with one_line_errors():
        settings = monitoring_params(load_params(params_file))
        windows = efficiency_report(read_log(logs), settings)
    save_json(MONITORING_REPORTS / "efficiency.json", {"windows": windows})
    for w in windows:
        typer.echo(
            f"{w['start']}  {w['predictions']:>8d} predictions  {w['throughput_per_s']:8.2f}/s  "
            f"p50 {w['latency_ms_p50']:.3f}  p95 {w['latency_ms_p95']:.3f}  "
            f"p99 {w['latency_ms_p99']:.3f} ms"
        )


@monitor_app.command()
def shadow(
    source: Annotated[Path, typer.Argument(help="A CSV in the raw schema, or a .npy of features.")],
    candidate: Annotated[Path, typer.Option(help="The model run in the shadow.")],
    current: Annotated[Path, typer.Option(help="The model in service.")] = MODEL,
    params_file: ParamsOption = PARAMS_FILE,
) -> None:
    """Score the same inputs with both models; report agreement, money and latency."""
    with one_line_errors():
        params = load_params(params_file)
        settings = monitoring_params(params)
        root = Path.cwd()
        serving = load_predictor(root, current, name="current")
        shadowing = load_predictor(root, candidate, name="candidate")
        batch = read_batch(source, serving.featurizer)
    # a shadow run is a comparison, not traffic: every prediction of both models is logged
    log_all = settings.model_copy(update={"sampling": "rate", "sample_rate": 1.0})
    with PredictionLogger(SHADOW_LOGS, log_all, serving.threshold) as logger:
        report = shadow_report(serving, shadowing, batch, params.outcome, logger)
    save_json(MONITORING_REPORTS / "shadow.json", report)
    summary = f"agreement {report['agreement']:.4f}, latency ratio {report['latency_ratio']:.2f}"
    if "money_difference" in report:
        summary += f", money difference {report['money_difference']:+.1f} per 1,000 customers"
    typer.echo(summary)


@monitor_app.command(name="distill")
def distill_command(
    destination: Annotated[Path, typer.Argument(help="Where to write the small model (.npz).")],
    hidden_units: Annotated[int, typer.Option(help="Width of the small model.")] = 4,
    params_file: ParamsOption = PARAMS_FILE,
) -> None:
    """Train a smaller model on the current model's outputs, to compare with `shadow`."""
    with one_line_errors():
        params = load_params(params_file, [f"train.hidden_units={hidden_units}"])
        root = Path.cwd()
        teacher = load_predictor(root)
        features = np.asarray(load_array(root / FEATURES_TRAIN / FEATURES_FILE), dtype=np.float64)
    student = distill(teacher, features, params.train)
    save_model(
        student, destination, {"distilled_from": str(MODEL), "train": as_dict(params)["train"]}
    )
    log.info("distilled %d-unit model written to %s", hidden_units, destination)
