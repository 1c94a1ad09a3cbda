"""Fixtures of the template's tests: a snapshot of the working tree to render from."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import snapshot_working_tree


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template as it is in the working tree, committed or not, without git."""
    return snapshot_working_tree(tmp_path_factory.mktemp("template"))
