"""content-graph with graphql-core's `execute` called through `with_stack_room`.

For measuring that change before `content_graph/execution.py` makes it itself (see
`content_graph/stack_room.py` for why it matters):

    .venv/bin/python -m bench.run --project-factory bench.stack_room_app:create_app_from_env
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from content_graph import app, execution
from content_graph.stack_room import with_stack_room

_execute = execution.execute


def _execute_with_room(*args: Any, **kwargs: Any) -> Any:
    return with_stack_room(_execute, *args, **kwargs)


def create_app_from_env() -> Starlette:
    execution.execute = _execute_with_room  # type: ignore[assignment]
    return app.create_app_from_env()
