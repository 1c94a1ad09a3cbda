"""Fixtures of the template's tests: a snapshot of the working tree to render from, and
projects rendered once per answer set for the tests that only read them."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from .helpers import CHOICES, render, snapshot_working_tree

# A user's shell lets Python write .pyc files. This machine's PYTHONDONTWRITEBYTECODE=1
# would make every process a generated project starts (each DVC stage, each `uv run
# dvc`, each test subprocess) compile everything it imports again, DVC and scikit-learn
# included: seconds a process, minutes of the suite. Generated projects ignore
# __pycache__/ in .gitignore and .dvcignore, as their users need, so the slow tests also
# check that the .pyc files Python writes change no DVC hash and leave git clean.
# (benchmarks/startup.py sets the variable itself, to time both cases.)
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

Rendered = Callable[[Mapping[str, Any]], Path]


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is in the working tree, committed or not, without git."""
    return snapshot_working_tree(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def rendered(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """A project for these answers, rendered once per session and shared: read it, never
    change it (a test that writes renders its own). Answers equal to a question's default
    share the default project: `{"ci": "github"}` is `{}`."""
    cache: dict[tuple[tuple[str, Any], ...], Path] = {}

    def project(answers: Mapping[str, Any]) -> Path:
        key = tuple(
            sorted((k, v) for k, v in answers.items() if k not in CHOICES or CHOICES[k][0] != v)
        )
        if key not in cache:
            cache[key] = render(template, tmp_path_factory.mktemp("rendered") / "p", dict(key))
        return cache[key]

    return project


# Rough seconds each slow test took in CI on the 2-core machine (`pytest --durations`),
# used only to order the run: the longest start first and the fast tests fill in at the
# end, and with `--dist worksteal` (pyproject.toml) an idle worker takes tests queued
# for the other, so neither worker waits alone at the end. A test not listed counts as
# the median slow test; a wrong figure costs minutes of wall time, never a result.
SLOW_SECONDS: dict[str, int] = {
    "test_pytorch_project_works_first_time": 350,
    "test_another_data_set_as_csv_and_parquet_with_no_edit": 270,
    "test_generated_project_works_first_time": 220,
    "test_updated_project_passes_its_own_checks": 165,
    "test_benchmarks_run_at_smoke_size": 150,
    "test_s3_project_shares_its_cache_and_runs_experiments_in_parallel": 110,
    "test_bad_params_lose_nothing_and_runs_record_what_they_used": 105,
    "test_reproduce_then_report_in_a_real_browser": 100,
}
MEDIAN_SLOW_SECONDS = 60


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def cost(item: pytest.Item) -> int:
        if item.get_closest_marker("slow") is None:
            return 0
        name = getattr(item, "originalname", item.name)
        return SLOW_SECONDS.get(name, MEDIAN_SLOW_SECONDS)

    items.sort(key=cost, reverse=True)  # stable: equal costs keep the files' order
