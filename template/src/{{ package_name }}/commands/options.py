"""What every command shares: the project root, the `--params` option, loading params.

Commands find the project root as git and DVC do, from any folder inside it, so
`uv run <package> runs list` works from src/ or notebooks/ as well as from the root.
Loading is imported when a command runs, not when the command line starts.

Read next: ../pipeline.py, the stages by name.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..core.paths import PARAMS_FILE, find_project_root

if TYPE_CHECKING:
    from ..core.config import Params

ParamsOption = Annotated[
    Path | None,
    typer.Option(
        "--params",
        help="The params file to read [default: params.yaml at the project root].",
        show_default=False,
    ),
]
OverridesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a params.yaml value for this run, e.g. train.epochs=5 (repeatable).",
    ),
]


def project_root() -> Path:
    """The project folder (holding dvc.yaml) at or above the working directory."""
    return find_project_root()


def load_project(params_file: Path | None, overrides: Sequence[str] = ()) -> tuple[Path, "Params"]:
    """The project root and its validated params (with `--set` overrides applied)."""
    from ..core.config import load_params

    root = project_root()
    return root, load_params(params_file or root / PARAMS_FILE, overrides)
