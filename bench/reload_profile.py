"""Where one `--watch` reload's time goes: a profile of `graph.reload.reload` in-process.

    .venv/bin/python -m bench.reload_profile [--records 100000] [--top 25]

Loads the corpus `bench/run.py` generates (bench/out/corpus-N, caches in
bench/out/reload-cache as bench/reload.py uses them), fills the kept results as a
`--watch` server does, then reloads under cProfile four times, as the server does
(`build_frozen`): a record created (the first reload after the start), another created,
its title edited (the changed path reported each time, as the watcher does), and its
title edited again with a full walk (as SIGHUP does). Prints each reload's wall and CPU
seconds and the functions with the most cumulative time. The record files are removed
at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import time
from functools import partial

from bench import run
from bench.reload import CACHE, _record
from content_graph.collector import build_frozen
from graph.load import load
from graph.reload import LoadedFiles, reload


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--top", type=int, default=25)
    options = parser.parse_args(argv)
    os.environ["CONTENT_GRAPH_CACHE"] = str(CACHE)
    data = run.corpus(options.records)
    served = load(data, cache_dir=CACHE).graph
    gc.freeze()  # as the server does after its load (content_graph/collector.py)
    files = LoadedFiles(data, cache_dir=CACHE)
    files.prime()
    news = data / "_news"
    created, edited = news / "zz-bench-profile-0.md", news / "zz-bench-profile-1.md"
    # As the watcher reports them; the first reload after the start walks the folder
    # anyway (no file list yet) and makes the word sets.
    steps = [
        ("the first after the start, a record created", created, "Profiled", True),
        ("a record created, its path reported", edited, "Profiled", True),
        ("its title edited, its path reported", edited, "Profiled again", True),
        ("its title edited, full walk (SIGHUP)", edited, "Profiled once more", False),
    ]
    try:
        for number, (what, path, title, hinted) in enumerate(steps):
            path.write_text(_record(f"https://bench-profile.example/{path.stem}", title))
            changed = {path.relative_to(data).as_posix()} if hinted else None
            profile = cProfile.Profile()
            wall, cpu = time.perf_counter(), time.process_time()
            profile.enable()
            # As the server runs it: the collector paused, the new graph frozen.
            result = build_frozen(partial(reload, files, changed))
            profile.disable()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            print(f"\n## reload {number + 1}, {what}: {wall:.2f} s wall, {cpu:.2f} s CPU")
            print(f"load average {os.getloadavg()[0]:.1f}")
            stats = pstats.Stats(profile)
            stats.sort_stats("cumulative").print_stats(options.top)
            served = result.graph
    finally:
        created.unlink(missing_ok=True)
        edited.unlink(missing_ok=True)
    del served


if __name__ == "__main__":
    main()
