"""The loader benchmark's parts, on a tiny generated corpus: it measures what it says.

No timing is asserted: only that the benchmark parses, touches, counts and reports the
files and objects it claims to.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from graph import load
from graph.generate import generate_corpus

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "bench" / "load.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_load", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bench") / "corpus"
    generate_corpus(folder, records=250, seed=3)
    return folder


def files_on_disk(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in {".md", ".yaml"})


def test_front_matter_is_the_block_between_the_markers(bench: ModuleType) -> None:
    assert bench.front_matter("---\na: 1\nb: 2\n---\n# body\n---\n", True) == "a: 1\nb: 2"
    assert bench.front_matter("# a page, no front matter\n", True) is None
    assert bench.front_matter("---\na: 1\n", True) is None
    assert bench.front_matter("name: x\n", False) == "name: x\n"


@pytest.mark.parametrize("parser", ["csafe", "safe", "yaml-rs"])
def test_each_parse_loop_parses_every_file(
    bench: ModuleType, small_corpus: Path, parser: str
) -> None:
    on_disk = files_on_disk(small_corpus)
    names = [str(path.relative_to(small_corpus)) for path in on_disk]
    assert bench.parse_loop(small_corpus, names, parser) == len(on_disk)


def test_touching_one_percent_makes_the_loader_read_those_again(
    bench: ModuleType, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    generate_corpus(folder, records=300, seed=1)
    cache = tmp_path / "cache"
    load(folder, cache_dir=cache)
    before = {path: path.stat().st_mtime_ns for path in files_on_disk(folder)}
    touched = bench.touch_share(folder, 100)
    changed = [path for path in before if path.stat().st_mtime_ns != before[path]]
    assert touched == len(changed) == 3  # record files 0, 100 and 200 of 300
    assert all(path.parent.name == "_news" for path in changed)
    assert load(folder, cache_dir=cache).report.cache_hits == len(before) - touched


def test_the_sizer_counts_a_shared_object_once(bench: ModuleType) -> None:
    shared = "x" * 1000
    sizer = bench.Sizer()
    size, count = sizer.deep([(shared, shared), [shared]])
    assert count == 3  # the tuple, the list and the string, which both hold
    assert size == sys.getsizeof((shared, shared)) + sys.getsizeof([shared]) + sys.getsizeof(shared)
    assert sizer.deep([shared]) == (0, 0)


def test_the_breakdown_counts_every_article_once(bench: ModuleType, small_corpus: Path) -> None:
    graph = load(small_corpus, use_cache=False).graph
    rows = {what.strip(): (size, count) for what, size, count in bench.memory_breakdown(graph)}
    articles = len(graph.articles)
    assert rows["Article objects (slots)"][1] == articles
    # Every article has its own URL string; the by_url keys are those same strings.
    assert rows["Article.url"][1] == articles
    assert rows["Article.title"][1] > 0
    assert all(size >= 0 for size, _ in rows.values())


def test_the_command_reports_what_it_loaded(small_corpus: Path, tmp_path: Path) -> None:
    out, report, results = tmp_path / "out", tmp_path / "LOAD.md", tmp_path / "load.json"
    command = [sys.executable, str(SCRIPT), "--sizes", "200", "--sample", "40", "--seed", "2"]
    command += ["--out", str(out), "--report", str(report), "--json", str(results)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO)
    assert done.returncode == 0, done.stderr
    (row,) = json.loads(results.read_text())["results"]
    files = len(files_on_disk(Path(row["folder"])))
    assert row["cold"]["files"] == row["csafe"]["files"] == files
    assert row["safe"]["files"] == 40
    assert row["yaml-rs"]["files"] == files
    assert row["first"]["cache_hits"] == 0
    assert row["warm"]["cache_hits"] == files
    assert row["partial"]["cache_hits"] == files - row["touched"] > 0
    assert row["separate"]["articles"] == row["cold"]["articles"] == row["warm"]["articles"]
    text = report.read_text()
    assert text == done.stdout
    assert "bench/load.py --sizes 200 --sample 40 --seed 2" in text
    assert f"{row['cold']['articles']:,}" in text
