"""The project's errors: one hierarchy, so one handler turns them into a message.

Each is something the user can fix, and its message says what and how: the key, file,
line or run at fault and what would be valid. The command layer (commands/__init__.py)
prints every line of it as `error: ...` and exits with the error's status; nothing else
catches them. Anything that is not a ProjectError is a bug, and keeps its traceback.

Read next: io.py.
"""


class ProjectError(Exception):
    """A problem the user can fix; the message names the culprit and what is valid."""

    exit_code = 2  # the status of bad input, as argparse and click use it

    def report(self) -> list[str]:
        """The lines the command prints on stderr: `error: ` and each line of the message."""
        return [f"error: {line}" for line in str(self).splitlines()]


class NotAProjectError(ProjectError):
    """The command was run outside a project (no dvc.yaml here or in any parent folder)."""


class ConfigError(ProjectError, ValueError):
    """params.yaml or an override is invalid."""


class DataError(ProjectError, ValueError):
    """A data file does not match what the stage expects; the message names row and column."""


class MissingInputError(ProjectError, FileNotFoundError):
    """An input does not exist yet, usually because an earlier stage has not run."""


class RunNotFoundError(ProjectError, LookupError):
    """No run, or more than one, matches the id given."""


class JournalError(ProjectError, ValueError):
    """A journal argument is malformed."""


class DivergedError(ProjectError, FloatingPointError):
    """Training produced a loss that is not a finite number."""


class RunInterruptedError(ProjectError):
    """The user pressed Ctrl-C; the message says what was saved and how to go on."""

    exit_code = 130  # 128 + SIGINT, what a shell reports for a Ctrl-C

    def report(self) -> list[str]:
        """Not an error: the message as it is."""
        return str(self).splitlines()


class ReproductionError(ProjectError):
    """A piece a reproduction needs cannot be had: the run's commit, its diff, its data."""


class NotReproducedError(ProjectError):
    """Training a run again gave a different result; the verdicts above say what differed."""

    exit_code = 1  # the verdict of a check, not bad input
