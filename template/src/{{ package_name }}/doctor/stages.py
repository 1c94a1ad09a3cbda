"""Pipeline: dvc.yaml declares what each stage really uses, and its outputs are current.

`dvc repro` is only as good as dvc.yaml: a module or a params key a stage uses but does
not list is a change DVC cannot see, and a result it does not recompute. `dvc status`
says whether the outputs are those of the current code, params and data, and
`dvc status -c` whether the remote holds them for the next person.

Read next: datafiles.py.
"""

import configparser
import json
from typing import Any

from ..core.paths import PARAMS_FILE
from .check import PASS, PIPELINE, Verdict, check, fail, listing
from .project import NotAvailableError, Project, last_line
from .wiring import DVC_YAML, uncovered_imports

# Sections of params.yaml that commands read, not stages: no stage lists them.
READ_BY_COMMANDS = ("doctor", "monitoring")


@check("PL001", "Each stage's deps cover the modules it imports", PIPELINE, "data-flow.md", True)
def deps_cover_imports(project: Project) -> Verdict:
    try:
        stages = project.stages
    except NotAvailableError as missing:
        return fail(f"{missing}; dvc.yaml declares the pipeline that `dvc repro` runs")
    missing_deps = uncovered_imports(project.root, stages)
    if missing_deps:
        return fail(
            f"stages import code they do not depend on: {listing(missing_deps)}. Add each "
            f"file (or its folder) to the stage's deps in {DVC_YAML}, or `dvc repro` will "
            "not rerun the stage when that file changes"
        )
    return PASS


def leaf_keys(section: Any, prefix: str = "") -> list[str]:
    """The dotted keys of the values in a params mapping: train.seed, train.epochs, ..."""
    if not isinstance(section, dict) or not section:
        return [prefix] if prefix else []
    return [
        key
        for name, value in section.items()
        for key in leaf_keys(value, f"{prefix}.{name}" if prefix else str(name))
    ]


@check(
    "PL002",
    "params.yaml is valid, each key is read by a stage, and each stage's params exist",
    PIPELINE,
    "data-flow.md",
    True,
)
def params_in_step(project: Project) -> Verdict:
    try:
        project.validated_params()
    except NotAvailableError as invalid:
        return fail(f"{invalid}; every stage stops on it, so fix {PARAMS_FILE} first")
    keys = leaf_keys(project.params)
    listed = {name: stage.params for name, stage in project.stages.items()}
    unknown = [
        f"{name}: {param}"
        for name, params in listed.items()
        for param in params
        if not any(key == param or key.startswith(param + ".") for key in keys)
    ]
    read = {param for params in listed.values() for param in params}
    unread = [
        key
        for key in keys
        if key.split(".")[0] not in READ_BY_COMMANDS
        and not any(key == param or key.startswith(param + ".") for param in read)
    ]
    problems = []
    if unknown:
        problems.append(f"stages list params that {PARAMS_FILE} lacks: {listing(unknown)}")
    if unread:
        problems.append(
            f"no stage lists these keys, so changing them reruns nothing: {listing(unread)}"
        )
    if problems:
        return fail(
            "; ".join(problems) + f". Make each stage's `params:` in {DVC_YAML} name exactly "
            f"the {PARAMS_FILE} sections or keys its code reads"
        )
    return PASS


def dvc_json(project: Project, *args: str) -> Any:
    """The JSON a `dvc ... --json` command printed; NotAvailableError when DVC cannot answer."""
    done = project.dvc(*args, "--json")
    if done.returncode != 0 or not done.stdout.strip():
        if "No module named dvc" in done.stderr:
            raise NotAvailableError("DVC is not installed here: `uv sync` installs it")
        raise NotAvailableError(f"`dvc {' '.join(args)}` failed: {last_line(done)}")
    return json.loads(done.stdout)


@check("PL003", "The pipeline's outputs are up to date (`dvc status`)", PIPELINE, "data-flow.md")
def pipeline_up_to_date(project: Project) -> Verdict:
    if not (project.root / ".dvc").is_dir():
        return fail("not a DVC repository (no .dvc/): run `uv run dvc init` and commit .dvc/")
    try:
        status = dvc_json(project, "status")
    except NotAvailableError as error:
        return fail(f"{error}; `dvc status` must run for `dvc repro` to")
    if status:
        stale = [f"{stage} ({describe_change(changes)})" for stage, changes in status.items()]
        return fail(
            f"outputs not made by the current code, params and data: {listing(stale)}. "
            "Run `uv run dvc repro` and commit dvc.lock"
        )
    return PASS


def describe_change(changes: Any) -> str:
    """'changed deps, changed outs' from one stage's entry of `dvc status --json`."""
    if not isinstance(changes, list):
        return str(changes)
    kinds = [next(iter(item)) if isinstance(item, dict) else str(item) for item in changes]
    return ", ".join(dict.fromkeys(kinds))


def default_remote(project: Project) -> str | None:
    """The default DVC remote named in .dvc/config or .dvc/config.local, if any."""
    config = configparser.ConfigParser()
    config.read([project.root / ".dvc" / "config", project.root / ".dvc" / "config.local"])
    return config.get("core", "remote", fallback=None)


@check(
    "PL004", "The outputs are pushed to the DVC remote (`dvc status -c`)", PIPELINE, "data-flow.md"
)
def outputs_pushed(project: Project) -> Verdict:
    remote = default_remote(project)
    if remote is None:
        raise NotAvailableError(
            "no default DVC remote: `uv run dvc remote add -d NAME URL` sets one"
        )
    status = dvc_json(project, "status", "--cloud")
    missing = sorted(path for path, state in status.items() if state != "deleted")
    if missing:
        return fail(
            f"outputs the remote {remote!r} lacks: {listing(missing)}. Run `uv run dvc push`, "
            "so others (and CI) can pull them"
        )
    return PASS
