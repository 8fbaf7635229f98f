"""What a repeated request costs on each HTTP path, and the floor under them.

    .venv/bin/python -m bench.http_path                          # Q1 Q4 Q2, 3 rounds of 3 s
    .venv/bin/python -m bench.http_path --queries Q1 --rounds 5

Three servers, each `uvicorn --factory` on the same settings (httptools and uvloop, as
uvicorn picks them when installed; no access log), one process each, wrk at 8
connections POSTing the same document, response cache off:

- `fast path`: content-graph as it ships (`content_graph/http_fast.py` in front);
- `view`: content-graph with every request left to the Strawberry view;
- `floor`: a bare ASGI app that reads the body and answers a fixed JSON body of the
  same size as the query's answer, with no GraphQL at all.

Rounds alternate the servers query by query, so the machine's load falls on all alike.
Per server and query: the median requests/s and the server's CPU milliseconds per request
(its user + system time from /proc over the requests wrk counted).
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import httpx

from bench import peer, run, servers, wrk
from bench import queries as shapes
from bench.floor import FLOOR_BODY_ENV
from content_graph.server import APP_FACTORY
from content_graph.settings import RESPONSE_CACHE_ENV

VARIANTS = {
    "fast path": APP_FACTORY,
    "view": "content_graph.app:create_app_without_fast_path",
    "floor": "bench.floor:floor_app",
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--queries", nargs="+", default=["Q1", "Q4", "Q2"])
    options = parser.parse_args(argv)

    wrk_path = wrk.ensure_wrk()
    prepared = run.prepare(run.corpus(options.records), options.records)
    queries = [q.name for q in shapes.queries(prepared.picks) if q.name in options.queries]
    env = {**prepared.env, RESPONSE_CACHE_ENV: "0"}
    rates: dict[str, dict[str, list[float]]] = {v: {q: [] for q in queries} for v in VARIANTS}
    cpu: dict[str, dict[str, list[float]]] = {v: {q: [] for q in queries} for v in VARIANTS}
    for query in queries:
        body = prepared.bodies[query]
        running: dict[str, peer.Running] = {}
        try:
            for name, factory in VARIANTS.items():
                answer = run.OUT / f"http-path-{query}-answer.json"
                if name == "floor":
                    reference = running["fast path"].url + "/graphql"
                    content = body.read_bytes()
                    headers = {"content-type": "application/json"}
                    answer.write_bytes(
                        httpx.post(reference, content=content, headers=headers).content
                    )
                log = run.OUT / f"http-path-{name.replace(' ', '-')}.log"
                started = servers.start(name, factory, {**env, FLOOR_BODY_ENV: str(answer)}, log)
                running[name] = peer.Running(started.url, started.process.pid, started.stop)
            for server in running.values():
                _drive(wrk_path, server, body, options, peer.WARMUP_SECONDS)
            for number in range(1, options.rounds + 1):
                shown = []
                for name, server in running.items():
                    before = server.cpu_seconds()
                    measured = _drive(wrk_path, server, body, options, options.seconds)
                    used = server.cpu_seconds() - before
                    rates[name][query].append(measured.requests_per_second)
                    cpu[name][query].append(1000 * used / measured.requests)
                    shown.append(f"{name} {measured.requests_per_second:7.0f}")
                print(f"  round {number} {query}: " + "  ".join(shown), flush=True)
        finally:
            for server in running.values():
                server.stop()
    lines = [
        f"{options.records:,} records, the same document per request, response cache off, "
        f"wrk {options.connections} connections, {options.rounds} rounds of {options.seconds:g} s",
        "",
        "| query | server | median req/s | CPU ms/request (median) | rounds req/s |",
        "|---|---|---:|---:|---|",
    ]
    for query in queries:
        for name in VARIANTS:
            values = rates[name][query]
            lines.append(
                f"| {query} | {name} | {statistics.median(values):,.0f} | "
                f"{statistics.median(cpu[name][query]):.3f} | "
                f"{', '.join(f'{v:.0f}' for v in values)} |"
            )
    print("\n".join(lines))


def _drive(
    wrk_path: str, server: peer.Running, body: Path, options: argparse.Namespace, seconds: float
) -> wrk.Measurement:
    measured = wrk.measure(
        wrk_path,
        f"{server.url}/graphql",
        body,
        connections=options.connections,
        seconds=seconds,
    )
    if measured.errors:
        raise SystemExit(f"{server.url}: {measured.errors} failed requests")
    return measured


if __name__ == "__main__":
    main()
