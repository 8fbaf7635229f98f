"""The outcome of the server's last load of its data folder, for `stats` and `/readyz`.

The server (content_graph/app.py) records one `LastReload` per load it tries, at start
and on each reload, and hands the current one to every request beside the graph. A load
that fails keeps the last good graph in service, so `stats` can report counts of one
load and the failure of a later one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, NamedTuple

# What started a load: the server's start, a SIGHUP, the watcher, POST /admin/reload.
Trigger = Literal["start", "signal", "watch", "admin"]
CONTEXT_KEY = "last_reload"


class LastReload(NamedTuple):
    ok: bool
    at: datetime
    trigger: Trigger
    # Why the load failed; None when it succeeded.
    error: str | None
    # Loads tried since the process (or its supervisor) started: a failed reload changes
    # what `stats` answers without changing the data's version, so caches key on this too.
    attempt: int

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "at": self.at.isoformat(),
            "trigger": self.trigger,
            "error": self.error,
        }


def last_reload(context: Mapping[str, Any]) -> LastReload | None:
    """The last load tried by the serving process; None without a server (`query`).

    The context holds the outcome itself, or (for a subscription, which outlives
    reloads) a function that gives the current one.
    """
    value = context.get(CONTEXT_KEY)
    return value() if callable(value) else value
