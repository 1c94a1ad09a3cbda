"""Fixtures of the template's tests: a snapshot of the working tree to render from, and
projects rendered once per answer set for the tests that only read them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from .helpers import CHOICES, render, snapshot_working_tree

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
