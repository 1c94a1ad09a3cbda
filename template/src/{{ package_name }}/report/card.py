"""The model card: what the model in models/ is, is for, was measured at, and where it stops.

Written only from what the project records, so it cannot drift from the facts: the
model's own metadata, the run that trained it, its evaluation on validation, the test
report and ledger, the outcome assumptions the evaluation used, the features the
featurizer made and the latest drift report. Where a fact is missing, the card says so.

Read next: pages.py.
"""

import hashlib
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from ..core.paths import FEATURIZER, MODEL, PACKAGE, PARAMS_FILE, TEST_REPORT
from ..evaluation.evaluate import MONEY
from ..tracking.runs import RunInfo, flatten
from .markup import fields, link, number, text
from .records import Evaluation, read_json

CALIBRATION_ROWS = 30  # bins with fewer rows are too noisy to call a model miscalibrated
CALIBRATION_GAP = 0.05  # a larger |observed - predicted| in such a bin is named as a limit


def description() -> str:
    """The project's description from its package metadata (pyproject.toml)."""
    try:
        return metadata.metadata(PACKAGE)["Summary"] or ""
    except metadata.PackageNotFoundError:
        return ""


def limits(
    evaluation: Evaluation | None,
    looks: int,
    tested_here: bool,
    drift: Mapping[str, Any] | None,
) -> list[str]:
    """What a reader must know before trusting the numbers, from the records."""
    found = [
        "The decision threshold was chosen on the validation rows, so the validation money is "
        "a little optimistic; the test figure, at that frozen threshold, is the estimate.",
        "No per-group (subpopulation) metrics are recorded: performance on any one group of "
        "customers is unknown.",
    ]
    if evaluation is not None:
        report = evaluation.record["report"]
        if not report.get("beats_baselines", True):
            found.append("On validation the model does not save more money than every baseline.")
        bins = [
            p
            for p in evaluation.record["calibration"].get("model", [])
            if p["rows"] >= CALIBRATION_ROWS
        ]
        gap = max((abs(p["observed"] - p["predicted"]) for p in bins), default=0.0)
        if gap > CALIBRATION_GAP:
            found.append(
                f"Predicted probabilities are off by up to {gap:.2f} in a bin of "
                f"{CALIBRATION_ROWS}+ rows: read P(positive) as a score."
            )
    if looks > 1:
        found.append(
            f"The test split has been scored {looks} times; each look after the "
            "first makes the test figure more optimistic."
        )
    if not tested_here:
        found.append("The latest test report is not of this model: run the test stage.")
    if drift is not None and drift.get("alarm"):
        found.append(
            "The latest drift report raised an alarm: production inputs or outputs "
            "moved away from training (see Monitoring)."
        )
    return found


def model_card(
    root: Path,
    run: RunInfo | None,
    evaluation: Evaluation | None,
    looks: Sequence[Mapping[str, Any]],
    drift: Mapping[str, Any] | None,
) -> str:
    """The card's HTML body for models/model.npz."""
    from ..core.config import load_params
    from ..models.registry import model_metadata

    if not (root / MODEL).is_file():
        return '<p class="note">No model yet: <code>uv run dvc repro</code> trains one.</p>'
    about = model_metadata(root / MODEL)
    sha = hashlib.sha256((root / MODEL).read_bytes()).hexdigest()
    test = read_json(root / TEST_REPORT)
    tested_here = bool(looks) and looks[-1]["model_sha256"] == sha
    outcome = (evaluation.record.get("outcome") if evaluation else None) or (
        load_params(root / PARAMS_FILE).outcome.model_dump()
    )
    featurizer = read_json(root / FEATURIZER) or {"feature_names": []}
    names = featurizer["feature_names"]
    parts = [
        "<h2>Model</h2>",
        fields(
            [
                ("family", text(about.get("family", "mlp"))),
                ("file", f"<code>{MODEL.as_posix()}</code>, SHA-256 <code>{sha[:16]}</code>"),
                ("trained by run", link(f"runs/{run.id}.html", run.id) if run else "not here"),
                ("commit", text(run.manifest["git"]["commit"] if run else None)),
                *((f"train.{k}", text(v)) for k, v in about.get("train", {}).items()),
            ]
        ),
        "<h2>Intended use</h2>",
        f"<p>{text(description())}</p>",
        "<p>It scores each customer's probability of the positive outcome; a customer whose "
        "score reaches the threshold chosen on validation gets the offer. It is chosen for "
        "the money it saves against doing nothing, under the assumptions below.</p>",
        "<h2>Data</h2>",
        fields(
            [
                (
                    "validation rows",
                    number(evaluation.record["report"]["n_rows"]) if evaluation else "-",
                ),
                ("test rows", number(test["n_rows"]) if test else "-"),
                (f"features ({len(names)})", text(", ".join(names))),
                *(
                    (f"read: {k}", f"<code>{text(v)}</code>")
                    for k, v in (run.manifest["data"]["read"].items() if run else [])
                ),
            ]
        ),
        "<h2>Metrics, with 95% intervals</h2>",
        fields(_metrics(evaluation, test if tested_here else None)),
        "<h2>Outcome assumptions (params.yaml, outcome)</h2>",
        fields((k, text(v)) for k, v in flatten(outcome).items()),
        "<h2>Limits</h2>",
        "<ul>"
        + "".join(
            f"<li>{text(line)}</li>" for line in limits(evaluation, len(looks), tested_here, drift)
        )
        + "</ul>",
    ]
    return "\n".join(parts)


def _metrics(
    evaluation: Evaluation | None, test: Mapping[str, Any] | None
) -> list[tuple[str, str]]:
    rows = []
    for split, report in (
        ("validation", evaluation.record["report"] if evaluation else None),
        ("test", test),
    ):
        if report is None:
            rows.append((f"{split}", "not measured for this model"))
            continue
        interval = f"{report['money_saved_low']:,.0f} to {report['money_saved_high']:,.0f}"
        rows.append((f"{split}: money saved per 1,000", f"{report[MONEY]:,.0f} ({interval})"))
        best = max(report["baselines"].items(), key=lambda item: float(item[1][MONEY]))
        rows.append((f"{split}: best baseline", f"{text(best[0])}: {best[1][MONEY]:,.0f}"))
        for key in ("roc_auc", "log_loss", "brier", "threshold"):
            rows.append((f"{split}: {key}", number(report[key])))
    return rows
