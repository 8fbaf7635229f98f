"""The watcher of `serve --watch` and the loader apply one rule to file names.

Real files on disk: whatever `discover` loads is exactly what the watcher's filter lets
through, editors' side files included, and a folder moved away counts when it held
records.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from watchfiles import Change

from content_graph.watch import RecordChanges
from graph.files import discover, file_kind
from tests.writing import record, write_md, write_text, write_yaml

# What editors leave beside the file they save: vim's swap, backup and probe files,
# emacs' lock and autosave files, JetBrains' safe-write copies, gedit's and others'
# temporary files.
EDITOR_FILES = [
    "_news/.story.md.swp",
    "_news/.story.md.swx",
    "_news/story.md~",
    "_news/4913",
    "_news/.#story.md",
    "_news/#story.md#",
    "_news/story.md.tmp",
    "_news/story.md___jb_tmp___",
    "_news/story.md___jb_old___",
    "_news/.goutputstream-ABC123",
    "_news/story.md.orig",
    "_data/topics/ai.yaml~",
    "_data/topics/.ai.yaml.swp",
]
READ = {
    "_news/story.md": "record",
    "_news/2024/deep.markdown": "record",
    "top.yml": "record",
    "_data/organizations/acme.yaml": "organization",
    "_data/organizations/nested/beta.md": "organization",
    "_data/topics/ai.yaml": "topic",
}
NOT_READ = [
    *EDITOR_FILES,
    ".hidden/story.md",
    "_news/.drafts/story.md",
    "_data/other/x.yaml",
    "_data/loose.yaml",
    "_news/picture.jpg",
    "_news/notes.txt",
]


@pytest.mark.parametrize(("path", "kind"), READ.items())
def test_file_kind_reads_records_and_taxonomy(path: str, kind: str) -> None:
    assert file_kind(path) == kind


@pytest.mark.parametrize("path", NOT_READ)
def test_file_kind_ignores_editor_files_hidden_and_other_names(path: str) -> None:
    assert file_kind(path) is None


def test_the_watcher_lets_through_exactly_what_discover_loads(tmp_path: Path) -> None:
    for number, path in enumerate([*READ, *NOT_READ]):
        # Every file holds a valid record, so only its name decides.
        write_md(tmp_path, path, record(f"https://example.com/{number}"))
    loaded = {path for path, _ in discover(tmp_path)}
    assert loaded == set(READ)

    changes = RecordChanges(tmp_path)
    for change in (Change.added, Change.modified, Change.deleted):
        passed = {
            path for path in [*READ, *NOT_READ] if changes(change, os.path.join(tmp_path, path))
        }
        assert passed == loaded, change


def test_folders_count_when_they_may_hold_records(tmp_path: Path) -> None:
    write_md(tmp_path, "_news/2024/a.md", record("https://example.com/a"))
    write_yaml(tmp_path, "_data/topics/ai.yaml", {"taxonomy": "topic", "name": "AI"})
    write_text(tmp_path, ".git/objects/x", "x")
    write_text(tmp_path, "_data/other/y.txt", "x")
    changes = RecordChanges(tmp_path)
    # A folder moved away reports only its own name: known folders count...
    for folder in ("_news", "_news/2024", "_data", "_data/topics"):
        assert changes(Change.deleted, str(tmp_path / folder)), folder
    # ...folders the loader never reads do not...
    for folder in (".git", ".git/objects", "_data/other"):
        assert not changes(Change.deleted, str(tmp_path / folder)), folder
    # ...nor does a removed file without a record suffix (vim's probe), which cannot
    # have been a known folder.
    assert not changes(Change.deleted, str(tmp_path / "_news/4913"))
    # A folder moved in counts, and is known from then on; a folder's own attributes
    # changing (a chmod) does not.
    (tmp_path / "_news/2025").mkdir()
    assert not changes(Change.modified, str(tmp_path / "_news"))
    assert changes(Change.added, str(tmp_path / "_news/2025"))
    (tmp_path / "_news/2025").rmdir()
    assert changes(Change.deleted, str(tmp_path / "_news/2025"))
    # The data folder itself, removed or replaced.
    assert changes(Change.deleted, str(tmp_path))
    # Paths outside it never count.
    assert not changes(Change.added, str(tmp_path.parent / "elsewhere.md"))
