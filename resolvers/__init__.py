"""Questions answered over a loaded `ContentGraph`: plain typed functions, no GraphQL.

`schema/` maps GraphQL fields onto these functions; everything here can be called and
tested without building a schema. Bad client input raises `InputError`, whose message is
meant to be shown to the client as is.
"""

from __future__ import annotations

from resolvers.errors import InputError

__all__ = ["InputError"]
