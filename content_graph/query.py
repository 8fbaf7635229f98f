"""Running one GraphQL query without a server, as `content-graph query` does.

The query goes through the server's own steps (`execution.py`): the same token, alias,
depth and cost limits and time limit, and errors with the same codes, so a query that
the CLI answers is one a server with the same limits answers too.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anyio
import orjson
from graphql import GraphQLError, OperationType
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult

from content_graph.errors import BAD_REQUEST, OPERATION_RESOLUTION_FAILURE, client_errors
from content_graph.settings import Limits
from graph.model import ContentGraph

# Only a server has the events a subscription waits for.
_RUN_HERE = frozenset({OperationType.QUERY, OperationType.MUTATION})
_SUBSCRIPTION_HERE = (
    "`content-graph query` runs queries; a subscription needs a server (`content-graph "
    "serve`) and a websocket to /graphql, see docs/subscriptions.md."
)


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
    data_dir: Path,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Load `data_dir` and run `query` against it within `limits`, as `serve` would.

    The answer is the server's, without its `extensions`: `data` (left out when the
    request failed before running), and `errors` with their codes.
    """
    from graph import load

    graph = load(data_dir).graph
    return anyio.run(_answer, graph, query, variables, operation_name, limits or Limits())


async def _answer(
    graph: ContentGraph,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    limits: Limits,
) -> dict[str, Any]:
    from content_graph.execution import Execution
    from content_graph.view import is_request_error
    from schema import schema

    execution = Execution(schema, limits)
    deadline = execution.deadline()
    try:
        result = await execution.run(
            query,
            variables,
            operation_name,
            graph=graph,
            context={"graph": graph, "deadline": deadline},
            deadline=deadline,
            allowed=_RUN_HERE,
        )
    except MissingQueryError:
        raise QueryInputError("QUERY is empty: give a GraphQL document.") from None
    except CannotGetOperationTypeError as error:
        refusal = GraphQLError(
            error.as_http_error_reason(), extensions={"code": OPERATION_RESOLUTION_FAILURE}
        )
        result = ExecutionResult(data=None, errors=[refusal])
    except InvalidOperationTypeError:
        refusal = GraphQLError(_SUBSCRIPTION_HERE, extensions={"code": BAD_REQUEST})
        result = ExecutionResult(data=None, errors=[refusal])
    body: dict[str, Any] = {}
    if not is_request_error(result):
        body["data"] = result.data
    if result.errors:
        body["errors"] = [error.formatted for error in client_errors(result.errors)]
    return body
