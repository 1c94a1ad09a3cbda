"""Slow: one generated project, used as a person would: runs reproduced from the DVC cache
and remote, then the HTML report opened in a real browser with no network.

One project serves every step (generating and syncing one costs a minute), so the steps
run in order inside one test, each printed before it runs:

1. `dvc repro` on a small data set, then `runs reproduce latest`: every item matches;
2. the data changes (`ingest.n_rows`) and `dvc repro` runs again; the first run is
   reproduced from the DVC cache, then, with the cache emptied, from a DVC remote; with
   neither, the error names the files and `dvc push`;
3. `evaluate compare --json`, `predict` and the monitoring commands, then `report`;
4. headless Chromium (Debian's package, driven by Playwright, every request that is not
   a file refused) opens every page: no broken image, no console error, a row per run in
   the runs table, a screenshot of each page; following every link from the index reaches
   every page and finds no dead one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .helpers import render
from .test_generated import clean_environment, step

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
# What headless Chromium needs on a machine without a display or a network, as root.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SMALL = {"n_rows: 20000": "n_rows: 4000", "epochs: 15": "epochs: 4"}


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A step whose failure is part of what is tested: printed, its result returned."""
    print(f"$ {' '.join(command)}", flush=True)
    return subprocess.run(
        command, cwd=cwd, env=clean_environment(), capture_output=True, text=True, timeout=900
    )


def commit(project: Path, message: str) -> None:
    step(["git", "add", "--all"], cwd=project)
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    step(["git", *identity, "commit", "--quiet", "-m", message], cwd=project)


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    """The default project, committed, with a small data set; its pipeline has run once."""
    project = render(template, tmp_path / "project", {}, skip_tasks=True)
    step(["git", "init", "--quiet", "--initial-branch=main"], cwd=project)
    params = project / "params.yaml"
    text = params.read_text()
    for old, new in SMALL.items():
        assert old in text
        text = text.replace(old, new)
    params.write_text(text)
    commit(project, "Start")
    step(["uv", "sync"], cwd=project)
    step(["uv", "run", "dvc", "repro"], cwd=project)
    commit(project, "First model")
    return project


def reproduce(project: Path, run_id: str) -> subprocess.CompletedProcess[str]:
    return run(["uv", "run", "churn_model", "runs", "reproduce", run_id], cwd=project)


def run_ids(project: Path) -> list[str]:
    return sorted(path.name for path in (project / "runs").iterdir())


def check_reproduction(project: Path, tmp_path: Path) -> None:
    (first,) = run_ids(project)
    done = reproduce(project, "latest")
    assert done.returncode == 0, done.stderr
    assert "DIFFERS" not in done.stdout
    assert "features.npy: from the workspace" in done.stderr

    # new data: the first run's inputs are now only in DVC's cache
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("n_rows: 4000", "n_rows: 3000"))
    step(["uv", "run", "dvc", "repro"], cwd=project)
    commit(project, "Less data")
    done = reproduce(project, first)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "features.npy: from the DVC cache" in done.stderr

    # ... then only in a remote
    remote = tmp_path / "remote"
    step(["uv", "run", "dvc", "remote", "add", "--local", "-d", "scratch", str(remote)], project)
    step(["uv", "run", "dvc", "push", "--all-commits"], cwd=project)
    shutil.rmtree(project / ".dvc" / "cache")
    done = reproduce(project, first)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "features.npy: from the DVC remote" in done.stderr

    # ... then nowhere: one error that names the file and what to run
    step(["uv", "run", "dvc", "remote", "remove", "--local", "scratch"], cwd=project)
    shutil.rmtree(project / ".dvc" / "cache")
    done = reproduce(project, first)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "error: the data run" in done.stderr
    assert "data/features/train/features.npy (md5" in done.stderr
    assert "uv run dvc push" in done.stderr
    assert "Traceback" not in done.stderr
    assert step(["git", "worktree", "list"], cwd=project).count("\n") == 1
    assert json.loads((project / "runs" / first / "reproduction.json").read_text())["reproduced"]


def fill_the_report(project: Path) -> Path:
    """Everything the report can show: a comparison, monitoring reports, then the site."""
    compare = ["evaluate", "compare", "--config", "train.hidden_units=0", "--config", ""]
    compare += ["--seeds", "2", "--json", "reports/compare.json"]
    step(["uv", "run", "churn_model", *compare], cwd=project)
    predict = ["predict", "data/raw/churn.csv", "reports/predictions.csv"]
    step(["uv", "run", "churn_model", *predict], cwd=project)
    # `predict` draws its 10 % sample with monitoring.seed: these unshifted rows give one
    # answer, no alarm, on every run (an unseeded draw alarmed at the test's 1 % rate)
    step(["uv", "run", "churn_model", "monitor", "drift"], cwd=project)
    assert (project / "reports" / "monitoring" / "drift.json").is_file()
    step(["uv", "run", "churn_model", "monitor", "efficiency"], cwd=project)
    index = Path(step(["uv", "run", "churn_model", "report"], cwd=project).splitlines()[-1])
    assert index == project / "reports" / "site" / "index.html"
    return index.parent


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, with every request that is not for a file refused."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium)")
        pytest.skip("needs Debian's chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def open_every_page(browser: Any, site: Path, shots: Path, runs: int) -> None:
    """No broken figure, no console error, no request to the network, and a screenshot."""
    context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
    requested: list[str] = []

    def refuse_network(route: Any) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            requested.append(route.request.url)
            route.abort()

    context.route("**/*", refuse_network)
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    broken: dict[str, list[str]] = {}
    for html in sorted(site.rglob("*.html")):
        page.goto(html.as_uri(), wait_until="load")
        missing = page.eval_on_selector_all(
            "img",
            "images => images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)",
        )
        if missing:
            broken[html.name] = missing
        name = html.relative_to(site).as_posix().replace("/", "-").removesuffix(".html")
        page.screenshot(path=shots / f"{name}.png", full_page=True)
        if html.name == "index.html" and html.parent == site:
            assert page.locator("table").first.locator("tbody tr").count() == runs
    context.close()
    assert broken == {}
    assert errors == []
    assert requested == []


def follow_every_link(browser: Any, site: Path) -> None:
    """From the index, every link leads to a page that loads; every page is reached."""
    context = browser.new_context(offline=True)
    page = context.new_page()
    seen: set[str] = set()
    dead: list[str] = []
    queue = [(site / "index.html").as_uri()]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            page.goto(url, wait_until="load")
        except Exception as error:  # Playwright's Error: net::ERR_FILE_NOT_FOUND and the like
            dead.append(f"{url}: {str(error).splitlines()[0]}")
            continue
        links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        queue += [link.partition("#")[0] for link in links if link.startswith("file:")]
    context.close()
    assert dead == []
    pages = {html.as_uri() for html in site.rglob("*.html")}
    assert pages - seen == set()  # no page of the site is unreachable


def test_reproduce_then_report_in_a_real_browser(
    project: Path, browser: Any, tmp_path: Path
) -> None:
    check_reproduction(project, tmp_path)
    site = fill_the_report(project)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    open_every_page(browser, site, shots, runs=len(run_ids(project)))
    assert (shots / "index.png").read_bytes()[:4] == b"\x89PNG"
    follow_every_link(browser, site)
