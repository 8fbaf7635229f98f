"""Which keys came before: the rule by which the request caches keep only repeats.

A stream of one-off requests (a client that writes its values into the document text,
or numbers an alias) would otherwise fill a cache with entries never asked for again,
evicting the ones clients repeat, and keep them alive long enough for the collector to
promote and walk. So a cache lets a key in from its second sighting on, and the first
sightings are remembered here by hash alone: a collision only lets a key in one request
early.
"""

from __future__ import annotations

from collections.abc import Hashable

# First sightings remembered; all are forgotten at once when this many are held, which
# costs at worst one more miss for each key that was waiting.
REMEMBERED = 10_000


class Sightings:
    """The keys seen once, by hash, at most `size` of them."""

    __slots__ = ("_once", "size")

    def __init__(self, size: int = REMEMBERED) -> None:
        self.size = size
        self._once: set[int] = set()

    def seen_before(self, key: Hashable) -> bool:
        """Whether `key` was seen once already, since last let in; remembered if not.

        Each call is a few set operations, atomic under the GIL, so threads may share
        one; two threads racing on one key at worst let it in one request late.
        """
        code = hash(key)
        if code in self._once:
            self._once.discard(code)
            return True
        if len(self._once) >= self.size:
            self._once.clear()
        self._once.add(code)
        return False
