"""`serve --watch` on a live server: real file writes under the data folder reach queries.

Each test starts a real server (uvicorn, loopback socket) with `CONTENT_GRAPH_WATCH` on
and changes files on disk the way people and editors do, then polls until the change is
served: no test here times the watcher (bench/reload.py does), they wait up to TIMEOUT.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from content_graph.settings import WATCH_ENV
from tests.conftest import LiveServer, start_server
from tests.writing import record, write_md, write_text, write_yaml

TIMEOUT = 30.0
STATS = (
    "{ stats { articles filesSkipped version loadedAt lastReloadOk lastReloadAt lastReloadError } }"
)
URLS = "{ articles(first: 100) { nodes { url title } } }"


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, LiveServer]]:
    """A data folder of two records and a server watching it."""
    data = tmp_path / "data"
    write_md(data, "_news/one.md", record("https://example.com/one", "One"))
    write_md(data, "_news/two.md", record("https://example.com/two", "Two"))
    monkeypatch.setenv(WATCH_ENV, "true")
    server = start_server(data, tmp_path)
    try:
        yield data, server
    finally:
        server.stop()


def stats(server: LiveServer) -> dict[str, Any]:
    return server.graphql(STATS)["data"]["stats"]


def titles(server: LiveServer) -> dict[str, str]:
    nodes = server.graphql(URLS)["data"]["articles"]["nodes"]
    return {node["url"]: node["title"] for node in nodes}


def wait_for(server: LiveServer, what: str, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        assert server.process.poll() is None, server.log.read_text()
        time.sleep(0.05)
    pytest.fail(f"{what}: not served {TIMEOUT} s after the write\n{server.log.read_text()}")


def test_created_changed_and_deleted_records_are_served(watched: tuple[Path, LiveServer]) -> None:
    data, server = watched
    first = stats(server)
    assert first["lastReloadOk"] is True

    write_md(data, "_news/three.md", record("https://example.com/three", "Three"))
    wait_for(server, "a new record", lambda: "https://example.com/three" in titles(server))
    second = stats(server)
    assert second["articles"] == 3
    assert second["version"] != first["version"]
    assert second["loadedAt"] > first["loadedAt"]
    assert second["lastReloadAt"] > first["lastReloadAt"]

    write_md(data, "_news/one.md", record("https://example.com/one", "One, edited"))
    wait_for(server, "an edit", lambda: titles(server)["https://example.com/one"] == "One, edited")

    (data / "_news/two.md").unlink()
    wait_for(server, "a deletion", lambda: "https://example.com/two" not in titles(server))
    assert stats(server)["articles"] == 2

    # A folder moved in, then away: the system reports only the folder's name.
    outside = data.parent / "batch"
    write_md(outside, "four.md", record("https://example.com/four", "Four"))
    outside.rename(data / "_news/batch")
    four = "https://example.com/four"
    wait_for(server, "a folder moved in", lambda: four in titles(server))
    (data / "_news/batch").rename(outside)
    wait_for(server, "a folder moved away", lambda: four not in titles(server))


def test_a_taxonomy_change_is_served(watched: tuple[Path, LiveServer]) -> None:
    data, server = watched
    write_md(
        data,
        "_news/acme.md",
        record("https://acme.example/news", "Acme news", provider={"domain": "acme.example"}),
    )
    query = '{ provider(domain: "acme.example") { name } }'
    wait_for(server, "the record", lambda: server.graphql(query)["data"]["provider"] is not None)
    write_yaml(
        data,
        "_data/organizations/acme.yaml",
        {"taxonomy": "organization", "domain": "acme.example", "name": "Acme Corporation"},
    )
    wait_for(
        server,
        "the organization's name",
        lambda: server.graphql(query)["data"]["provider"]["name"] == "Acme Corporation",
    )


def test_versions_etags_and_the_response_cache_follow_a_watched_change(
    watched: tuple[Path, LiveServer],
) -> None:
    data, server = watched
    url = server.graphql_url
    params = {"query": "{ stats { articles version } }"}
    first = httpx.get(url, params=params)
    assert first.status_code == 200
    etag = first.headers["etag"]
    # Unchanged data: the cache answers, and the ETag still matches.
    assert httpx.get(url, params=params, headers={"If-None-Match": etag}).status_code == 304
    assert httpx.get(url, params=params).json() == first.json()

    write_md(data, "_news/three.md", record("https://example.com/three", "Three"))
    wait_for(
        server,
        "the new version",
        lambda: httpx.get(url, params=params).json()["data"]["stats"]["articles"] == 3,
    )
    after = httpx.get(url, params=params, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    assert after.json()["data"]["stats"]["version"] != first.json()["data"]["stats"]["version"]
    # The POST answer for the same document, cached before the change, is not served.
    assert server.graphql(params["query"])["data"]["stats"]["articles"] == 3


def test_editor_files_are_ignored(watched: tuple[Path, LiveServer]) -> None:
    data, server = watched
    before = titles(server)
    # Each holds a valid record: only its name keeps it out.
    side_files = [
        "_news/.one.md.swp",
        "_news/one.md~",
        "_news/4913",
        "_news/.#one.md",
        "_news/one.md.tmp",
        "_news/#one.md#",
        "_news/one.md___jb_tmp___",
    ]
    for number, path in enumerate(side_files):
        write_md(data, path, record(f"https://example.com/side-{number}", "Side file"))
    # Then a real save, whose reload would pick up the side files if they counted.
    write_md(data, "_news/one.md", record("https://example.com/one", "Saved"))
    wait_for(server, "the save", lambda: titles(server)["https://example.com/one"] == "Saved")
    assert set(titles(server)) == set(before)
    assert stats(server)["filesSkipped"] == 0


def test_a_file_written_in_two_halves_is_skipped_then_served(
    watched: tuple[Path, LiveServer],
) -> None:
    data, server = watched
    whole = "---\ntitle: Halves\nwebUrl: https://example.com/halves\n---\nBody.\n"
    path = data / "_news/halves.md"
    # The first half opens the front matter and stops: a broken record, skipped with a
    # reason while the rest keeps being served.
    path.write_text(whole[:30])
    wait_for(server, "the half file, skipped", lambda: stats(server)["filesSkipped"] == 1)
    assert set(titles(server)) == {"https://example.com/one", "https://example.com/two"}
    assert stats(server)["lastReloadOk"] is True
    with path.open("a") as handle:
        handle.write(whole[30:])
    wait_for(server, "the whole file", lambda: "https://example.com/halves" in titles(server))
    assert stats(server)["filesSkipped"] == 0


def test_broken_yaml_skips_the_file_not_the_graph(watched: tuple[Path, LiveServer]) -> None:
    data, server = watched
    write_text(data, "_news/broken.md", "---\ntitle: [unclosed\nwebUrl: x\n---\n")
    wait_for(server, "the broken file, skipped", lambda: stats(server)["filesSkipped"] == 1)
    after = stats(server)
    assert after["articles"] == 2
    assert after["lastReloadOk"] is True
    assert after["lastReloadError"] is None


def test_a_vanished_data_folder_keeps_the_last_good_graph(
    watched: tuple[Path, LiveServer], tmp_path: Path
) -> None:
    data, server = watched
    good = stats(server)
    aside = tmp_path / "aside"
    shutil.move(data, aside)

    def failed() -> bool:
        return stats(server)["lastReloadOk"] is False

    wait_for(server, "the failed reload", failed)
    now = stats(server)
    assert "does not exist" in now["lastReloadError"]
    assert (now["articles"], now["version"]) == (good["articles"], good["version"])
    ready = httpx.get(f"{server.base_url}/readyz")
    assert ready.status_code == 200  # it still serves
    assert ready.json()["lastReload"]["ok"] is False
    assert ready.json()["lastReload"]["error"] == now["lastReloadError"]

    # Back, with a change made meanwhile: the watcher finds it again and reloads.
    write_md(aside, "_news/three.md", record("https://example.com/three", "Three"))
    shutil.move(aside, data)
    wait_for(server, "the folder back", lambda: stats(server)["articles"] == 3)
    back = stats(server)
    assert back["lastReloadOk"] is True
    assert back["lastReloadError"] is None
    assert httpx.get(f"{server.base_url}/readyz").json()["lastReload"]["ok"] is True
