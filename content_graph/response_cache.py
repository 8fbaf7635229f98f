"""The response cache: finished `/graphql` answers, keyed by everything they depend on.

An answer depends on the document, the variables, the operation name, the loaded data
and the negotiated media type (which sets the status code), and on nothing else: the
schema has no mutations, no per-user fields and no clock. So a repeated request can be
answered with the bytes of the first answer, without parsing, validating or executing.

The data's version is part of the key, so an answer from older data can never match a
request on newer data; and when a new version shows up, the older answers are dropped
at once rather than waiting to be evicted. Only answers without errors are kept (an
error may come from a limit or an internal failure rather than from the data).

An answer is kept from its request's second sighting on (`sightings.py`): a stream of
requests each sent once (a client writing its values into the document, or numbering
an alias) then leaves nothing behind, and cannot evict the answers of the requests that
clients repeat. The cache is bounded in bytes (answer bodies plus keys) and evicts the
least recently used answers first. Its size 0 turns it off.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import NamedTuple

import orjson

from content_graph.sightings import Sightings

# What an entry costs beyond its key and body: the tuple, the dict slot, the bytes objects.
ENTRY_OVERHEAD = 300
# No single answer may take more than this share of the cache, so one huge answer
# cannot flush everything else.
LARGEST_SHARE = 4


class CachedResponse(NamedTuple):
    status: int
    body: bytes
    media_type: str


CacheKey = tuple[str, str, str, str | None, bytes]


def cache_key(
    version: str,
    media_type: str,
    document: str,
    operation_name: str | None,
    variables: Mapping[str, object] | None,
) -> CacheKey:
    """The key of one request; variables compare by value (key order does not matter)."""
    encoded = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS) if variables else b""
    return (version, media_type, document, operation_name, encoded)


class ResponseCache:
    """Answers by `cache_key`, at most `max_bytes` of them, least recently used out first."""

    def __init__(self, max_bytes: int, *, repeats_only: bool = True) -> None:
        """`repeats_only`: keep an answer only from its key's second `put` on (see the
        module docstring); False keeps every answer put."""
        self.max_bytes = max_bytes
        self._sightings = Sightings() if repeats_only else None
        self.size = 0
        self.version: str | None = None
        # Counted for operators (and tests): how often a request was answered from here.
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[CacheKey, CachedResponse] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: CacheKey) -> CachedResponse | None:
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
            self._entries.move_to_end(key)
        return found

    def put(self, key: CacheKey, response: CachedResponse) -> None:
        if not self.enabled:
            return
        if self._sightings is not None and not self._sightings.seen_before(key):
            return
        version = key[0]
        if version != self.version:
            # A reload: every answer kept so far is of other data and can never match again.
            self.clear()
            self.version = version
        cost = _cost(key, response)
        if cost > self.max_bytes // LARGEST_SHARE:
            return
        # Kept right-sized: orjson's bytes keep their whole working buffer (4 KiB for a
        # small answer with orjson 3.13), and the cache's bound counts lengths.
        _, media_type, document, operation_name, variables = key
        key = (version, media_type, document, operation_name, _right_sized(variables))
        response = response._replace(body=_right_sized(response.body))
        previous = self._entries.pop(key, None)
        if previous is not None:
            self.size -= _cost(key, previous)
        self._entries[key] = response
        self.size += cost
        while self.size > self.max_bytes:
            evicted_key, evicted = self._entries.popitem(last=False)
            self.size -= _cost(evicted_key, evicted)

    def clear(self) -> None:
        self._entries.clear()
        self.size = 0


def _right_sized(data: bytes) -> bytes:
    """A copy of `data` that allocates no more than its length (`bytes(data)` is `data`
    itself; a join with an empty part copies)."""
    return b"".join((data, b""))


def _cost(key: CacheKey, response: CachedResponse) -> int:
    _, media_type, document, operation_name, variables = key
    return (
        len(response.body)
        + len(document)
        + len(variables)
        + len(operation_name or "")
        + len(media_type)
        + ENTRY_OVERHEAD
    )
