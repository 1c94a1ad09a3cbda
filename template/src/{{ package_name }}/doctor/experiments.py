"""Experiments: every run ends on purpose, and names the code that made it.

A run that failed or was interrupted and then forgotten is a question left open: was the
idea bad, or the code? A run is dealt with when it finished, or when the journal says
what became of it (its id in JOURNAL.md). A run whose commit is missing from the
repository (never made, or rewritten away by a rebase) can no longer be reproduced.

Read next: notebooks.py.
"""

from ..core.paths import JOURNAL, PACKAGE
from .check import EXPERIMENTS, PASS, Verdict, check, fail, listing
from .project import Project

ENDED_BADLY = ("failed", "interrupted")


@check("RN001", "The last runs finished, or the journal says why not", EXPERIMENTS, "tracking.md")
def last_runs_finished(project: Project) -> Verdict:
    journal = project.root / JOURNAL
    noted = journal.read_text(encoding="utf-8") if journal.is_file() else ""
    forgotten = [
        f"{run.id} ({run.status})"
        for run in project.recent_runs
        if run.status in ENDED_BADLY and run.id not in noted
    ]
    if forgotten:
        return fail(
            f"runs that did not finish: {listing(forgotten)}. Look at each "
            f"(`uv run {PACKAGE} runs show ID`), then resume it (`runs resume ID`) or write "
            f"in {JOURNAL} what it taught you, naming its id"
        )
    return PASS


@check("RN002", "The last runs are tied to a commit of this repository", EXPERIMENTS, "tracking.md")
def runs_tied_to_commits(project: Project) -> Verdict:
    commits = {run.id: run.manifest.get("git", {}).get("commit") for run in project.recent_runs}
    untied = [f"{run_id} (no commit)" for run_id, commit in commits.items() if not commit]
    named = {run_id: commit for run_id, commit in commits.items() if commit}
    if named:
        # one line per commit: `<hash> commit`, or `<hash> missing` when git has no such commit
        found = project.git_output(
            "cat-file",
            "--batch-check=%(objectname) %(objecttype)",
            input_text="".join(commit + "^{commit}\n" for commit in named.values()),
        ).splitlines()
        untied += [
            f"{run_id} ({commit[:7]} is not in this repository)"
            for (run_id, commit), line in zip(named.items(), found, strict=False)
            if not line.endswith(" commit")
        ]
    if untied:
        return fail(
            f"runs that no commit reproduces: {listing(untied)}. Make runs from a git "
            "repository, and keep the commits your reported results came from (tag them "
            "before a rebase)"
        )
    return PASS
