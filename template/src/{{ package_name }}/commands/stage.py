"""`<package> stage NAME`: run one pipeline stage, exactly as `dvc repro` runs it.

dvc.yaml calls this command, so what DVC runs and what you run by hand are the same.
The stage runs against the project root found from the working directory. Its time (and
any sections it timed with tracking.timing.TIMINGS) goes to reports/timings/<stage>.json.
After the evaluate and test stages, the model and its baselines are printed as a table.

Read next: options.py.
"""

import json
import logging
import time
from typing import Annotated, Any

import typer

from ..core.console import print_table, table
from ..core.paths import STAGE_TIMINGS, TEST_REPORT, VALIDATION_REPORT
from ..pipeline import StageName
from .options import OverridesOption, ParamsOption, load_project

log = logging.getLogger(__name__)

# The report a stage writes that a person wants to see at once, and its title.
SHOWN = {
    StageName.EVALUATE: (VALIDATION_REPORT, "Validation: money saved against doing nothing"),
    StageName.TEST: (TEST_REPORT, "Test (thresholds frozen on validation)"),
}


def stage(
    name: Annotated[StageName, typer.Argument(help="The stage to run.", show_default=False)],
    overrides: OverridesOption = None,
    params_file: ParamsOption = None,
) -> None:
    """Run one pipeline stage, as `dvc repro` does (from any folder of the project)."""
    from ..core.io import save_json
    from ..pipeline import stage as stage_function
    from ..tracking.timing import TIMINGS

    root, params = load_project(params_file, overrides or ())
    started = time.perf_counter()
    stage_function(name)(params, root)
    seconds = time.perf_counter() - started
    # the stage's time and its timed sections, beside the reports but not a DVC metric
    timings = {"stage": name.value, "seconds": seconds, "sections": TIMINGS.summary()}
    save_json(root / STAGE_TIMINGS / f"{name}.json", timings)
    log.info("stage %s done in %.2f s", name, seconds)
    if name in SHOWN and log.isEnabledFor(logging.INFO):
        path, title = SHOWN[name]
        show_outcome(json.loads((root / path).read_text(encoding="utf-8")), title)


def show_outcome(report: dict[str, Any], title: str) -> None:
    """The model and every baseline: money saved with its interval, threshold, ROC AUC."""
    from ..evaluation.evaluate import MONEY

    rows = table(
        "decision rule",
        "saved per 1,000",
        "95% interval",
        "threshold",
        "ROC AUC",
        title=title,
        right=("saved per 1,000", "95% interval", "threshold", "ROC AUC"),
    )
    for rule, row in {"model": report, **report["baselines"]}.items():
        threshold = f"{row['threshold']:.3f}" if "threshold" in row else "-"
        auc = f"{row['roc_auc']:.3f}" if "roc_auc" in row else "-"
        interval = f"{row['money_saved_low']:,.0f} to {row['money_saved_high']:,.0f}"
        rows.add_row(rule, f"{row[MONEY]:,.0f}", interval, threshold, auc)
    print_table(rows, stderr=True)
