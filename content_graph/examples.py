"""The example queries in `examples/`: one source for the README, the CLI and the playground.

Each example is a `NAME.graphql` file, with its variables, when it takes any, in
`NAME.variables.json` beside it. The playground opens one tab per example, so what a
newcomer sees there is what `content-graph query @examples/NAME.graphql` runs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

QUERY_SUFFIX = ".graphql"
VARIABLES_SUFFIX = ".variables.json"


@dataclass(frozen=True, slots=True)
class Example:
    """One example query, with its variables as JSON text (None when it takes none)."""

    name: str
    query: str
    variables: str | None


class ExampleError(ValueError):
    """An example file that cannot be read, or variables that are not a JSON object."""


def load_examples(folder: Path, first: str) -> tuple[Example, ...]:
    """Every example in `folder`: the one named `first` first, the others by name.

    A missing folder gives no examples (an installed copy without them still serves a
    working playground); a broken file in it is an error, since the files are ours.
    """
    if not folder.is_dir():
        return ()
    files = sorted(
        folder.glob(f"*{QUERY_SUFFIX}"), key=lambda path: (path.stem != first, path.stem)
    )
    return tuple(_load(path) for path in files)


def _load(path: Path) -> Example:
    name = path.name.removesuffix(QUERY_SUFFIX)
    variables_file = path.with_name(name + VARIABLES_SUFFIX)
    try:
        query = path.read_text(encoding="utf-8")
        variables = (
            variables_file.read_text(encoding="utf-8").strip() if variables_file.is_file() else None
        )
    except (OSError, UnicodeDecodeError) as error:
        raise ExampleError(f"{path}: cannot be read: {error}") from error
    if variables is not None:
        try:
            values = json.loads(variables)
        except ValueError as error:
            raise ExampleError(f"{variables_file}: not JSON: {error}") from error
        if not isinstance(values, dict):
            raise ExampleError(f"{variables_file}: must hold a JSON object")
    return Example(name, query, variables)
