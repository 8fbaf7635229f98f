"""What a client sees of an error: its message, and an `extensions.code` to branch on.

Every error in an answer carries `extensions.code`, as Apollo Server's do, so that a
client can tell one kind of failure from another without reading messages. The codes
(Apollo Server's names where it has one for the case):

- `GRAPHQL_PARSE_FAILED`: the document does not parse.
- `GRAPHQL_VALIDATION_FAILED`: it does not validate against the schema.
- `BAD_USER_INPUT`: variables that do not coerce to their types, and arguments that a
  resolver refuses (`InputError`: a bad cursor, page size or ID, `maxHops` out of range).
- `OPERATION_RESOLUTION_FAILURE`: `operationName` names no operation of the document,
  or is missing where the document holds several.
- `BAD_REQUEST`: an HTTP request that is not a GraphQL request (a body that is not JSON,
  no query, a bad GET parameter, a refused batch, a CSRF refusal, a content type other
  than JSON (415), a method other than GET and POST (405), a mutation over GET (405)).
- `PAYLOAD_TOO_LARGE`: a body over `--max-body-bytes` (413).
- `SERVICE_UNAVAILABLE`: the data is still loading (503, with `Retry-After`), or its first
  load failed (503; `/readyz` says why).
- `PERSISTED_QUERY_NOT_FOUND`, `PERSISTED_QUERY_NOT_SUPPORTED`: Apollo's persisted-query
  protocol (`persisted.py`).
- `MAX_COST_EXCEEDED`, `MAX_DEPTH_EXCEEDED`, `MAX_ALIASES_EXCEEDED`, `MAX_TOKENS_EXCEEDED`,
  `MAX_VALIDATION_WORK_EXCEEDED`, `TIMEOUT`: a limit refused or stopped the request;
  `extensions.limit` holds the limit's value (`limits.py`, `execution.py`).
  `MAX_SUBSCRIPTIONS_EXCEEDED`: a websocket already runs its most subscriptions
  (`view.py`).
- `SUBSCRIPTION_FELL_BEHIND`: a subscriber stopped reading and its subscription was
  ended (`events.py`).
- `INTERNAL_SERVER_ERROR`: a failure of ours; see below.

Errors this server makes carry their code from the start. graphql-core's own (parse,
validation, variable coercion, a field that failed) are given theirs by `error_code`,
from the kind of error alone. `client_error` applies it where an answer is put together
(the HTTP view, the websocket handler, the CLI), so any executor that returns
graphql-core `GraphQLError`s gets the same codes without knowing of them.

An exception that a resolver did not mean to raise may name files, queries or data the
client has no business seeing, so its message is replaced by "Internal server error"
and an error id; the log gets the same id with the traceback, so an operator can find
the one from the other. Client mistakes keep their message, since the client needs it
to fix the request: `GraphQLError`s (validation, limits), `InputError`s, and anything
raised while the request was read (a scalar refusing a value) rather than resolved.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Mapping

import orjson
from graphql import GraphQLError
from graphql.error import GraphQLSyntaxError
from starlette.responses import Response

from resolvers.errors import InputError

MASKED_MESSAGE = "Internal server error"

GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
BAD_REQUEST = "BAD_REQUEST"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
SUBSCRIPTION_FELL_BEHIND = "SUBSCRIPTION_FELL_BEHIND"
MAX_SUBSCRIPTIONS_EXCEEDED = "MAX_SUBSCRIPTIONS_EXCEEDED"

# The code of an HTTP-level refusal, by its status; Apollo Server answers 405 and 415
# with BAD_REQUEST too, and the status tells them apart.
_STATUS_CODES = {413: PAYLOAD_TOO_LARGE, 503: SERVICE_UNAVAILABLE}

# graphql-core's messages for variables that do not coerce (graphql/execution/values.py).
# Validation never says "has invalid value" of a variable, so the two cannot be confused.
_VARIABLE_ERROR = re.compile(
    r"Variable '\$\w+'(?: defined by fragment '\w+')? has invalid (?:default )?value"
    r"|Variable values are nested too deeply\."
    r"|Too many errors processing variables"
)

logger = logging.getLogger("content_graph")


def new_error_id() -> str:
    """Short, unguessable, and easy to grep for in the log."""
    return secrets.token_hex(8)


def error_code(error: GraphQLError) -> str:
    """The error's `extensions.code`: its own when it has one, else from its kind.

    An error without a path was raised before execution: a syntax error, a variable
    that does not coerce, or else a validation error. An error with a path is a field
    that failed: the client's doing when a resolver refused an argument (`InputError`),
    ours otherwise.
    """
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    if isinstance(error, GraphQLSyntaxError):
        return GRAPHQL_PARSE_FAILED
    if error.path is None:
        if _VARIABLE_ERROR.match(error.message):
            return BAD_USER_INPUT
        return GRAPHQL_VALIDATION_FAILED
    if isinstance(error.original_error, InputError):
        return BAD_USER_INPUT
    return INTERNAL_SERVER_ERROR


def is_unexpected(error: GraphQLError) -> bool:
    """True for a failure of ours: an exception that is neither a GraphQLError nor an
    InputError, raised by a field, or from outside execution (a subscription's event
    stream) unless it carries its own code.

    An error without a path that points into the document (`nodes`) was raised while
    reading the request, by a scalar refusing a literal or a variable: its message is
    about the client's input.
    """
    original = error.original_error
    if original is None or isinstance(original, GraphQLError | InputError):
        return False
    if error.path is not None:
        return True
    return error.nodes is None and "code" not in (error.extensions or {})


def client_error(error: GraphQLError) -> GraphQLError:
    """The error as a client may see it, with its code; an unexpected one is masked and
    logged with its error id."""
    if is_unexpected(error):
        return _masked(error)
    if isinstance((error.extensions or {}).get("code"), str):
        return error
    # A copy: errors of a checked document are kept and answered again.
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions={**(error.extensions or {}), "code": error_code(error)},
    )


def client_errors(errors: Iterable[GraphQLError] | None) -> list[GraphQLError]:
    return [client_error(error) for error in errors or ()]


def _masked(error: GraphQLError) -> GraphQLError:
    error_id = new_error_id()
    original = error.original_error
    assert original is not None
    logger.error(
        "Internal error %s at %s",
        error_id,
        ".".join(str(key) for key in error.path or ()) or "(request)",
        exc_info=(type(original), original, original.__traceback__),
    )
    return GraphQLError(
        MASKED_MESSAGE,
        nodes=error.nodes,
        path=error.path,
        extensions={"code": INTERNAL_SERVER_ERROR, "errorId": error_id},
    )


def refusal_code(status: int) -> str:
    """The code of an HTTP-level refusal (not a GraphQL error) answered with `status`."""
    default = INTERNAL_SERVER_ERROR if status >= 500 else BAD_REQUEST
    return _STATUS_CODES.get(status, default)


def error_body(message: str, code: str, extensions: Mapping[str, object] | None = None) -> bytes:
    """A JSON answer holding one error, in the `errors` shape of every other answer."""
    error = {"message": message, "extensions": {"code": code, **(extensions or {})}}
    return orjson.dumps({"errors": [error]})


def internal_error_response(error: BaseException) -> Response:
    """A 500 for an exception that escaped the request's handling, in the `errors` shape."""
    error_id = new_error_id()
    logger.error(
        "Internal error %s while answering a request",
        error_id,
        exc_info=(type(error), error, error.__traceback__),
    )
    body = error_body(MASKED_MESSAGE, INTERNAL_SERVER_ERROR, {"errorId": error_id})
    return Response(body, 500, media_type="application/json")
