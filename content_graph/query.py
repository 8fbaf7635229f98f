"""Running one GraphQL query without a server, as `content-graph query` does."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson


class QueryInputError(ValueError):
    """The query text or the variables could not be read; the message says why."""


def read_query(argument: str) -> str:
    """The query text for `argument`: `-` reads stdin, `@path` reads a file, else as is."""
    if argument == "-":
        return sys.stdin.read()
    if argument.startswith("@"):
        path = Path(argument[1:])
        try:
            return path.read_text(encoding="utf-8")
        except OSError as error:
            raise QueryInputError(f"cannot read {path}: {error.strerror or error}") from None
    return argument


def parse_variables(text: str | None) -> dict[str, Any] | None:
    """`--variables` as a dict; it must be a JSON object."""
    if text is None:
        return None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise QueryInputError(f"--variables is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise QueryInputError("--variables must be a JSON object, e.g. '{\"first\": 3}'")
    return value


def run_query(
    data_dir: Path, query: str, variables: dict[str, Any] | None, operation_name: str | None
) -> dict[str, Any]:
    """Load `data_dir` and run `query` against it; the result as the server would send it."""
    from graph import load
    from schema import execute_sync

    graph = load(data_dir).graph
    result = execute_sync(graph, query, variables, operation_name)
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    return body
