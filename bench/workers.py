"""`serve --workers N` at 100k records: memory shared by the workers, Q2 throughput, start.

    make bench-workers
    .venv/bin/python -m bench.workers [--records 100000] [--seconds 10] [--connections 8]

Measures, on the corpus `bench/run.py` generates (bench/out/corpus-N):

- total PSS (proportional set size: a page shared by k processes counts 1/k to each) of
  the supervisor and its workers for N = 1, 2, 4, once ready and again after Q2 load,
  since serving touches reference counts and so unshares pages;
- Q2 requests/s with 1 and 2 workers, response cache off so every request executes;
- the time from `content-graph serve` to a 200 from /readyz, cold (empty cache folder)
  and warm (from the parse cache and the graph snapshot).

Writes bench/WORKERS.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil

from bench import run, wrk

MIB = 1024 * 1024
READY_TIMEOUT = 600.0
RELOAD_WORKERS = 4
RESULTS = Path(__file__).with_name("WORKERS.md")


class Replica:
    """`content-graph serve --workers N` on a fresh loopback port."""

    def __init__(self, folder: Path, workers: int, cache: Path, log: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(Path(sys.executable).with_name("content-graph")), "serve", str(folder)]
        command += ["--workers", str(workers), "--port", str(self.port)]
        command += ["--response-cache-bytes", "0"]
        env = {**os.environ, "CONTENT_GRAPH_CACHE": str(cache)}
        self.started = time.monotonic()
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=run.REPO
            )
        self.log = log

    def wait_ready(self) -> float:
        """Seconds from the start of the command to the first 200 from /readyz."""
        deadline = self.started + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: see {self.log}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return time.monotonic() - self.started
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"not ready after {READY_TIMEOUT}s: see {self.log}")

    def pss_mib(self) -> tuple[float, int]:
        """Total PSS of the server's processes, in MiB, and how many there are."""
        parent = psutil.Process(self.process.pid)
        processes = [parent, *parent.children(recursive=True)]
        return sum(p.memory_full_info().pss for p in processes) / MIB, len(processes)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    options = parser.parse_args()
    wrk_path = wrk.ensure_wrk()
    folder = run.corpus(options.records)
    prepared = run.prepare(folder, options.records)  # fills bench/out/cache: warm starts
    cache = Path(prepared.env["CONTENT_GRAPH_CACHE"])
    body = prepared.bodies["Q2"]
    logs = run.OUT / "workers-logs"
    logs.mkdir(parents=True, exist_ok=True)
    lines = [f"load average before: {_load()}"]

    def measure(replica: Replica) -> wrk.Measurement:
        return wrk.measure(
            wrk_path,
            f"{replica.url}/graphql",
            body,
            connections=options.connections,
            seconds=options.seconds,
        )

    starts: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as empty:
        replica = Replica(folder, 1, Path(empty), logs / "cold.log")
        starts.append(("cold (empty cache folder), 1 worker", replica.wait_ready()))
        replica.stop()
    for workers in (1, 2):
        replica = Replica(folder, workers, cache, logs / f"warm-{workers}.log")
        starts.append((f"warm (parse cache + snapshot), {workers} workers", replica.wait_ready()))
        replica.stop()

    memory: list[tuple[int, int, float, float]] = []
    throughput: dict[int, wrk.Measurement] = {}
    for workers in (1, 2, 4):
        replica = Replica(folder, workers, cache, logs / f"serve-{workers}.log")
        try:
            replica.wait_ready()
            time.sleep(1.0)  # let start-up settle (the loader's child has exited)
            idle, processes = replica.pss_mib()
            measured = measure(replica)  # also the load that touches the shared pages
            if workers in (1, 2):
                throughput[workers] = measured
            loaded, _ = replica.pss_mib()
            memory.append((workers, processes, idle, loaded))
            print(f"workers={workers}: PSS {idle:.0f} → {loaded:.0f} MiB", flush=True)
        finally:
            replica.stop()
    reloads = reload_memory(folder, cache, logs, measure)
    lines.append(f"load average after: {_load()}")
    text = render(options, starts, memory, throughput, reloads, lines)
    RESULTS.write_text(text, encoding="utf-8")
    print(RESULTS.read_text())


def reload_memory(
    folder: Path, cache: Path, logs: Path, load: Callable[[Replica], object]
) -> list[tuple[str, float, float]]:
    """Total PSS of 4 workers before and after a reload: SIGHUP to the supervisor, which
    loads, then forks new workers from the new graph.

    The other way, each worker loading its own copy, measured 2,590 MiB against the
    supervisor's 985 MiB when it existed (bench/WORKERS.md, first runs); a worker no
    longer reloads by itself (it passes a SIGHUP on to the supervisor), so only the
    supervisor's way is measured now."""
    rows = []
    replica = Replica(folder, RELOAD_WORKERS, cache, logs / "reload.log")
    try:
        replica.wait_ready()
        load(replica)
        rows.append(("before any reload", 0.0, replica.pss_mib()[0]))

        parent = psutil.Process(replica.process.pid)
        old = {child.pid for child in parent.children()}
        started = time.monotonic()
        replica.process.send_signal(signal.SIGHUP)
        _until(lambda: _pids(parent).isdisjoint(old) and len(_pids(parent)) == RELOAD_WORKERS)
        replica.wait_ready()
        seconds = time.monotonic() - started
        load(replica)
        pss = replica.pss_mib()[0]
        rows.append(("SIGHUP to the supervisor (new workers forked)", seconds, pss))
    finally:
        replica.stop()
    return rows


def _pids(parent: psutil.Process) -> set[int]:
    return {child.pid for child in parent.children() if child.status() != psutil.STATUS_ZOMBIE}


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(0.1)


def render(
    options: argparse.Namespace,
    starts: list[tuple[str, float]],
    memory: list[tuple[int, int, float, float]],
    throughput: dict[int, wrk.Measurement],
    reloads: list[tuple[str, float, float]],
    notes: list[str],
) -> str:
    one = {row[0]: row for row in memory}[1]
    out = [
        "# `serve --workers N`: shared memory, throughput, start time",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {run._machine()}, "
        f"{os.cpu_count()} cores shared with other work (the figures are noisy).",
        "",
        "```",
        f".venv/bin/python -m bench.workers --records {options.records}"
        f" --seconds {options.seconds:g} --connections {options.connections}",
        "```",
        "",
        f"## Memory at {options.records:,} records (total PSS of supervisor + workers)",
        "",
        "| workers | processes | PSS ready | PSS after Q2 load | x one worker (after load) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for workers, processes, idle, loaded in memory:
        ratio = loaded / one[3]
        out.append(f"| {workers} | {processes} | {idle:.0f} MiB | {loaded:.0f} MiB | {ratio:.2f} |")
    out += [
        "",
        "Goal: 4 workers at most 1.5x one.",
        "",
        f"## Q2 throughput, response cache off, wrk -c{options.connections} "
        f"for {options.seconds:g} s (wrk shares the cores)",
        "",
        "| workers | requests/s | p50 | p99 | errors |",
        "|---:|---:|---:|---:|---:|",
    ]
    for workers, m in sorted(throughput.items()):
        out.append(
            f"| {workers} | {m.requests_per_second:.0f} | {m.p50_ms:.1f} ms "
            f"| {m.p99_ms:.1f} ms | {m.errors} |"
        )
    if 1 in throughput and 2 in throughput:
        speedup = throughput[2].requests_per_second / throughput[1].requests_per_second
        out += ["", f"2 workers / 1 worker: {speedup:.2f}x (goal at least 1.7x)."]
    out += [
        "",
        f"## A reload with {RELOAD_WORKERS} workers (total PSS after Q2 load)",
        "",
        "| reload | seconds until all serve it | PSS |",
        "|---|---:|---:|",
        *(f"| {what} | {seconds:.1f} | {pss:.0f} MiB |" for what, seconds, pss in reloads),
    ]
    out += [
        "",
        "## Start of a replica: command to the first 200 from /readyz",
        "",
        "| start | seconds |",
        "|---|---:|",
        *(f"| {what} | {seconds:.1f} |" for what, seconds in starts),
        "",
        *(f"- {note}" for note in notes),
        "",
    ]
    return "\n".join(out)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
