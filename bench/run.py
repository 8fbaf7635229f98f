"""The benchmark: content-graph against a plain graphql-core server, in one run.

    .venv/bin/python -m bench.run                  # 20k and 100k records, 10 s per query
    .venv/bin/python -m bench.run --sizes 20000 --seconds 5

For each corpus size it generates the corpus once (`content-graph generate`, kept under
bench/out/), picks the queries' variables from it, and serves it three ways, one
server at a time: the graphql-core baseline, content-graph with its response cache off
(every request parsed, validated and executed: "uncached"), and content-graph as it
ships (repeated queries come from the response cache: "cached"). wrk drives each query
at a fixed concurrency for a fixed time. The table goes to stdout and bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench import queries as shapes
from bench import servers, wrk
from content_graph.server import APP_FACTORY
from content_graph.settings import DATA_ENV, RESPONSE_CACHE_ENV
from graph import load

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "bench" / "out"
RESULTS = REPO / "bench" / "RESULTS.md"
BASELINE_FACTORY = "bench.baseline_graphqlcore:create_app"
# Load each query this long before measuring it: after a load, the first requests pay
# for the garbage collector moving the new graph's millions of objects to its oldest
# generation, and the per-document and response caches fill.
WARMUP_SECONDS = 2.0


@dataclass
class ServerRun:
    name: str
    measurements: dict[str, wrk.Measurement] = field(default_factory=dict)
    peak_rss_mib: float = 0.0


@dataclass
class SizeRun:
    records: int
    articles: int
    picks: shapes.Picks
    runs: dict[str, ServerRun] = field(default_factory=dict)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--seconds", type=float, default=10.0, help="per query and server")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--project-factory",
        default=APP_FACTORY,
        help="the app factory of the project's servers (to measure a variant)",
    )
    options = parser.parse_args(argv)

    wrk_path = wrk.ensure_wrk()
    OUT.mkdir(parents=True, exist_ok=True)
    # The SDL the baseline is built from: the project's own, printed afresh.
    (OUT / "schema.graphql").write_text(_content_graph("schema", capture=True), encoding="utf-8")
    sizes: list[SizeRun] = []
    for records in options.sizes:
        words = sizes[0].picks.words if sizes else None
        sizes.append(
            run_size(
                records,
                wrk_path,
                options.seconds,
                options.connections,
                options.project_factory,
                words,
            )
        )
    command = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    report = render(
        sizes, options.seconds, options.connections, command.strip(), options.project_factory
    )
    print(report)
    options.results.write_text(report, encoding="utf-8")


def corpus(records: int) -> Path:
    """bench/out/corpus-N, generated on first use (the same bytes every time: seed 1)."""
    folder = OUT / f"corpus-{records}"
    OUT.mkdir(parents=True, exist_ok=True)
    if not (folder / "_news").is_dir():
        print(f"generating {records:,} records into {folder}", flush=True)
        _content_graph("generate", str(folder), "--records", str(records), "--seed", "1")
    return folder


@dataclass(frozen=True)
class Prepared:
    """A corpus ready to serve: the picked variables, the request bodies and the env vars."""

    picks: shapes.Picks
    articles: int
    bodies: dict[str, Path]
    env: dict[str, str]
    baseline_env: dict[str, str]


def prepare(folder: Path, records: int, words: str | None = None) -> Prepared:
    cache = OUT / "cache"
    graph = load(folder, cache_dir=cache).graph
    picks = shapes.pick(graph, words)
    bodies = {}
    for query in shapes.queries(picks):
        bodies[query.name] = OUT / f"{query.name}-{records}.json"
        bodies[query.name].write_bytes(json.dumps(query.body()).encode())
    sdl = OUT / "schema.graphql"
    if not sdl.exists():
        sdl.write_text(_content_graph("schema", capture=True), encoding="utf-8")
    env = {DATA_ENV: str(folder), "CONTENT_GRAPH_CACHE": str(cache)}
    return Prepared(picks, graph.stats.articles, bodies, env, {"BASELINE_SDL": str(sdl)})


def run_size(
    records: int,
    wrk_path: str,
    seconds: float,
    connections: int,
    factory: str = APP_FACTORY,
    words: str | None = None,
) -> SizeRun:
    prepared = prepare(corpus(records), records, words)
    size = SizeRun(records, prepared.articles, prepared.picks)
    bodies, common = prepared.bodies, prepared.env
    plan = [
        ("baseline", BASELINE_FACTORY, {**common, **prepared.baseline_env}),
        ("uncached", factory, {**common, RESPONSE_CACHE_ENV: "0"}),
        ("cached", factory, common),
    ]
    expected: dict[str, object] = {}
    for name, factory, env in plan:
        print(f"{records:,} records: starting {name}", flush=True)
        server = servers.start(name, factory, env, OUT / f"{name}-{records}.log")
        try:
            run = size.runs[name] = ServerRun(name)
            for query_name, body in bodies.items():
                data = _check(server.url, body)
                # Every server must give the very same answer, or the comparison is moot.
                if expected.setdefault(query_name, data) != data:
                    raise SystemExit(f"{name} answers {query_name} differently from baseline")
                url = f"{server.url}/graphql"
                wrk.measure(wrk_path, url, body, connections=connections, seconds=WARMUP_SECONDS)
                measured = wrk.measure(
                    wrk_path, url, body, connections=connections, seconds=seconds
                )
                if measured.errors:
                    raise SystemExit(f"{name} {query_name}: {measured.errors} failed requests")
                run.measurements[query_name] = measured
                print(
                    f"  {query_name}: {measured.requests_per_second:8.1f} req/s  "
                    f"p50 {measured.p50_ms:7.2f} ms  p99 {measured.p99_ms:7.2f} ms",
                    flush=True,
                )
            run.peak_rss_mib = server.peak_rss_mib()
        finally:
            server.stop()
    return size


def render(
    sizes: list[SizeRun],
    seconds: float,
    connections: int,
    command: str,
    factory: str = APP_FACTORY,
) -> str:
    variant = "" if factory == APP_FACTORY else f" Project servers from `{factory}`."
    lines = [
        "# Benchmark results",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}.",
        f"wrk, 1 thread, {connections} connections, {seconds:g} s per query and server "
        f"after {WARMUP_SECONDS:g} s of warm-up; "
        f"one uvicorn worker per server, started one at a time on loopback.{variant}",
        "",
        "Command (from the repository root):",
        "",
        "```",
        f".venv/bin/{command}",
        "```",
        "",
        "- **baseline**: `bench/baseline_graphqlcore.py`, plain graphql-core "
        "(`graphql_sync`: parse, validate, execute per request; stdlib `json`) over the "
        "same SDL, `graph/` and `resolvers/`.",
        "- **uncached**: content-graph with the response cache off "
        "(`CONTENT_GRAPH_RESPONSE_CACHE_BYTES=0`).",
        "- **cached**: content-graph as it ships; the same request repeated, so all but the "
        "first answer come from the response cache.",
        "",
    ]
    for size in sizes:
        baseline, uncached, cached = (size.runs[n] for n in ("baseline", "uncached", "cached"))
        lines += [
            f"## {size.records:,} records ({size.articles:,} articles)",
            "",
            f"Variables: provider `{size.picks.domain}`, topic `{size.picks.topic}`, "
            f"words `{size.picks.words}`, article `{size.picks.url}`.",
            "",
            "| query | baseline req/s | uncached req/s | uncached ÷ baseline | "
            "cached req/s | cached ÷ uncached | uncached p50 / p99 ms | cached p50 / p99 ms "
            "| baseline p50 / p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name in baseline.measurements:
            b, u, c = (run.measurements[name] for run in (baseline, uncached, cached))
            lines.append(
                f"| {name} | {b.requests_per_second:,.0f} | {u.requests_per_second:,.0f} | "
                f"**{u.requests_per_second / b.requests_per_second:.2f}x** | "
                f"{c.requests_per_second:,.0f} | "
                f"**{c.requests_per_second / u.requests_per_second:.1f}x** | "
                f"{u.p50_ms:.2f} / {u.p99_ms:.2f} | {c.p50_ms:.2f} / {c.p99_ms:.2f} | "
                f"{b.p50_ms:.2f} / {b.p99_ms:.2f} |"
            )
        q2 = uncached.measurements["Q2"]
        lines += [
            "",
            f"Q2 p99 at {connections} connections: {q2.p99_ms:.2f} ms uncached, "
            f"{cached.measurements['Q2'].p99_ms:.2f} ms cached.",
            "",
            f"Peak RSS: baseline {baseline.peak_rss_mib:,.0f} MiB, uncached "
            f"{uncached.peak_rss_mib:,.0f} MiB, cached {cached.peak_rss_mib:,.0f} MiB.",
            "",
        ]
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        lines += [
            f"## Scale: {large.records:,} against {small.records:,} records (uncached)",
            "",
            "| query | p50 ms small | p50 ms large | large ÷ small (p50) | req/s small ÷ large |",
            "|---|---:|---:|---:|---:|",
        ]
        for name in small.runs["uncached"].measurements:
            s = small.runs["uncached"].measurements[name]
            big = large.runs["uncached"].measurements[name]
            lines.append(
                f"| {name} | {s.p50_ms:.2f} | {big.p50_ms:.2f} | "
                f"**{big.p50_ms / s.p50_ms:.2f}x** | "
                f"{s.requests_per_second / big.requests_per_second:.2f}x |"
            )
        lines.append("")
    lines += targets(sizes)
    return "\n".join(lines)


def targets(sizes: list[SizeRun]) -> list[str]:
    """Issue 5's targets, each with the measured figures it was judged on."""

    def ratios(size: SizeRun, top: str, bottom: str) -> dict[str, float]:
        upper, lower = size.runs[top].measurements, size.runs[bottom].measurements
        return {
            name: upper[name].requests_per_second / lower[name].requests_per_second
            for name in upper
        }

    def line(goal: str, figures: dict[str, float], met: bool, unit: str = "x") -> str:
        shown = ", ".join(f"{name} {value:.2f}{unit}" for name, value in figures.items())
        return f"- {'met' if met else '**missed**'}: {goal} ({shown})"

    lines = ["## Targets", ""]
    for size in sizes:
        over_baseline = ratios(size, "uncached", "baseline")
        lines.append(
            line(
                f"uncached ≥ 1.0x baseline at {size.records:,} records",
                over_baseline,
                min(over_baseline.values()) >= 1.0,
            )
        )
        over_uncached = ratios(size, "cached", "uncached")
        lines.append(
            line(
                f"repeated ≥ 20x uncached at {size.records:,} records",
                over_uncached,
                min(over_uncached.values()) >= 20,
            )
        )
    if len(sizes) > 1:
        small, large = sizes[0].runs["uncached"], sizes[-1].runs["uncached"]
        growth = {
            name: large.measurements[name].p50_ms / small.measurements[name].p50_ms
            for name in small.measurements
        }
        lines.append(
            line(
                f"latency at {sizes[-1].records:,} ≤ 1.5x at {sizes[0].records:,} records",
                growth,
                max(growth.values()) <= 1.5,
            )
        )
    lines.append("")
    return lines


def _check(url: str, body: Path) -> object:
    response = httpx.post(
        f"{url}/graphql",
        content=body.read_bytes(),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    answer = response.json()
    if response.status_code != 200 or answer.get("errors") or not answer.get("data"):
        raise SystemExit(f"{url} answered {body.name} with {response.status_code}: {answer}")
    return answer["data"]


def _content_graph(*arguments: str, capture: bool = False) -> str:
    executable = Path(sys.executable).with_name("content-graph")
    done = subprocess.run(
        [str(executable), *arguments], check=True, capture_output=capture, text=True, cwd=REPO
    )
    return done.stdout if capture else ""


def _machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


if __name__ == "__main__":
    main()
