"""What one request costs the application itself, without the network or uvicorn.

    .venv/bin/python -m bench.app_call                    # Q1-Q5, same document, cache off
    .venv/bin/python -m bench.app_call --queries Q1 Q4 --rounds 9

The app is built as the server builds it (`create_app`, the data loaded, the collector
set up and the graph frozen as after a load) over the generated 5k corpus, and each
request is one `await app(scope, receive, send)` on the event loop the server runs
(`stack_room.RoomyLoop`): a JSON POST of the query's body, with the response cache off,
the same document every time. Printed per query: the fastest and the median round's
microseconds per request (wall time in this one process, nothing else running in it).

A server's CPU per request is this plus uvicorn and the socket (`bench.http_path`'s
floor), and more: the requests of a live server run with colder CPU caches. So this
measures what a change to the application saves, with far less noise than wrk; the
figures to compare with other servers are bench.peer's.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from typing import Any

from bench.run import OUT, corpus, prepare
from content_graph.app import create_app
from content_graph.collector import collect_young_less_often
from content_graph.settings import Settings
from content_graph.stack_room import RoomyLoop
from graph import load

RECORDS = 5_000
# Requests per round: enough for a round to last a few tenths of a second.
PER_ROUND = {"Q1": 2000, "Q4": 2000}
DEFAULT_PER_ROUND = 300


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", nargs="+", default=["Q1", "Q2", "Q3", "Q4", "Q5"])
    parser.add_argument("--rounds", type=int, default=7)
    options = parser.parse_args(argv)

    folder = corpus(RECORDS)
    prepared = prepare(folder, RECORDS)
    settings = Settings(data_dir=folder, response_cache_bytes=0)
    app = create_app(settings, load(folder, cache_dir=OUT / "cache"))
    # As the server leaves things after its first load (content_graph/collector.py).
    collect_young_less_often()
    gc.collect()
    gc.freeze()
    bodies = {name: prepared.bodies[name].read_bytes() for name in options.queries}
    with asyncio.Runner(loop_factory=RoomyLoop) as runner:
        for name, body in bodies.items():
            rounds = runner.run(_rounds(app, body, options.rounds, PER_ROUND.get(name)))
            print(
                f"{name}: {min(rounds):.1f} us per request (fastest round), "
                f"{statistics.median(rounds):.1f} (median of {len(rounds)})",
                flush=True,
            )


async def _rounds(app: Any, body: bytes, rounds: int, per_round: int | None) -> list[float]:
    count = per_round or DEFAULT_PER_ROUND
    status = await _post(app, body)
    if status != 200:
        raise SystemExit(f"the app answered {status}")
    for _ in range(count // 10):  # the plan kept, the shapes' code generated
        await _post(app, body)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(count):
            await _post(app, body)
        times.append((time.perf_counter() - start) / count * 1e6)
    return times


async def _post(app: Any, body: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
        "state": {},
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


if __name__ == "__main__":
    main()
