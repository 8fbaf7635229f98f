"""Loader benchmark: cold load, warm restart, memory per article, and how they scale.

    .venv/bin/python bench/load.py --records 100000

generates corpora with `graph.generate` (10k, 20k, 50k and 100k records by default, kept
under bench/out/ between runs) and measures, each in a fresh Python process so imports,
caches and allocator state never carry over from one measurement to the next:

- cold: `graph.load(dir, use_cache=False)` with the default number of workers, beside a
  plain one-core loop of PyYAML's CSafeLoader over the same files (read the file, take
  the front matter, load it): the baseline the issue compares against;
- first: the first load with the cache on (reads everything, writes both caches);
- warm: a restart over unchanged files (the graph comes from the snapshot);
- partial: a restart after touching 1% of the record files (those are read again);
- memory: peak RSS of the loading process, and its RSS once the load's temporaries are
  freed, per served article; at the largest size, where that memory goes.

Files are read once before any measurement, so every figure is with the corpus in the
OS page cache: these are CPU figures, not disk figures.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import dataclasses
import gc
import importlib
import inspect
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
SIZES = (10_000, 20_000, 50_000, 100_000)
TOUCHED_SHARE = 100  # one record file in this many is touched for the partial re-read
MB = 1024 * 1024


# -- corpora ---------------------------------------------------------------------------


def corpus(out: Path, records: int, seed: int) -> Path:
    """The generated corpus of `records` records, written on first use and kept after."""
    from graph.generate import generate_corpus

    folder = out / f"corpus-{records}-seed{seed}"
    # Hidden, so the loader never sees it; written last, so a cut-short run regenerates.
    done = folder / ".generated"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        summary = generate_corpus(folder, records=records, seed=seed)
        done.write_text(json.dumps(dataclasses.asdict(summary)) + "\n")
    return folder


def record_files(folder: Path) -> list[tuple[str, str]]:
    """The files the loader reads, as (relative path, kind), in its own order."""
    from graph.files import discover

    return [(path, str(kind)) for path, kind in discover(folder)]


def warm_page_cache(folder: Path) -> int:
    total = 0
    for path, _ in record_files(folder):
        total += len((folder / path).read_bytes())
    return total


def touch_share(folder: Path, share: int = TOUCHED_SHARE) -> int:
    """Give every `share`-th record file a new modification time; the count touched."""
    now = time.time_ns()
    records = [path for path, kind in record_files(folder) if kind == "record"]
    for path in records[::share]:
        os.utime(folder / path, ns=(now, now))
    return len(records[::share])


# -- the PyYAML baseline ---------------------------------------------------------------


def front_matter(text: str, markdown: bool) -> str | None:
    """The YAML a file holds: a Markdown file's `---` block, or a YAML file whole."""
    if not markdown:
        return text
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        return None
    lines = rest.split("\n")
    for number, line in enumerate(lines):
        if line.rstrip() == "---":
            return "\n".join(lines[:number])
    return None


PARSERS = ("csafe", "safe", "yaml-rs")


def parser_for(name: str) -> Callable[[str], Any]:
    """`csafe`: PyYAML's CSafeLoader (libyaml), the issue's baseline; `safe`: the
    pure-Python SafeLoader that `yaml.safe_load` uses; `yaml-rs`: the loader's parser."""
    import yaml

    if name == "yaml-rs":
        from graph.files import parse_yaml

        return parse_yaml
    loader = yaml.CSafeLoader if name == "csafe" else yaml.SafeLoader
    return lambda source: yaml.load(source, Loader=loader)


def parse_loop(folder: Path, files: Iterable[str], parser: str = "csafe") -> int:
    """Read each file, take its front matter and parse it, on this one core; the count."""
    parse = parser_for(parser)
    parsed = 0
    for path in files:
        text = (folder / path).read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
        source = front_matter(text, path.endswith((".md", ".markdown")))
        if source is not None and parse(source) is not None:
            parsed += 1
    return parsed


# -- memory ----------------------------------------------------------------------------


def rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def peak_rss(who: int = resource.RUSAGE_SELF) -> int:
    return resource.getrusage(who).ru_maxrss * 1024  # kilobytes on Linux


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (loader workers)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def malloc_trim() -> bool:
    """Hand the C allocator's free pages back to the OS (glibc only)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    libc.malloc_trim(0)
    return True


def pymalloc() -> dict[str, int]:
    """Python's small-object allocator: bytes in its arenas, in use and free.

    `sys._debugmallocstats` writes to the C stderr, so it is caught at the descriptor.
    """
    with tempfile.TemporaryFile() as capture:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        text = capture.read().decode()
    found: dict[str, int] = {}
    for key, value in re.findall(r"^(.*?)\s*=\s*([\d,]+)\s*$", text, re.MULTILINE):
        name = key.strip().lstrip("# ")
        if "unused pools" in name:
            name = "unused pools"
        found.setdefault(name, int(value.replace(",", "")))
    return {
        "arenas": found.get("Total", 0),
        "in_use": found.get("bytes in allocated blocks", 0),
        "free": found.get("bytes in available blocks", 0) + found.get("unused pools", 0),
    }


class Sizer:
    """Sums `sys.getsizeof` over objects not counted yet, so shared objects count once.

    Graph nodes are never walked into from a container: each category counts its own
    nodes explicitly, so a topic reached through an article's `topics` stays a topic's.
    """

    def __init__(self) -> None:
        from graph.model import Article, Provider, Topic

        self.nodes = (Article, Provider, Topic)
        self.seen: set[int] = set()

    def deep(self, roots: Iterable[Any]) -> tuple[int, int]:
        size = count = 0
        stack = list(roots)
        while stack:
            obj = stack.pop()
            if isinstance(obj, self.nodes) or id(obj) in self.seen:
                continue
            self.seen.add(id(obj))
            size += sys.getsizeof(obj)
            count += 1
            if isinstance(obj, dict):
                stack.extend(obj.keys())
                stack.extend(obj.values())
            elif isinstance(obj, tuple | list | set | frozenset):
                stack.extend(obj)
        return size, count

    def shallow(self, objects: Iterable[Any]) -> tuple[int, int]:
        size = count = 0
        for obj in objects:
            if id(obj) not in self.seen:
                self.seen.add(id(obj))
                size += sys.getsizeof(obj)
                count += 1
        return size, count


ARTICLE_TEXT = (
    "url",
    "title",
    "excerpt",
    "web_url",
    "original_url",
    "amp_web_url",
    "cdn_amp_web_url",
    "type",
    "category",
    "featured_content",
)


def memory_breakdown(content: Any) -> list[tuple[str, int, int]]:
    """(what, bytes, objects) for each part of a ContentGraph, every object counted once."""
    sizer = Sizer()
    articles = content.articles
    rows = [("Article objects (slots)", *sizer.shallow(articles))]
    for name in (*ARTICLE_TEXT, "published_at", "quality", "heat", "images"):
        rows.append((f"  Article.{name}", *sizer.deep(getattr(a, name) for a in articles)))
    rows.append(("  Article.topics + .related tuples", *sizer.deep(_links(articles))))
    rows.append(("  Article.related_from arrays", *sizer.deep(a.related_from for a in articles)))
    nodes = [*content.providers, *content.topics]
    size, count = sizer.shallow(nodes)
    more = sizer.deep(getattr(node, slot) for node in nodes for slot in _node_fields(node))
    rows.append(("Provider + Topic nodes and their lists", size + more[0], count + more[1]))
    lookups = (content.articles, content.by_url, content.by_domain, content.by_slug)
    rows.append(("articles tuple + by_url/by_domain/by_slug", *sizer.deep(lookups)))
    for name in ("title_words", "excerpt_words"):
        index = getattr(content, name)
        rows.append(
            (f"{name} (postings + vocabulary)", *sizer.deep([index.postings, index.vocabulary]))
        )
    graph = content.graph
    rows.append(("networkx: _node", *sizer.deep([graph._node])))
    rows.append(("networkx: _succ (out-edges)", *sizer.deep([graph._succ])))
    rows.append(("networkx: _pred (in-edges)", *sizer.deep([graph._pred])))
    rows.append(("networkx: graph dict", *sizer.deep([graph.graph, graph.__dict__])))
    return rows


def _links(articles: Iterable[Any]) -> Iterator[Any]:
    for article in articles:
        yield article.topics
        yield article.related


def _node_fields(node: Any) -> tuple[str, ...]:
    return tuple(slot for slot in type(node).__slots__ if slot != "index")


def duplicate_strings(content: Any) -> tuple[int, int]:
    """Bytes of every Article text value, and the bytes if equal values shared one object."""
    objects: dict[int, str] = {}
    for article in content.articles:
        for name in ARTICLE_TEXT:
            value = getattr(article, name)
            if value is not None:
                objects[id(value)] = value
    every = sum(sys.getsizeof(value) for value in objects.values())
    distinct = sum(sys.getsizeof(value) for value in set(objects.values()))
    return every, distinct


# -- one measurement, in its own process -----------------------------------------------


class Phases:
    """Wall time spent inside named loader functions, wrapped for this process only."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, owner: Any, name: str, label: str) -> None:
        inner = getattr(owner, name, None)
        if inner is None:
            return  # the loader changed shape: report the phases still there

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                spent = time.perf_counter() - started
                self.seconds[label] = self.seconds.get(label, 0.0) + spent

        setattr(owner, name, timed)


def measure(args: argparse.Namespace) -> dict:
    """One measurement (`args.child` names it), in this fresh process."""
    started_process = time.perf_counter()
    mode, folder = args.child, args.dir
    if mode in PARSERS:
        files = [path for path, _ in record_files(folder)]
        if mode == "safe" and args.sample < len(files):
            files = files[:: len(files) // args.sample][: args.sample]
        before, cpu = time.perf_counter(), cpu_seconds()
        parsed = parse_loop(folder, files, mode)
        return {
            "seconds": time.perf_counter() - before,
            "cpu_seconds": cpu_seconds() - cpu,
            "load_average": os.getloadavg()[0],
            "parsed": parsed,
            "files": len(files),
        }

    # The package re-exports the function `load` under the name of its module.
    loader = importlib.import_module("graph.load")
    cache = importlib.import_module("graph.cache")
    phases = Phases()
    phases.wrap(loader, "discover", "discover")
    phases.wrap(loader, "_read_all", "read files")
    phases.wrap(loader, "build_graph", "build")
    phases.wrap(cache, "_read", "unpickle caches")
    phases.wrap(cache, "_write", "pickle caches")
    imported = time.perf_counter()
    gc.collect()
    baseline = rss()
    arenas_before = pymalloc()

    load_average = os.getloadavg()[0]
    before, cpu = time.perf_counter(), cpu_seconds()
    if mode == "separate":
        result = loader.load(
            folder, workers=args.workers, cache_dir=args.cache, separate_process=True
        )
    else:
        result = loader.load(
            folder, workers=args.workers, use_cache=mode != "cold", cache_dir=args.cache
        )
    seconds = time.perf_counter() - before
    cpu = cpu_seconds() - cpu

    gc.collect()
    after = rss()
    arenas_after = pymalloc()
    trimmed = rss() if malloc_trim() else after
    stats, report = result.graph.stats, result.report
    measured = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "load_average": load_average,
        "code_version": cache.CODE_VERSION,
        "import_seconds": imported - started_process,
        "phases": phases.seconds,
        "files": report.files_seen,
        "cache_hits": report.cache_hits,
        "articles": stats.articles,
        "with_record": stats.articles_with_record,
        "providers": stats.providers,
        "topics": stats.topics,
        "related_links": stats.related_links,
        "rss_baseline": baseline,
        "rss_peak": peak_rss(),
        "rss_peak_children": peak_rss(resource.RUSAGE_CHILDREN),
        "rss_after": after,
        "rss_after_trim": trimmed,
        "pymalloc_before": arenas_before,
        "pymalloc_after": arenas_after,
    }
    if args.breakdown:
        measured["breakdown"] = memory_breakdown(result.graph)
        measured["text_bytes"] = duplicate_strings(result.graph)
    return measured


# -- the run ---------------------------------------------------------------------------


def run_child(
    args: argparse.Namespace, mode: str, folder: Path, *extra: str, cache: Path | None = None
) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode]
    command += ["--dir", str(folder), "--cache-dir", str(cache or args.cache_dir(folder))]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    started = time.perf_counter()
    done = subprocess.run([*command, *extra], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{mode} on {folder} failed:\n{done.stderr}")
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    measured["process_seconds"] = time.perf_counter() - started
    return measured


def best_of(repeat: int, measure_once: Callable[[], dict]) -> dict:
    return min((measure_once() for _ in range(repeat)), key=lambda m: m["seconds"])


def bench_size(args: argparse.Namespace, records: int, largest: bool) -> dict:
    from graph import load

    folder = corpus(args.out, records, args.seed)
    warm_page_cache(folder)
    row: dict[str, Any] = {"records": records, "folder": str(folder)}
    say(f"{records:,} records: cold load")
    extra = ("--breakdown",) if largest else ()
    row["cold"] = best_of(args.repeat, lambda: run_child(args, "cold", folder, *extra))
    say("  PyYAML CSafeLoader loop")
    row["csafe"] = best_of(args.repeat, lambda: run_child(args, "csafe", folder))
    if largest:
        say("  cold load on one worker")
        one = argparse.Namespace(**{**vars(args), "workers": 1})
        row["cold_one_worker"] = best_of(args.repeat, lambda: run_child(one, "cold", folder))
        say(f"  PyYAML SafeLoader loop over {args.sample:,} files")
        sample = ("--sample", str(args.sample))
        row["safe"] = best_of(args.repeat, lambda: run_child(args, "safe", folder, *sample))
        say("  yaml-rs loop (the loader's parser alone)")
        row["yaml-rs"] = best_of(args.repeat, lambda: run_child(args, "yaml-rs", folder))
        if "separate_process" in inspect.signature(load).parameters:
            say("  first load with the cache, built in a separate process")
            row["separate"] = best_of(args.repeat, lambda: separate_first_load(args, folder))
    say("  first load with the cache, then a warm restart")
    shutil.rmtree(args.cache_dir(folder), ignore_errors=True)
    row["first"] = run_child(args, "cached", folder)
    row["warm"] = best_of(args.repeat, lambda: run_child(args, "cached", folder))
    say(f"  a restart after touching 1 in {TOUCHED_SHARE} record files")
    row["touched"] = touch_share(folder)
    row["partial"] = run_child(args, "cached", folder)
    return row


def separate_first_load(args: argparse.Namespace, folder: Path) -> dict:
    cache = args.cache_dir(folder).with_name(f"{folder.name}-separate")
    shutil.rmtree(cache, ignore_errors=True)
    return run_child(args, "separate", folder, cache=cache)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the tables ------------------------------------------------------------------------


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table, the first column left-aligned and the others right-aligned."""
    rule = "|---|" + "---:|" * (len(header) - 1)
    return ["| " + " | ".join(header) + " |", rule] + ["| " + " | ".join(r) + " |" for r in rows]


def rate(m: dict) -> str:
    return f"{m['files'] / m['seconds']:,.0f}"


def kb(total: int, articles: int) -> str:
    return f"{total / articles / 1024:.2f}"


def mb(total: int) -> str:
    return f"{total / MB:,.0f}"


def phase_text(m: dict) -> str:
    phases = dict(m.get("phases", {}))
    if phases:
        phases["other"] = m["seconds"] - sum(phases.values())
    return ", ".join(f"{name} {seconds:.2f}" for name, seconds in phases.items()) or "-"


def render(results: list[dict], command: str, context: dict) -> str:
    big = results[-1]
    out = [f"# Loader benchmark ({big['records']:,} records)", "", "```", command, "```", ""]
    out += preamble(big, context)
    out += warnings(results)
    out += speed(big)
    out += memory(big)
    out += scaling(results)
    return "\n".join(out) + "\n"


def warnings(results: list[dict]) -> list[str]:
    """Say so when a figure does not measure what its row claims."""
    found = []
    versions = {
        m["code_version"]
        for r in results
        for m in r.values()
        if isinstance(m, dict) and "code_version" in m
    }
    if len(versions) > 1:
        found.append("graph/ changed during the run: later rows measure other code.")
    for result in results:
        if "build" in result["warm"]["phases"]:
            found.append(f"The warm restart at {result['records']:,} records rebuilt the graph.")
    return ["", *(f"**Warning: {text}**" for text in found)] if found else []


def preamble(big: dict, context: dict) -> list[str]:
    cold = big["cold"]
    return [
        f"Run {context['when']} at commit {context['commit']} on {context['cpus']} cores, "
        f"Python {context['python']}, "
        f"loader workers: {context['workers']}; load average before the run: "
        f"{context['load']}. Every figure comes from a fresh process. The corpus files "
        "were in the OS page cache (each read once before measuring; nothing is dropped "
        "from it), so these are CPU figures, not disk figures. Rates count the files the "
        f"loader reads ({cold['files']:,} at {big['records']:,} records: record files "
        f"plus taxonomy files). Times are the best of {context['repeat']}.",
        "",
        f"Served articles: {cold['articles']:,} ({cold['with_record']:,} with a record), "
        f"{cold['providers']:,} providers, {cold['topics']} topics, "
        f"{cold['related_links']:,} related links.",
    ]


LOOPS = {
    "csafe": "PyYAML CSafeLoader loop, one core",
    "safe": "PyYAML SafeLoader loop (`yaml.safe_load`), one core",
    "yaml-rs": "yaml-rs loop (the loader's parser), one core",
}


def speed(big: dict) -> list[str]:
    cold = big["cold"]
    rows = [["cold load, `use_cache=False`", *timing(cold)]]
    if "cold_one_worker" in big:
        rows.append(["cold load, one worker", *timing(big["cold_one_worker"])])
    for parser, label in LOOPS.items():
        if parser in big:
            m = big[parser]
            rows.append([f"{label}, {m['files']:,} files", *timing(m, "read, front matter, parse")])
    for label, key in (
        ("first load with the cache (writes it)", "first"),
        ("first load, `separate_process=True`", "separate"),
        ("warm restart, unchanged files", "warm"),
        (f"restart after touching {big['touched']:,} files", "partial"),
    ):
        if key in big:
            rows.append([label, *timing(big[key])])
    out = ["", "## Speed", ""]
    header = ["load", "seconds", "files/s", "CPU s", "CPU µs/file", "load avg", "phases (s)"]
    out += table(header, rows)
    out += [
        "",
        "CPU s counts the measuring process and its worker processes. The load average is "
        "the machine's (1 minute) when the row started: other work on the two cores "
        "slows the rows that need both.",
        "",
    ]
    for parser, label in LOOPS.items():
        if parser in big:
            m = big[parser]
            ratio = (m["seconds"] / m["files"]) / (cold["seconds"] / cold["files"])
            cpu = (m["cpu_seconds"] / m["files"]) / (cold["cpu_seconds"] / cold["files"])
            out.append(
                f"- Cold load against the {label}: **{ratio:.1f}x** the files per second, "
                f"using {1 / cpu:.2f}x its CPU time per file."
            )
    warm = big["warm"]
    out.append(
        f"- Warm restart: `load()` {warm['seconds']:.2f} s; the whole process "
        f"(interpreter start, imports, load) {warm['process_seconds']:.2f} s."
    )
    return out


def timing(m: dict, phases: str | None = None) -> list[str]:
    return [
        f"{m['seconds']:.2f}",
        rate(m),
        f"{m['cpu_seconds']:.2f}",
        f"{m['cpu_seconds'] / m['files'] * 1e6:.0f}",
        f"{m['load_average']:.2f}",
        phases or phase_text(m),
    ]


def memory(big: dict) -> list[str]:
    cold = big["cold"]
    articles = cold["articles"]
    processes = [("cold load", cold), ("first load with the cache", big["first"])]
    if "separate" in big:
        processes.append(("first load, `separate_process=True`", big["separate"]))
    processes.append(("warm restart", big["warm"]))
    rows = [
        [
            label,
            mb(m["rss_baseline"]),
            mb(m["rss_peak"]),
            mb(m["rss_after"]),
            mb(m["rss_after_trim"]),
            kb(m["rss_after"], articles),
            kb(m["rss_after"] - m["rss_baseline"], articles),
        ]
        for label, m in processes
    ]
    out = ["", "## Memory", ""]
    out += table(
        [
            "process",
            "RSS before load (MB)",
            "peak RSS (MB)",
            "RSS after, gc'd (MB)",
            "after malloc_trim (MB)",
            "KB/article",
            "KB/article above imports",
        ],
        rows,
    )
    out += [
        "",
        "KB/article divides the RSS by every served article (with and without a record). "
        "Peak RSS is `ru_maxrss` of the measuring process; its worker processes peaked "
        f"at {mb(cold['rss_peak_children'])} MB each at most (forked, so sharing the "
        "loader's pages at fork time). With `separate_process=True` the graph is built in "
        "a child process and this one loads the snapshot that child leaves in the cache.",
        "",
        "RSS growth during the load, by allocator (after `gc.collect()`):",
        "",
    ]
    rows = []
    for label, m in processes:
        before, after = m["pymalloc_before"], m["pymalloc_after"]
        grown = m["rss_after"] - m["rss_baseline"]
        arenas = after["arenas"] - before["arenas"]
        rows.append(
            [
                label,
                mb(grown),
                mb(arenas),
                mb(after["in_use"] - before["in_use"]),
                mb(after["free"] - before["free"]),
                mb(grown - arenas),
            ]
        )
    out += table(
        [
            "process",
            "RSS grown (MB)",
            "pymalloc arenas (MB)",
            "live objects in them (MB)",
            "free inside arenas (MB)",
            "outside pymalloc (MB)",
        ],
        rows,
    )
    out += [
        "",
        "pymalloc serves objects up to 512 bytes. Its free space is what freed load "
        "temporaries leave in arenas that still hold a live object, so the OS never gets "
        "it back. Outside pymalloc is C malloc: larger objects (big dicts, tuples, "
        "arrays, long strings) and malloc's free lists.",
    ]
    if "breakdown" in cold:
        out += breakdown(cold)
    return out


def breakdown(cold: dict) -> list[str]:
    articles = cold["articles"]
    total = sum(size for _, size, _ in cold["breakdown"])
    rows = [
        [
            what.replace("  ", "&nbsp;&nbsp;"),
            f"{size / MB:.1f}",
            f"{size / articles:.0f}",
            f"{count:,}",
        ]
        for what, size, count in cold["breakdown"]
    ]
    rows.append(["**total**", f"{total / MB:.1f}", f"{total / articles:.0f}", ""])
    every, distinct = cold["text_bytes"]
    out = ["", "### Where the graph's memory goes", ""]
    out += [
        "`sys.getsizeof` over the loaded ContentGraph, each object counted once, in the "
        "first part that reaches it (an article's URL string is the article's, not "
        "`by_url`'s):",
        "",
    ]
    out += table(["part", "MB", "bytes/article", "objects"], rows)
    out += [
        "",
        f"Live graph objects: {total / MB:.0f} MB ({total / articles / 1024:.2f} KB/article), "
        f"against {mb(cold['rss_after'] - cold['rss_baseline'])} MB of RSS growth in the "
        f"cold load. Article text fields hold {every / MB:.1f} MB of strings; with equal "
        f"values sharing one object they would hold {distinct / MB:.1f} MB.",
    ]
    return out


def scaling(results: list[dict]) -> list[str]:
    rows = []
    for result in results:
        cold, warm, csafe = result["cold"], result["warm"], result["csafe"]
        articles = cold["articles"]
        rows.append(
            [
                f"{result['records']:,}",
                f"{articles:,}",
                f"{cold['seconds']:.2f}",
                f"{cold['seconds'] / cold['files'] * 1e6:.0f}",
                f"{cold['cpu_seconds'] / cold['files'] * 1e6:.0f}",
                f"{csafe['seconds'] / cold['seconds']:.1f}x",
                f"{warm['seconds']:.2f}",
                f"{warm['seconds'] / warm['files'] * 1e6:.1f}",
                mb(cold["rss_peak"]),
                kb(cold["rss_after"], articles),
                kb(cold["rss_after"] - cold["rss_baseline"], articles),
                kb(warm["rss_after"], articles),
                kb(warm["rss_after"] - warm["rss_baseline"], articles),
            ]
        )
    out = ["", "## Scaling", ""]
    out += table(
        [
            "records",
            "articles",
            "cold s",
            "cold µs/file",
            "cold CPU µs/file",
            "vs CSafeLoader",
            "warm s",
            "warm µs/file",
            "cold peak RSS MB",
            "cold KB/article",
            "above imports",
            "warm KB/article",
            "above imports",
        ],
        rows,
    )
    out += [
        "",
        "Linear growth shows as flat per-file and per-article columns. Absolute KB/article "
        "falls with size because the interpreter and imports are a fixed cost; the "
        '"above imports" columns take them out.',
    ]
    return out


# -- command line ----------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=SIZES[-1], help="the largest corpus")
    parser.add_argument(
        "--sizes",
        help="comma-separated corpus sizes (default: 10k, 20k, 50k, 100k up to --records)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, help="loader workers (default: the loader's)")
    parser.add_argument("--repeat", type=int, default=1, help="take the best of this many")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="corpora and caches")
    parser.add_argument("--report", type=Path, help="also write the tables to this file")
    parser.add_argument("--json", type=Path, help="also write every measurement as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", dest="cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--breakdown", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sample",
        type=int,
        default=5_000,
        help="files the pure-Python SafeLoader loop parses (spread over the corpus)",
    )
    args = parser.parse_args(argv)
    args.cache_dir = lambda folder: args.out / "cache" / folder.name
    return args


def git_commit() -> str:
    """The commit measured, marked when graph/ differs from it."""

    def git(*words: str) -> str:
        done = subprocess.run(["git", *words], capture_output=True, text=True, cwd=BENCH)
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return f"{commit} (graph/ modified)" if git("status", "--porcelain", "graph") else commit


def sizes(args: argparse.Namespace) -> list[int]:
    if args.sizes:
        return sorted({int(size) for size in args.sizes.split(",")})
    return sorted({size for size in SIZES if size < args.records} | {args.records})


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child:
        measured = measure(args)
        print(json.dumps(measured))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    shown = " ".join(sys.argv[1:]) if argv is None else " ".join(argv)
    command = f".venv/bin/python bench/load.py {shown}".rstrip()
    context = {
        "when": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "workers": args.workers or f"default ({os.cpu_count()})",
        "load": " ".join(f"{value:.2f}" for value in os.getloadavg()),
        "repeat": args.repeat,
        "commit": git_commit(),
    }
    chosen = sizes(args)
    results = [bench_size(args, n, n == chosen[-1]) for n in chosen]
    text = render(results, command, context)
    print(text, end="")
    if args.report:
        args.report.write_text(text)
    if args.json:
        args.json.write_text(json.dumps({"context": context, "results": results}, indent=1))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
