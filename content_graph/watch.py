"""`serve --watch`: reload the data folder when one of its record or taxonomy files changes.

The operating system reports changes (inotify on Linux, through `watchfiles`); a burst of
them (an editor's save, a `git pull`) is gathered until it has been quiet for `STEP_MS`,
or for at most `MAX_HOLD_MS`, then one reload runs. Changes that arrive during a reload
are kept and cause the next one, so the last change always gets loaded. Each reload is
told which files the burst changed, so that it stats only those (graph/reload.py); a
burst that moved a folder, or anything else a file list cannot say, is reported as None:
the reload then walks the whole folder.

Which paths count is `graph.files.file_kind`, the rule the loader itself walks by, so an
editor's swap, backup and probe files never cause a reload. Besides files, a folder that
appears or disappears counts, since a `mv` of a whole folder reports only the folder.
If the data folder itself goes away, the watcher says so (the reload fails and keeps the
last good graph), waits for it to come back, and reloads then.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio
from watchfiles import Change, awatch

from graph.files import file_kind, searched_folder

logger = logging.getLogger("content_graph")

# A save is a few writes within milliseconds; 100 ms of quiet ends the burst, well inside
# the 2 s the issue allows from a write to a visible change at 1k records.
STEP_MS = 100
# A long stream of changes (a checkout of thousands of files) is cut into a reload every
# this often, so the data served never falls far behind.
MAX_HOLD_MS = 1_600
# How often the watcher checks that the data folder is still the one it watches (a
# folder renamed away reports nothing), and looks for a vanished one to come back.
CHECK_SECONDS = 1.0

# Called with the changed files' paths (relative, `/`-separated), or None: unknown.
OnChange = Callable[[set[str] | None], Awaitable[None]]


class RecordChanges:
    """A `watchfiles` filter: True for a change the loader would see."""

    def __init__(self, data_dir: Path) -> None:
        self.root = os.path.abspath(data_dir)
        # Folders that may hold records, so that a folder moved away, which reports
        # only its own name, is known to have been one.
        self.folders = _folders(self.root)

    def __call__(self, change: Change, path: str) -> bool:
        relative = os.path.relpath(path, self.root)
        if relative == ".":
            return True  # the data folder itself was removed or replaced
        if relative.startswith(".."):
            return False
        relative = relative.replace(os.sep, "/")
        if file_kind(relative) is not None:
            return True
        if change == Change.deleted:
            return relative in self.folders
        if change == Change.added and os.path.isdir(path) and searched_folder(relative):
            # A folder moved in reports only itself, not the files inside it. (A folder
            # "modified" is a change of its own attributes: nothing the loader reads.)
            self.folders.add(relative)
            return True
        return False


async def watch(data_dir: Path, on_change: OnChange) -> None:
    """Await `on_change(paths)` after each burst of changes under `data_dir`, until
    cancelled."""
    while True:
        identity = _identity(data_dir)
        if identity is None:
            logger.warning("Watching %s: the folder is gone; waiting for it", data_dir)
            while identity is None:
                await anyio.sleep(CHECK_SECONDS)
                identity = _identity(data_dir)
            logger.info("Watching %s: the folder is back", data_dir)
            await on_change(None)
            continue
        root = os.path.abspath(data_dir)
        changes = awatch(
            data_dir,
            watch_filter=RecordChanges(data_dir),
            step=STEP_MS,
            debounce=MAX_HOLD_MS,
            rust_timeout=int(CHECK_SECONDS * 1000),
            yield_on_timeout=True,
            ignore_permission_denied=True,
        )
        try:
            async for batch in changes:
                replaced = _identity(data_dir) != identity
                if batch or replaced:
                    await on_change(None if replaced else changed_files(root, batch))
                if replaced:
                    # The old folder's watch sees nothing of the new one: start again.
                    break
        except OSError:
            if _identity(data_dir) is not None:
                raise
            # Gone before its watch was set up: the reload says so, then the loop waits.
            await on_change(None)


def changed_files(root: str, batch: set[tuple[Change, str]]) -> set[str] | None:
    """The record and taxonomy files a burst changed, relative to `root`; None when it
    changed something else too (a folder added, moved or removed, or the root itself),
    whose files only a walk finds."""
    paths = set()
    for _, path in batch:
        relative = os.path.relpath(path, root).replace(os.sep, "/")
        if file_kind(relative) is None:
            return None
        paths.add(relative)
    return paths


def _identity(data_dir: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(data_dir)
    except OSError:
        return None
    if not os.path.isdir(data_dir):
        return None
    return (info.st_dev, info.st_ino)


def _folders(root: str) -> set[str]:
    found: set[str] = set()
    for folder, subfolders, _ in os.walk(root):
        relative = os.path.relpath(folder, root).replace(os.sep, "/")
        kept = []
        for name in subfolders:
            child = name if relative == "." else f"{relative}/{name}"
            if searched_folder(child):
                found.add(child)
                kept.append(name)
        subfolders[:] = kept  # os.walk descends only into the folders kept here
    return found
