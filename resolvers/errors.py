"""The one error type for bad client input."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input from a client (a page size out of range, a cursor or ID that does not decode).

    Its message says what was wrong and is safe to show to the client as is; the schema
    turns it into a GraphQL error without logging a traceback, since nothing broke.
    """
