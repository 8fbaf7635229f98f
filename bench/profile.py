"""Where a server spends its time on one query: py-spy samples it while wrk drives it.

    .venv/bin/python -m bench.profile Q5                       # content-graph, cache off
    .venv/bin/python -m bench.profile Q1 --server cached       # answers from the cache
    .venv/bin/python -m bench.profile Q5 --server baseline --records 100000

py-spy (from PyPI: `pip install py-spy`) records the server process from outside, so the
profile includes uvicorn, Starlette and the view as well as execution and resolvers.
The folded stacks go to bench/out/profile-SERVER-QUERY-RECORDS.txt (for a flame graph
tool); the summary printed here is the share of samples per function, by its own time
and including what it calls.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from bench import servers, wrk
from bench.run import BASELINE_FACTORY, OUT, corpus, prepare
from content_graph.server import APP_FACTORY
from content_graph.settings import RESPONSE_CACHE_ENV

SHOWN = 25


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("query", choices=["Q1", "Q2", "Q3", "Q4", "Q5"])
    parser.add_argument("--server", choices=["uncached", "cached", "baseline"], default="uncached")
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--project-factory", default=APP_FACTORY, help="a variant to profile")
    parser.add_argument(
        "--native", action="store_true", help="include C frames (allocator, syscalls)"
    )
    options = parser.parse_args(argv)

    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        raise SystemExit("py-spy is missing: .venv/bin/pip install py-spy")
    wrk_path = wrk.ensure_wrk()
    folder = corpus(options.records)
    prepared = prepare(folder, options.records)
    factory, extra = (
        (BASELINE_FACTORY, prepared.baseline_env)
        if options.server == "baseline"
        else (options.project_factory, {})
    )
    server_env = {**prepared.env, **extra}
    if options.server == "uncached":
        server_env[RESPONSE_CACHE_ENV] = "0"
    name = f"{options.server}-{options.query}-{options.records}"
    output = OUT / f"profile-{name}.txt"
    server = servers.start(options.server, factory, server_env, OUT / f"{name}.log")
    try:
        record = [py_spy, "record", "--pid", str(server.process.pid), "--format", "raw"]
        record += ["--rate", "250", "--duration", f"{int(options.seconds)}", "-o", str(output)]
        if options.native:
            record.append("--native")
        sampler = subprocess.Popen(record, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        measured: list[wrk.Measurement] = []
        driver = threading.Thread(
            target=lambda: measured.append(
                wrk.measure(
                    wrk_path,
                    f"{server.url}/graphql",
                    prepared.bodies[options.query],
                    connections=options.connections,
                    seconds=options.seconds,
                )
            )
        )
        driver.start()
        driver.join()
        sampler.wait(timeout=options.seconds + 60)
    finally:
        server.stop()
    result = measured[0]
    print(
        f"{name}: {result.requests_per_second:,.0f} req/s, p50 {result.p50_ms:.2f} ms, "
        f"p99 {result.p99_ms:.2f} ms; folded stacks in {output}"
    )
    print(summary(output))


def summary(folded: Path) -> str:
    """Self and inclusive shares of the samples, per function, from py-spy's folded stacks."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in folded.read_text(encoding="utf-8").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[_short(frames[-1])] += count
        for frame in {_short(frame) for frame in frames}:
            inclusive[frame] += count
    lines = [f"{total:,} samples", "", "own time:"]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(SHOWN)]
    lines += ["", "including callees:"]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(SHOWN)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    # "function (path/to/module.py:123)" → "function (module.py)"
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({Path(path).name})" if path else name


if __name__ == "__main__":
    main()
