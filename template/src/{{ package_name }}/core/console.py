"""What a person reads: log lines, progress bars and tables, readable in a terminal and a pipe.

Logs go to stderr through Python's logging, so `--quiet` and `--verbose` work for every
module alike; `--verbose` opens the project's own debug lines, not its libraries'
(matplotlib alone writes hundreds). Progress bars draw only when stderr is a terminal;
under DVC, CI or a pipe they stay silent and the log lines tell the story. Tables fit
the terminal when there is one, and keep every character when piped (a CI log, `| less`),
where a terminal's 80 columns would cut numbers short.

rich is imported inside the functions that draw, so a command that prints no table does
not pay for it at start-up.

Read next: types.py.
"""

import logging
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
PROJECT_LOGGER = __name__.rpartition(".core")[0]  # the package's own loggers live under it
PIPED_WIDTH = 1000  # columns of a table that is not printed on a terminal: no cut-offs


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a record is emitted, so a test runner that
    swaps stderr (and closes it afterwards) never leaves logging writing to a closed file."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        del value  # always sys.stderr


def configure_logging(verbose: bool = False, quiet: bool = False) -> None:
    """Log to stderr in one format: the project at DEBUG with verbose, everything at WARNING
    with quiet, else INFO; other libraries never below INFO."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=max(level, logging.INFO), handlers=[handler], force=True)
    logging.getLogger(PROJECT_LOGGER).setLevel(level)


def progress_bar() -> "Progress":
    """A progress display for long loops; it draws nothing unless stderr is a terminal."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    quiet = logging.getLogger(PROJECT_LOGGER).getEffectiveLevel() > logging.INFO
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=not sys.stderr.isatty() or quiet,
        transient=True,
    )


def console(stderr: bool = False) -> "Console":
    """A rich Console for tables: the terminal's width, or wide enough never to cut when piped."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else PIPED_WIDTH)


def print_table(table: "Table", stderr: bool = False) -> None:
    """Print a table to stdout (or stderr), readable on a terminal and in a pipe alike."""
    console(stderr).print(table)


def table(*columns: str, title: str | None = None, right: tuple[str, ...] = ()) -> "Table":
    """A table with these column headers; the columns named in `right` (numbers) are
    right-aligned and never wrapped, the others wrap instead of being cut short."""
    from rich.table import Table

    result = Table(title=title)
    for name in columns:
        if name in right:
            result.add_column(name, justify="right", no_wrap=True)
        else:
            result.add_column(name, overflow="fold")
    return result
