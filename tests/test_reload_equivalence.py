"""A reload that reads only the changed files (graph/reload.py) serves exactly the graph a
fresh, uncached load of the same folder builds.

Seeded random sequences of changes (records created, edited, broken, unpublished,
renamed, deleted; topic and organization files added, edited and deleted) are applied
to small generated corpora; after each step the reloaded graph and report are compared
with a fresh load, field by field, index by index and in every order. Most reloads are
told which files changed, as the watcher tells them, and so do not walk the folder.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from random import Random
from typing import Any

import anyio
import pytest

from content_graph.app import create_app
from content_graph.app import reload as reload_served
from content_graph.settings import Settings
from graph import load
from graph.generate import generate_corpus
from graph.load import LoadResult
from graph.model import ContentGraph, WordIndex
from graph.reload import LoadedFiles, persist, reload
from tests.writing import dump, link, provider, record, snapshot, write_md, write_text, write_yaml

STEPS = 12


def canonical(result: LoadResult) -> dict[str, Any]:
    """Everything in a load that a fresh load of the same files fixes: every node's
    fields and links, each index and ordering, the edges in their order with their data,
    the stats and the report (less the load's time and how much came from a cache)."""
    graph, report = result.graph, result.report
    stats = graph.stats
    return {
        **snapshot(graph),
        "nodes": [(repr(node), data) for node, data in graph.graph.nodes(data=True)],
        "edge_order": [(repr(u), repr(v), d) for u, v, d in graph.graph.edges(data=True)],
        "by_url": [(url, article.index) for url, article in graph.by_url.items()],
        "by_domain": [(domain, node.index) for domain, node in graph.by_domain.items()],
        "by_slug": [(slug, node.index) for slug, node in graph.by_slug.items()],
        "indexes": [node.index for node in (*graph.providers, *graph.topics)],
        "title_words": words(graph.title_words),
        "excerpt_words": words(graph.excerpt_words),
        "stats": (
            stats.articles,
            stats.articles_with_record,
            stats.providers,
            stats.topics,
            stats.related_links,
            stats.files_loaded,
            stats.files_skipped,
            stats.version,
        ),
        "report": (
            report.data_dir,
            report.files_seen,
            report.files_loaded,
            report.files_skipped,
            report.files_ignored,
            report.taxonomy_loaded,
            report.unpublished,
            report.duplicates,
            report.problems,
        ),
    }


def words(index: WordIndex) -> tuple[tuple[str, ...], list[tuple[str, list[int]]]]:
    # By word: the postings are only ever looked up by word (the sorted vocabulary gives
    # the order), and a patched index (graph.build.WordSets) adds its new words last.
    return index.vocabulary, sorted((word, list(found)) for word, found in index.postings.items())


class Changes:
    """Random edits to a data folder, each file written with a newer modification time."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = Random(seed)
        self.clock = os.stat(root).st_mtime_ns
        self.created = 0
        # The files changed since the last `reported()`, relative and `/`-separated.
        self.changed: set[str] = set()

    def reported(self) -> set[str]:
        """The changed files' paths, as the watcher reports them; then starts anew."""
        changed, self.changed = self.changed, set()
        return changed

    def mark(self, path: Path) -> Path:
        self.changed.add(path.relative_to(self.root).as_posix())
        return path

    def records(self) -> list[str]:
        news = self.root / "_news"
        return sorted(path.name for path in news.iterdir()) if news.is_dir() else []

    def taxonomy(self, folder: str) -> list[str]:
        where = self.root / "_data" / folder
        return sorted(path.name for path in where.iterdir()) if where.is_dir() else []

    def urls(self) -> list[str]:
        return [f"https://site{n}.example/story-{n}" for n in range(self.created)] or [
            "https://site0.example/story-0"
        ]

    def touch(self, path: Path) -> None:
        # Same-size edits within one clock tick would keep the stamp; a real editor's
        # next save comes later. (The parse cache has the same rule.)
        self.mark(path)
        self.clock += 1_000_000_000
        os.utime(path, ns=(self.clock, self.clock))

    def new_record(self) -> dict[str, Any]:
        rng = self.rng
        self.created += 1
        url = rng.choice([*self.urls(), f"https://site{self.created}.example/story-new"])
        domain = url.split("/")[2]
        fields = record(
            url,
            rng.choice(["Ocean news", "Ocean tech robots", f"Story {rng.randrange(50)}"]),
            excerpt=rng.choice([None, "An excerpt about robots", "Another one"]),
            publishedDateTime=rng.choice(
                [None, "2020-01-01T00:00:00Z", f"2021-0{rng.randrange(1, 9)}-02T10:00:00Z"]
            ),
            provider=provider(domain, rng.choice([None, "Site", f"Site {domain}"])),
            topics=rng.sample(["Ocean Tech", "ocean tech", "Robots", "Climate", "AI"], 2),
            related=[link(rng.choice(self.urls())) for _ in range(rng.randrange(3))],
        )
        if rng.random() < 0.15:
            fields["published"] = False
        return {key: value for key, value in fields.items() if value is not None}

    def step(self) -> str:
        rng = self.rng
        names = self.records()
        action = rng.choice(
            ["create", "create", "edit", "edit", "break", "delete", "rename", "topic", "org"]
        )
        if action == "create" or not names:
            name = f"_news/new-{self.created}-{rng.randrange(1000)}.md"
            self.touch(write_md(self.root, name, self.new_record()))
        elif action == "edit":
            path = self.root / "_news" / rng.choice(names)
            text = path.read_text(encoding="utf-8")
            if rng.random() < 0.5 and "title:" in text:
                text = text.replace("title:", "title: Edited", 1).replace('Edited "', '"Edited ')
                path.write_text(text, encoding="utf-8")
            else:
                write_md(self.root, f"_news/{path.name}", self.new_record())
            self.touch(path)
        elif action == "break":
            path = write_text(self.root, f"_news/{rng.choice(names)}", "---\ntitle: [unclosed\n")
            self.touch(path)
        elif action == "delete":
            self.mark(self.root / "_news" / rng.choice(names)).unlink()
        elif action == "rename":
            old = self.mark(self.root / "_news" / rng.choice(names))
            # A new place in path order: which duplicate wins may change.
            old.rename(self.mark(self.root / "_news" / f"{rng.choice(['0', 'z'])}-{old.name}"))
        elif action == "topic":
            self.taxonomy_change("topics", self.topic_entry)
        else:
            self.taxonomy_change("organizations", self.organization_entry)
        return action

    def topic_entry(self) -> tuple[str, dict[str, Any]]:
        slug = self.rng.choice(["ocean-tech", "robots", "climate", "ai", "unused"])
        name = self.rng.choice(["Ocean Technology", "Robots!", "Climate", "A.I."])
        return slug, {"taxonomy": "topic", "_id": slug, "name": name, "keywords": [name.lower()]}

    def organization_entry(self) -> tuple[str, dict[str, Any]]:
        domain = self.rng.choice([url.split("/")[2] for url in self.urls()])
        name = self.rng.choice(["The Site", "Site Media", ""])
        return domain, {"taxonomy": "organization", "domain": domain, "name": name}

    def taxonomy_change(self, folder: str, entry: Any) -> None:
        existing = self.taxonomy(folder)
        if existing and self.rng.random() < 0.3:
            self.mark(self.root / "_data" / folder / self.rng.choice(existing)).unlink()
            return
        key, fields = entry()
        suffix = self.rng.choice([".yml", ".md"])
        relative = f"_data/{folder}/{key}{suffix}"
        if suffix == ".md":
            path = write_text(self.root, relative, f"---\n{dump(fields)}---\n")
        else:
            path = write_yaml(self.root, relative, fields)
        self.touch(path)


@pytest.mark.parametrize("seed", range(6))
def test_a_reload_serves_what_a_fresh_load_builds(tmp_path: Path, seed: int) -> None:
    data = tmp_path / "data"
    generate_corpus(data, records=60 + 20 * seed, seed=seed)
    cache = tmp_path / "cache"
    files = LoadedFiles(data, cache_dir=cache)
    if seed % 2:
        # As a server does: the first load (which writes the parse cache), then the kept
        # results from the parse cache.
        load(data, cache_dir=cache)
        files.prime()
    else:
        assert canonical(reload(files)) == canonical(load(data, use_cache=False))
    changes = Changes(data, seed)
    for step in range(STEPS):
        done = [changes.step() for _ in range(1 + step % 3)]
        # Every fourth reload walks the folder, as SIGHUP's does; the others are told.
        reported = None if step % 4 == 3 else changes.reported()
        reloaded = reload(files, reported)
        fresh = load(data, use_cache=False)
        assert canonical(reloaded) == canonical(fresh), (step, done, reported)
        # Only the changed files were read again.
        assert reloaded.report.cache_hits >= reloaded.report.files_seen - len(done)


def test_a_reload_reads_only_the_changed_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_md(data, "_news/a.md", record("https://a.example/a", "A", topics=["One"]))
    write_md(data, "_news/b.md", record("https://a.example/b", "B"))
    files = LoadedFiles(data, cache_dir=tmp_path / "cache")
    first = reload(files)
    assert first.report.cache_hits == 0
    write_md(data, "_news/c.md", record("https://a.example/c", "C", topics=["One"]))
    second = reload(files)
    assert (second.report.files_seen, second.report.cache_hits) == (3, 2)
    tagged = second.graph.by_slug["one"].articles
    assert [second.graph.articles[index].title for index in tagged] == ["A", "C"]


def test_an_edit_that_keeps_the_order_patches_the_word_indexes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    generate_corpus(data, records=40, seed=4)
    edited = "_news/zz-edited.md"
    fields = record("https://a.example/edited", "Quokka news", excerpt="About quokkas")
    write_md(data, edited, fields)
    files = LoadedFiles(data, cache_dir=tmp_path / "cache")
    first = reload(files).graph
    steps = [
        {**fields, "title": "Zebra news"},  # a word swapped for another, the order kept
        {**fields, "title": "Zebra news", "excerpt": None},  # a text gone
        {**fields, "title": "Quokka news"},  # back
    ]
    for step in steps:
        write_md(data, edited, {key: value for key, value in step.items() if value is not None})
        reloaded = reload(files, {edited})
        assert canonical(reloaded) == canonical(load(data, use_cache=False)), step
    # Patched: the postings of words no edit touched are the first build's own.
    untouched = reloaded.graph.title_words.postings
    assert sum(untouched[word] is first.title_words.postings[word] for word in untouched) > 1


def test_a_told_reload_stats_only_the_reported_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    generate_corpus(data, records=30, seed=4)
    files = LoadedFiles(data, cache_dir=tmp_path / "cache")
    reload(files)
    write_md(data, "_news/0-first.md", record("https://a.example/first", "First"))
    (data / "_news" / sorted(path.name for path in (data / "_news").iterdir())[-1]).unlink()

    def no_walk(root: Path) -> list[tuple[str, str]]:
        raise AssertionError("a reload told which files changed must not walk the folder")

    with monkeypatch.context() as patched:
        patched.setattr(sys.modules["graph.reload"], "discover", no_walk)
        changed = {"_news/0-first.md", f"_news/{_last_deleted(data, files)}"}
        told = reload(files, changed)
    assert canonical(told) == canonical(load(data, use_cache=False))
    assert told.graph.by_url["https://a.example/first"].title == "First"


def _last_deleted(data: Path, files: LoadedFiles) -> str:
    """The name of the record file the last reload saw and the folder no longer has."""
    assert files.found is not None
    gone = [path for path, _ in files.found if not (data / path).exists()]
    assert len(gone) == 1
    return gone[0].removeprefix("_news/")


@pytest.mark.parametrize(
    "made",
    [
        "_news/new-folder/a.md",  # in a folder the last walk found no file in
        "_news/new-folder",  # a folder moved in: its files are not reported
        "_data/topics",  # the taxonomy folder itself
    ],
)
def test_a_told_reload_walks_when_the_paths_cannot_say_it_all(tmp_path: Path, made: str) -> None:
    data = tmp_path / "data"
    generate_corpus(data, records=30, seed=5)
    files = LoadedFiles(data, cache_dir=tmp_path / "cache")
    reload(files)
    write_md(data, "_news/new-folder/a.md", record("https://a.example/moved-in", "Moved in"))
    reloaded = reload(files, {made})
    assert canonical(reloaded) == canonical(load(data, use_cache=False))
    assert "https://a.example/moved-in" in reloaded.graph.by_url


def test_persisted_caches_give_a_restart_the_reloaded_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    cache = tmp_path / "cache"
    generate_corpus(data, records=40, seed=3)
    load(data, cache_dir=cache)
    files = LoadedFiles(data, cache_dir=cache)
    files.prime()
    write_md(data, "_news/zz.md", record("https://a.example/new", "New", topics=["Robots"]))
    reloaded = reload(files)
    persist(files)
    assert files.unsaved is None

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("a restart after persist() must start from the snapshot")

    monkeypatch.setattr(sys.modules["graph.load"], "build_graph", no_build)
    restarted = load(data, cache_dir=cache)
    assert restarted.graph.version == reloaded.graph.version
    assert canonical(restarted) == canonical(reloaded)


def test_the_networkx_graph_is_made_once_on_first_use(tmp_path: Path) -> None:
    data = tmp_path / "data"
    generate_corpus(data, records=40, seed=2)
    graph = reload(LoadedFiles(data, cache_dir=tmp_path / "cache")).graph
    assert not graph.has_networkx  # a reload does not wait for it
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda _: graph.graph, range(8)))
    assert all(one is made[0] for one in made)
    assert graph.has_networkx
    assert made[0].number_of_nodes() == len(graph.articles) + len(graph.providers) + len(
        graph.topics
    )


def networkx_of(graph: ContentGraph) -> list[object]:
    return [
        [(repr(node), data) for node, data in graph.graph.nodes(data=True)],
        [(repr(u), repr(v), d) for u, v, d in graph.graph.edges(data=True)],
    ]


def test_a_served_graph_gets_its_networkx_graph_after_each_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTENT_GRAPH_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    generate_corpus(data, records=40, seed=2)
    app = create_app(Settings(data_dir=data, watch=True))

    async def served_after(*reload_args: Any) -> ContentGraph:
        await reload_served(app, *reload_args)
        graph = app.state.graph
        # Made in a thread of its own after the swap, without anyone asking for it.
        for thread in threading.enumerate():
            if thread.name == "networkx":
                thread.join()
        assert graph.has_networkx
        return graph

    try:
        started = anyio.run(served_after, "start")
        assert networkx_of(started) == networkx_of(load(data, use_cache=False).graph)
        write_md(data, "_news/zz.md", record("https://a.example/new", "New", topics=["Robots"]))
        reloaded = anyio.run(served_after, "watch", {"_news/zz.md"})
        assert networkx_of(reloaded) == networkx_of(load(data, use_cache=False).graph)
    finally:
        gc.unfreeze()  # a server's load froze everything alive, this test run included
