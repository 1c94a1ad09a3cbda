"""Habits: a journal that keeps up with the commits, time logged, a test for every stage.

The journal is what gets you back on track after a break, so it is judged against the
days you worked (days with commits), not the calendar: a project left alone for a month
is not behind on its journal. Time is judged the same way, for the week of the latest
commit. A stage module that no test imports is a stage whose change nothing checks.

Read next: plugin.py.
"""

import datetime as dt
from pathlib import Path

from ..core.paths import JOURNAL, PACKAGE
from .check import HABITS, PASS, Verdict, check, fail, listing
from .project import Project
from .wiring import SOURCE, imports_in, module_file, stage_module

TESTS = Path("tests")


def commit_days(project: Project) -> list[dt.date]:
    """The distinct days with commits, newest first (committer dates)."""
    days = project.git_output("log", "--format=%cs", "-n", "2000").split()
    return [dt.date.fromisoformat(day) for day in dict.fromkeys(days)]


@check(
    "HB001",
    "The journal has an entry within the last doctor.journal_days days with commits",
    HABITS,
    "journal.md",
)
def journal_kept(project: Project) -> Verdict:
    days = commit_days(project)[: project.settings.journal_days]
    since = days[-1]
    latest = max((entry.day for entry in project.journal), default=None)
    if latest is None or latest < since:
        last = f"the last entry is from {latest}" if latest else "it has no entry yet"
        return fail(
            f"no {JOURNAL} entry since {since}, over the last {len(days)} days with commits "
            f"({last}). Write what you tried and decided: `uv run {PACKAGE} journal add "
            '"..." --spent 1h`'
        )
    return PASS


@check("HB002", "Time is logged for the week of the latest commit", HABITS, "journal.md")
def time_logged(project: Project) -> Verdict:
    year, week, _ = commit_days(project)[0].isocalendar()
    minutes = sum(
        entry.minutes for entry in project.journal if entry.day.isocalendar()[:2] == (year, week)
    )
    if minutes == 0:
        return fail(
            f"no time logged in {JOURNAL} for {year}-W{week:02d}, the week of the latest "
            f"commit. Add `--spent` to a journal entry (`uv run {PACKAGE} journal add "
            '"..." --spent 45m`); `journal time` shows where the time goes'
        )
    return PASS


@check("HB003", "Every stage module has a test that imports it", HABITS, "data-flow.md", True)
def stages_tested(project: Project) -> Verdict:
    source = project.root / SOURCE
    tests = sorted((project.root / TESTS).rglob("*.py"))
    if not tests:
        return fail(f"no tests under {TESTS}/: add one per stage (uv run pytest runs them)")
    imported: set[str] = set()
    for test in tests:
        try:
            imported |= imports_in(test, TESTS.name, source)
        except SyntaxError:
            continue  # pytest reports it better
    untested = []
    for name, stage in project.stages.items():
        module = stage_module(stage)
        if module is not None and module not in imported:
            path = module_file(source, module)
            untested.append(f"{name} ({path.relative_to(project.root) if path else module})")
    if untested:
        return fail(
            f"stages whose module no test imports: {listing(untested)}. Add "
            f"{TESTS.as_posix()}/test_<stage>.py that runs it on a small input, as "
            f"{TESTS.as_posix()}/test_split.py does"
        )
    return PASS
