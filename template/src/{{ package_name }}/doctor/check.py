"""What a check is: an id, a one-line name, its family, the docs page of the practice it
guards, and a function from the project to a verdict.

    @check("RN001", "The last runs finished", EXPERIMENTS, "tracking.md")
    def last_runs_finished(project: Project) -> Verdict:
        ...
        return fail(f"run {run.id} failed: ...; resume it with `runs resume {run.id}`")

A verdict passes, fails with a message that says what to do, or is skipped with the
reason. A check never has to test whether what it reads exists: a reading of the project
(project.py) that cannot be made raises `NotAvailableError` ("no runs under runs/ yet"), and
the check is skipped with that reason. Checks marked `fast` run no DVC, no uv and read
no history, so the pre-commit hook can run them on every commit (`doctor --fast`).

Read next: project.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from .project import NotAvailableError

if TYPE_CHECKING:
    from .project import Project

# The practice pages of the template's documentation; every check links to one.
DOCS: Final = "https://github.com/copier-ml-practices/copier-ml-practices/blob/main/docs/"


@dataclass(frozen=True)
class Family:
    """A group of checks, as repo-review shows them: a key, a title, a place in the order."""

    key: str
    title: str
    order: int


WORKTREE: Final = Family("worktree", "Working tree", 0)
PIPELINE: Final = Family("pipeline", "Pipeline", 1)
DATA_FILES: Final = Family("data", "Data", 2)
EVALUATION: Final = Family("evaluation", "Evaluation", 3)
EXPERIMENTS: Final = Family("experiments", "Experiments", 4)
NOTEBOOKS: Final = Family("notebooks", "Notebooks", 5)
HABITS: Final = Family("habits", "Habits", 6)
PRODUCTION: Final = Family("production", "Production", 7)


@dataclass(frozen=True)
class Verdict:
    """passed True, False, or None when skipped; the message says what to do, or why skipped."""

    passed: bool | None
    message: str = ""


PASS: Final = Verdict(True)


def fail(message: str) -> Verdict:
    """A failure: what is wrong, naming the culprits, and what to do about it."""
    return Verdict(False, message)


def skip(reason: str) -> Verdict:
    """Not judged, because the project lacks what the check reads; the reason says what."""
    return Verdict(None, reason)


Judge = Callable[["Project"], Verdict]


@dataclass(frozen=True)
class Check:
    """One practice as a check; calling it with a project gives its verdict."""

    id: str  # letters, then digits: WT001
    name: str  # one line: what holds when the check passes
    family: Family
    page: str  # the docs page of the practice, under DOCS
    judge: Judge
    fast: bool  # no DVC, uv or git history: fit for the pre-commit hook

    @property
    def url(self) -> str:
        return DOCS + self.page

    def __call__(self, project: "Project") -> Verdict:
        try:
            return self.judge(project)
        except NotAvailableError as missing:
            return skip(str(missing))


def check(
    id: str, name: str, family: Family, page: str, fast: bool = False
) -> Callable[[Judge], Check]:
    """Make the function below a Check with this id, name, family and docs page."""

    def make(judge: Judge) -> Check:
        return Check(id, name, family, page, judge, fast)

    return make


def listing(items: list[str], limit: int = 5) -> str:
    """'a, b, c' or 'a, b, c, d, e and 3 more': culprits named in one line."""
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
