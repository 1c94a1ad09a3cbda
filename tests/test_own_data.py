"""Slow: the generated README's "Bringing your own data" walkthrough, on two data sets.

As a user would, with no edit of any file: in a project made without the example, a data
set made here (other column names and types, a yes/no text label, no id column), as a
CSV and as Parquet; the example's own rows, written out as a CSV outside the project,
are adopted by the oldest release's project once `copier update` brought it here
(tests/test_update.py: one project for the two claims). For each: `data adopt` (the
command read from the generated README), then the project's own tests, `dvc repro`,
pre-commit (on the files adoption changed, as `git commit` runs it), `predict` and
`monitor drift`, which must check every feature column of the adopted contract.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from .helpers import render
from .test_generated import step

pytestmark = pytest.mark.slow


def readme_adopt_command(project: Path) -> list[str]:
    """The `data adopt` line of the README's "Bringing your own data" section."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Bringing your own data", 1)[1]
    line = next(line for line in section.splitlines() if " data adopt " in line)
    command = shlex.split(line.split("  #", 1)[0])
    assert command[:4] == ["uv", "run", "churn_model", "data"], command
    return command


# Run in the project's environment (numpy and pyarrow are its dependencies, not ours):
# a data set nothing like the example, with other names and types, a yes/no text label
# and no id column, written as a CSV and as Parquet (typed columns) into argv[1].
SECOND_DATA_SET = """
import sys
from pathlib import Path
import numpy as np, pyarrow as pa, pyarrow.csv as pa_csv, pyarrow.parquet as pq

rng = np.random.default_rng(12)
n = 2500
visits = rng.poisson(4, n)
basket = rng.gamma(2.0, 30.0, n).round(2)
region = rng.choice(["north", "south", "east", "west", "centre"], n)
newsletter = rng.random(n) < 0.5
score = 0.3 * visits + 0.02 * basket + 1.2 * newsletter + (region == "east") - 3.0
bought = rng.random(n) < 1 / (1 + np.exp(-score))
table = pa.table({
    "visits_last_month": visits,
    "basket_eur": pa.array([None if i % 23 == 0 else float(v) for i, v in enumerate(basket)]),
    "region": region,
    "newsletter": newsletter,
    "comment": [f"free text {i}" for i in range(n)],
    "bought": np.where(bought, "yes", "no"),
})
folder = Path(sys.argv[1])
pq.write_table(table, folder / "shop.parquet")
pa_csv.write_csv(table, folder / "shop.csv")
"""


# The project's tests that read the contract's source (its format and path), run again
# when only the source changed; the whole suite already ran on the same columns.
SOURCE_TESTS = ["tests/test_wiring.py", "tests/test_schema.py", "tests/test_prepare.py"]


def adopt_and_run(
    project: Path, data: Path, target: str, extra: list[str], tests: list[str] | None = None
) -> None:
    """The walkthrough: adopt, then the checks a user runs, with no edit in between; the
    project's tests are `tests` (None: all of them)."""
    command = readme_adopt_command(project)
    path_at = next(i for i, word in enumerate(command) if word.endswith((".csv", ".parquet")))
    command[path_at] = str(data)
    command[command.index("COLUMN")] = target
    print(step([*command, *extra], cwd=project), flush=True)
    contract = step(["uv", "run", "churn_model", "data", "show"], cwd=project)
    assert str(data) in contract
    pytest = ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider", *(tests or [])]
    outcome = step(pytest, cwd=project)
    assert re.search(r"\d+ passed", outcome), outcome
    assert "failed" not in outcome, outcome
    repro = step(["uv", "run", "dvc", "repro"], cwd=project)
    assert "Running stage 'ingest'" not in repro
    step(["uv", "run", "dvc", "status"], cwd=project)
    # the hooks `git commit` runs, on what the adoption changed (the yaml files it wrote);
    # every file of a generated project passes every hook (tests/test_generated.py)
    step(["git", "add", "--all"], cwd=project)
    step(["uv", "run", "pre-commit", "run"], cwd=project)
    step(["uv", "run", "churn_model", "predict"], cwd=project)
    step(["uv", "run", "churn_model", "monitor", "drift"], cwd=project)
    report = json.loads((project / "reports/monitoring/drift.json").read_text())
    assert report["tested"], report
    assert report["unchecked"] == []
    assert set(report["checks"]) == {*feature_columns(project), "output"}, report


def feature_columns(project: Path) -> list[str]:
    """The adopted contract's feature columns (every column that is not text)."""
    contract = yaml.safe_load((project / "data/schema.yaml").read_text(encoding="utf-8"))
    return [name for name, rule in contract["columns"].items() if rule["type"] != "text"]


def contract_rules(project: Path) -> dict[str, object]:
    """The adopted contract without its source: the columns, the target and the id."""
    contract = yaml.safe_load((project / "data/schema.yaml").read_text(encoding="utf-8"))
    return {key: value for key, value in contract.items() if key != "source"}


def generate(template: Path, folder: Path, answers: dict[str, object]) -> Path:
    """A project as the README's --skip-tasks note says to start it, synced, committed."""
    project = render(template, folder, answers, skip_tasks=True)
    step(["git", "init", "--quiet", "--initial-branch=main"], cwd=project)
    step(["uv", "sync"], cwd=project)
    step(["git", "add", "--all"], cwd=project)
    step(["git", "-c", "user.name=T", "-c", "user.email=t@e.com", "commit", "-qm", "x"], project)
    return project


def touched(project: Path, tracked_before: set[str]) -> set[str]:
    """The files of the first commit that differ from it now."""
    changed = step(["git", "status", "--porcelain", "--untracked-files=no"], cwd=project)
    return {line[3:] for line in changed.splitlines()} & tracked_before


def test_another_data_set_as_csv_and_parquet_with_no_edit(template: Path, tmp_path: Path) -> None:
    """A project made without the example passes its tests while it waits for data, then
    takes a data set nothing like the example, as a CSV and then as Parquet."""
    project = generate(template, tmp_path / "project", {"example_data": False})
    before = set(step(["git", "ls-files"], cwd=project).split())
    tests = step(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project)
    assert re.search(r"\d+ passed", tests), tests
    exports = tmp_path / "exports"
    exports.mkdir()
    step(["uv", "run", "python", "-c", SECOND_DATA_SET, str(exports)], cwd=project)
    adopt_and_run(project, exports / "shop.csv", "bought", [])
    from_csv = contract_rules(project)
    # The same table as Parquet (typed columns): adopt must infer the same rules, so the
    # suite that passed on them need not run again; what reads the source runs.
    adopt_and_run(project, exports / "shop.parquet", "bought", [], tests=SOURCE_TESTS)
    assert contract_rules(project) == from_csv
    assert touched(project, before) <= {"data/schema.yaml"}
