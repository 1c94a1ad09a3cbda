"""`<package> doctor`: audit the project against its practices, months after it began.

    uv run <package> doctor                     # every check; exit 1 when one fails
    uv run <package> doctor --fast              # no DVC, uv or history: the pre-commit hook
    uv run <package> doctor --format html > reports/doctor.html   # CI's job summary
    uv run <package> doctor --select PL,EV --ignore PL004

A thin wrapper over repo-review, which runs the same checks (`uv run repo-review .`,
with its own options): it finds the project, runs only the doctor's checks (the ids of
../doctor/registry.py), and exits 0 when every check passed or was skipped, 1 otherwise.

Read next: ../doctor/check.py, what a check is.
"""

import logging
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..core.errors import NotAProjectError, ProjectError
from ..core.paths import PACKAGE
from .options import project_root


class Format(StrEnum):
    """repo-review's output formats."""

    RICH = "rich"
    HTML = "html"
    JSON = "json"
    SVG = "svg"


class Show(StrEnum):
    """Which results to print."""

    ALL = "all"
    ERRSKIP = "errskip"
    ERR = "err"


def doctor(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="The project to audit [default: the one holding this folder].", show_default=False
        ),
    ] = None,
    output_format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.RICH,
    fast: Annotated[
        bool, typer.Option("--fast", help="Only the checks that run no DVC, uv or history.")
    ] = False,
    select: Annotated[str, typer.Option(help="Only these ids or families, e.g. PL,EV001.")] = "",
    ignore: Annotated[str, typer.Option(help="Leave out these ids or families.")] = "",
    show: Annotated[
        Show, typer.Option(help="all, errskip (failures and skips) or err.")
    ] = Show.ALL,
) -> None:
    """Audit the project against its practices (the doctor's checks, through repo-review)."""
    try:
        from repo_review.__main__ import main as repo_review
    except ImportError:
        raise ProjectError(
            "repo-review is not installed: run `uv sync` (the doctor group)"
        ) from None
    from importlib.metadata import entry_points  # here: 0.1 s that --help need not pay

    from ..doctor.plugin import register_only
    from ..doctor.registry import CHECKS

    logging.getLogger("repo_review").setLevel(logging.WARNING)  # not its timings

    registered = entry_points(group="repo_review.checks")
    if not any(point.value.startswith(f"{PACKAGE}.doctor.") for point in registered):
        raise ProjectError(
            "the doctor's checks are not registered with repo-review: run `uv sync`, which "
            "installs the project with the entry points of its pyproject.toml"
        )
    if path is None:
        try:
            path = project_root()
        except NotAProjectError:  # no dvc.yaml: audit this folder, and PL001 says so
            path = Path.cwd()
    codes = [
        code
        for code, definition in CHECKS.items()
        if (not fast or definition.fast)
        and matches(code, select, True)
        and not matches(code, ignore)
    ]
    arguments = [str(path), "--format", output_format, "--show", show]
    arguments += ["--select", ",".join(codes) or "none"]
    register_only(set(codes))  # repo-review would run every check, then drop the others
    try:
        repo_review(arguments)
    except SystemExit as done:  # repo-review exits 3 when a check failed
        raise typer.Exit(0 if not done.code else 1) from None
    finally:
        register_only(None)


def matches(code: str, selectors: str, empty: bool = False) -> bool:
    """Whether `PL001` is named by `PL,EV001` (an id or its letters); `empty` if none given."""
    names = {part.strip() for part in selectors.split(",") if part.strip()}
    if not names:
        return empty
    return code in names or code.rstrip("0123456789") in names
