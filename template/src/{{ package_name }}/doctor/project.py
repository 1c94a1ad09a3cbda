"""The project under audit, read once: each file and each command at most once per audit,
and only when a check asks, so `doctor --fast` starts neither DVC nor uv.

A reading the project cannot give raises `NotAvailableError` with a reason a person can act
on: no git repository, no dvc.yaml, no runs yet, a params.yaml that does not parse. The
check that asked is skipped with that reason (check.py), and the check that owns the
file (PL001 for dvc.yaml, PL002 for params.yaml) fails with it instead.

Read next: wiring.py.
"""

import json
import os
import subprocess
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import yaml
from pydantic import ValidationError

from ..core.config import DoctorParams, Params, load_params, parse_yaml
from ..core.errors import ProjectError
from ..core.git import GitState, git_state
from ..core.paths import JOURNAL, PARAMS_FILE, RUNS
from .wiring import DvcStage, read_stages

if TYPE_CHECKING:  # numpy comes with them: imported when a check reads runs or the journal
    from ..journal import Entry
    from ..tracking.runs import RunInfo


class NotAvailableError(Exception):
    """What a check reads is not there; the message says what is missing and how to get it."""


class Project:
    """Readings of the project at `root`, made when first asked for and kept."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._commands: dict[tuple[str, ...], subprocess.CompletedProcess[str]] = {}

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """repo-review deep-copies its fixtures for every check; the readings are shared
        instead, so DVC runs once per audit (they are only ever added to)."""
        return self

    # --- git -------------------------------------------------------------------------
    @cached_property
    def git(self) -> GitState:
        return git_state(self.root)

    def git_output(self, *args: str, input_text: str | None = None) -> str:
        """The output of a git command; NotAvailableError without a repository or a first commit."""
        if self.git.commit is None:
            raise NotAvailableError("no git repository with a commit here (see WT001)")
        done = self.command("git", *args, input_text=input_text)
        if done.returncode != 0:
            raise NotAvailableError(f"`git {' '.join(args)}` failed: {last_line(done)}")
        return done.stdout

    def command(
        self, *args: str, input_text: str | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run a command in the project once per audit; a missing program exits 127."""
        key = (*args, input_text or "")
        if key not in self._commands:
            try:
                self._commands[key] = subprocess.run(
                    args,
                    cwd=self.root,
                    input=input_text,
                    capture_output=True,
                    text=True,
                    timeout=timeout,
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                self._commands[key] = subprocess.CompletedProcess(args, 127, "", str(error))
        return self._commands[key]

    def dvc(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A DVC command, by the DVC installed beside this Python (the project's own)."""
        return self.command(sys.executable, "-m", "dvc", *args)

    # --- dvc.yaml and params.yaml -------------------------------------------------------
    @cached_property
    def stages(self) -> dict[str, DvcStage]:
        try:
            return read_stages(self.root)
        except ProjectError as error:
            raise NotAvailableError(str(error)) from None

    @cached_property
    def params(self) -> dict[str, Any]:
        """params.yaml as plain data (not validated: see `validated_params`)."""
        path = self.root / PARAMS_FILE
        try:
            raw = parse_yaml(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotAvailableError(f"no {PARAMS_FILE} in {self.root}") from None
        except yaml.YAMLError as error:
            where = getattr(error, "problem_mark", None)
            line = f" at line {where.line + 1}" if where is not None else ""
            raise NotAvailableError(f"{PARAMS_FILE} is not valid YAML{line}") from None
        if not isinstance(raw, dict):
            raise NotAvailableError(f"{PARAMS_FILE} must be a mapping of sections")
        return raw

    def validated_params(self) -> Params:
        """params.yaml checked as every stage checks it; NotAvailableError names the bad keys."""
        try:
            return load_params(self.root / PARAMS_FILE)
        except ProjectError as error:
            message = str(error).replace(f"{self.root}{os.sep}", "").replace("\n", "; ")
            raise NotAvailableError(message) from None

    @cached_property
    def settings(self) -> DoctorParams:
        """The doctor section of params.yaml, usable even when another section is broken."""
        try:
            return DoctorParams.model_validate(self.params.get("doctor"))
        except ValidationError as error:
            first = error.errors()[0]
            key = ".".join(["doctor", *(str(part) for part in first["loc"])])
            raise NotAvailableError(f"{PARAMS_FILE}: {key}: {first['msg']} (see PL002)") from None

    # --- runs, journal, reports -----------------------------------------------------------
    @cached_property
    def runs(self) -> list["RunInfo"]:
        """Every run, oldest first; NotAvailableError when there is none."""
        from ..tracking.runs import list_runs

        try:
            runs = list_runs(self.root)
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise NotAvailableError(
                f"a run's manifest under {RUNS}/ is unreadable: {error}"
            ) from None
        if not runs:
            raise NotAvailableError(f"no runs under {RUNS}/ yet: `uv run dvc repro` makes one")
        return runs

    @property
    def recent_runs(self) -> list["RunInfo"]:
        """The last doctor.recent_runs runs."""
        return self.runs[-self.settings.recent_runs :]

    @cached_property
    def journal(self) -> list["Entry"]:
        from ..journal import read_entries

        if not (self.root / JOURNAL).is_file():
            raise NotAvailableError(f"no {JOURNAL}: `journal add` starts one")
        try:
            return read_entries(self.root)
        except (OSError, ValueError) as error:  # a hand-written heading with a bad date
            raise NotAvailableError(f"{JOURNAL} is unreadable: {error}") from None

    def read_json(self, relative: Path) -> Any:
        """A JSON file of the project; NotAvailableError when absent or unreadable."""
        path = self.root / relative
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotAvailableError(f"no {relative.as_posix()} yet") from None
        except (OSError, ValueError) as error:
            raise NotAvailableError(f"{relative.as_posix()} is unreadable: {error}") from None


def last_line(done: subprocess.CompletedProcess[str]) -> str:
    """The last line a command printed on stderr (else stdout): usually its error."""
    lines = (done.stderr.strip() or done.stdout.strip() or f"exit {done.returncode}").splitlines()
    return lines[-1].strip()
