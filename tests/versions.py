"""A temporary template repository whose tags are the recorded releases plus the working tree.

The update tests must not depend on tags in the clone they run in, so they build their
own: a local clone of this repository, a tag per line of template_versions.txt, and one
more commit holding the working tree (committed or not), tagged with the newest version
of CHANGELOG.md.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

from .helpers import TEMPLATE_REPO, snapshot_working_tree

IDENTITY = ("-c", "user.name=Template tests", "-c", "user.email=tests@example.com")


@dataclass(frozen=True)
class Release:
    version: Version
    commit: str

    @property
    def tag(self) -> str:
        return f"v{self.version}"


def recorded_releases() -> list[Release]:
    """The lines of template_versions.txt, oldest first."""
    text = (Path(__file__).parent / "template_versions.txt").read_text(encoding="utf-8")
    releases = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            version, commit = line.split()
            releases.append(Release(Version(version), commit))
    return releases


def changelog_version() -> Version:
    """The newest version CHANGELOG.md lists: the version of the working tree."""
    text = (TEMPLATE_REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(r"^## (\S+)", text, flags=re.MULTILINE)
    assert match, "CHANGELOG.md has no `## <version>` heading"
    return Version(match.group(1))


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *IDENTITY, *args], cwd=folder, check=True, capture_output=True, text=True
    ).stdout.strip()


def build_versioned_template(destination: Path) -> Path:
    """Clone this repository to `destination`, tag every release, add the working tree."""
    subprocess.run(
        ["git", "clone", "--quiet", str(TEMPLATE_REPO), str(destination)],
        check=True,
        capture_output=True,
    )
    for release in recorded_releases():
        git(destination, "tag", release.tag, release.commit)
    # Replace the checkout with the working tree, deletions included, as the newest release.
    for child in destination.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    snapshot_working_tree(destination)
    git(destination, "add", "--all")
    git(destination, "commit", "--quiet", "--allow-empty", "--no-verify", "-m", "working tree")
    git(destination, "tag", f"v{changelog_version()}")
    return destination
