"""The project's one command line: `<package> stage NAME` runs a pipeline stage.

dvc.yaml calls these commands, so what DVC runs and what you run by hand are the same.
Errors in params.yaml, in an override or in a data file print one line naming the
culprit and exit with status 2, before anything is written.

    uv run <package> --help
    uv run <package> stage train --set train.learning_rate=0.05
    uv run <package> evaluate compare --config train.hidden_units=0 --config ""
"""

import logging
import time
from pathlib import Path
from typing import Annotated

import typer

from .config import ConfigError, load_params
from .console import configure_logging
from .data.io import MissingInputError
from .data.prepare import DataError
from .evaluation.cli import evaluate_app
from .journal import journal_app
from .paths import PARAMS_FILE
from .stages import STAGES, StageName
from .tracking.cli import runs_app

log = logging.getLogger(__name__)

app = typer.Typer(
    help="Run the pipeline's stages (see dvc.yaml for the order).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(journal_app, name="journal")
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(runs_app, name="runs")


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug details.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Log warnings only.")] = False,
) -> None:
    """Set up logging for every command."""
    configure_logging(verbose=verbose, quiet=quiet)


@app.command()
def stage(
    name: Annotated[StageName, typer.Argument(help="The stage to run.", show_default=False)],
    overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Override a params.yaml value for this run, e.g. train.epochs=5 (repeatable).",
        ),
    ] = None,
    params_file: Annotated[
        Path, typer.Option("--params", help="The params file to read.")
    ] = PARAMS_FILE,
) -> None:
    """Run one pipeline stage from the project root, as `dvc repro` does."""
    try:
        params = load_params(params_file, overrides or ())
        started = time.perf_counter()
        STAGES[name](params, Path.cwd())
    except (ConfigError, DataError, MissingInputError, FloatingPointError) as error:
        for line in str(error).splitlines():
            typer.echo(f"error: {line}", err=True)
        raise typer.Exit(code=2) from None
    log.info("stage %s done in %.2f s", name, time.perf_counter() - started)
