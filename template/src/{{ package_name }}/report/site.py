"""The whole report: every page and figure, written so a failed build leaves the last one.

    reports/site/
      index.html              the runs, newest first
      runs/<id>.html          one page per run
      evaluations.html        the evaluations; evaluations/<id>.html one page each
      comparisons.html        `evaluate compare --json` results in reports/
      test-ledger.html        every look at the test split
      monitoring.html         the latest drift, efficiency and shadow reports
      model-card.html         the model in models/
      figures/*.png           every figure, beside the pages

The site is built in a folder beside the destination and renamed over it at the end.
Links are relative, so the folder can be opened from disk, kept as a CI artifact or
served as it is (GitHub or GitLab Pages).

Read next: ../commands/runs.py, the commands over recorded runs.
"""

import logging
import shutil
from pathlib import Path

from ..core.io import atomic_write
from ..core.paths import MONITORING_REPORTS, TEST_REPORT
from ..evaluation.evaluate import MONEY
from ..evaluation.plots import save_calibration_plot
from ..tracking.run import DIFF, MANIFEST
from ..tracking.runs import (
    RunInfo,
    has_scalars,
    list_runs,
    read_histograms,
    read_scalars,
    read_timings,
)
from . import card, figures, pages, records
from .markup import page, text

log = logging.getLogger(__name__)


def _write(path: Path, html: str) -> None:
    with atomic_write(path) as handle:
        handle.write(html.encode("utf-8"))


def _run_figures(run: RunInfo, folder: Path, previous: Path) -> dict[str, str]:
    """Draw a run's figures into folder/figures/; return their links from runs/<id>.html.

    A finished run never changes, so a figure the previous build drew after the run
    ended is copied, not drawn again: a report of many runs stays quick to rebuild."""
    drawn: dict[str, str] = {}
    ended = (run.folder / MANIFEST).stat().st_mtime
    kept = {
        figure.name
        for figure in (previous / "figures").glob(f"run-{run.id}-*.png")
        if run.status == "finished" and figure.stat().st_mtime > ended
    }

    def place(name: str) -> Path | None:
        drawn[name] = f"../figures/run-{run.id}-{name}.png"
        path = folder / "figures" / f"run-{run.id}-{name}.png"
        if path.name not in kept:
            return path
        shutil.copy2(previous / "figures" / path.name, path)
        return None

    (folder / "figures").mkdir(exist_ok=True)
    if has_scalars(run.folder, "train") and (path := place("curves")):
        has_epochs = has_scalars(run.folder, "epochs")
        epochs = read_scalars(run.folder, "epochs") if has_epochs else None
        figures.run_curves(read_scalars(run.folder), epochs, path)
    histograms = [h for h in read_histograms(run.folder, "loss") if h["count"]]
    if histograms and (path := place("histograms")):
        figures.loss_histograms(histograms, path)
    if has_scalars(run.folder, "norms") and (path := place("norms")):
        figures.norms(read_scalars(run.folder, "norms"), path)
    timings = read_timings(run.folder)
    if timings and (path := place("timings")):
        figures.timings(timings, path)
    return drawn


def _evaluation_figures(evaluation: records.Evaluation, folder: Path) -> dict[str, str]:
    record = evaluation.record
    report = record["report"]
    drawn = {}
    if record["money_by_threshold"]:
        baselines = {name: row[MONEY] for name, row in report["baselines"].items()}
        path = folder / "figures" / f"evaluation-{evaluation.id}-money.png"
        figures.money_by_threshold(
            record["money_by_threshold"], report["threshold"], baselines, path
        )
        drawn["money"] = f"../figures/{path.name}"
    if record["calibration"]:
        path = folder / "figures" / f"evaluation-{evaluation.id}-calibration.png"
        label = record.get("label", "the positive class")  # evaluations before 0.3.0 lack it
        save_calibration_plot(record["calibration"], report["threshold"], path, label)
        drawn["calibration"] = f"../figures/{path.name}"
    return drawn


def build_site(root: Path, destination: Path) -> Path:
    """Write the report of the project at `root` into `destination`; return its index."""
    staging = destination.with_name(f".{destination.name}.building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        _build(root, staging, destination)
        previous = destination.with_name(f".{destination.name}.previous")
        shutil.rmtree(previous, ignore_errors=True)
        if destination.exists():
            destination.rename(previous)
        staging.rename(destination)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return destination / "index.html"


def _build(root: Path, folder: Path, previous: Path) -> None:
    navigation = pages.NAVIGATION
    runs = list_runs(root)
    evaluations = records.evaluations(root, runs)
    evaluated = {e.run_id: e for e in evaluations if e.run_id is not None}
    reproduced = {
        run.id: check for run in runs if (check := records.run_reproduction(run)) is not None
    }
    seconds = {run.id: records.seconds(run) for run in runs}
    differing = records.differing_params(runs)

    body = pages.runs_table(runs, differing, evaluated, reproduced, seconds)
    about = f'<p class="note">{text(card.description())}</p>\n'
    _write(folder / "index.html", page("Runs", about + body, 0, navigation))
    for run in runs:
        drawn = _run_figures(run, folder, previous)
        diff = (
            (run.folder / DIFF).read_text(encoding="utf-8") if (run.folder / DIFF).exists() else ""
        )
        body = pages.run_page(
            run,
            drawn,
            read_timings(run.folder),
            evaluated.get(run.id),
            reproduced.get(run.id),
            diff,
        )
        _write(folder / "runs" / f"{run.id}.html", page(f"Run {run.id}", body, 1, navigation))
        log.debug("run %s written", run.id)

    for evaluation in evaluations:
        drawn = _evaluation_figures(evaluation, folder)
        body = pages.evaluation_page(evaluation, drawn)
        path = folder / "evaluations" / f"{evaluation.id}.html"
        _write(path, page(f"Evaluation {evaluation.id} (validation)", body, 1, navigation))
    _write(
        folder / "evaluations.html",
        page("Evaluations", pages.evaluations_page(evaluations), 0, navigation),
    )

    comparisons = records.comparisons(root)
    _write(
        folder / "comparisons.html",
        page("Comparisons", pages.comparisons_page(comparisons), 0, navigation),
    )

    looks = records.ledger(root)
    test_report = records.read_json(root / TEST_REPORT)
    body = pages.ledger_page(looks, test_report, records.model_hashes(runs))
    _write(folder / "test-ledger.html", page("Test ledger", body, 0, navigation))

    monitoring = records.monitoring(root)
    drawn = {}
    if (root / MONITORING_REPORTS / "drift.png").is_file() and "drift" in monitoring:
        (folder / "figures").mkdir(exist_ok=True)
        shutil.copyfile(root / MONITORING_REPORTS / "drift.png", folder / "figures" / "drift.png")
        drawn["drift"] = "figures/drift.png"
    body = pages.monitoring_page(monitoring, drawn)
    _write(folder / "monitoring.html", page("Monitoring", body, 0, navigation))

    model_run = records.model_run_id(root)
    trained_by = next((r for r in runs if r.id == model_run), None)
    evaluated_by = next((e for e in evaluations if e.run_id == model_run), None)
    body = card.model_card(root, trained_by, evaluated_by, looks, monitoring.get("drift"))
    _write(folder / "model-card.html", page("Model card", body, 0, navigation))
