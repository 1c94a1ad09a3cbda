"""`<package> evaluate compare`: are these configurations really different, in money?

    uv run <package> evaluate compare \
        --config "train.hidden_units=0" --config "train.hidden_units=16" --seeds 5 \
        --json reports/compare.json

Each --config is a set of train.* overrides (several in one quoted string), trained with
--seeds seeds on the cached features (run `dvc repro featurize` first). Or compare runs
already made (`--run ID`, repeated; see `<package> runs list`): runs whose train params
differ only in the seed are one configuration. evaluation/compare.py has the statistics.

Read next: report.py.
"""

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..core.console import print_table, table
from ..core.errors import ConfigError
from .options import ParamsOption, load_project

if TYPE_CHECKING:
    from ..evaluation.compare import Comparison

evaluate_app = typer.Typer(
    help="Compare models by the money they save, with uncertainty.",
    no_args_is_help=True,
    rich_markup_mode=None,  # click's plain help: typer's rich help imports rich
)


@evaluate_app.command()
def compare(
    configs: Annotated[
        list[str] | None,
        typer.Option(
            "--config",
            help='train.* overrides of one configuration, e.g. "train.hidden_units=0" '
            "(give two or more; an empty string is params.yaml as it is).",
        ),
    ] = None,
    run_ids: Annotated[
        list[str] | None,
        typer.Option(
            "--run",
            help="A recorded run to include instead of training (repeatable; see `runs list`).",
        ),
    ] = None,
    seeds: Annotated[
        int, typer.Option("--seeds", min=1, max=100, help="Seeds (trained models) per config.")
    ] = 3,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the results to this JSON file.")
    ] = None,
    params_file: ParamsOption = None,
) -> None:
    """Compare configurations (trained now, several seeds each) or recorded runs on validation."""
    from ..core.io import save_json
    from ..core.paths import PARAMS_FILE
    from ..evaluation.compare import compare as compare_runs
    from ..evaluation.compare import configs_from_runs, run_config

    root, params = load_project(params_file)
    params_path = params_file or root / PARAMS_FILE
    if run_ids:
        if configs:
            raise ConfigError("give either --config (train now) or --run (recorded runs)")
        runs = configs_from_runs(run_ids, root, params_path)
        if len(runs) < 2:
            raise ConfigError("--run: the runs differ only in their seed; nothing to compare")
    else:
        configs = configs or []
        if len(configs) < 2 or len(set(configs)) < len(configs):
            raise ConfigError(f"--config: give two or more different configurations, got {configs}")
        runs = [run_config(config, seeds, root, params_path) for config in configs]
    settings = params.evaluate
    result = compare_runs(runs, settings.bootstrap_samples, settings.confidence, settings.seed)
    show(result)
    if json_path is not None:
        save_json(json_path, asdict(result))


def show(result: "Comparison") -> None:
    """Print the configurations (numbered) and the pairwise comparisons as two tables."""
    share = f"{result.confidence:.0%}"
    number = {row.config: f"#{i}" for i, row in enumerate(result.configs, start=1)}
    numbers = ("seeds", "mean", "sd over seeds", f"{share} interval")
    configs = table(
        "#",
        "config",
        *numbers,
        title="Money saved per 1,000 customers on validation (mean over seeds)",
        right=numbers,
    )
    for row in result.configs:
        configs.add_row(
            number[row.config],
            row.config or "(params.yaml as it is)",
            str(len(row.seeds)),
            f"{row.money_saved_per_1000:,.0f}",
            f"{row.seed_sd:,.0f}",
            f"{row.low:,.0f} to {row.high:,.0f}",
        )
    tests = ("difference", f"{share} interval", "dz", "p", "McNemar b/c", "p (McNemar)")
    pairs = table(
        "pair",
        *tests,
        title="Paired on the same validation rows (p-values Holm-adjusted)",
        right=tests,
    )
    for pair in result.pairs:
        pairs.add_row(
            f"{number[pair.first]} - {number[pair.second]}",
            f"{pair.difference:,.0f}",
            f"{pair.low:,.0f} to {pair.high:,.0f}",
            f"{pair.effect_size_dz:.3f}",
            f"{pair.p_bootstrap_holm:.3g}",
            f"{pair.mcnemar_b}/{pair.mcnemar_c}",
            f"{pair.p_mcnemar_holm:.3g}",
        )
    print_table(configs)
    print_table(pairs)
