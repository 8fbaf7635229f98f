"""What a client sees of a failure: its own mistakes in full, ours as an error id.

An exception that a resolver did not mean to raise may name files, queries or data the
client has no business seeing, so its message is replaced by "Internal server error"
and an error id; the log gets the same id with the traceback, so an operator can find
the one from the other. Client mistakes keep their message, since the client needs it
to fix the request: `GraphQLError`s (validation, limits), `InputError`s, and anything
raised while the request was read (a scalar refusing a value) rather than resolved.
"""

from __future__ import annotations

import logging
import secrets

import orjson
from graphql import GraphQLError
from starlette.responses import Response

from resolvers.errors import InputError

MASKED_MESSAGE = "Internal server error"
INTERNAL_ERROR_CODE = "INTERNAL_SERVER_ERROR"

logger = logging.getLogger("content_graph")


def new_error_id() -> str:
    """Short, unguessable, and easy to grep for in the log."""
    return secrets.token_hex(8)


def is_unexpected(error: GraphQLError) -> bool:
    # Only a field's resolution can fail unexpectedly. An error without a path was
    # raised while reading the request (a scalar refusing a literal or a variable), and
    # its message is about the client's input.
    original = error.original_error
    return (
        error.path is not None
        and original is not None
        and not isinstance(original, GraphQLError | InputError)
    )


def client_error(error: GraphQLError) -> GraphQLError:
    """The error as a client may see it; an unexpected one is logged with its error id."""
    if not is_unexpected(error):
        return error
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
        extensions={"code": INTERNAL_ERROR_CODE, "errorId": error_id},
    )


def internal_error_response(error: BaseException) -> Response:
    """A 500 for an exception that escaped the request's handling, in the `errors` shape."""
    error_id = new_error_id()
    logger.error(
        "Internal error %s while answering a request",
        error_id,
        exc_info=(type(error), error, error.__traceback__),
    )
    body = {
        "errors": [
            {
                "message": MASKED_MESSAGE,
                "extensions": {"code": INTERNAL_ERROR_CODE, "errorId": error_id},
            }
        ]
    }
    return Response(orjson.dumps(body), 500, media_type="application/json")
