"""A long package name leaves the generated code ruff-clean, in seconds.

The package name appears in import lines, so a line that fits with `churn_model` can pass
ruff's 100 columns with a 32-character name. The slow tests find that only after a
project is synced and its pre-commit run (four times this batch); this renders the
longest name the question's examples use, with every module the answers can bring
(PyTorch, monitoring, notebooks, then numpy without the example), and runs ruff's lint
and format check on it with the generated pyproject.toml's settings.
"""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import Rendered

RUFF = Path(sys.executable).with_name("ruff")
LONG = "monthly_customer_churn_forecasts"
ANSWER_SETS: dict[str, dict[str, Any]] = {
    "pytorch-monitoring-notebooks": {"model_framework": "pytorch"},
    "numpy-no_example": {"example_data": False, "include_monitoring": False},
}


@pytest.mark.parametrize("answers", ANSWER_SETS.values(), ids=ANSWER_SETS.keys())
def test_a_long_package_name_stays_ruff_clean(rendered: Rendered, answers: dict[str, Any]) -> None:
    project = rendered({"package_name": LONG, **answers})
    for check in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        result = subprocess.run(
            [str(RUFF), *check], cwd=project, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stdout + result.stderr
