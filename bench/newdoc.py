"""What a never-seen document costs before it runs: parse, validate, limits (issue 10).

    .venv/bin/python -m bench.newdoc

For each of the benchmark's five queries (bench/queries.py), every run takes the query
with a new alias on its root field, as bench/fresh.lua sends it, and times in this one
process (CPU time, the median of many runs):

- parse, parse without locations (`no_location=True`), and the fast parser
  (`fast_parse.py`, the same tree as parse);
- graphql-core's `validate` with the rules the document needs (as served before the fast
  validator), and the fast validator alone (`fast_validation.py`);
- the alias and depth limits;
- `DocumentChecks` as served: parse, validation and limits together.

No corpus is needed: none of these steps reads the graph.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from graphql import parse, validate

from bench.queries import Q1, Q2, Q3, Q4, Q5
from content_graph.fast_parse import parse_document
from content_graph.fast_validation import FastValidator
from content_graph.limits import DocumentChecks, count_aliases, query_depth
from content_graph.settings import Limits
from content_graph.validation_rules import rules_for
from schema import schema

GRAPHQL = schema._schema  # type: ignore[attr-defined]
QUERIES = {"Q1": Q1, "Q2": Q2, "Q3": Q3, "Q4": Q4, "Q5": Q5}
_numbers = itertools.count()


def fresh(text: str) -> str:
    """The query with a new alias on its root field, a text never seen before."""
    return text.replace("{\n  ", f"{{\n  fresh{next(_numbers)}: ", 1)


def median_ms(step: Callable[[str], Any], text: str, runs: int) -> float:
    """The median CPU time of `step` on a new text each run, in milliseconds."""
    times = []
    for _ in range(runs):
        new = fresh(text)
        start = time.process_time()
        step(new)
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000


def steps(text: str) -> dict[str, Callable[[str], Any]]:
    checks = DocumentChecks(GRAPHQL, Limits())
    fast = FastValidator(GRAPHQL)
    document = parse(fresh(text))
    return {
        "parse": parse,
        "parse, no locations": lambda new: parse(new, no_location=True),
        "fast parse": lambda new: parse_document(new, checks.limits.max_tokens),
        "validate (graphql-core, rules needed)": lambda _: validate(
            GRAPHQL, document, rules_for(document, checks.rules)
        ),
        "fast validator": lambda _: fast.is_valid(document),
        "limits (aliases, depth)": lambda _: (count_aliases(document), query_depth(document)),
        "DocumentChecks (as served)": checks.check,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=500, help="runs per median")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    figures = {
        name: {step: median_ms(run, text, args.runs) for step, run in steps(text).items()}
        for name, text in QUERIES.items()
    }
    print("| step (median CPU ms) | " + " | ".join(figures) + " |")
    print("|---|" + "---:|" * len(figures))
    for step in next(iter(figures.values())):
        print(f"| {step} | " + " | ".join(f"{figures[q][step]:.3f}" for q in figures) + " |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
