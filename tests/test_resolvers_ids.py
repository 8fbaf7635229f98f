"""Global IDs: stable, opaque, and a clear error when malformed."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from graph import load
from resolvers import ids as ids_module
from resolvers.errors import InputError
from resolvers.ids import article_by_id, global_id, node_by_id, parse_global_id

RECORD = """---
title: "One"
webUrl: "HTTPS://Example.com:443/one/?utm_source=x"
provider: {name: Example, domain: WWW.Example.com}
topics: [Computer Vision]
---
"""


def test_ids_name_nodes_by_their_identity(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_text(RECORD)
    graph = load(tmp_path).graph
    article, provider, topic = graph.articles[0], graph.providers[0], graph.topics[0]
    expected = {
        article: "Article:https://example.com/one",
        provider: "Provider:example.com",
        topic: "Topic:computer-vision",
    }
    for node, raw in expected.items():
        assert base64.b64decode(global_id(node)).decode() == raw
        assert node_by_id(graph, global_id(node)) is node
    assert article_by_id(graph, global_id(provider)) is None
    assert article_by_id(graph, global_id(article)) is article
    # The same record loaded again gives the same IDs.
    again = load(tmp_path).graph
    assert global_id(again.articles[0]) == global_id(article)
    unknown = base64.b64encode(b"Topic:no-such-topic").decode()
    assert node_by_id(graph, unknown) is None


def test_ids_handed_out_again_are_the_same_within_the_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(5):
        write = RECORD.replace("/one/", f"/n{number}/").replace("Example, domain", "E, domain")
        (tmp_path / f"{number}.md").write_text(write.replace("WWW.Example", f"x{number}.Example"))
    graph = load(tmp_path).graph
    monkeypatch.setattr(ids_module, "REMEMBERED_IDS", 3)
    monkeypatch.setattr(ids_module, "_HANDED_OUT", {})
    nodes = [*graph.articles, *graph.providers, *graph.topics]
    keys = [
        *(f"Article:{node.url}" for node in graph.articles),
        *(f"Provider:{node.domain}" for node in graph.providers),
        *(f"Topic:{node.slug}" for node in graph.topics),
    ]
    expected = [base64.b64encode(key.encode()).decode() for key in keys]
    assert len(set(expected)) == len(nodes) == 11
    for _ in range(3):  # handed out anew, then remembered or anew: the same text
        assert [global_id(node) for node in nodes] == expected
        assert len(ids_module._HANDED_OUT) <= 3
    for value, node in zip(expected, nodes, strict=True):
        assert node_by_id(graph, value) is node


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not base64!",
        base64.b64encode(b"Article").decode(),
        base64.b64encode(b"Article:").decode(),
        base64.b64encode(b"Person:someone").decode(),
        base64.b64encode(b"\xff\xfe").decode(),
    ],
)
def test_malformed_id_is_a_clear_error(value: str) -> None:
    with pytest.raises(InputError, match="Invalid ID"):
        parse_global_id(value)
