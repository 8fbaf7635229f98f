"""In-process benchmark of compiled execution against graphql-core (bench/EXECUTION.md).

    .venv/bin/python -m bench.execution --records 5000

generates a corpus with `graph.generate` (kept under bench/out/), loads it, and times
the benchmark's five queries (bench/queries.py) three ways, each the median CPU time of
many runs in this one process:

- execute: the operation alone, graphql-core's `execute` (with the executor
  `execution.py` uses) against the compiled plan;
- request, same document: `Execution.run` (checks, cost, execution) with the document
  seen before, graphql-core against compiled;
- request, new document: `Execution.run` with a document never seen before (its
  operation renamed each time): graphql-core, the earlier policy (compiled on first use
  from a cost of 100) and as served (every query compiled on first use).

The graph is frozen out of the garbage collector's reach first (`gc.freeze()`, as
`serve --workers` does; `--no-freeze` leaves it as single-process `serve` does, where
full collections walk the whole graph and the figures swing with them).

Then, for a never-seen document, where the time goes: parse, the alias count,
validation (with every rule, and with the rules the document needs, as served), the
depth limit, the cost, compiling (with the objects' code generated before for the same
shapes, as for any document after the first of its shapes, and generated anew), and
executing (graphql-core and compiled).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from graphql import execute, get_operation_ast, parse, validate
from strawberry.execution import optimized_is_awaitable

from bench.queries import Query, pick, queries
from content_graph import compiled_source
from content_graph.compiled import COMPILE_NOW_COST, KEEP_AFTER, CompiledOperations
from content_graph.execution import DeadlineExceeded, DeadlineExecutor, Execution
from content_graph.limits import CostModel, count_aliases, data_list_sizes, query_depth
from content_graph.settings import Limits
from content_graph.stack_room import with_stack_room
from content_graph.validation_rules import rules_for
from graph import ContentGraph, load
from graph.generate import generate_corpus
from schema import schema

OUT = Path(__file__).resolve().parent / "out"
# CPU time of the process (every thread), not wall time: on a machine shared with other
# work, an operation longer than a scheduler slice is preempted and its wall time
# doubles or triples (graphql-core's Q2: 4 ms of CPU, 12 ms of wall time at a load
# average of 12 on 2 cores), while one shorter than a slice is not.
clock = time.process_time
GRAPHQL = schema._schema  # type: ignore[attr-defined]


def median_ms(function: Callable[[], Any], runs: int) -> float:
    """The median CPU time of `function` in milliseconds, after two warm-up calls."""
    function()
    function()
    times = []
    for _ in range(runs):
        start = clock()
        function()
        times.append(clock() - start)
    return statistics.median(times) * 1000


def core_execute(graph: ContentGraph, document: Any, variables: dict[str, Any]) -> Any:
    """graphql-core's execute as `Execution` calls it (through `with_stack_room`, without
    which a deep query's time is a third frame-chunk mapping, stack_room.py)."""
    return with_stack_room(
        execute,
        GRAPHQL,
        document,
        context_value={"graph": graph},
        variable_values=variables,
        executor_class=DeadlineExecutor,
        is_awaitable=optimized_is_awaitable,
    )


def request_ms(
    execution: Execution, graph: ContentGraph, texts: Callable[[], str], query: Query, runs: int
) -> float:
    """The median of `Execution.run` over `runs` requests, each with `texts()`."""

    async def measure() -> float:
        times = []
        for _ in range(runs + 2):
            text = texts()
            start = clock()
            await execution.run(
                text,
                query.variables,
                None,
                graph=graph,
                context={"graph": graph},
                deadline=time.monotonic() + 60,
            )
            times.append(clock() - start)
        return statistics.median(times[2:]) * 1000

    return anyio.run(measure)


def renamed(query: Query) -> Callable[[], str]:
    """A new document text on every call: the same operation under a new name."""
    counter = itertools.count()
    return lambda: query.document.replace(
        f"query {query.name}", f"query {query.name}_{next(counter)}", 1
    )


def executions(keep_after: float, compile_now_cost: float) -> Execution:
    execution = Execution(schema, Limits())
    execution.compiled.keep_after = keep_after
    execution.compiled.compile_now_cost = compile_now_cost
    return execution


GRAPHQL_CORE = (math.inf, math.inf)  # never compiled
EARLIER = (KEEP_AFTER, 100)  # the earlier policy: compiled on first use from a cost of 100
POLICY = (KEEP_AFTER, COMPILE_NOW_COST)  # as served: compiled on first use


def row(graph: ContentGraph, query: Query, runs: int) -> list[float]:
    """The figures of one query, in the order of `COLUMNS`."""
    document = parse(query.document)
    compiled = CompiledOperations(GRAPHQL, DeadlineExceeded, keep_after=1)
    context = {"graph": graph}

    def compiled_execute() -> None:
        with_stack_room(
            compiled.execute,
            query.document,
            document,
            None,
            context=context,
            variables=query.variables,
        )

    def same() -> str:
        return query.document

    return [
        median_ms(lambda: core_execute(graph, document, query.variables), runs),
        median_ms(compiled_execute, runs),
        request_ms(executions(*GRAPHQL_CORE), graph, same, query, runs),
        request_ms(executions(*POLICY), graph, same, query, runs),
        request_ms(executions(*GRAPHQL_CORE), graph, renamed(query), query, runs // 4),
        request_ms(executions(*EARLIER), graph, renamed(query), query, runs // 4),
        request_ms(executions(*POLICY), graph, renamed(query), query, runs // 4),
    ]


COLUMNS = [
    "execute: graphql-core",
    "execute: compiled",
    "request, same document: graphql-core",
    "compiled",
    "request, new document: graphql-core",
    "compiled if cost >= 100 (earlier)",
    "as served (always compiled)",
]


def breakdown(graph: ContentGraph, query: Query, runs: int) -> dict[str, float]:
    """Where a never-seen document's time goes, step by step."""
    checks = Execution(schema, Limits()).checks
    costs = CostModel(GRAPHQL)
    sizes = data_list_sizes(graph)
    document = parse(query.document)
    operation = get_operation_ast(document)
    assert operation is not None
    compiled = CompiledOperations(GRAPHQL, DeadlineExceeded, keep_after=1)

    def compile_plan() -> None:
        compiled.compile(document, None, query.variables)

    def compile_new_shapes(generate: bool) -> Callable[[], None]:
        # As the first document of its shapes: the objects' code generated again (as
        # for a kept plan), or closures (as for a document not kept yet).
        compiler = CompiledOperations(GRAPHQL, DeadlineExceeded, generated_code=generate)

        def compile_again() -> None:
            compiled_source.forget_shapes()
            compiler.compile(document, None, query.variables)

        return compile_again

    def compiled_execute() -> None:
        with_stack_room(
            compiled.execute,
            query.document,
            document,
            None,
            context={"graph": graph},
            variables=query.variables,
        )

    return {
        "parse": median_ms(lambda: parse(query.document), runs),
        "aliases": median_ms(lambda: count_aliases(document), runs),
        "validate, every rule": median_ms(lambda: validate(GRAPHQL, document, checks.rules), runs),
        "validate, rules needed (as served)": median_ms(
            lambda: validate(GRAPHQL, document, rules_for(document, checks.rules)), runs
        ),
        "depth": median_ms(lambda: query_depth(document), runs),
        "cost": median_ms(lambda: costs.cost(document, operation, query.variables, sizes), runs),
        "compile (shapes seen before)": median_ms(compile_plan, runs),
        "compile (new shapes, closures)": median_ms(compile_new_shapes(False), runs),
        "compile (new shapes, code generated)": median_ms(compile_new_shapes(True), runs),
        "execute (graphql-core)": median_ms(
            lambda: core_execute(graph, document, query.variables), runs
        ),
        "execute (compiled)": median_ms(compiled_execute, runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=200, help="runs per median")
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave the graph to the garbage collector (as single-process `serve` does)",
    )
    args = parser.parse_args()
    corpus = OUT / f"execution-{args.records}"
    if not corpus.is_dir():
        generate_corpus(corpus, records=args.records)
    graph = load(corpus).graph
    if not args.no_freeze:
        # As `serve --workers` does: the collector no longer walks the graph's millions
        # of objects whenever execution's garbage triggers a full collection.
        gc.collect()
        gc.freeze()
    picked = queries(pick(graph))
    print(
        f"{args.records} records, {len(graph.articles)} articles, graph frozen: "
        f"{not args.no_freeze}; load average {os.getloadavg()[0]:.2f}"
    )
    print()
    print("| query | " + " | ".join(COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    for query in picked:
        figures = row(graph, query, args.runs)
        print(f"| {query.name} | " + " | ".join(f"{value:.3f} ms" for value in figures) + " |")
    print()
    print("Never-seen document, median ms per step:")
    steps = {query.name: breakdown(graph, query, args.runs) for query in picked}
    names = list(next(iter(steps.values())))
    print("| step | " + " | ".join(steps) + " |")
    print("|---|" + "---|" * len(steps))
    for name in names:
        print(f"| {name} | " + " | ".join(f"{steps[q][name]:.3f}" for q in steps) + " |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
