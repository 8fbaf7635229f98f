"""The served schema against the public contract, through a live server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import LiveServer
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_client_schema,
    build_schema,
    get_introspection_query,
)


@pytest.fixture(scope="module")
def served_schema(data_server: LiveServer) -> GraphQLSchema:
    answer = data_server.graphql(get_introspection_query(descriptions=True))
    assert "errors" not in answer
    return build_client_schema(answer["data"])


def test_contract_check_passes(data_server: LiveServer, shared_dir: Path) -> None:
    tool = shared_dir / "tools" / "contract_check.py"
    if not tool.is_file():
        pytest.skip(f"{tool} is absent")
    done = subprocess.run(
        [sys.executable, str(tool), data_server.graphql_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_contract_type_is_served(served_schema: GraphQLSchema, shared_dir: Path) -> None:
    contract = build_schema((shared_dir / "contract" / "schema.graphql").read_text())
    contract_types = {name for name in contract.type_map if not name.startswith("__")}
    assert contract_types <= set(served_schema.type_map)


def undescribed(schema: GraphQLSchema) -> list[str]:
    """Every type, field, argument, input field and enum value without a description."""
    missing: list[str] = []
    for name, gtype in schema.type_map.items():
        if name.startswith("__"):
            continue
        if not gtype.description:
            missing.append(name)
        if isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in gtype.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(gtype, GraphQLEnumType):
            missing += [
                f"{name}.{value_name}"
                for value_name, value in gtype.values.items()
                if not value.description
            ]
    return missing


def test_everything_in_the_schema_is_described(served_schema: GraphQLSchema) -> None:
    assert undescribed(served_schema) == []


def test_undescribed_finds_what_lacks_a_description() -> None:
    # The check above only means something if `undescribed` can see a gap.
    schema = build_schema(
        '"Root." type Query { "Has one." a(x: Int): Int, b: E } enum E { "Described." ON OFF }'
    )
    assert undescribed(schema) == ["Query.a(x)", "Query.b", "E", "E.OFF"]
