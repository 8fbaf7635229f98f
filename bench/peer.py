"""Issue 10's side-by-side benchmark: content-graph, plain graphql-core and Apollo Server 5.

    .venv/bin/python -m bench.peer                  # 5k records, 5 rounds, 5 s per query
    .venv/bin/python -m bench.peer --check          # only check that the answers agree
    .venv/bin/python -m bench.peer --rounds 3 --seconds 3 --queries Q2

Needs wrk, Node 20+ and the peer's packages (`npm install --prefix bench/apollo`, which
`make bench-peer` runs). Each server is one process on a loopback port: content-graph
(one uvicorn worker), the graphql-core baseline (`baseline_graphqlcore.py`) and the
Apollo peer (`apollo/server.mjs`, Node with NODE_ENV=production), all over the same
generated corpus. Two modes, each with its own three servers:

- **new**: every request carries a new document text (`fresh.lua` puts a counter into an
  alias of the root field), so parse, validation and response caches all miss;
  content-graph runs as it ships.
- **same**: the same request repeated, content-graph's response cache off
  (`CONTENT_GRAPH_RESPONSE_CACHE_BYTES=0`); every server may reuse its parsed and
  validated document, none may reuse an answer.

Before measuring, every server must give the very same `data` for every query, under
the alias too. Then rounds alternate the servers query by query (Q1 on ours, on
graphql-core, on Apollo, Q2 on ours, ...), so a change in the machine's load falls on all
three alike. After each round's queries, a bare ASGI app on the same uvicorn (the host
gauge, bench/floor.py) is measured too: it runs no GraphQL, so the spread of its rounds
is the machine's own. The report gives each server's median requests/s over the rounds,
the spread of the rounds ((max - min) / median), the gauge's, and the ratios to Apollo;
it is printed and written to bench/PEER.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import queries as shapes
from bench import run, servers, wrk
from bench.floor import FLOOR_BODY_ENV
from content_graph.server import APP_FACTORY
from content_graph.settings import RESPONSE_CACHE_ENV

REPO = Path(__file__).resolve().parents[1]
APOLLO = REPO / "bench" / "apollo"
RESULTS = REPO / "bench" / "PEER.md"
# What follows this line in the results file is written by hand and kept by each run.
NOTES_MARK = "<!-- Written by hand below: bench.peer keeps it. -->"
FRESH_LUA = Path(__file__).with_name("fresh.lua")
# The placeholder fresh.lua numbers; the alias it sits in is a valid GraphQL name.
SEQUENCE = "__SEQ__"
# The host gauge's app (see `_start_floor`).
FLOOR_FACTORY = "bench.floor:floor_app"
ALIAS = f"fresh{SEQUENCE}"
SERVERS = ("content-graph", "graphql-core", "apollo")
MODES = ("new", "same")
WARMUP_SECONDS = 1.0
# One BENCH_RUN per wrk run for fresh.lua: its counter starts at 1 in every run, and a
# server must never see a document again (its response cache would answer it).
_RUNS = itertools.count(1)

# Issue 10's targets: content-graph against Apollo, per mode; and the rounds' spread.
TARGETS = {"new": 1.0, "same": 2.0}
MAX_SPREAD = 0.20


class Running:
    """A started server of either kind: its URL, its process and how to stop it."""

    def __init__(self, url: str, pid: int, stop: Callable[[], None]) -> None:
        self.url = url
        self.pid = pid
        self.stop = stop

    def cpu_seconds(self) -> float:
        """User and system time of the whole process (all its threads) so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Mode:
    name: str
    # server -> query -> requests/s of each round, in order
    rounds: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    # server -> query -> the server's CPU milliseconds per request, each round
    cpu: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    # The host gauge's requests/s, once per round (`FLOOR`)
    floor: list[float] = field(default_factory=list)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5.0, help="per query, server, round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--queries", nargs="+", default=["Q1", "Q2", "Q3", "Q4", "Q5"])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--check", action="store_true", help="check the answers and stop")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--project-factory",
        default=APP_FACTORY,
        help="the app factory of content-graph's server (to measure a variant)",
    )
    options = parser.parse_args(argv)

    wrk_path = wrk.ensure_wrk()
    node = _node()
    folder = run.corpus(options.records)
    prepared = run.prepare(folder, options.records)
    queries = [q for q in shapes.queries(prepared.picks) if q.name in options.queries]
    same_bodies = {q.name: prepared.bodies[q.name] for q in queries}
    new_bodies = {q.name: _aliased_body(q, options.records) for q in queries}
    sdl = run.OUT / "schema.graphql"
    load_before = os.getloadavg()
    started = datetime.now(UTC)
    modes: list[Mode] = []
    for name in options.modes:
        print(f"mode {name}: starting the servers", flush=True)
        running = _start_all(name, prepared, folder, sdl, node, options.project_factory)
        gauge: Running | None = None
        try:
            for query in queries:
                _check_answers(running, query.name, same_bodies[query.name], new_bodies[query.name])
            print("  answers agree", flush=True)
            if options.check:
                continue
            gauge = _start_floor(running["content-graph"], same_bodies[queries[0].name], prepared)
            bodies = new_bodies if name == "new" else same_bodies
            script = FRESH_LUA if name == "new" else wrk.LUA
            modes.append(
                _measure(name, running, gauge, bodies, wrk_path, script, options.seconds, options)
            )
        finally:
            for server in [*running.values(), *([gauge] if gauge else [])]:
                server.stop()
    if options.check:
        return
    command = "python -m bench.peer " + " ".join(argv if argv is not None else sys.argv[1:])
    report = render(
        modes,
        options,
        command.strip(),
        prepared,
        started,
        load_before,
        os.getloadavg(),
    )
    print(report)
    notes = ""
    if options.results.exists():
        _, mark, kept = options.results.read_text(encoding="utf-8").partition(NOTES_MARK)
        notes = "\n" + mark + kept if mark else ""
    options.results.write_text(report + notes, encoding="utf-8")


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("Node.js is missing: the Apollo peer needs node 20 or newer")
    if not (APOLLO / "node_modules" / "@apollo" / "server").is_dir():
        raise SystemExit(
            "The Apollo peer's packages are missing: run `npm install --prefix bench/apollo` "
            "(or `make bench-peer`)"
        )
    return node


def _aliased_body(query: shapes.Query, records: int) -> Path:
    """The query with its root field under the alias `fresh__SEQ__`, for fresh.lua."""
    marker = "{\n  "
    if marker not in query.document:
        raise ValueError(f"{query.name}: no root field to alias")
    document = query.document.replace(marker, marker + ALIAS + ": ", 1)
    path = run.OUT / f"{query.name}-{records}-fresh.json"
    path.write_bytes(
        json.dumps(
            {"query": document, "variables": query.variables, "operationName": query.name}
        ).encode()
    )
    return path


def _start_all(
    mode: str,
    prepared: run.Prepared,
    folder: Path,
    sdl: Path,
    node: str,
    factory: str,
) -> dict[str, Running]:
    ours_env = dict(prepared.env)
    if mode == "same":
        ours_env[RESPONSE_CACHE_ENV] = "0"
    running: dict[str, Running] = {}
    try:
        for name, factory_name, env in (
            ("content-graph", factory, ours_env),
            ("graphql-core", run.BASELINE_FACTORY, {**prepared.env, **prepared.baseline_env}),
        ):
            started = servers.start(name, factory_name, env, run.OUT / f"peer-{name}-{mode}.log")
            running[name] = Running(started.url, started.process.pid, started.stop)
        peer = _start_apollo(node, folder, sdl, run.OUT / f"peer-apollo-{mode}.log")
        running["apollo"] = Running(peer.url, peer.process.pid, peer.stop)
    except BaseException:
        for server in running.values():
            server.stop()
        raise
    return running


def _start_apollo(node: str, folder: Path, sdl: Path, log: Path) -> servers.Server:
    env = {**os.environ, "NODE_ENV": "production"}
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [node, str(APOLLO / "server.mjs"), str(folder), str(sdl)],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
    assert process.stdout is not None
    # The first line says where it listens (and that the data is loaded).
    line = process.stdout.readline()
    if not line:
        process.wait()
        raise RuntimeError(f"the Apollo peer exited with {process.returncode}: see {log}")
    url = json.loads(line)["url"].rstrip("/")
    return servers.Server("apollo", url, process)


def _start_floor(ours: Running, body: Path, prepared: run.Prepared) -> Running:
    """The host gauge: bench/http_path.py's floor (a bare ASGI app on the same uvicorn,
    no GraphQL), answering content-graph's answer to `body`. Its rounds move only with
    the machine, so its spread says how much of the servers' spread is the host's."""
    answer = run.OUT / "peer-floor-answer.json"
    headers = {"Content-Type": "application/json"}
    reply = httpx.post(f"{ours.url}/graphql", content=body.read_bytes(), headers=headers)
    answer.write_bytes(reply.content)
    env = {**prepared.env, FLOOR_BODY_ENV: str(answer)}
    started = servers.start("floor", FLOOR_FACTORY, env, run.OUT / "peer-floor.log")
    return Running(started.url, started.process.pid, started.stop)


def _answer(url: str, body: bytes) -> object:
    response = httpx.post(
        f"{url}/graphql",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    answer = response.json()
    if response.status_code != 200 or answer.get("errors") or not answer.get("data"):
        raise SystemExit(f"{url} answered with {response.status_code}: {answer}")
    return answer["data"]


def _check_answers(running: dict[str, Running], query: str, same: Path, new: Path) -> None:
    """Every server gives the very same data, for the document as it is and under the alias."""
    expected: object = None
    aliased = new.read_bytes().replace(SEQUENCE.encode(), b"0")
    for name, server in running.items():
        data = _answer(server.url, same.read_bytes())
        under_alias = _answer(server.url, aliased)
        if under_alias != {"fresh0": next(iter(data.values()))}:  # type: ignore[attr-defined]
            raise SystemExit(f"{name} answers {query} differently under an alias")
        if expected is None:
            expected = data
        elif data != expected:
            raise SystemExit(
                f"{name} answers {query} differently from content-graph:\n"
                f"  content-graph: {_short(expected)}\n  {name}: {_short(data)}"
            )


def _short(data: object) -> str:
    text = json.dumps(data)
    return text if len(text) < 600 else text[:600] + "..."


def _measure(
    mode: str,
    running: dict[str, Running],
    gauge: Running,
    bodies: dict[str, Path],
    wrk_path: str,
    script: Path,
    seconds: float,
    options: argparse.Namespace,
) -> Mode:
    result = Mode(
        mode,
        {name: {query: [] for query in bodies} for name in running},
        {name: {query: [] for query in bodies} for name in running},
    )

    def drive(name: str, query: str, duration: float) -> wrk.Measurement:
        server = gauge if name == "floor" else running[name]
        measured = wrk.measure(
            wrk_path,
            f"{server.url}/graphql",
            bodies[query],
            connections=options.connections,
            seconds=duration,
            script=script,
            env={"BENCH_RUN": str(next(_RUNS))},
        )
        if measured.errors:
            raise SystemExit(f"{mode} {name} {query}: {measured.errors} failed requests")
        return measured

    first = next(iter(bodies))
    for query in bodies:
        for name in running:
            drive(name, query, WARMUP_SECONDS)
    drive("floor", first, WARMUP_SECONDS)
    for number in range(1, options.rounds + 1):
        for query in bodies:
            figures = []
            for name in running:
                before = running[name].cpu_seconds()
                measured = drive(name, query, seconds)
                used = running[name].cpu_seconds() - before
                result.rounds[name][query].append(measured.requests_per_second)
                result.cpu[name][query].append(1000 * used / measured.requests)
                figures.append(f"{name} {measured.requests_per_second:7.1f}")
            print(f"  {mode} round {number} {query}: " + "  ".join(figures), flush=True)
        floor = drive("floor", first, seconds).requests_per_second
        result.floor.append(floor)
        print(f"  {mode} round {number} host gauge: {floor:7.1f}", flush=True)
    return result


def spread(values: list[float]) -> float:
    """(max - min) / median of the rounds."""
    return (max(values) - min(values)) / statistics.median(values)


def render(
    modes: list[Mode],
    options: argparse.Namespace,
    command: str,
    prepared: run.Prepared,
    started: datetime,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> str:
    variant = (
        ""
        if options.project_factory == APP_FACTORY
        else (f" content-graph from `{options.project_factory}`.")
    )
    lines = [
        "# content-graph, graphql-core and Apollo Server 5, side by side",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {run._machine()}, Node "
        f"{_node_version()}; commit {_commit()}.",
        f"{options.records:,} generated records ({prepared.articles:,} articles); wrk, 1 "
        f"thread, {options.connections} connections, {options.seconds:g} s per query, "
        f"server and round after {WARMUP_SECONDS:g} s of warm-up; {options.rounds} rounds, "
        f"alternating the servers query by query; one process per server.{variant}",
        f"Load average (1/5/15 min) before: {_load(load_before)}; after: {_load(load_after)}.",
        "",
        "Command (from the repository root):",
        "",
        "```",
        f".venv/bin/{command}",
        "```",
        "",
    ]
    titles = {
        "new": "New document per request (content-graph as it ships)",
        "same": "Same document repeated, content-graph's response cache off",
    }
    for mode in modes:
        lines += [
            f"## {titles[mode.name]}",
            "",
            "| query | content-graph req/s | graphql-core req/s | Apollo req/s | "
            "content-graph ÷ Apollo | graphql-core ÷ Apollo | spread content-graph / "
            "graphql-core / Apollo | content-graph rounds | CPU ms per request "
            "content-graph / graphql-core / Apollo |",
            "|---|---:|---:|---:|---:|---:|---:|---|---:|",
        ]
        for query in mode.rounds["content-graph"]:
            ours, core, apollo = (mode.rounds[name][query] for name in SERVERS)
            medians = [statistics.median(values) for values in (ours, core, apollo)]
            lines.append(
                f"| {query} | {medians[0]:,.0f} | {medians[1]:,.0f} | {medians[2]:,.0f} | "
                f"**{medians[0] / medians[2]:.2f}x** | {medians[1] / medians[2]:.2f}x | "
                f"{spread(ours):.0%} / {spread(core):.0%} / {spread(apollo):.0%} | "
                f"{', '.join(f'{value:.0f}' for value in ours)} | "
                + " / ".join(f"{statistics.median(mode.cpu[name][query]):.2f}" for name in SERVERS)
                + " |"
            )
        lines += [
            "",
            f"Host gauge (a bare ASGI app on the same uvicorn, no GraphQL: bench/floor.py), "
            f"once per round after the queries: {statistics.median(mode.floor):,.0f} "
            f"req/s, rounds {', '.join(f'{value:.0f}' for value in mode.floor)}, spread "
            f"{spread(mode.floor):.0%}. It moves only with the machine.",
            "",
        ]
    lines += targets(modes)
    return "\n".join(lines)


def targets(modes: list[Mode]) -> list[str]:
    lines = ["## Targets", ""]
    for mode in modes:
        ours, apollo = mode.rounds["content-graph"], mode.rounds["apollo"]
        ratios = {
            query: statistics.median(ours[query]) / statistics.median(apollo[query])
            for query in ours
        }
        goal = TARGETS[mode.name]
        shown = ", ".join(f"{query} {value:.2f}x" for query, value in ratios.items())
        met = min(ratios.values()) >= goal
        lines.append(
            f"- {'met' if met else '**missed**'}: {mode.name} document mode, content-graph "
            f"≥ {goal:.1f}x Apollo ({shown})"
        )
        spreads = {query: spread(values) for query, values in ours.items()}
        shown = ", ".join(f"{query} {value:.0%}" for query, value in spreads.items())
        met = max(spreads.values()) < MAX_SPREAD
        lines.append(
            f"- {'met' if met else '**missed**'}: {mode.name} document mode, content-graph's "
            f"round-to-round spread < {MAX_SPREAD:.0%} ({shown}; the host gauge's in the "
            f"same rounds: {spread(mode.floor):.0%})"
        )
        # Not a target: the same spread of the server's own CPU time per request, which
        # other processes on the machine move far less than its requests/s.
        costs = {query: spread(values) for query, values in mode.cpu["content-graph"].items()}
        shown = ", ".join(f"{query} {value:.0%}" for query, value in costs.items())
        lines.append(
            f"- (for reference) {mode.name} document mode, spread of content-graph's CPU "
            f"time per request over the rounds: {shown}"
        )
    lines.append("")
    return lines


def _load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in load)


def _node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return "unknown"
    return subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()


def _commit() -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        capture_output=True,
        text=True,
        cwd=REPO,
    ).stdout.strip()
    return done.stdout.strip() + (" (with uncommitted changes)" if dirty else "")


if __name__ == "__main__":
    main()
