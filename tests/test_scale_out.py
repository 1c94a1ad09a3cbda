"""Slow: a generated project past one machine: a shared DVC cache in S3, experiments in parallel.

One test, in three steps that share one project, because making it (generate, `uv sync`,
`dvc repro`) costs more than any step: the project has an S3 remote, notebooks and
monitoring off, and tiny params, so each stage costs little more than its start-up.

1. Shared cache: a local S3-compatible server (moto, on 127.0.0.1 and a free port) stands
   in for the team's bucket. The README's `dvc remote modify` commands run as written,
   with the server's address and test credentials in place of the placeholders;
   `dvc push`; the cache and every cached output are deleted; `dvc pull` brings each file
   back byte for byte and `dvc status --cloud` is clean.
2. Queue: the README's "Experiments in parallel" grid (4 experiments) and
   `dvc queue start -j 2`; every experiment succeeds, `runs list` shows each one's run
   under its experiment name, and `evaluate compare --run` compares the four runs.
3. Other remote kinds: the README's commands for gs, azure, ssh and local run against
   DVC's own config checks, which refuse an option the kind lacks.
4. A stage on Dask: with the dask group installed and `featurize.engine: dask`,
   `dvc repro` reruns featurize on a LocalCluster of 2 workers, and every file it writes
   is byte for byte the local engine's; the project's own Dask tests pass, none skipped.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from moto.server import ThreadedMotoServer

from .helpers import render
from .test_generated import clean_environment

pytestmark = pytest.mark.slow

ANSWERS = {"dvc_remote": "s3", "include_notebooks": False, "include_monitoring": False}
# Every stage a few seconds: the queued grid below changes only train.* values.
TINY_PARAMS = {"n_rows": "1000", "epochs": "2", "bootstrap_samples": "100"}
# What the tests put where the README's s3 block has a placeholder (moto takes any keys).
S3_PLACEHOLDERS = {"<ACCESS_KEY_ID>": "test-key-id", "<SECRET_ACCESS_KEY>": "test-secret-key"}
# The other kinds: a value of the right shape for each placeholder of their blocks.
OTHER_KINDS: dict[str, dict[str, str]] = {
    "gs": {"<SERVICE_ACCOUNT_KEY_JSON>": "/keys/project-123.json"},
    "azure": {"<STORAGE_ACCOUNT>": "teamstorage", "<ACCOUNT_KEY>": "test-account-key"},
    "ssh": {"<PRIVATE_KEY_FILE>": "~/.ssh/id_ed25519"},
    "local": {"<SHARED_FOLDER>": "/mnt/team/dvc-storage"},
}
QUEUE_TIMEOUT_S = 900  # a guard against a hung queue, not a speed check


def run(command: list[str], cwd: Path, **extra_env: str) -> str:
    """Run one user step, printing it first; fail with its output if it fails.

    The output goes through a file, not a pipe: `dvc queue start` leaves workers running
    that inherit its stdout, and reading a pipe would wait for them to end."""
    print(f"$ {' '.join(command)}", flush=True)
    environment = clean_environment() | {"COLUMNS": "200"} | extra_env
    with tempfile.TemporaryFile() as log:
        result = subprocess.run(
            command, cwd=cwd, env=environment, stdout=log, stderr=subprocess.STDOUT, timeout=900
        )
        log.seek(0)
        output = log.read().decode(errors="replace")
    assert result.returncode == 0, f"`{' '.join(command)}` failed in {cwd}:\n{output}"
    return output


def readme_block(project: Path, heading: str) -> list[str]:
    """The commands of the bash block under a heading of the generated README, comments
    stripped."""
    readme = (project / "README.md").read_text(encoding="utf-8")
    block = readme.split(f"## {heading}\n", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def fill(command: str, values: dict[str, str]) -> str:
    """The command with each <PLACEHOLDER> replaced; fails on one the test has no value for."""
    for placeholder, value in values.items():
        command = command.replace(placeholder, shlex.quote(value))
    assert not re.search(r"<[A-Z_]+>", command), f"a placeholder has no test value: {command}"
    return command


def set_param(text: str, key: str, value: str) -> str:
    """params.yaml with one key's value replaced (the key must occur exactly once)."""
    text, count = re.subn(rf"(?m)^(\s+{key}:) [^#\n]+?(\s*#|$)", rf"\1 {value}\2", text)
    assert count == 1, f"{key} occurs {count} times in params.yaml"
    return text


def lock_outputs(project: Path) -> list[str]:
    """Every output that dvc.lock records, in stage order."""
    lock = yaml.safe_load((project / "dvc.lock").read_text(encoding="utf-8"))
    return [out["path"] for stage in lock["stages"].values() for out in stage.get("outs", [])]


def output_hashes(project: Path) -> dict[str, str]:
    """sha256 of every file of every output (the files of an output folder one by one)."""
    hashes = {}
    for output in lock_outputs(project):
        path = project / output
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            hashes[file.relative_to(project).as_posix()] = hashlib.sha256(
                file.read_bytes()
            ).hexdigest()
    return hashes


def cached_outputs(project: Path) -> list[str]:
    """The outputs git ignores: those only DVC's cache (and so the remote) keeps."""
    outputs = lock_outputs(project)
    checked = subprocess.run(
        ["git", "check-ignore", *outputs], cwd=project, capture_output=True, text=True
    )
    return checked.stdout.split()


def make_project(template: Path, destination: Path) -> Path:
    """A generated S3 project with tiny params: synced, reproduced and committed."""
    project = render(template, destination, ANSWERS)
    params = project / "params.yaml"
    text = params.read_text(encoding="utf-8")
    for key, value in TINY_PARAMS.items():
        text = set_param(text, key, value)
    params.write_text(text, encoding="utf-8")
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    run(["git", "init", "--quiet", "--initial-branch=main"], cwd=project)
    run(["git", "add", "--all"], cwd=project)
    run(["git", *identity, "commit", "--quiet", "-m", "Start, tiny"], cwd=project)
    # Not --compile-bytecode: that compiles every installed module (37 s of CPU here);
    # tests/conftest.py lets the first process that imports a module write its .pyc, which
    # every later one (DVC, each stage, the queue's workers, all in this .venv) then reads.
    run(["uv", "sync"], cwd=project)
    run(["uv", "run", "dvc", "repro"], cwd=project)
    run(["git", "add", "--all"], cwd=project)  # dvc.lock and the git-tracked reports
    run(["git", *identity, "commit", "--quiet", "-m", "Reproduce"], cwd=project)
    return project


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """A local S3-compatible server on a free port of 127.0.0.1, stopped afterwards."""
    requests = logging.getLogger("werkzeug")  # the server logs a line per request
    level = requests.level
    requests.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    requests.setLevel(level)


def check_shared_cache(project: Path, s3_endpoint: str) -> None:
    """Push, lose the cache and every cached output, pull: each file comes back identical."""
    bucket = re.findall(r"url = s3://([^/\s]+)", (project / ".dvc" / "config").read_text())[0]
    # the team's bucket, made once by whoever runs the storage
    with urllib.request.urlopen(urllib.request.Request(f"{s3_endpoint}/{bucket}", method="PUT")):
        pass
    values = S3_PLACEHOLDERS | {"<ENDPOINT_URL>": s3_endpoint}
    modify = [c for c in readme_block(project, "Sharing data and models") if "remote modify" in c]
    assert len(modify) == 3, modify
    for command in modify:
        run(["bash", "-c", fill(command, values)], cwd=project)
    # the secret went to the git-ignored config, never to the committed one
    assert "test-secret-key" in (project / ".dvc" / "config.local").read_text()
    assert "test-secret-key" not in (project / ".dvc" / "config").read_text()
    run(["git", "check-ignore", "--quiet", ".dvc/config.local"], cwd=project)

    before = output_hashes(project)
    run(["uv", "run", "dvc", "push"], cwd=project)
    cached = cached_outputs(project)
    assert {"data/raw/churn.csv", "data/features/train", "models/model.npz"} <= set(cached)
    shutil.rmtree(project / ".dvc" / "cache")
    for output in cached:
        if (project / output).is_dir():
            shutil.rmtree(project / output)
        else:
            (project / output).unlink()
    run(["uv", "run", "dvc", "pull"], cwd=project)
    after = output_hashes(project)
    differing = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert differing == []
    status = run(["uv", "run", "dvc", "status", "--cloud"], cwd=project)
    assert "Cache and remote 'storage' are in sync." in status


def grid(command: str) -> list[dict[str, Any]]:
    """The experiments of a `dvc exp run --queue -S key=v1,v2 ...` command: every
    combination of the listed values."""
    words = shlex.split(command)
    axes = [words[i + 1].split("=", 1) for i, word in enumerate(words) if word == "-S"]
    values = [[(key, yaml.safe_load(v)) for v in listed.split(",")] for key, listed in axes]
    return [dict(combination) for combination in itertools.product(*values)]


def queue_status(project: Path) -> dict[str, str]:
    """Each queued experiment's status by name (Queued, Running, Success, Failed)."""
    table = run(["uv", "run", "dvc", "queue", "status"], cwd=project)
    rows = [line.split() for line in table.splitlines()]
    return {row[1]: row[-1] for row in rows if row and re.fullmatch(r"[0-9a-f]{7}", row[0])}


def wait_for_queue(project: Path, experiments: int) -> dict[str, str]:
    """The queue's statuses once none is Queued or Running. Waits on git's experiment refs
    (DVC adds one per experiment that succeeds; reading them costs nothing), and asks
    `dvc queue status` (seconds of CPU) only when they are all there or every 30 s, so a
    failure is noticed without slowing the workers down."""
    deadline = time.monotonic() + QUEUE_TIMEOUT_S
    asked, statuses = time.monotonic(), {}
    while True:
        refs = subprocess.run(
            ["git", "for-each-ref", "--format=%(refname)", "refs/exps/"],
            cwd=project,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        done = len(re.findall(r"^refs/exps/[0-9a-f]{2}/[0-9a-f]{38}/", refs, re.MULTILINE))
        if done >= experiments or time.monotonic() - asked > 30:
            statuses = queue_status(project)
            if not any(status in ("Queued", "Running") for status in statuses.values()):
                return statuses
            asked = time.monotonic()
        assert time.monotonic() < deadline, f"the queue is still busy: {statuses}"
        time.sleep(1)


def listed_runs(project: Path, package: str) -> dict[str, str]:
    """`<package> runs list` (a table with │ between cells): each run's name by id."""
    table = run(["uv", "run", package, "runs", "list"], cwd=project)
    rows = [[cell.strip() for cell in line.strip(" │").split("│")] for line in table.splitlines()]
    return {row[0]: row[1] for row in rows if re.fullmatch(r"\d{8}-\d{6}-\w+", row[0])}


def check_queue(project: Path, scratch: Path) -> None:
    """The README's grid through `dvc queue start -j 2`: every experiment succeeds, each
    one's run is listed under the experiment's name, and the runs compare."""
    package = yaml.safe_load((project / ".copier-answers.yml").read_text())["package_name"]
    earlier = listed_runs(project, package)
    block = readme_block(project, "Experiments in parallel")
    (queue,) = [c for c in block if "dvc exp run --queue" in c]
    (start,) = [c for c in block if "dvc queue start -j 2" in c]
    expected = grid(queue)
    assert len(expected) >= 4, queue
    started = time.monotonic()
    run(["bash", "-c", queue], cwd=project)
    run(["bash", "-c", start], cwd=project)
    statuses = wait_for_queue(project, len(expected))
    print(f"{len(statuses)} queued experiments in {time.monotonic() - started:.0f} s", flush=True)
    failed = [name for name, status in statuses.items() if status != "Success"]
    logs = [run(["uv", "run", "dvc", "queue", "logs", name], cwd=project) for name in failed]
    assert failed == [], "\n".join(logs)
    assert len(statuses) == len(expected)

    listed = listed_runs(project, package)
    new = {run_id: name for run_id, name in listed.items() if run_id not in earlier}
    assert sorted(new.values()) == sorted(statuses)  # one run per experiment, by its name
    trained = []
    for run_id in new:
        manifest = json.loads((project / "runs" / run_id / "manifest.json").read_text())
        trained.append({f"train.{k}": v for k, v in manifest["params"]["train"].items()})
    for combination in expected:
        assert any(combination.items() <= params.items() for params in trained), combination

    report = scratch / "compare.json"
    ids = [f"--run={run_id}" for run_id in new]
    run(["uv", "run", package, "evaluate", "compare", *ids, "--json", str(report)], cwd=project)
    result = json.loads(report.read_text())
    assert len(result["configs"]) == len(expected)  # no two runs share a configuration
    assert len(result["pairs"]) == len(expected) * (len(expected) - 1) // 2


def check_other_remote_kinds(project: Path, template: Path, scratch: Path) -> None:
    """gs, azure, ssh and local: DVC accepts each command of the README (it refuses an
    option the remote kind does not have), and the secrets land in .dvc/config.local."""
    # DVC from the S3 project's environment, which checks every kind's options
    environment = {"UV_PROJECT_ENVIRONMENT": str(project / ".venv"), "UV_NO_SYNC": "1"}
    for kind, values in OTHER_KINDS.items():
        other = render(template, scratch / kind, {"dvc_remote": kind})
        run(["git", "init", "--quiet"], cwd=other)
        modify = [c for c in readme_block(other, "Sharing data and models") if "remote modify" in c]
        assert modify, f"no `dvc remote modify` command in the {kind} README"
        for command in modify:
            run(["bash", "-c", fill(command, values)], cwd=other, **environment)
        local = (other / ".dvc" / "config.local").read_text()
        assert list(values.values())[-1] in local, (kind, local)


def check_dask_stage(project: Path) -> None:
    """featurize on a local Dask cluster writes the files the local engine wrote. (The
    project's own Dask tests run in tests/test_generated.py's PyTorch project, which syncs
    the dask group and allows no skip.)"""
    featurized = ("data/features/", "models/featurizer.json")
    before = {k: v for k, v in output_hashes(project).items() if k.startswith(featurized)}
    run(["uv", "sync", "--group", "dask"], cwd=project)
    params = project / "params.yaml"
    params.write_text(set_param(params.read_text(encoding="utf-8"), "engine", "dask"))
    output = run(["uv", "run", "dvc", "repro", "featurize"], cwd=project)
    assert "Running stage 'featurize'" in output, output
    after = {k: v for k, v in output_hashes(project).items() if k.startswith(featurized)}
    assert len(before) == 7, before  # 3 splits x (features, target) and the featurizer
    assert after == before


def test_s3_project_shares_its_cache_and_runs_experiments_in_parallel(
    template: Path, tmp_path: Path, s3_endpoint: str
) -> None:
    """A team's day past one machine: the shared cache, the queue, every kind's commands,
    a stage on Dask."""
    project = make_project(template, tmp_path / "project")
    check_shared_cache(project, s3_endpoint)
    check_queue(project, tmp_path)
    check_other_remote_kinds(project, template, tmp_path / "kinds")
    check_dask_stage(project)
