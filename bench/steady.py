"""Round-to-round steadiness of content-graph under new documents, with and without a change.

    .venv/bin/python -m bench.steady                      # as it ships against bench.unfrozen
    .venv/bin/python -m bench.steady --queries Q2 --rounds 8

Each variant is a content-graph server (an app factory) on its own loopback port, as it
ships otherwise (response cache on). wrk sends a new document per request (`fresh.lua`),
in rounds that alternate the variants query by query, so the machine's load falls on
all alike. Per variant and query: the median requests/s, the spread of the rounds
((max - min) / median), the server's CPU milliseconds per request and the worst p99.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from bench import peer, run, servers, wrk
from bench import queries as shapes
from content_graph.server import APP_FACTORY

VARIANTS = [f"as-shipped={APP_FACTORY}", "unfrozen=bench.unfrozen:create_app"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--queries", nargs="+", default=["Q1", "Q2", "Q3", "Q4", "Q5"])
    parser.add_argument("--variant", action="append", help="NAME=FACTORY (repeatable)")
    parser.add_argument("--results", type=Path, default=run.OUT / "steady.md")
    options = parser.parse_args(argv)
    variants = dict(item.split("=", 1) for item in options.variant or VARIANTS)

    wrk_path = wrk.ensure_wrk()
    prepared = run.prepare(run.corpus(options.records), options.records)
    queries = [q for q in shapes.queries(prepared.picks) if q.name in options.queries]
    bodies = {q.name: peer._aliased_body(q, options.records) for q in queries}
    running: dict[str, peer.Running] = {}
    rates: dict[str, dict[str, list[float]]] = {v: {q: [] for q in bodies} for v in variants}
    cpu: dict[str, dict[str, list[float]]] = {v: {q: [] for q in bodies} for v in variants}
    p99: dict[str, dict[str, float]] = {v: dict.fromkeys(bodies, 0.0) for v in variants}
    try:
        for name, factory in variants.items():
            log = run.OUT / f"steady-{name}.log"
            started = servers.start(name, factory, prepared.env, log)
            running[name] = peer.Running(started.url, started.process.pid, started.stop)

        def drive(name: str, query: str, seconds: float) -> wrk.Measurement:
            measured = wrk.measure(
                wrk_path,
                f"{running[name].url}/graphql",
                bodies[query],
                connections=options.connections,
                seconds=seconds,
                script=peer.FRESH_LUA,
                env={"BENCH_RUN": str(next(peer._RUNS))},
            )
            if measured.errors:
                raise SystemExit(f"{name} {query}: {measured.errors} failed requests")
            return measured

        for query in bodies:
            for name in running:
                drive(name, query, peer.WARMUP_SECONDS)
        for number in range(1, options.rounds + 1):
            for query in bodies:
                shown = []
                for name, server in running.items():
                    before = server.cpu_seconds()
                    measured = drive(name, query, options.seconds)
                    used = server.cpu_seconds() - before
                    rates[name][query].append(measured.requests_per_second)
                    cpu[name][query].append(1000 * used / measured.requests)
                    p99[name][query] = max(p99[name][query], measured.p99_ms)
                    shown.append(f"{name} {measured.requests_per_second:7.1f}")
                print(f"  round {number} {query}: " + "  ".join(shown), flush=True)
    finally:
        for server in running.values():
            server.stop()

    lines = [
        f"{options.records:,} records, new document per request, wrk {options.connections} "
        f"connections, {options.rounds} rounds of {options.seconds:g} s; variants: "
        + ", ".join(f"{name} (`{factory}`)" for name, factory in variants.items()),
        "",
        "| query | variant | median req/s | spread | CPU ms/request | worst p99 ms | rounds |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for query in bodies:
        for name in variants:
            values = rates[name][query]
            lines.append(
                f"| {query} | {name} | {statistics.median(values):,.0f} | "
                f"{peer.spread(values):.0%} | {statistics.median(cpu[name][query]):.2f} | "
                f"{p99[name][query]:,.0f} | {', '.join(f'{v:.0f}' for v in values)} |"
            )
    report = "\n".join(lines) + "\n"
    print(report)
    options.results.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
