"""One function per page of the report: what it shows, as HTML, from what was recorded.

Each returns the page's body; site.py puts it in a page (markup.page) and writes it.
Figures are drawn by site.py first and passed in as links relative to the page.

Read next: site.py.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from ..core.paths import PACKAGE
from ..evaluation.evaluate import MONEY
from ..tracking.runs import RunInfo, flatten
from .markup import fields, figure, link, number, table, text
from .records import Evaluation

NAVIGATION = (
    ("index.html", "Runs"),
    ("evaluations.html", "Evaluations"),
    ("comparisons.html", "Comparisons"),
    ("test-ledger.html", "Test ledger"),
    ("monitoring.html", "Monitoring"),
    ("model-card.html", "Model card"),
)
RULES = ("model", "logistic_regression", "offer_everyone", "do_nothing")
MAX_DIFF_LINES = 400


def money(report: Mapping[str, Any] | None) -> str:
    """Money saved per 1,000 with its interval: `12,300 (9,800 to 14,800)`."""
    if report is None:
        return "-"
    low, high = report["money_saved_low"], report["money_saved_high"]
    return f"{report[MONEY]:,.0f} ({low:,.0f} to {high:,.0f})"


def _note(html: str) -> str:
    return f'<p class="note">{html}</p>'


def _status(status: str) -> str:
    return f'<span class="{"good" if status == "finished" else "bad"}">{text(status)}</span>'


def _commit(git: Mapping[str, Any]) -> str:
    return text((git.get("commit") or "no git")[:8])


def runs_table(
    runs: Sequence[RunInfo],
    differing: Sequence[str],
    evaluated: Mapping[str, Evaluation],
    reproduced: Mapping[str, Mapping[str, Any]],
    seconds: Mapping[str, float | None],
) -> str:
    """The index: one row per run, newest first."""
    rows = []
    for run in reversed(runs):
        flat = flatten(run.manifest["params"])
        params = "<br>".join(f"{text(key)}={text(flat.get(key))}" for key in differing)
        evaluation = evaluated.get(run.id)
        if evaluation is not None:
            shown = money(evaluation.record["report"])
            validation = link(f"evaluations/{evaluation.id}.html", shown)
        else:
            validation = "-"
        check = reproduced.get(run.id)
        verdict = "-" if check is None else ("yes" if check["reproduced"] else "no")
        git = run.manifest["git"]
        rows.append(
            (
                link(f"runs/{run.id}.html", run.id),
                text(run.manifest["name"]),
                _status(run.status),
                text(run.manifest["started"][:19].replace("T", " ")),
                number(seconds.get(run.id), 3),
                _commit(git),
                text({True: "yes", False: "no"}.get(git.get("dirty"), "-")),
                params or "-",
                validation,
                text(verdict),
            )
        )
    headers = (
        "run", "experiment", "status", "started (UTC)", "seconds", "commit", "dirty",
        "params that differ", "validation money per 1,000 (95% interval)", "reproduced",
    )  # fmt: skip
    if not rows:
        return _note(
            f"No runs yet: <code>uv run dvc repro</code> or "
            f"<code>uv run {PACKAGE} stage train</code> records one."
        )
    return table(headers, rows, numeric=("seconds",))


def run_page(
    run: RunInfo,
    figures: Mapping[str, str],
    timings: Mapping[str, Mapping[str, float]],
    evaluation: Evaluation | None,
    reproduction: Mapping[str, Any] | None,
    diff: str,
) -> str:
    """One run: where it came from, its curves, histograms, norms, timings and record."""
    manifest = run.manifest
    git = manifest["git"]
    summary = [
        ("experiment", text(manifest["name"])),
        ("status", _status(run.status)),
        ("error", text(manifest.get("error"))),
        ("started, ended (UTC)", f"{text(manifest['started'])}, {text(manifest['ended'])}"),
        ("commit", f"{text(git.get('commit'))} on {text(git.get('branch'))}"),
        ("uncommitted changes", text("yes (diff below)" if git.get("dirty") else "no")),
        ("seed", text(manifest.get("seed"))),
        ("reproduce", f"<code>uv run {PACKAGE} runs reproduce {text(run.id)}</code>"),
    ]
    if evaluation is not None:
        shown = money(evaluation.record["report"])
        summary.append(("validation money", link(f"../evaluations/{evaluation.id}.html", shown)))
    metrics = {k: v for k, v in manifest["metrics"].items() if k != "seconds"}
    parts = [fields(summary), "<h2>Metrics</h2>", fields((k, text(v)) for k, v in metrics.items())]
    titles = {
        "curves": "Loss",
        "histograms": "Per-sample loss, step by step",
        "norms": "Weight and gradient norms",
        "timings": "Time by section",
    }
    for name, title in titles.items():
        parts.append(f"<h2>{title}</h2>")
        parts.append(figure(figures[name], title) if name in figures else _note("Not recorded."))
    if timings:
        rows = [
            (text(k), number(v["count"]), number(v["total_s"]), number(v["mean_s"]))
            for k, v in timings.items()
        ]
        parts.append(
            table(
                ("section", "count", "total s", "mean s"),
                rows,
                numeric=("count", "total s", "mean s"),
            )
        )
    if reproduction is not None:
        parts.append(f"<h2>Reproduced on {text(reproduction['time'])}</h2>")
        verdicts = [
            (text(v["item"]), text("match" if v["match"] else "DIFFERS"), text(v["detail"]))
            for v in reproduction["verdicts"]
        ]
        parts.append(table(("item", "verdict", "detail"), verdicts))
    parts.append("<h2>Params</h2>")
    parts.append(fields((k, text(v)) for k, v in flatten(manifest["params"]).items()))
    parts.append("<h2>Data read (md5)</h2>")
    parts.append(
        fields((k, f"<code>{text(v)}</code>") for k, v in manifest["data"]["read"].items())
    )
    parts.append("<h2>Environment</h2>")
    parts.append(fields((k, text(v)) for k, v in flatten(manifest["environment"]).items()))
    if diff:
        lines = diff.splitlines()
        cut = (
            f" (first {MAX_DIFF_LINES} of {len(lines)} lines)"
            if len(lines) > MAX_DIFF_LINES
            else ""
        )
        shown = text("\n".join(lines[:MAX_DIFF_LINES]))
        parts.append(
            f"<h2>Uncommitted changes{cut}</h2>\n<details><summary>diff.patch</summary>"
            f"<pre>{shown}</pre></details>"
        )
    return "\n".join(parts)


def rules_table(report: Mapping[str, Any]) -> str:
    """The model and every baseline: money with its interval, and the standard metrics."""
    numbers = ("threshold", "roc_auc", "pr_auc", "log_loss", "brier", "precision", "recall")
    rows = []
    for rule in RULES:
        row = report if rule == "model" else report["baselines"].get(rule)
        if row is not None:
            cells = [number(row.get(key)) if key in row else "-" for key in numbers]
            rows.append((text(rule.replace("_", " ")), money(row), *cells))
    headers = ("decision rule", "money saved per 1,000 (95% interval)", *numbers)
    return table(headers, rows, numeric=headers[1:])


def evaluation_page(evaluation: Evaluation, figures: Mapping[str, str]) -> str:
    """One evaluation: the decision rules, money by threshold, calibration, the confusion."""
    report = evaluation.record["report"]
    model = (
        link(f"../runs/{evaluation.run_id}.html", evaluation.run_id)
        if evaluation.run_id
        else "models/model.npz"
    )
    beats = report.get("beats_baselines")
    verdict = '<span class="good">yes</span>' if beats else '<span class="bad">no</span>'
    parts = [
        fields(
            [
                ("model", model),
                ("evaluated (UTC)", text(evaluation.record.get("time", "see reports/"))),
                ("rows", number(report.get("n_rows"))),
                ("positive rate", number(report.get("positive_rate"), 3)),
                ("saves more than every baseline", verdict),
            ]
        ),
        "<h2>Money saved, model and baselines</h2>",
        rules_table(report),
        _note(
            "Thresholds are chosen on these validation rows, so these figures are a "
            "little optimistic; the test split, at the frozen thresholds, is not "
            f"({link('../test-ledger.html', 'test ledger')})."
        ),
        "<h2>Money by threshold</h2>",
        figure(figures["money"], "money by threshold") if "money" in figures else "",
        "<h2>Calibration</h2>",
        figure(figures["calibration"], "calibration") if "calibration" in figures else "",
    ]
    curve = evaluation.record["calibration"].get("model", [])
    bins = [(number(p["predicted"], 3), number(p["observed"], 3), number(p["rows"])) for p in curve]
    parts.append(
        table(
            ("mean predicted", "observed rate", "rows"),
            bins,
            numeric=("mean predicted", "observed rate", "rows"),
        )
    )
    parts.append(f"<h2>Decisions at threshold {number(report['threshold'], 3)}</h2>")
    counts = ("true_positive", "false_positive", "true_negative", "false_negative")
    parts.append(fields((name.replace("_", " "), number(report[name])) for name in counts))
    parts.append(
        _note(f"Configurations compared over seeds: {link('../comparisons.html', 'comparisons')}.")
    )
    return "\n".join(parts)


def evaluations_page(evaluations: Sequence[Evaluation]) -> str:
    rows = [
        (
            link(f"evaluations/{e.id}.html", e.id),
            text(e.record.get("time", "-")),
            money(e.record["report"]),
            number(e.record["report"]["roc_auc"]),
        )
        for e in reversed(evaluations)
    ]
    if not rows:
        return _note("No evaluation yet: <code>uv run dvc repro</code> runs the evaluate stage.")
    headers = ("evaluation", "time (UTC)", "validation money per 1,000 (95% interval)", "ROC AUC")
    return table(headers, rows, numeric=headers[2:])


def comparisons_page(comparisons: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """Every `evaluate compare --json` result: configurations, then paired tests."""
    if not comparisons:
        return _note(
            f"No comparison in reports/ yet: <code>uv run {PACKAGE} evaluate compare "
            "--config ... --config ... --json reports/compare.json</code>."
        )
    parts = []
    for name, result in comparisons:
        share = f"{result['confidence']:.0%}"
        number_of = {row["config"]: f"#{i}" for i, row in enumerate(result["configs"], start=1)}
        configs = [
            (
                number_of[row["config"]],
                text(row["config"] or "(params.yaml as it is)"),
                number(len(row["seeds"])),
                number(row["money_saved_per_1000"]),
                number(row["seed_sd"]),
                f"{row['low']:,.0f} to {row['high']:,.0f}",
            )
            for row in result["configs"]
        ]
        pairs = [
            (
                f"{number_of[p['first']]} - {number_of[p['second']]}",
                number(p["difference"]),
                f"{p['low']:,.0f} to {p['high']:,.0f}",
                number(p["effect_size_dz"], 3),
                number(p["p_bootstrap_holm"], 3),
                f"{p['mcnemar_b']}/{p['mcnemar_c']}",
                number(p["p_mcnemar_holm"], 3),
            )
            for p in result["pairs"]
        ]
        numbers = ("seeds", "mean", "sd over seeds", f"{share} interval")
        tests = (
            "difference",
            f"{share} interval",
            "dz",
            "p (Holm)",
            "McNemar b/c",
            "p McNemar (Holm)",
        )
        parts += [
            f"<h2>{text(name)}: money saved per 1,000 on validation</h2>",
            table(("#", "config", *numbers), configs, numeric=numbers),
            "<h3>Paired on the same validation rows</h3>",
            table(("pair", *tests), pairs, numeric=tests),
        ]
    return "\n".join(parts)


def ledger_page(
    looks: Sequence[Mapping[str, Any]],
    test_report: Mapping[str, Any] | None,
    runs_by_model: Mapping[str, str],
) -> str:
    """Every look at the test split, and the latest test report."""
    count = len(looks)
    warning = (
        " Each look after the first makes the test figure more optimistic." if count > 1 else ""
    )
    parts = [f"<p>The test split has been scored <strong>{count}</strong> time(s).{warning}</p>"]
    rows = []
    for i, look in enumerate(looks, start=1):
        run_id = runs_by_model.get(look["model_sha256"])
        model = link(f"runs/{run_id}.html", run_id) if run_id else text(look["model_sha256"][:12])
        rows.append(
            (
                number(i),
                text(look["time"]),
                text((look.get("commit") or "-")[:8]),
                model,
                number(look["threshold"], 3),
                number(look[MONEY]),
                number(look["roc_auc"]),
            )
        )
    headers = ("look", "time (UTC)", "commit", "model", "threshold", "money per 1,000", "ROC AUC")
    parts.append(table(headers, rows, numeric=("look", "threshold", "money per 1,000", "ROC AUC")))
    if test_report is not None:
        parts += [
            "<h2>Latest test report (thresholds frozen on validation)</h2>",
            rules_table(test_report),
        ]
    return "\n".join(parts)


def monitoring_page(reports: Mapping[str, Mapping[str, Any]], figures: Mapping[str, str]) -> str:
    """The latest drift, efficiency and shadow reports, as `monitor ...` wrote them."""
    if not reports:
        return _note(
            f"No monitoring report yet: <code>uv run {PACKAGE} monitor drift</code> "
            f"and <code>uv run {PACKAGE} monitor efficiency</code> write them."
        )
    parts = []
    drift = reports.get("drift")
    if drift is not None:
        state = (
            '<span class="bad">alarm</span>'
            if drift["alarm"]
            else '<span class="good">no alarm</span>'
        )
        parts += [f"<h2>Drift: {state} in {number(drift['n_rows'])} logged predictions</h2>"]
        parts += [f'<p class="bad">{text(alarm)}</p>' for alarm in drift["alarms"]]
        if "drift" in figures:
            parts.append(figure(figures["drift"], "drift"))
        rows = [
            (
                text(name),
                number(c.get("psi"), 3),
                number(c.get("p_value"), 3),
                text("yes" if c.get("alarm") else "no"),
            )
            for name, c in drift["checks"].items()
        ]
        parts.append(
            table(("input or output", "PSI", "p-value", "alarm"), rows, numeric=("PSI", "p-value"))
        )
        windows = [
            (
                text(w["start"]),
                number(w["n"]),
                number(w["rate"], 3),
                text("yes" if w["alarm"] else "no"),
            )
            for w in drift["positive_rate"]["windows"]
        ]
        parts.append(
            f"<h3>Positive rate by window (training: "
            f"{number(drift['positive_rate']['reference'], 3)})</h3>"
        )
        parts.append(
            table(
                ("window start", "predictions", "rate", "alarm"),
                windows,
                numeric=("predictions", "rate"),
            )
        )
    efficiency = reports.get("efficiency")
    if efficiency is not None:
        keys = (
            "predictions",
            "throughput_per_s",
            "latency_ms_p50",
            "latency_ms_p95",
            "latency_ms_p99",
        )
        latency = [
            (text(w["start"]), *(number(w.get(k)) for k in keys)) for w in efficiency["windows"]
        ]
        parts += ["<h2>Efficiency</h2>", table(("window start", *keys), latency, numeric=keys)]
    shadow = reports.get("shadow")
    if shadow is not None:
        plain = {k: v for k, v in flatten(shadow).items() if not isinstance(v, list)}
        parts += ["<h2>Shadow comparison</h2>", fields((k, text(v)) for k, v in plain.items())]
    return "\n".join(parts)
