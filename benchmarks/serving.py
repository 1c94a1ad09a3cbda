"""Benchmark: the latency of the generated project's HTTP service against its floors.

The budget (issue 18): logging and monitoring add at most 10% to p99 latency, against
`mlflow models serve` for the same model, or a bare endpoint that only returns the
model's score. This renders a project from the working tree (or takes --project), trains
it once (`dvc repro`), and starts five servers on free loopback ports, each in its own
process:

- the floor: a bare Starlette endpoint that reads the posted row by the data contract,
  featurizes and scores it, and returns the probability: the model's score of the
  request, and nothing else (no limits, no log, no metrics);
- a bare endpoint that parses the body and scores a fixed feature row (no reading at
  all: what uvicorn and Starlette cost);
- `mlflow models serve` of the same pipeline, saved as an MLflow model from code (a
  pyfunc whose predict reads the rows MLflow parsed by the same contract and scores
  them); MLflow is added for this run only (`uv run --with`), `--no-mlflow` leaves it out;
- `<package> serve` with sample_rate 1e-9 (log off: the logger sees every row and keeps
  none) and with sample_rate 1.0 (every row written).

A bounded, self-stopping load generator (httpx's async client, one keep-alive connection
per client) sends one-row requests: `--requests` per measurement, after a warm-up of a
tenth of that, at one client and at eight. With two cores or more the servers run on one
set of cores and the client on another, so neither waits for the other's time slice.
Servers take turns round by round, so a slow moment of a shared machine falls on all of
them. Each line prints the median over the rounds of throughput and p50/p95/p99 latency
(client side, milliseconds), the range of p99, and p99's ratio to the floor's p99 of the
same round (median and range); and the server's CPU time per request (every thread and
child process, from /proc on Linux) with its ratio to the floor's. Last, the budget's
figure: `serve` logging every row, its p99 over the floor's and over MLflow's.

Run: uv run python -m benchmarks.serving [--requests 3000] [--repeats 5] [--smoke]
     [--no-mlflow] [--project PATH]
"""

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.project import add_project_option, project_for, run

MLFLOW = "mlflow>=3.0"  # measured with 3.17; models from code (nothing pickled) need 2.12+

TIMING_SCRIPT = r'''
import asyncio, atexit, json, os, shutil, signal, socket, statistics, subprocess, sys, tempfile
import time
from pathlib import Path

import yaml
try:
    import httpx2 as httpx  # the test group's client (starlette's TestClient uses it)
except ImportError:
    import httpx

package, total, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with_mlflow = sys.argv[4] == "mlflow"
FLOOR = """
import json, sys
from importlib import import_module
from pathlib import Path
import numpy as np, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
predictor_module = import_module(sys.argv[1] + ".monitoring.predictor")
predictor = predictor_module.load_predictor(Path("."))
fixed = np.zeros((1, len(predictor.featurizer.feature_names)))
async def score_raw_row(request):  # the row read by the contract, featurized, scored
    batch = predictor_module.read_json_rows([json.loads(await request.body())], predictor)
    return JSONResponse({"probability": float(predictor.predict(batch.features)[0])})
async def score_fixed_row(request):  # the body parsed, then a fixed feature row scored
    json.loads(await request.body())
    return JSONResponse({"probability": float(predictor.predict(fixed)[0])})
async def health(request):
    return JSONResponse({"status": "ok"})
score = score_raw_row if sys.argv[2] == "raw" else score_fixed_row
app = Starlette(routes=[Route("/predict", score, methods=["POST"]), Route("/health", health)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning", access_log=False)
"""

# The same pipeline as an MLflow model, from code (MLflow 3's way: nothing pickled): the
# DataFrame MLflow parsed from the request, read by the contract, featurized and scored.
MLFLOW_MODEL = """
from importlib import import_module
from pathlib import Path
import mlflow.pyfunc
from mlflow.models import set_model

class ServedPipeline(mlflow.pyfunc.PythonModel):
    def load_context(self, context):
        self.predictor_module = import_module(PACKAGE + ".monitoring.predictor")
        project = Path(context.artifacts["project"])
        self.predictor = self.predictor_module.load_predictor(project)

    def predict(self, context, model_input, params=None):
        rows = model_input.to_dict("records")
        batch = self.predictor_module.read_json_rows(rows, self.predictor)
        return self.predictor.predict(batch.features)

set_model(ServedPipeline())
"""

def mlflow_model(package):
    """The project's model saved as an MLflow pyfunc model; its folder."""
    import mlflow.pyfunc
    folder = Path(tempfile.mkdtemp()) / "mlflow_model"
    code = folder.parent / "served_pipeline.py"
    code.write_text(f"PACKAGE = {package!r}\n" + MLFLOW_MODEL)
    mlflow.pyfunc.save_model(
        folder,
        python_model=str(code),
        artifacts={"project": str(served_copy(1e-9))},
        pip_requirements=["mlflow"],  # given, so MLflow does not load the model to infer them
    )
    return folder

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

# With two cores or more, the servers run on one and this client on another: sharing a
# core, each would wait for the other's time slice, and that wait would count as the
# server's latency.
CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
SERVER_CPUS = set(CPUS[:-1]) if len(CPUS) >= 2 else None
if SERVER_CPUS:
    os.sched_setaffinity(0, {CPUS[-1]})

STARTED = []  # every server process, stopped at exit whatever happens (stop_servers)

def stop_servers():
    """SIGTERM each server's session (MLflow's uvicorn child too) and wait for it."""
    while STARTED:
        process = STARTED.pop()
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:  # it had stopped already
            pass
        process.wait(timeout=60)

atexit.register(stop_servers)  # also when a server fails to start, or on Ctrl-C

def start(command, folder):
    """Start a server in a session of its own (MLflow's command runs uvicorn as a child)."""
    port = free_port()
    process = subprocess.Popen(  # stdout: MLflow's uvicorn prints a line per request there
        [*command, str(port)], cwd=folder, start_new_session=True, stdout=subprocess.DEVNULL,
        preexec_fn=(lambda: os.sched_setaffinity(0, SERVER_CPUS)) if SERVER_CPUS else None)
    STARTED.append(process)
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            httpx.get(url + "/health", timeout=1)
            return process, url
        except httpx.TransportError:
            if process.poll() is not None:
                raise SystemExit(f"{command} stopped with exit code {process.returncode}")
            time.sleep(0.1)
    raise SystemExit(f"{command} did not start")

# one row of the project's raw file, as a client would send it
with open(yaml.safe_load(Path("data/schema.yaml").read_text())["source"]["path"]) as handle:
    header, first = handle.readline().strip().split(","), handle.readline().strip().split(",")
row = {k: (v or None) for k, v in zip(header, first)}

FLOOR_NAME = "floor: bare endpoint, raw row read and scored"
servers = {  # name: (process, url, path, body)
    FLOOR_NAME: (*start([sys.executable, "-c", FLOOR, package, "raw"], Path(".")), "/predict", row),
    "bare endpoint, fixed feature row": (
        *start([sys.executable, "-c", FLOOR, package, "fixed"], Path(".")), "/predict", row),
}
if with_mlflow:
    serve_mlflow = [sys.executable, "-m", "mlflow", "models", "serve", "--env-manager", "local",
                    "-m", str(mlflow_model(package)), "-h", "127.0.0.1", "-p"]
    servers["mlflow models serve, same pipeline"] = (
        *start(serve_mlflow, Path(".")), "/invocations", {"dataframe_records": [row]})
for name, rate in [("serve, log off (sample_rate 1e-9)", 1e-9),
                   ("serve, log on (sample_rate 1.0)", 1.0)]:
    served = start([sys.executable, "-m", package, "serve", "--port"], served_copy(rate))
    servers[name] = (*served, "/predict", row)

async def client(url, path, body, n, latencies):
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for _ in range(n):
            started = time.perf_counter()
            answer = await http.post(path, json=body)
            latencies.append(1000 * (time.perf_counter() - started))
            assert answer.status_code == 200, answer.text

def cpu_seconds(pid):
    """CPU time (user + system, every thread) of a process and its children so far; NaN
    off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = [
            int(child)
            for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()
        ]
    except OSError:
        return float("nan")
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(child) for child in children)

async def measure(server, clients, requests):
    process, url, path, body = server
    latencies = []
    cpu, started = cpu_seconds(process.pid), time.perf_counter()
    await asyncio.gather(
        *(client(url, path, body, requests // clients, latencies) for _ in range(clients)))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(process.pid) - cpu
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return len(latencies) / elapsed, q[49], q[94], q[98], 1000 * cpu / len(latencies)

for clients in (1, 8):
    results = {name: [] for name in servers}
    for _ in range(repeats):
        for name, server in servers.items():
            asyncio.run(measure(server, clients, max(total // 10, 8 * clients)))  # warm-up
            results[name].append(asyncio.run(measure(server, clients, total)))
    print(f"\n{clients} client(s), {total} requests per round, {repeats} rounds (medians)")
    print(f"{'server':46s} {'req/s':>7s} {'p50':>6s} {'p95':>6s} {'p99':>6s} "
          f"{'p99 range':>13s} {'p99 / floor':>11s} {'range':>11s} "
          f"{'CPU ms/req':>10s} {'CPU / floor':>11s}")
    for name, rounds in results.items():
        ratios = [r[3] / f[3] for r, f in zip(rounds, results[FLOOR_NAME])]
        cpu_ratios = [r[4] / f[4] for r, f in zip(rounds, results[FLOOR_NAME])]
        med = [statistics.median(r[i] for r in rounds) for i in range(5)]
        p99s = [r[3] for r in rounds]
        print(f"{name:46s} {med[0]:7.0f} {med[1]:6.2f} {med[2]:6.2f} {med[3]:6.2f} "
              f"{min(p99s):6.2f}-{max(p99s):<6.2f} {statistics.median(ratios):11.2f} "
              f"{min(ratios):5.2f}-{max(ratios):<5.2f} {med[4]:10.3f} "
              f"{statistics.median(cpu_ratios):11.2f}")
    # the budget: what logging and monitoring add to p99, against each reference
    served = results["serve, log on (sample_rate 1.0)"]
    for reference, short in [(FLOOR_NAME, "the floor"),
                             ("mlflow models serve, same pipeline", "mlflow models serve")]:
        if reference in results:
            ratio = statistics.median(
                r[3] / f[3] for r, f in zip(served, results[reference]))
            print(f"serve, log on: p99 / {short} = {ratio:.2f} (budget 1.10)")
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="80 requests, 1 round")
    parser.add_argument(
        "--no-mlflow",
        action="store_true",
        help="leave out `mlflow models serve` (else uv adds MLflow for this run only)",
    )
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
        # MLflow only in this run's environment (uv run --with), never in the project's
        with_mlflow = [] if args.no_mlflow else ["--with", MLFLOW]
        timing = [
            "uv", "run", *with_mlflow, "python", "-c", TIMING_SCRIPT, "churn_model",
            str(args.requests), str(args.repeats), "no" if args.no_mlflow else "mlflow",
        ]  # fmt: skip
        print(run(timing, project), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
