"""How dvc.yaml's stages and the package's code are wired, read from the files alone.

DVC reruns a stage when one of its deps changed, so a module that a stage imports but
does not list is a change DVC cannot see. This module reads dvc.yaml and follows a
stage's imports through the package's source with `ast` (no code of it runs), so the
doctor (PL001) and the generated tests/test_wiring.py check the same rule the same way.

Read next: worktree.py.
"""

import ast
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core.config import parse_yaml
from ..core.errors import ConfigError, ProjectError
from ..core.paths import PACKAGE, PARAMS_FILE
from ..pipeline import STAGE_MODULES, StageName

DVC_YAML = Path("dvc.yaml")
SOURCE = Path("src")
SOURCE_PATH = "${source.path}"


@dataclass(frozen=True)
class DvcStage:
    """One stage of dvc.yaml: its command and the paths (and params keys) it names."""

    cmd: str
    deps: tuple[str, ...] = ()
    params: tuple[str, ...] = ()  # keys of params.yaml, as dotted paths
    outs: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    plots: tuple[str, ...] = ()


def names(entries: list[str | dict[str, object]]) -> tuple[str, ...]:
    """dvc.yaml lists a path either bare or as a one-key mapping with options."""
    return tuple(entry if isinstance(entry, str) else next(iter(entry)) for entry in entries)


def params_keys(entries: list[str | dict[str, object]]) -> tuple[str, ...]:
    """The params.yaml keys of a stage: `- train`, or `- params.yaml: [train.seed]`
    (keys of other params files are not params.yaml's, and are left out)."""
    keys: list[str] = []
    for entry in entries:
        listed = entry.get(PARAMS_FILE.name) if isinstance(entry, dict) else [entry]
        if isinstance(listed, list):
            keys.extend(str(key) for key in listed)
    return tuple(keys)


def read_stages(root: Path) -> dict[str, DvcStage]:
    """The stages of root/dvc.yaml in order; ConfigError when it is missing or malformed."""
    try:
        text = (root / DVC_YAML).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no {DVC_YAML} in {root}: the pipeline is not declared") from None
    if SOURCE_PATH in text:  # DVC's var, read from the data contract (`vars:` in dvc.yaml)
        from ..data.schema import load_schema

        with suppress(ProjectError):  # no contract, or a bad one: the var stays as written
            text = text.replace(SOURCE_PATH, load_schema(root).source.path)
    try:
        raw = parse_yaml(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ConfigError(f"{DVC_YAML} is not valid YAML{line}") from None
    stages = raw.get("stages") if isinstance(raw, dict) else None
    if not isinstance(stages, dict):
        raise ConfigError(f"{DVC_YAML} has no `stages:` mapping")
    read = {}
    for name, body in stages.items():
        if not isinstance(body, dict) or not isinstance(body.get("cmd"), str):
            raise ConfigError(f"{DVC_YAML}: stage {name} must have a `cmd:` string")
        read[str(name)] = DvcStage(
            cmd=body["cmd"],
            deps=names(body.get("deps") or []),
            params=params_keys(body.get("params") or []),
            outs=names(body.get("outs") or []),
            metrics=names(body.get("metrics") or []),
            plots=names(body.get("plots") or []),
        )
    return read


def stage_module(stage: DvcStage) -> str | None:
    """The module a stage runs (`<package> stage train` -> <package>.models.train), or
    None for a command that is not one of the package's stages."""
    program, _, name = stage.cmd.partition(" stage ")
    if program.strip() != PACKAGE or name.strip() not in set(StageName):
        return None
    return f"{PACKAGE}.{STAGE_MODULES[StageName(name.strip())]}"


def module_file(source: Path, module: str) -> Path | None:
    """The file of a module under `source` (`pkg.core.io` -> src/pkg/core/io.py), if any."""
    base = source.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imports_in(path: Path, package: str, source: Path) -> set[str]:
    """The modules a file imports, in any statement, inside functions too, as absolute
    names; `package` is the file's own package, for its relative imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            # `from ..core.config import X` in pkg.models.train -> pkg.core.config
            parts = package.split(".")
            base_parts = parts[: len(parts) - node.level + 1] if node.level else []
            base = ".".join([*base_parts, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"  # `from . import mlp` names a module
                found.add(submodule if module_file(source, submodule) else base)
    return found


def direct_imports(source: Path, module: str) -> set[str]:
    """The package's modules that one module imports."""
    path = module_file(source, module)
    if path is None:
        return set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = imports_in(path, package, source)
    return {name for name in found if name.split(".")[0] == PACKAGE and module_file(source, name)}


def imported_modules(
    source: Path, module: str, known: dict[str, set[str]] | None = None
) -> set[str]:
    """`module` and every module of the package it imports, directly or not; `known`
    keeps each module's direct imports, to parse each file once over many stages."""
    known = {} if known is None else known
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            if name not in known:
                known[name] = direct_imports(source, name)
            todo.extend(known[name] - seen)
    return seen


def uncovered_imports(root: Path, stages: dict[str, DvcStage]) -> list[str]:
    """`stage: file` for each module a stage imports that none of its deps covers (the
    file itself, or a folder that holds it)."""
    source = root / SOURCE
    known: dict[str, set[str]] = {}  # each module's direct imports, parsed once
    missing = []
    for name, stage in stages.items():
        module = stage_module(stage)
        if module is None:
            continue
        deps = [Path(dep) for dep in stage.deps]
        for imported in sorted(imported_modules(source, module, known)):
            path = module_file(source, imported)
            if path is None:
                missing.append(f"{name}: {imported} (no such module under {SOURCE}/)")
                continue
            relative = path.relative_to(root)
            if not any(dep == relative or dep in relative.parents for dep in deps):
                missing.append(f"{name}: {relative.as_posix()}")
    return missing


def overlaps(path: str, target: Path) -> bool:
    """Whether a dvc.yaml path gives access to `target`: the path itself, a file inside
    it, or a folder that holds it (data/features for data/features/test)."""
    entry = Path(path)
    return entry == target or target in entry.parents or entry in target.parents
