"""`<package> report`: the static HTML report of runs, evaluations and monitoring.

    uv run <package> report                  # reports/site/index.html
    uv run <package> report --out public     # somewhere else, e.g. for GitLab Pages

The pages work from disk with no network (report/ says how). Read next: journal.py.
"""

from pathlib import Path
from typing import Annotated

import typer

from .options import project_root


def report(
    out: Annotated[
        Path | None,
        typer.Option(help="The folder to write [default: reports/site].", show_default=False),
    ] = None,
) -> None:
    """Write the report: runs, evaluations, comparisons, test ledger, monitoring, model card."""
    from ..core.paths import SITE
    from ..report.site import build_site

    root = project_root()
    index = build_site(root, out.absolute() if out else root / SITE)
    typer.echo(str(index))
