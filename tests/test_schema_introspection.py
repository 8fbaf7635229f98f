"""The served schema: a compatible superset of the contract, described throughout."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_client_schema,
    build_schema,
    find_breaking_changes,
    get_introspection_query,
)

from graph import load
from schema import execute_sync

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "contract" / "schema.graphql"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> GraphQLSchema:
    graph = load(tmp_path_factory.mktemp("empty")).graph
    result = execute_sync(graph, get_introspection_query(descriptions=True))
    assert result.errors is None
    return build_client_schema(result.data)  # type: ignore[arg-type]


def test_no_breaking_change_from_the_contract(served: GraphQLSchema) -> None:
    if not CONTRACT.is_file():
        pytest.skip(f"{CONTRACT} is absent (the shared contract lives beside the repository)")
    contract = build_schema(CONTRACT.read_text())
    assert [change.description for change in find_breaking_changes(contract, served)] == []
    # Every contract type is there under its own name, with the same kind.
    for name, contract_type in contract.type_map.items():
        assert type(served.type_map[name]) is type(contract_type), name


def test_everything_is_described(served: GraphQLSchema) -> None:
    undescribed = []
    for name, named in served.type_map.items():
        if name.startswith("__"):
            continue
        if not named.description:
            undescribed.append(name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not field.description:
                    undescribed.append(f"{name}.{field_name}")
                undescribed += [
                    f"{name}.{field_name}({arg})"
                    for arg, argument in field.args.items()
                    if not argument.description
                ]
        elif isinstance(named, GraphQLInputObjectType):
            undescribed += [f"{name}.{f}" for f, v in named.fields.items() if not v.description]
        elif isinstance(named, GraphQLEnumType):
            undescribed += [f"{name}.{v}" for v, d in named.values.items() if not d.description]
    assert undescribed == []


def test_datetime_scalar_and_node_interface(served: GraphQLSchema) -> None:
    assert "offset" in (served.type_map["DateTime"].description or "")
    node = served.type_map["Node"]
    assert isinstance(node, GraphQLInterfaceType)
    assert {t.name for t in served.get_possible_types(node)} == {"Article", "Provider", "Topic"}
