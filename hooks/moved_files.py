"""Migration after `copier update`: carry the user's edits of moved files to their new place,
and say where the content of an edited file that changed shape goes now.

When a template version moves a file, Copier deletes the old one from the project, even
where the user had changed it, and writes the new one: the user's changes would be lost
without a word. This migration runs after the update (copier.yml, `_migrations`). For
each file the update moved, it compares the user's last committed version with what the
old template generated; if the user had changed it, it merges those changes into the
file's new place with `git merge-file` (the old template's file is the common base), so
they are kept, or shown as conflict markers where they clash with the new template.

Run by hand (the arguments Copier passes):

    python hooks/moved_files.py --template PATH --from-ref v0.2.0 --to-version 0.3.0
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml
from packaging.version import Version

PACKAGE = "src/{{ package_name }}"  # the package folder, as it is named in template/


@dataclass(frozen=True)
class Move:
    """A template file that moved: its old and new paths inside template/."""

    version: Version  # the template version that moved it
    old: str
    new: str


MOVES = [
    Move(Version("0.3.0"), f"{PACKAGE}/config.py", f"{PACKAGE}/core/config.py"),
    Move(Version("0.3.0"), f"{PACKAGE}/paths.py", f"{PACKAGE}/core/paths.py"),
    Move(Version("0.3.0"), f"{PACKAGE}/console.py", f"{PACKAGE}/core/console.py"),
    Move(Version("0.3.0"), f"{PACKAGE}/data/io.py", f"{PACKAGE}/core/io.py"),
    Move(Version("0.3.0"), f"{PACKAGE}/cli.py.jinja", f"{PACKAGE}/commands/__init__.py.jinja"),
    Move(Version("0.3.0"), f"{PACKAGE}/stages.py.jinja", f"{PACKAGE}/pipeline.py.jinja"),
    Move(Version("0.3.0"), f"{PACKAGE}/tracking/cli.py", f"{PACKAGE}/commands/runs.py"),
    Move(Version("0.3.0"), f"{PACKAGE}/evaluation/cli.py", f"{PACKAGE}/commands/evaluate.py"),
    Move(
        Version("0.3.0"),
        f"{PACKAGE}/{{% if include_monitoring %}}monitoring{{% endif %}}/cli.py",
        f"{PACKAGE}/commands/{{% if include_monitoring %}}monitor.py{{% endif %}}",
    ),
]


@dataclass(frozen=True)
class Reshape:
    """A template file that stayed in place but changed shape, so that an edit of it
    cannot be merged: where its content went, said to the user who had edited it."""

    version: Version
    path: str
    advice: str


RESHAPED = [
    Reshape(
        Version("0.3.0"),
        f"{PACKAGE}/data/schema.py",
        "the columns are declared in data/schema.yaml now (schema.py models that file): "
        "write yours there, or run `uv run <package> data adopt YOUR_FILE --target COLUMN "
        "--id COLUMN`, then keep the template's data/schema.py",
    ),
]


def render(text: str, answers: dict[str, object], strict: bool = True) -> str:
    """A template file's text or path as Copier renders it with these answers."""
    undefined = jinja2.StrictUndefined if strict else jinja2.Undefined
    environment = jinja2.Environment(undefined=undefined, keep_trailing_newline=True)
    return environment.from_string(text).render(answers)


def project_path(template_path: str, answers: dict[str, object]) -> str | None:
    """Where a template file lands in the project, or None when the answers leave it out."""
    # an answer the name depends on that is missing counts as no: the file is left out
    parts = [render(part, answers, strict=False) for part in template_path.split("/")]
    parts[-1] = parts[-1].removesuffix(".jinja")
    return "/".join(parts) if all(parts) else None


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True)


def edited(
    project: Path, template: Path, from_ref: str, path: str, answers: dict[str, object]
) -> str | None:
    """The user's committed version of a template file, if it differs from what the old
    template generated; None when it is unchanged, absent, or the old template is out
    of reach."""
    where = project_path(path, answers)
    if where is None:
        return None
    committed = git(project, "show", f"HEAD:{where}")
    generated = git(template, "show", f"{from_ref}:template/{path}")
    if committed.returncode != 0 or generated.returncode != 0:
        return None
    base = render(generated.stdout, answers) if path.endswith(".jinja") else generated.stdout
    return None if committed.stdout == base else committed.stdout


def reshaped_advice(
    project: Path, template: Path, from_ref: str, from_version: Version, to_version: Version
) -> list[str]:
    """One line per file the user had edited that the update reshaped, saying where its
    content goes now."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    package = str(answers.get("package_name", "<package>"))
    return [
        f"{project_path(r.path, answers)}: {r.advice.replace('<package>', package)}"
        for r in RESHAPED
        if from_version < r.version <= to_version
        and edited(project, template, from_ref, r.path, answers) is not None
    ]


def carry_edits(
    project: Path, template: Path, from_ref: str, from_version: Version, to_version: Version
) -> list[str]:
    """Merge the user's edits of every file moved after `from_version` into its new place;
    return one line per file that needed it."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    messages = []
    for move in MOVES:
        if not from_version < move.version <= to_version:
            continue
        old, new = project_path(move.old, answers), project_path(move.new, answers)
        if old is None or new is None or not (project / new).exists():
            continue
        committed = git(project, "show", f"HEAD:{old}")
        generated = git(template, "show", f"{from_ref}:template/{move.old}")
        if committed.returncode != 0 or generated.returncode != 0:
            continue  # the project never had the file, or the old template is out of reach
        base = (
            render(generated.stdout, answers) if move.old.endswith(".jinja") else generated.stdout
        )
        if committed.stdout == base:
            continue  # not edited: the new file replaces it as it is
        with tempfile.TemporaryDirectory() as scratch:
            base_file, yours = Path(scratch, "base"), Path(scratch, "yours")
            base_file.write_text(base, encoding="utf-8")
            yours.write_text(committed.stdout, encoding="utf-8")
            # merge the changes base -> yours into the new file, in place
            merged = git(
                project,
                "merge-file",
                "-L",
                f"{new} (template {to_version})",
                "-L",
                f"{old} (template {from_version})",
                "-L",
                f"{old} (your version)",
                new,
                str(base_file),
                str(yours),
            )
        if merged.returncode == 0:
            messages.append(f"{old} moved to {new}: your changes were merged into it")
        else:
            messages.append(
                f"{old} moved to {new}: your changes are in it, with conflict markers "
                "where they clash with the new template; resolve them"
            )
    return messages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Carry edits of moved files to their new place.")
    parser.add_argument("--template", type=Path, required=True, help="the template checkout")
    parser.add_argument("--from-ref", required=True, help="the git ref of the old version")
    parser.add_argument("--from-version", type=Version, required=True)
    parser.add_argument("--to-version", type=Version, required=True)
    parser.add_argument("--project", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    where = (args.project, args.template, args.from_ref, args.from_version, args.to_version)
    for line in [*carry_edits(*where), *reshaped_advice(*where)]:
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
