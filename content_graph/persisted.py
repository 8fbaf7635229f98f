"""Automatic persisted queries, in Apollo's protocol (APQ).

A client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": H}` with no
`query`, H being the SHA-256 of the document in lower-case hex. When the server knows H
it runs that document; when it does not, it answers the error `PersistedQueryNotFound`
(`extensions.code = "PERSISTED_QUERY_NOT_FOUND"`), and the client sends the request
again with both the hash and the document, which the server checks and keeps. Apollo
Client recognises these errors by their message or code, so both are exactly Apollo
Server's. A GET can then carry the hash alone, which keeps the URL short and cacheable.

The store is bounded in bytes and forgets the least recently used documents first: a
forgotten document costs the client one extra round trip, nothing more. Its size 0
turns APQ off, answered with `PersistedQueryNotSupported` so that clients stop sending
hashes.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping

from content_graph.errors import (
    BAD_REQUEST,
    PERSISTED_QUERY_NOT_FOUND,
    PERSISTED_QUERY_NOT_SUPPORTED,
)

SUPPORTED_VERSION = 1
# What an entry costs beyond its document: the hash key and the dict slot.
ENTRY_OVERHEAD = 200


class PersistedQueryError(Exception):
    """A persisted-query request that cannot be run; `message` and `code` go to the client.

    `request_error` is True for the two errors Apollo Client expects as part of the
    protocol (not found, not supported), which are answered like other GraphQL request
    errors; the others are malformed requests, answered 400.
    """

    def __init__(self, message: str, code: str, *, request_error: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_error = request_error

    @property
    def formatted(self) -> dict[str, object]:
        return {"message": self.message, "extensions": {"code": self.code}}


def not_found() -> PersistedQueryError:
    return PersistedQueryError(
        "PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND, request_error=True
    )


def not_supported() -> PersistedQueryError:
    return PersistedQueryError(
        "PersistedQueryNotSupported", PERSISTED_QUERY_NOT_SUPPORTED, request_error=True
    )


def bad_request(message: str) -> PersistedQueryError:
    return PersistedQueryError(message, BAD_REQUEST)


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


class PersistedQueries:
    """Documents by their SHA-256, at most `max_bytes` of them (UTF-8 length plus overhead)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._documents: OrderedDict[str, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._documents)

    def resolve(self, query: str | None, extensions: Mapping[str, object] | None) -> str | None:
        """The document to run: `query` itself, or the one `extensions` names by hash.

        Raises `PersistedQueryError` when the hash is unknown, does not match `query`, or
        the extension is malformed. A request without the extension is left as it is.
        """
        persisted = None if extensions is None else extensions.get("persistedQuery")
        if persisted is None:
            return query
        if self.max_bytes <= 0:
            raise not_supported()
        if not isinstance(persisted, Mapping):
            raise bad_request("extensions.persistedQuery must be an object.")
        if persisted.get("version") != SUPPORTED_VERSION:
            raise bad_request("Unsupported persisted query version")
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not digest:
            raise bad_request("extensions.persistedQuery.sha256Hash must be a string.")
        digest = digest.lower()
        if query is None:
            document = self._documents.get(digest)
            if document is None:
                raise not_found()
            self._documents.move_to_end(digest)
            return document
        if document_hash(query) != digest:
            raise bad_request("provided sha does not match query")
        self.add(digest, query)
        return query

    def add(self, digest: str, document: str) -> None:
        if digest in self._documents:
            self._documents.move_to_end(digest)
            return
        cost = _cost(document)
        if cost > self.max_bytes:
            return  # larger than the whole store: run it, but never keep it
        self._documents[digest] = document
        self.size += cost
        while self.size > self.max_bytes:
            _, evicted = self._documents.popitem(last=False)
            self.size -= _cost(evicted)


def _cost(document: str) -> int:
    return len(document.encode()) + ENTRY_OVERHEAD
