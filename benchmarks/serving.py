"""Benchmark: the latency of the generated project's HTTP service against a bare floor.

The budget (issue 18): logging and monitoring add at most 10% to p99 latency. This renders
a project from the working tree (or takes --project), trains it once (`dvc repro`), and
starts three servers on free loopback ports, each in its own process with uvicorn:

- floor: a bare Starlette endpoint that parses the JSON body and returns the model's
  score for a fixed feature row: no contract check, no featurizer, no log, no metrics;
- serve, log off: `<package> serve` with sample_rate 1e-9 (the logger sees every row and
  keeps none);
- serve, log on: `<package> serve` with sample_rate 1.0 (every row is written).

A bounded, self-stopping load generator (httpx's async client, one keep-alive connection
per client) sends one-row `POST /predict` requests: `--requests` per measurement, at one
client and at eight. Servers and clients take turns round by round, so a slow moment of a
shared machine falls on all of them. Each line prints the median over the rounds of
throughput and p50/p95/p99 latency (client side, milliseconds), the range of p99, and
p99's ratio to the floor's p99 of the same round (median and range); and the server's
CPU time per request (every thread, from /proc on Linux: the others' load on a shared
machine moves it far less than the wall clock) with its ratio to the floor's.

Run: uv run python -m benchmarks.serving [--requests 2000] [--repeats 5] [--smoke]
     [--project PATH]
"""

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.project import add_project_option, project_for, run

TIMING_SCRIPT = r'''
import asyncio, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, time
from pathlib import Path

import yaml
try:
    import httpx2 as httpx  # the test group's client (starlette's TestClient uses it)
except ImportError:
    import httpx

package, total, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
FLOOR = """
import json, sys
from pathlib import Path
import numpy as np, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from importlib import import_module
predictor = import_module(sys.argv[1] + ".monitoring.predictor").load_predictor(Path("."))
row = np.zeros((1, len(predictor.featurizer.feature_names)))
async def score(request):
    json.loads(await request.body())
    return JSONResponse({"probability": float(predictor.predict(row)[0])})
async def health(request):
    return JSONResponse({"status": "ok"})
app = Starlette(routes=[Route("/predict", score, methods=["POST"]), Route("/health", health)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""

def served_copy(sample_rate):
    """A folder that serves the project's model, with its own params and log folder."""
    folder = Path(tempfile.mkdtemp())
    params = yaml.safe_load(Path("params.yaml").read_text())
    params["monitoring"]["sample_rate"] = sample_rate
    (folder / "params.yaml").write_text(yaml.safe_dump(params))
    shutil.copy("dvc.yaml", folder / "dvc.yaml")
    shutil.copytree("models", folder / "models")
    (folder / "data").mkdir()
    shutil.copy("data/schema.yaml", folder / "data/schema.yaml")
    return folder

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

def start(command, folder):
    port = free_port()
    process = subprocess.Popen([*command, str(port)], cwd=folder)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(url + "/health", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"{command} did not start")

# one row of the project's raw file, as a client would send it
with open(yaml.safe_load(Path("data/schema.yaml").read_text())["source"]["path"]) as handle:
    header, first = handle.readline().strip().split(","), handle.readline().strip().split(",")
row = {k: (v or None) for k, v in zip(header, first)}

servers = {
    "floor: bare endpoint, model score only": start(
        [sys.executable, "-c", FLOOR, package], Path(".")),
    "serve, log off (sample_rate 1e-9)": start(
        [sys.executable, "-m", package, "serve", "--port"], served_copy(1e-9)),
    "serve, log on (sample_rate 1.0)": start(
        [sys.executable, "-m", package, "serve", "--port"], served_copy(1.0)),
}
FLOOR_NAME = next(iter(servers))

async def client(url, n, latencies):
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for _ in range(n):
            started = time.perf_counter()
            answer = await http.post("/predict", json=row)
            latencies.append(1000 * (time.perf_counter() - started))
            assert answer.status_code == 200, answer.text

def cpu_seconds(pid):
    """CPU time (user + system, every thread) of a process so far; NaN off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

async def measure(url, clients, pid):
    latencies = []
    cpu, started = cpu_seconds(pid), time.perf_counter()
    await asyncio.gather(*(client(url, total // clients, latencies) for _ in range(clients)))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return len(latencies) / elapsed, q[49], q[94], q[98], 1000 * cpu / len(latencies)

try:
    for clients in (1, 8):
        results = {name: [] for name in servers}
        for _ in range(repeats):
            for name, (process, url) in servers.items():
                asyncio.run(measure(url, clients, process.pid))  # warm-up
                results[name].append(asyncio.run(measure(url, clients, process.pid)))
        print(f"\n{clients} client(s), {total} requests per round, {repeats} rounds (medians)")
        print(f"{'server':40s} {'req/s':>7s} {'p50':>6s} {'p95':>6s} {'p99':>6s} "
              f"{'p99 range':>13s} {'p99 / floor':>11s} {'range':>11s} "
              f"{'CPU ms/req':>10s} {'CPU / floor':>11s}")
        for name, rounds in results.items():
            ratios = [r[3] / f[3] for r, f in zip(rounds, results[FLOOR_NAME])]
            cpu_ratios = [r[4] / f[4] for r, f in zip(rounds, results[FLOOR_NAME])]
            med = [statistics.median(r[i] for r in rounds) for i in range(5)]
            p99s = [r[3] for r in rounds]
            print(f"{name:40s} {med[0]:7.0f} {med[1]:6.2f} {med[2]:6.2f} {med[3]:6.2f} "
                  f"{min(p99s):6.2f}-{max(p99s):<6.2f} {statistics.median(ratios):11.2f} "
                  f"{min(ratios):5.2f}-{max(ratios):<5.2f} {med[4]:10.3f} "
                  f"{statistics.median(cpu_ratios):11.2f}")
finally:
    for process, _ in servers.values():
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="80 requests, 1 round")
    add_project_option(parser)
    args = parser.parse_args()
    if args.smoke:
        args.requests, args.repeats = 80, 1
    with tempfile.TemporaryDirectory() as scratch:
        project = project_for(args.project, Path(scratch))
        if not (project / "models" / "model.npz").exists():
            if not (project / ".git").exists():  # DVC needs git; the smoke test's project has none
                run(["git", "init", "--quiet"], project)  # no commit: outputs stay untracked
            run(["uv", "run", "dvc", "repro", "--quiet"], project)
        print(f"Python {sys.version.split()[0]}; latency in ms, measured by the client")
        timing = [
            "uv", "run", "python", "-c", TIMING_SCRIPT, "churn_model", str(args.requests),
            str(args.repeats),
        ]  # fmt: skip
        print(run(timing, project), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
