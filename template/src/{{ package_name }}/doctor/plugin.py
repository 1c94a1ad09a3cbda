"""The doctor as a repo-review plugin: what pyproject.toml's entry points name.

    [project.entry-points."repo_review.fixtures"]   ml_project = "...doctor.plugin:ml_project"
    [project.entry-points."repo_review.checks"]     ml_practices = "...:repo_review_checks"
    [project.entry-points."repo_review.families"]   ml_practices = "...:repo_review_families"

repo-review computes the fixture `ml_project` (a Project of the folder it audits) once,
then calls each check's `check` with it. It reads a check's docstring as its name, and
takes True as a pass, a string as the failure message and None as a skip. It has no
place for the reason of a skip, so the reason is added to the name:
"RN001 The last runs finished (skipped: no runs under runs/ yet)".

Read next: registry.py, the list of checks.
"""

import re
from importlib.resources.abc import Traversable
from pathlib import Path

from .check import Check, skip
from .project import Project
from .registry import CHECKS


def ml_project(root: Traversable) -> Project | None:
    """The fixture: the project repo-review audits, or None for a remote repository."""
    return Project(root) if isinstance(root, Path) else None


class ReviewCheck:
    """A doctor check in the shape repo-review reads: family, url, docstring, check()."""

    def __init__(self, definition: Check) -> None:
        self.definition = definition
        self.family = definition.family.key
        self.url = definition.url
        self.__doc__ = definition.name

    def check(self, ml_project: Project | None) -> bool | str | None:
        if ml_project is None:
            verdict = skip("the doctor audits a local folder")
        else:
            verdict = self.definition(ml_project)
        if verdict.passed is None:
            # the reason goes into the name; braces doubled, as repo-review formats names
            name = f"{self.definition.name} (skipped: {verdict.message})"
            self.__doc__ = re.sub(r"([{}])", r"\1\1", name)
            return None
        return True if verdict.passed else verdict.message


# repo-review runs every check it is given and filters the results by --select only
# afterwards; `doctor` registers only the checks it selected, so `--fast` runs no DVC.
_registered: set[str] | None = None  # None: every check


def register_only(codes: set[str] | None) -> None:
    """Give repo-review only these checks in this process (None: every check again)."""
    global _registered
    _registered = codes


def repo_review_checks() -> dict[str, ReviewCheck]:
    return {
        code: ReviewCheck(definition)
        for code, definition in CHECKS.items()
        if _registered is None or code in _registered
    }


def repo_review_families() -> dict[str, dict[str, str | int]]:
    families = {definition.family for definition in CHECKS.values()}
    return {
        family.key: {"name": f"ML practices: {family.title}", "order": family.order}
        for family in families
    }
