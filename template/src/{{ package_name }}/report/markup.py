"""HTML for the report: every value escaped, tables from rows, the page around a body.

Pages are built from strings, escaped here and only here (`text`), so a run name or a
param holding `<` or `&` shows as written. The style sheet is inline in every page: a
page works alone, from disk, with no request to anywhere.

Read next: card.py.
"""

from collections.abc import Iterable, Sequence
from html import escape
from typing import Final

STYLE: Final = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1200px;
       padding: 0 1.5em 3em; color: #1b1f24; }
nav { padding: .8em 0; border-bottom: 1px solid #d0d7de; margin-bottom: 1em; }
nav a { margin-right: 1.2em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.8em; }
table { border-collapse: collapse; margin: .6em 0 1.2em; font-size: 14px; }
th, td { border: 1px solid #d0d7de; padding: .3em .6em; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
td.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
img { max-width: 100%; height: auto; border: 1px solid #eaeef2; margin: .4em 0; }
code, pre { font: 13px ui-monospace, monospace; background: #f6f8fa; }
pre { padding: .8em; overflow-x: auto; max-height: 30em; }
.good { color: #1a7f37; } .bad { color: #cf222e; font-weight: 600; }
.note { color: #57606a; }
"""

Cell = str | int | float | None


def text(value: object) -> str:
    """Any value as escaped HTML text; None is a dash."""
    return "-" if value is None else escape(str(value))


def number(value: float | None, digits: int = 4) -> str:
    """A number for a table cell: thousands separated when large, `digits` significant."""
    if value is None:
        return "-"
    if isinstance(value, int) or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}g}"


def link(href: str, label: object) -> str:
    return f'<a href="{escape(href)}">{text(label)}</a>'


def figure(src: str, alt: str) -> str:
    return f'<p><img src="{escape(src)}" alt="{escape(alt)}"></p>'


def table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[str] = ()
) -> str:
    """A table of cells that are already HTML; columns named in `numeric` align right.
    Headers that are all empty give a table without a header row."""
    right = [header in numeric for header in headers]
    head = "".join(f"<th>{text(header)}</th>" for header in headers)
    head = f"<thead><tr>{head}</tr></thead>\n" if any(headers) else ""
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="number">{cell}</td>' if is_number else f"<td>{cell}</td>"
            for cell, is_number in zip(row, right, strict=True)
        )
        + "</tr>\n"
        for row in rows
    )
    return f"<table>\n{head}<tbody>\n{body}</tbody>\n</table>\n"


def fields(pairs: Iterable[tuple[str, str]]) -> str:
    """A two-column table of names and values (values already HTML)."""
    return table(("", ""), [(text(name), value) for name, value in pairs])


def page(title: str, body: str, depth: int, navigation: Sequence[tuple[str, str]]) -> str:
    """A whole HTML page; `depth` is how many folders below the site's root it sits, so
    its links to the other pages work from any folder and from disk."""
    up = "../" * depth
    menu = " ".join(link(up + href, label) for href, label in navigation)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{text(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<nav>{menu}</nav>\n<h1>{text(title)}</h1>\n{body}\n</body>\n</html>\n"
    )
