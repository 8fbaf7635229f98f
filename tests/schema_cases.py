"""The data sets the schema tests run on, loaded once each, and running a query on one."""

from __future__ import annotations

from typing import Any

import pytest

from graph import ContentGraph, load
from schema import execute_sync
from tests.records import Records, data_set, records


def loaded(name: str) -> tuple[ContentGraph, Records]:
    """The graph of data set `name` and its records read independently; skips if absent."""
    folder = data_set(name)
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent (the shared corpus lives beside the repository)")
    return load(folder).graph, records(name)


def run(graph: ContentGraph, query: str, **variables: Any) -> dict[str, Any]:
    """The data of a query that must succeed."""
    result = execute_sync(graph, query, variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data
