"""The HTTP prediction service: the trained pipeline behind `POST /predict`, with the
production practices in the request path (`<package> serve` runs it on uvicorn).

- `POST /predict`, `Content-Type: application/json`: one row as an object of column ->
  value, or a batch as an array of them, in the raw schema (data/schema.yaml), read by
  the reader training uses (predictor.read_json_rows). Answers 200 with each row's
  id, probability and offer (p >= the frozen threshold). A row the contract refuses
  makes the whole request 422, each error naming the row, the field and the rule, and
  each is logged as an error record; nothing of that request is scored. 400: the body is
  not JSON; 415: another content type; 413: more rows than monitoring.max_batch_rows,
  or a body past monitoring.max_body_bytes (refused before it is all read).
- `GET /health`: the model is loaded; its file, family, run id and threshold.
- `GET /metrics`: Prometheus text format: requests by status, request latency, rows
  scored, records logged, rows refused, and the alarms of the latest `monitor drift`;
  with a candidate in the shadow, rows compared, agreeing, dropped, and each model's time.

Predictions are logged through a BackgroundLogger (background.py), sampled as
params.yaml's monitoring section says, so a request never waits on the disk; the log is
drained when the service stops (uvicorn turns SIGTERM and Ctrl-C into a clean stop).
With `candidate`, a ShadowWorker (background.py) scores each answered batch with the
candidate after the answer, into logs/shadow/ and the metrics. The service reads
models/, data/schema.yaml and reports/monitoring/drift.json, and writes nothing but
logs/ (predictions/, and shadow/ with a candidate). The model is loaded once: a model retrained on
disk is served after a restart.

Read next: ../commands/data.py.
"""

import json
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..core.config import MonitoringParams
from ..core.paths import MODEL, MONITORING_REPORTS, PREDICTION_LOGS, SHADOW_LOGS
from ..models.registry import model_metadata
from .background import BackgroundLogger, ShadowWorker
from .logger import PredictionLogger, log_fields
from .predictor import Batch, Predictor, load_predictor, read_json_rows
from .shadow import PairedLog

DRIFT_REPORT = MONITORING_REPORTS / "drift.json"
# Request latency buckets in seconds: a small model answers in about a millisecond.
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class RefusedError(Exception):
    """A request answered with an error status and a JSON body saying why."""

    def __init__(self, status: int, body: Mapping[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


class Metrics:
    """The service's Prometheus metrics, in a registry of their own."""

    def __init__(self, root: Path) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "predict_requests",
            "POST /predict requests, by status",
            ["status"],
            registry=self.registry,
        )
        self.by_status: dict[int, Counter] = {}  # requests.labels(status), made once each
        self.latency = Histogram(
            "predict_request_seconds",
            "Time to answer POST /predict",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.scored = Counter("predictions", "Rows scored", registry=self.registry)
        self.logged = Counter(
            "prediction_log_records",
            "Records written to the log (sampled rows and errors)",
            registry=self.registry,
        )
        self.refused = Counter("refused_rows", "Rows the contract refused", registry=self.registry)
        alarms = Gauge(
            "drift_alarms",
            "Alarms in the latest `monitor drift` report (NaN: none yet)",
            registry=self.registry,
        )
        alarms.set_function(lambda: drift_alarms(root / DRIFT_REPORT))
        # the shadow (serve --candidate): agreement = agreeing / compared rows, and the
        # latency ratio = candidate seconds / current seconds, over any time range
        self.shadow_rows = Counter("shadow_rows", "Rows both models scored", registry=self.registry)
        self.shadow_agreeing = Counter(
            "shadow_agreeing_rows", "Rows where both models decide alike", registry=self.registry
        )
        self.shadow_seconds = Counter(
            "shadow_model_seconds",
            "Scoring time in the shadow, by model",
            ["model"],
            registry=self.registry,
        )
        self.dropped = Counter(
            "shadow_dropped_rows",
            "Rows the candidate had no room or failed for",
            registry=self.registry,
        )

    def answered(self, status: int, seconds: float) -> None:
        """Count one POST /predict answer and its time."""
        if status not in self.by_status:  # labels() costs microseconds at every call
            self.by_status[status] = self.requests.labels(status=str(status))
        self.by_status[status].inc()
        self.latency.observe(seconds)

    def compared(self, rows: int, agreeing: int, current_s: float, candidate_s: float) -> None:
        """Count one batch the shadow compared (ShadowWorker's on_compared)."""
        self.shadow_rows.inc(rows)
        self.shadow_agreeing.inc(agreeing)
        self.shadow_seconds.labels(model="current").inc(current_s)
        self.shadow_seconds.labels(model="candidate").inc(candidate_s)


def drift_alarms(report: Path) -> float:
    """How many alarms the latest drift report raised; NaN when there is none."""
    try:
        return float(len(json.loads(report.read_text(encoding="utf-8"))["alarms"]))
    except (OSError, ValueError, KeyError, TypeError):
        return float("nan")


async def limited_body(request: Request, limit: int) -> bytes:
    """The request body, or RefusedError (413) as soon as it is known to pass `limit`
    bytes: from its Content-Length before reading any of it, else (a chunked body) when
    the bytes received pass the limit; the rest is never read into memory."""
    what = f"the limit is monitoring.max_body_bytes = {limit}"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise RefusedError(413, {"error": f"the body has {declared} bytes; {what}"})
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RefusedError(413, {"error": f"the body passed {limit} bytes; {what}"})
        chunks.append(chunk)
    return b"".join(chunks)


def rows_of(body: bytes, max_rows: int) -> list[dict[str, Any]]:
    """The rows of a request body: one JSON object or an array of them; else RefusedError."""
    try:
        payload = json.loads(body)
    except ValueError as error:  # JSONDecodeError, or bytes that are not UTF-8
        raise RefusedError(400, {"error": f"the body is not JSON: {error}"}) from None
    rows = [payload] if isinstance(payload, dict) else payload
    if not isinstance(rows, list) or not rows:
        what = "an object (one row) or a non-empty array of objects (a batch)"
        raise RefusedError(422, {"error": f"the body must be {what}"})
    if len(rows) > max_rows:
        limit = f"the limit is monitoring.max_batch_rows = {max_rows}"
        raise RefusedError(413, {"error": f"the batch has {len(rows)} rows; {limit}"})
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise RefusedError(422, {"error": f"row {number}: must be an object of column: value"})
    return rows


def refusals(batch: Batch) -> list[dict[str, Any]]:
    """The refused rows as the 422 body lists them: row (from 1), field, value, rule."""
    return [
        {
            "row": error.position + 1,
            "field": error.column,
            "value": error.value,
            "rule": error.reason,
            "message": str(error),
        }
        for error in batch.refused
    ]


@dataclass
class Workers:
    """What runs beside the requests while the service is up (started by its lifespan)."""

    logger: BackgroundLogger
    shadow: ShadowWorker | None


def create_app(
    root: Path, params: MonitoringParams, model: Path = MODEL, candidate: Path | None = None
) -> Starlette:
    """The service for the pipeline under `root`, serving `model` (absolute, or relative
    to `root`), with `candidate` in its shadow; a missing or unreadable model is a
    ProjectError here, before any request."""
    predictor = load_predictor(root, model)
    shadowing = load_predictor(root, candidate, name="candidate") if candidate else None
    about = model_metadata(root / model)
    fields = log_fields(params, predictor.schema)
    metrics = Metrics(root)
    running: list[Workers] = []  # the running service's workers (lifespan)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        logger = PredictionLogger(root / PREDICTION_LOGS, params, predictor.threshold, fields)
        shadow = None
        if shadowing is not None:  # a comparison, not traffic: both models' rows are logged
            paired = PairedLog(root / SHADOW_LOGS, params, predictor.threshold, fields)
            shadow = ShadowWorker(shadowing, paired, metrics.compared, metrics.dropped.inc)
        running.append(Workers(BackgroundLogger(logger, metrics.logged.inc), shadow))
        try:
            yield
        finally:
            workers = running.pop()
            workers.logger.close()  # every queued record is written before the process exits
            if workers.shadow is not None:
                workers.shadow.close()

    async def predict(request: Request) -> Response:
        started = time.perf_counter()
        try:
            sent = await checked_body(request)
            body = score(predictor, running[0], sent, started)
            status = 200
            metrics.scored.inc(len(body["predictions"]))
        except RefusedError as refusal:
            body, status = dict(refusal.body), refusal.status
            metrics.refused.inc(len(body.get("errors", ())))
        metrics.answered(status, time.perf_counter() - started)
        return JSONResponse(body, status_code=status)

    async def checked_body(request: Request) -> list[dict[str, Any]]:
        kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if kind != "application/json":
            shown = kind or "none"
            raise RefusedError(
                415, {"error": f"Content-Type must be application/json, not {shown}"}
            )
        return rows_of(await limited_body(request, params.max_body_bytes), params.max_batch_rows)

    async def health(request: Request) -> Response:
        return JSONResponse(
            {
                "status": "ok",
                "model_loaded": True,
                "model": str(model),
                "family": about.get("family", "mlp"),
                "run_id": about.get("run_id"),
                "threshold": predictor.threshold,
            }
        )

    async def prometheus(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    routes = [
        Route("/predict", predict, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/metrics", prometheus, methods=["GET"]),
    ]
    service = Starlette(routes=routes, lifespan=lifespan)
    service.state.metrics = metrics  # for a test that reads them after the service stopped
    return service


def score(
    predictor: Predictor, workers: Workers, rows: list[dict[str, Any]], started: float
) -> dict[str, Any]:
    """Read the rows by the contract and score them; RefusedError (422) when any is refused,
    after logging each refused row as an error record. The log and the shadow get the
    scored batch through their queues."""
    batch = read_json_rows(rows, predictor)
    if batch.refused:
        for error in batch.refused:
            workers.logger.log_error(error.cells, str(error), model=predictor.name)
        raise RefusedError(422, {"errors": refusals(batch)})
    p, model_ms = predictor.timed_predict(batch.features)
    # the latency logged per row: this request's time so far, shared among its rows
    request_ms = 1000 * (time.perf_counter() - started)
    workers.logger.log_batch(batch.columns, p, request_ms, model=predictor.name)
    if workers.shadow is not None:
        workers.shadow.offer(batch.features, batch.columns, batch.ids, p, model_ms)
    return {
        "model": predictor.name,
        "threshold": predictor.threshold,
        "predictions": [
            {"id": row_id, "probability": float(v), "offer": bool(v >= predictor.threshold)}
            for row_id, v in zip(batch.ids, p, strict=True)
        ],
    }
