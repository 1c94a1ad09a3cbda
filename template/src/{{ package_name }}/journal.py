"""The project journal: dated entries in JOURNAL.md, and where the time went.

A journal is the cheapest tool against repeating dead ends: what you tried, what
happened, what you decided. Each entry made by `<package> journal add` records the
moment, the commit, the latest train run and the validation metrics (with the run whose
model they are of, when it is not the latest), and how long the work took, so the entry
can be traced back to code and results; `<package> journal time` sums the time spent by
tag and by week. JOURNAL.md stays plain Markdown that you can also edit by hand.

    uv run <package> journal add "Tried tenure buckets; AUC +0.01" --tag features --spent 1h30m
    uv run <package> journal time

This module is the journal itself; its commands are in commands/journal.py.
Read next: reproduce/worktree.py, training a recorded run again.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .core.errors import JournalError
from .core.git import git_state
from .core.io import atomic_write, load_json
from .core.paths import JOURNAL, VALIDATION_REPORT
from .tracking.runs import latest_run

# "## 2026-01-31 14:05 · tags: data, features · spent: 1h30m"
HEADING = re.compile(
    r"^## (?P<date>\d{4}-\d{2}-\d{2})(?: \d{2}:\d{2})?"
    r"(?: · tags?: (?P<tags>[^·]+?))?(?: · spent: (?P<spent>\S+))?\s*$",
    flags=re.MULTILINE,
)
FENCED_BLOCK = re.compile(r"^```.*?^```", flags=re.MULTILINE | re.DOTALL)
DURATION = re.compile(r"^(?:(?P<hours>\d+(?:\.\d+)?)h)?(?:(?P<minutes>\d+)m)?$")
HEADLINE_METRICS = ("money_saved_per_1000", "roc_auc", "log_loss")


@dataclass(frozen=True)
class Entry:
    day: date
    tags: tuple[str, ...]
    minutes: int


def parse_duration(text: str) -> int:
    """'1h30m' -> 90, '45m' -> 45, '2h' -> 120, '1.5h' -> 90 (minutes)."""
    match = DURATION.match(text.strip())
    if not text.strip() or match is None:
        raise JournalError(f"--spent {text!r}: must look like 1h30m, 45m, 2h or 1.5h")
    hours = float(match["hours"] or 0)
    return round(hours * 60) + int(match["minutes"] or 0)


def format_duration(minutes: int) -> str:
    """90 -> '1h30m', 45 -> '45m', 120 -> '2h'."""
    hours, rest = divmod(minutes, 60)
    return (f"{hours}h" if hours else "") + (f"{rest}m" if rest or not hours else "")


def headline(root: Path) -> str:
    """The latest train run and the validation metrics, saying whose model they are of
    when it is not that run's (a `stage train` since the last evaluate), or notes that
    they do not exist yet."""
    run = latest_run(root)
    if run is None:
        train = "no run yet"
    else:
        loss = run.manifest.get("metrics", {}).get("train_loss")
        train = f"run {run.id} ({run.status}" + (f", train_loss {loss:.4g})" if loss else ")")
    path = root / VALIDATION_REPORT
    if not path.exists():
        return f"{train} · no validation metrics yet"
    metrics: dict[str, Any] = load_json(path)
    numbers = ", ".join(
        f"{name} {_number(metrics[name])}" for name in HEADLINE_METRICS if name in metrics
    )
    evaluated = metrics.get("model_run")  # the run whose model the evaluate stage scored
    if run is not None and evaluated == run.id:
        return f"{train} · validation {numbers}"
    if run is not None and evaluated is not None:
        return f"{train} · validation of run {evaluated} ({run.id} is not evaluated): {numbers}"
    if evaluated is not None:
        return f"{train} · validation of run {evaluated}: {numbers}"
    return f"{train} · validation of a model no run names: {numbers}"


def _number(value: float) -> str:
    """Money as 13,447; scores as 0.8832."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def format_entry(
    text: str, tags: list[str], minutes: int | None, now: datetime, context: str
) -> str:
    """One Markdown entry: a heading with date, tags and time, a context line, the text."""
    heading = f"## {now:%Y-%m-%d %H:%M}"
    if tags:
        heading += " · tags: " + ", ".join(tags)
    if minutes is not None:
        heading += f" · spent: {format_duration(minutes)}"
    return f"\n{heading}\n{context}\n\n{text.strip()}\n"


def add_entry(path: Path, entry: str) -> None:
    """Append `entry` to the journal, atomically (a crash never leaves half a journal)."""
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Journal\n"
    with atomic_write(path) as handle:
        handle.write((existing.rstrip("\n") + "\n" + entry).encode("utf-8"))


def parse_entries(text: str) -> list[Entry]:
    """The entries of a journal, with their tags and minutes (0 when no time was logged).

    Headings inside fenced code blocks (the format example at the top) are not entries.
    """
    entries = []
    for match in HEADING.finditer(FENCED_BLOCK.sub("", text)):
        tags = tuple(t.strip() for t in (match["tags"] or "").split(",") if t.strip())
        spent = match["spent"]
        minutes = parse_duration(spent) if spent and DURATION.match(spent) else 0
        entries.append(Entry(date.fromisoformat(match["date"]), tags or ("untagged",), minutes))
    return entries


def time_by(entries: list[Entry]) -> tuple[dict[str, int], dict[str, int]]:
    """Minutes per tag and per ISO week ('2026-W05'); an entry with two tags counts for both."""
    by_tag: dict[str, int] = defaultdict(int)
    by_week: dict[str, int] = defaultdict(int)
    for entry in entries:
        for tag in entry.tags:
            by_tag[tag] += entry.minutes
        year, week, _ = entry.day.isocalendar()
        by_week[f"{year}-W{week:02d}"] += entry.minutes
    return dict(by_tag), dict(by_week)


def write_entry(root: Path, text: str, tags: list[str], spent: str | None, now: datetime) -> Path:
    """Append an entry, with the commit and the latest results as context, to JOURNAL.md."""
    if not text.strip():
        raise JournalError("the entry text is empty; say what you tried")
    minutes = parse_duration(spent) if spent is not None else None
    context = f"commit {git_state(root).label} · {headline(root)}"
    add_entry(root / JOURNAL, format_entry(text, tags, minutes, now, context))
    return root / JOURNAL


def read_entries(root: Path) -> list[Entry]:
    """The entries of the project's JOURNAL.md (none when there is no journal yet)."""
    path = root / JOURNAL
    return parse_entries(path.read_text(encoding="utf-8")) if path.exists() else []
