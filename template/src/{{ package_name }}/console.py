"""Logging and progress bars: one log format, and bars only where a person is watching.

Logs go to stderr through Python's logging, so `--quiet` and `--verbose` work for every
module alike. Progress bars (rich) draw only when stderr is a terminal; under DVC, CI or
a pipe they stay silent and the log lines tell the story.
"""

import logging
import sys

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(verbose: bool = False, quiet: bool = False) -> None:
    """Send log records to stderr in one format: DEBUG with verbose, WARNING with quiet."""
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr, force=True)


def progress_bar() -> Progress:
    """A progress display for long loops; it draws nothing unless stderr is a terminal."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=not sys.stderr.isatty() or logging.getLogger().level > logging.INFO,
        transient=True,
    )
