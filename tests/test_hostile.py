"""Hostile free text never breaks a generated file: quotes, backslashes, Jinja, newlines,
non-ASCII render into files that still parse (and round-trip), control characters are
refused by the validators, and nothing is written outside the destination."""

from __future__ import annotations

import tempfile
import tomllib
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .helpers import generated_files, parse, render

# Pieces that break naive templating, none of them a control character.
TRICKY = [
    '"',
    "'",
    "\\",
    "\\n",
    "{{ x }}",
    "{%",
    "%}",
    "{#",
    "ë",
    "Zoë O'Brien",
    "日本",
    "😀",
    "\u2028",
    "../",
    "${{ secrets.X }}",
    "#",
    ": ",
    "---",
    '"""',
    "[",
    "&a *a",
]
printable = st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff")
one_line = (
    st.lists(
        st.one_of(st.sampled_from(TRICKY), st.text(printable, max_size=4)), min_size=1, max_size=6
    )
    .map("".join)
    .filter(lambda s: s.strip() != "")
)
multi_line = st.lists(st.one_of(one_line, st.sampled_from(["\n", "\t", "\r\n"])), max_size=4).map(
    "".join
)
anything = st.text(max_size=12)

SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def render_in_scratch(template: Path, answers: dict[str, str]) -> tuple[Path, Path] | None:
    """Render under a fresh scratch folder; None when a validator refused the answers."""
    root = Path(tempfile.mkdtemp())
    destination = root / "inner" / "project"
    try:
        render(template, destination, answers)
    except ValueError as error:
        message = str(error)
    else:
        return root, destination
    assert "Validation error for question" in message
    assert not destination.exists()
    return None


def assert_files_parse_inside(root: Path, destination: Path) -> None:
    outside = [
        p
        for p in root.rglob("*")
        if p not in (destination.parent,) and not p.is_relative_to(destination)
    ]
    assert outside == []
    for path in generated_files(destination):
        parse(path)


@SETTINGS
@given(project_name=one_line, description=multi_line, author_name=one_line)
def test_tricky_printable_answers_render_and_round_trip(
    template: Path, project_name: str, description: str, author_name: str
) -> None:
    """Without control characters every answer is accepted, and reaches TOML and YAML intact."""
    answers = {
        "project_name": project_name[:80],
        "description": description,
        "author_name": author_name[:100],
    }
    rendered = render_in_scratch(template, answers)
    assert rendered is not None, f"refused: {answers!r}"
    root, destination = rendered
    assert_files_parse_inside(root, destination)
    pyproject = tomllib.loads((destination / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["authors"][0]["name"] == answers["author_name"]
    assert "\n" not in pyproject["project"]["description"]
    recorded = yaml.safe_load((destination / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert recorded["project_name"] == answers["project_name"]


@SETTINGS
@given(project_name=anything, description=anything, author_name=anything)
def test_any_text_is_refused_or_renders_valid_files(
    template: Path, project_name: str, description: str, author_name: str
) -> None:
    """Arbitrary text, control characters included: a validator's message, or valid files."""
    answers = {"project_name": project_name, "description": description, "author_name": author_name}
    rendered = render_in_scratch(template, answers)
    if rendered is not None:
        assert_files_parse_inside(*rendered)
