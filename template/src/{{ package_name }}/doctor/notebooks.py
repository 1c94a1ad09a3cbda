"""Notebooks: for looking, with the code in the package and the results out of git.

A notebook's outputs in git are results without the code version that made them, diffs
nobody can review, and sometimes data that must not leave the machine. The jupytext
`.py` pair is what git diffs and reviews. A function copied from the package into a
notebook goes stale the day the package's changes: import it instead.

Read next: habits.py.
"""

import ast
import json
from pathlib import Path

from ..core.paths import PACKAGE
from .check import NOTEBOOKS, PASS, Verdict, check, fail, listing
from .project import NotAvailableError, Project
from .wiring import SOURCE

FOLDER = Path("notebooks")


def notebook_files(project: Project, suffix: str) -> list[Path]:
    """The notebooks/ files with this suffix (checkpoints left out); NotAvailableError if none."""
    folder = project.root / FOLDER
    if not folder.is_dir():
        raise NotAvailableError(f"no {FOLDER}/ folder in this project")
    return sorted(
        path for path in folder.rglob(f"*{suffix}") if ".ipynb_checkpoints" not in path.parts
    )


def has_outputs(path: Path) -> bool:
    """Whether a saved .ipynb holds outputs or execution counts (what nbstripout removes)."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return False  # not a notebook jupyter could open; not outputs either
    return any(cell.get("outputs") or cell.get("execution_count") for cell in cells)


@check("NB001", "Notebooks in git have their outputs stripped", NOTEBOOKS, "notebooks.md", True)
def outputs_stripped(project: Project) -> Verdict:
    tracked = project.git_output("ls-files", "-z", "--", "*.ipynb").split("\0")
    with_outputs = [name for name in filter(None, tracked) if has_outputs(project.root / name)]
    if with_outputs:
        return fail(
            f"notebooks in git with outputs: {listing(with_outputs)}. Run `uv run nbstripout "
            "PATH` and commit; `uv run pre-commit install` strips them on every commit"
        )
    return PASS


@check("NB002", "Every notebook has its paired .py file", NOTEBOOKS, "notebooks.md", True)
def paired(project: Project) -> Verdict:
    unpaired = [
        path.relative_to(project.root).as_posix()
        for path in notebook_files(project, ".ipynb")
        if not path.with_suffix(".py").is_file()
    ]
    if unpaired:
        return fail(
            f"notebooks without a .py pair: {listing(unpaired)}. Run `uv run jupytext "
            "--sync PATH` (jupytext.toml pairs every notebook), and commit the .py"
        )
    return PASS


def package_definitions(project: Project) -> dict[str, str]:
    """Each top-level function and class name of the package -> the file defining it."""
    package = project.root / SOURCE / PACKAGE
    names: dict[str, str] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.setdefault(node.name, path.relative_to(project.root).as_posix())
    return names


@check(
    "NB003",
    "Notebooks import the package instead of copying its code",
    NOTEBOOKS,
    "notebooks.md",
    True,
)
def import_not_copy(project: Project) -> Verdict:
    definitions = package_definitions(project)
    problems = []
    for path in notebook_files(project, ".py"):
        name = path.relative_to(project.root).as_posix()
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError as error:
            problems.append(f"{name} (does not parse: line {error.lineno})")
            continue
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            (node.module or "").split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.level == 0
        }
        if PACKAGE not in imported:
            problems.append(f"{name} (does not import {PACKAGE})")
        copied = [
            f"{node.name} of {definitions[node.name]}"
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name in definitions
        ]
        if copied:
            problems.append(f"{name} (defines {listing(copied, 3)})")
    if problems:
        return fail(
            f"notebooks that do not use the package: {listing(problems)}. Import from "
            f"{PACKAGE} what it has; move code a notebook proves useful into src/{PACKAGE}/, "
            "with a test"
        )
    return PASS
