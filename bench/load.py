"""The web service under load, idle and while the index is rebuilt, measured with wrk.

Run:  .venv/bin/python bench/load.py [--threads 4,8,16] [--connections 8,32,64]
                                     [--duration 10] [--rebuild-duration 30]
                                     [--opensearch http://127.0.0.1:9200]

With --opensearch the same runs go to the OpenSearch backend at that address (a fresh index
with one shard and no replica, deleted at the end).

Builds an index of ../shared/realdocs/docs plus corpus/docs in a temporary folder, starts
`kb serve` on 127.0.0.1 and a free port (only 127.0.0.1: nothing else is ever contacted), and
runs wrk (`-t2 --latency`) for a fixed time at each number of connections against /search
and /api/search, cycling through the judged queries of bench/judgments. Each step runs twice:
once idle, once while `kb index --rebuild` rebuilds the same index folder over and over (the
searcher must switch generations under load). A tiny waitress "hello" app, measured in the
same run with 8 connections, is the baseline for the throughput ratio.

wrk comes from Debian's packages: when it is missing the script installs it with apt-get if
it runs as root, and otherwise stops and says how to install it. Every server and rebuild it
starts is stopped before it exits; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from common import CORPUS_DOCS, REALDOCS, ROOT, load_judgments, require_realdocs

HOST = "127.0.0.1"  # the only address this benchmark talks to
WRK_THREADS = 2
WRK_TIMEOUT = "10s"  # a request slower than this counts as a failure (wrk's default is 2 s)
# Extra options for every `kb index` and `kb serve` (--opensearch URL: that backend).
BACKEND_OPTIONS: list[str] = []
STARTUP_LIMIT = 120.0  # seconds for a server to answer its first request
REBUILD_LIMIT = 600.0  # seconds for one rebuild before it is stopped
MAX_REBUILDS = 100  # rebuilds per rebuild phase at most, whatever the timing
HELLO_APP = """
import sys
from waitress import serve

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]

serve(app, host=sys.argv[1], threads=int(sys.argv[2]), port=int(sys.argv[3]), ident="hello")
"""


def kb_command() -> list[str]:
    script = Path(sys.executable).with_name("kb.exe" if os.name == "nt" else "kb")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kb.cli"]


# --- wrk ------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """The path of wrk, installed from Debian's packages when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if not (is_root and shutil.which("apt-get")):
        sys.exit(
            "wrk is missing: install it with `sudo apt-get install -y wrk` (Debian/Ubuntu) "
            "and run this benchmark again"
        )
    print("Installing wrk from Debian's packages ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        subprocess.run(install, env=env, check=False)
    found = shutil.which("wrk")
    if not found:
        sys.exit("could not install wrk with apt-get; install it by hand and run again")
    return found


def lua_script(paths: list[str]) -> str:
    """wrk script: each thread cycles through ``paths`` from its own starting point."""
    quoted = ",\n".join(f'  "{path}"' for path in paths)
    return f"""local paths = {{
{quoted}
}}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("offset", counter * 37)
end
local i = 0
function init(args)
  i = offset or 0
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
"""


def request_paths() -> list[str]:
    """/search and /api/search for every judged query, URL-encoded, interleaved."""
    paths = []
    for judged in load_judgments():
        q = quote(judged.query, safe="")
        paths.append(f"/search?q={q}")
        paths.append(f"/api/search?q={q}")
    return paths


@dataclass
class WrkResult:
    requests: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    socket_errors: int
    non_2xx: int

    @property
    def failed(self) -> int:
        return self.socket_errors + self.non_2xx


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if not match:
        raise ValueError(f"unexpected wrk latency {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Figures from wrk's report (run with --latency)."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s*50(?:\.000)?%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s*99(?:\.000)?%\s+(\S+)", output, re.M)
    if not (done and rate and p50 and p99):
        raise ValueError("could not read wrk's report:\n" + output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests=int(done.group(1)),
        seconds=_ms(done.group(2) + done.group(3)) / 1000,
        per_second=float(rate.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


def run_wrk(wrk: str, url: str, connections: int, seconds: int, script: Path | None) -> WrkResult:
    command = [
        wrk,
        f"-t{min(WRK_THREADS, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        WRK_TIMEOUT,
    ]
    if script is not None:
        command += ["-s", str(script)]
    completed = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr}")
    return parse_wrk(completed.stdout)


# --- servers --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited ({process.returncode}):\n{log.read_text(errors='replace')}")
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(url, timeout=5) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    sys.exit(f"server did not answer {url} within {STARTUP_LIMIT:.0f} s")


@contextlib.contextmanager
def server(command: list[str], probe_path: str, log: Path) -> Iterator[str]:
    """Start ``command`` + a free port on 127.0.0.1, yield its base URL, stop it afterwards."""
    port = free_port()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [*command, str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    base = f"http://{HOST}:{port}"
    try:
        wait_until_up(base + probe_path, process, log)
        yield base
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # waitress shuts down cleanly on Ctrl+C
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def kb_server(index: Path, threads: int, log: Path):
    command = [*kb_command(), "serve", "--index", str(index), "--host", HOST, *BACKEND_OPTIONS]
    command += ["--threads", str(threads), "--port"]
    return server(command, "/api/search?q=%E5%9B%9B%E9%A3%8E", log)


def hello_server(threads: int, log: Path):
    return server([sys.executable, "-c", HELLO_APP, HOST, str(threads)], "/", log)


# --- rebuilding in a loop -------------------------------------------------------------------


class RebuildLoop:
    """`kb index --rebuild` on the index folder, one after another, until stopped; bounded by
    MAX_REBUILDS and REBUILD_LIMIT per rebuild."""

    def __init__(self, index: Path, sources: list[Path], log: Path) -> None:
        self.command = [*kb_command(), "index", *map(str, sources), "--index", str(index)]
        self.command += ["--rebuild", *BACKEND_OPTIONS]
        self.log = log
        self.finished: list[tuple[float, int]] = []  # (end time, exit code)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.log.open("a", encoding="utf-8") as out:
            for _ in range(MAX_REBUILDS):
                if self._stop.is_set():
                    return
                try:
                    completed = subprocess.run(
                        self.command,
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        cwd=ROOT,
                        timeout=REBUILD_LIMIT,
                        check=False,
                    )
                    code = completed.returncode
                except subprocess.TimeoutExpired:
                    code = -1
                self.finished.append((time.monotonic(), code))

    def __enter__(self) -> RebuildLoop:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=REBUILD_LIMIT + 30)  # the running rebuild completes

    def switched_between(self, start: float, end: float) -> int:
        return sum(1 for at, code in self.finished if start <= at <= end and code == 0)

    @property
    def failures(self) -> int:
        return sum(1 for _, code in self.finished if code != 0)


# --- the run --------------------------------------------------------------------------------


@dataclass
class Row:
    threads: int
    connections: int
    phase: str
    result: WrkResult
    switches: int = 0


def server_errors(log: Path) -> list[str]:
    """Unhandled errors the app logged, each with its traceback (they are 500s, which wrk
    counts too)."""
    errors: list[str] = []
    current: list[str] | None = None
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if "unhandled error" in line:
            current = [line]
            errors.append("")
        elif current is not None and (
            line.startswith((" ", "Traceback")) or not line[:4].isdigit()
        ):
            current.append(line)
        else:
            current = None
        if current is not None:
            errors[-1] = "\n".join(current)
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", default="8", help="waitress threads to try, e.g. 4,8,16")
    parser.add_argument("--connections", default="8,32,64")
    parser.add_argument("--duration", type=int, default=10, help="seconds per idle wrk run")
    parser.add_argument(
        "--rebuild-duration",
        type=int,
        default=30,
        help="seconds per wrk run while rebuilding (long enough for generation switches)",
    )
    parser.add_argument("--warmup", type=int, default=3, help="seconds before a rebuild run")
    parser.add_argument("--phases", default="idle,rebuild", help="idle, rebuild or both")
    parser.add_argument(
        "--opensearch",
        metavar="URL",
        help="serve from the OpenSearch backend at URL (a fresh index, deleted at the end)",
    )
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    if not phases or not phases <= {"idle", "rebuild"}:
        parser.error("--phases takes idle, rebuild or idle,rebuild")
    if not (0 < args.duration <= 120 and 0 < args.rebuild_duration <= 120):
        parser.error("--duration and --rebuild-duration must be 1-120 s")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be 0-60 s")
    if args.opensearch:
        name = "kbload-" + time.strftime("%Y%m%d%H%M%S")
        BACKEND_OPTIONS.extend(
            ["--backend", "opensearch", "--url", args.opensearch, "--os-index", name]
        )
        BACKEND_OPTIONS.extend(["--replicas", "0"])
        try:
            run(args)
        finally:
            from opensearchpy import OpenSearch

            OpenSearch(hosts=[args.opensearch]).indices.delete(index=f"{name}-*", ignore=[404])
        return
    run(args)


def run(args: argparse.Namespace) -> None:
    thread_counts = [int(n) for n in args.threads.split(",")]
    connection_counts = [int(n) for n in args.connections.split(",")]
    phases = set(args.phases.split(","))

    require_realdocs()
    wrk = ensure_wrk()
    sources = [REALDOCS, CORPUS_DOCS]
    paths = request_paths()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="kb-load-") as tmp:
        work = Path(tmp)
        index = work / "index"
        script = work / "queries.lua"
        script.write_text(lua_script(paths), encoding="utf-8")
        print(f"Building the index of {len(sources)} folders ...", flush=True)
        built = subprocess.run(
            [*kb_command(), "index", *map(str, sources), "--index", str(index), *BACKEND_OPTIONS],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if built.returncode != 0:
            sys.exit(f"kb index failed ({built.returncode}):\n{built.stderr[-3000:]}")

        with hello_server(8, work / "hello.log") as base:
            run_wrk(wrk, base + "/", 8, 2, None)  # warm-up
            baseline = run_wrk(wrk, base + "/", 8, args.duration, None)
        print(f"baseline hello app, 8 connections: {baseline.per_second:.0f} req/s", flush=True)

        for threads in thread_counts:
            log = work / f"serve-{threads}.log"
            with kb_server(index, threads, log) as base:
                run_wrk(wrk, base + "/", 8, 2, script)  # warm-up: caches, jieba, tables
                for connections in connection_counts:
                    if "idle" in phases:
                        result = run_wrk(wrk, base + "/", connections, args.duration, script)
                        rows.append(Row(threads, connections, "idle", result))
                        print_row(rows[-1], baseline)
                    if "rebuild" not in phases:
                        continue
                    with RebuildLoop(index, sources, work / "rebuild.log") as rebuilds:
                        time.sleep(args.warmup)
                        start = time.monotonic()
                        seconds = args.rebuild_duration
                        result = run_wrk(wrk, base + "/", connections, seconds, script)
                        switches = rebuilds.switched_between(start, time.monotonic())
                    rows.append(Row(threads, connections, "rebuild", result, switches))
                    print_row(rows[-1], baseline)
                    if rebuilds.failures:
                        print(f"  {rebuilds.failures} rebuild(s) failed, see the log:")
                        print((work / "rebuild.log").read_text(errors="replace")[-2000:])
            logged = server_errors(log)
            if logged:
                print(f"  threads={threads}: the server logged {len(logged)} unhandled errors:")
                for error in logged[:5]:
                    print(error)

    print()
    print(
        f"baseline: waitress hello app, 8 connections: {baseline.per_second:.0f} req/s "
        f"(p50 {baseline.p50_ms:.2f} ms, failed {baseline.failed})"
    )
    print(f"{len(paths)} request paths (/search and /api/search for {len(paths) // 2} queries)\n")
    print(
        "| threads | connections | index | req/s | vs hello | p50 | p99 | failed | "
        "generation switches |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(table_line(row, baseline))
    total_failed = sum(row.result.failed for row in rows)
    print(f"\nfailed requests in all runs: {total_failed}")


def table_line(row: Row, baseline: WrkResult) -> str:
    r = row.result
    switches = str(row.switches) if row.phase == "rebuild" else ""
    return (
        f"| {row.threads} | {row.connections} | {row.phase} | {r.per_second:.1f} "
        f"| {r.per_second / baseline.per_second:.3f} | {r.p50_ms:.1f} ms | {r.p99_ms:.0f} ms "
        f"| {r.failed} | {switches} |"
    )


def print_row(row: Row, baseline: WrkResult) -> None:
    r = row.result
    extra = f", {row.switches} switches" if row.phase == "rebuild" else ""
    print(
        f"threads={row.threads} c={row.connections} {row.phase}: {r.per_second:.1f} req/s, "
        f"p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.0f} ms, failed {r.failed} "
        f"(socket {r.socket_errors}, non-2xx {r.non_2xx}){extra}",
        flush=True,
    )


if __name__ == "__main__":
    main()
