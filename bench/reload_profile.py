"""Where one `--watch` reload's time goes: a profile of `graph.reload.reload` in-process.

    .venv/bin/python -m bench.reload_profile [--records 100000] [--top 25]

Loads the corpus `bench/run.py` generates (bench/out/corpus-N, caches in
bench/out/reload-cache as bench/reload.py uses them), fills the kept results as a
`--watch` server does, writes one new record file, then reloads under cProfile, once
with the changed path reported (as the watcher does) and once without (as SIGHUP does).
Prints each reload's wall and CPU seconds and the functions with the most cumulative
time. The record file is removed at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import time

from bench import run
from bench.reload import CACHE, _record
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
    path = data / "_news" / "zz-bench-profile.md"
    try:
        for number, hinted in enumerate((True, False)):
            path.write_text(_record(f"https://bench-profile.example/{number}", "Profiled"))
            changed = {path.relative_to(data).as_posix()} if hinted else None
            profile = cProfile.Profile()
            wall, cpu = time.perf_counter(), time.process_time()
            profile.enable()
            result = reload(files, changed)
            profile.disable()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            how = "changed path reported" if hinted else "full walk"
            print(f"\n## reload, {how}: {wall:.2f} s wall, {cpu:.2f} s CPU")
            print(f"load average {os.getloadavg()[0]:.1f}")
            stats = pstats.Stats(profile)
            stats.sort_stats("cumulative").print_stats(options.top)
            served = result.graph
    finally:
        path.unlink(missing_ok=True)
    del served


if __name__ == "__main__":
    main()
