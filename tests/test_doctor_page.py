"""The Doctor page lists exactly the generated project's checks, and every check links to
a page of these docs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .helpers import render

DOCS_ROW = re.compile(r"^\| ([A-Z]{2}\d{3})\b", flags=re.MULTILINE)


def declared_checks(doctor: Path) -> dict[str, str]:
    """id -> docs page of each `@check(id, name, family, page, ...)` in the doctor's modules."""
    checks: dict[str, str] = {}
    for module in sorted(doctor.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check":
                code, page = ast.literal_eval(node.args[0]), ast.literal_eval(node.args[3])
                assert code not in checks, f"{code} is declared twice"
                checks[str(code)] = str(page)
    return checks


def test_doctor_page_lists_every_check_and_each_links_to_a_page(
    template: Path, tmp_path: Path
) -> None:
    project = render(template, tmp_path / "p", {})  # monitoring included: every check
    checks = declared_checks(project / "src" / "churn_model" / "doctor")
    assert len(checks) >= 20
    page = (template / "docs" / "doctor.md").read_text(encoding="utf-8")
    assert sorted(DOCS_ROW.findall(page)) == sorted(checks)
    missing = {
        code: name for code, name in checks.items() if not (template / "docs" / name).is_file()
    }
    assert missing == {}
