"""`content-graph check`, run as the installed command: exit codes, summary, problems, JSON."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.writing import CORPUS, link, provider, record, write_md, write_text

COMMAND = Path(sys.executable).parent / "content-graph"


def check(*arguments: str | Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONTENT_GRAPH_CACHE": str(cache)}
    env.pop("CONTENT_GRAPH_DATA", None)
    done = subprocess.run(
        [str(COMMAND), "check", *map(str, arguments)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    # Whatever happened, a person sees a message, never a stack trace.
    assert "Traceback" not in done.stderr + done.stdout
    return done


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    root = tmp_path / "clean"
    write_md(
        root,
        "_news/a.md",
        record(
            "https://a.com/1",
            provider=provider("a.com", "A"),
            topics=["AI", "Robots"],
            related=[link("https://b.com/x", provider=provider("b.com"))],
        ),
    )
    write_md(root, "_news/b.md", record("https://a.com/2", topics=["AI"]))
    write_md(root, "_news/c.md", record("https://a.com/3", published=False))
    return root


@pytest.fixture
def broken(clean: Path) -> Path:
    write_md(clean, "_news/d.md", "title: Bad\nwebUrl: https://a.com/4\nkey: value: other\n")
    write_md(clean, "_news/e.md", record("https://a.com/5", quality="high"))
    write_md(clean, "_news/f.md", record("https://a.com/2", "duplicate of b.md"))
    write_text(clean, "_news/g.md", "---\ntitle: never closed\n")
    return clean


def numbers_before(text: str, word: str) -> int:
    """The number written just before `word` in `text` (3 in '3 articles', 1 in '1 article')."""
    singular = word.removesuffix("s")
    match = re.search(rf"([\d,]+) (?:{word}|{singular})\b", text)
    assert match, f"no count of {word!r} in {text!r}"
    return int(match.group(1).replace(",", ""))


def test_a_clean_folder_exits_0_with_a_summary(clean: Path, tmp_path: Path) -> None:
    done = check(clean, cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1
    summary = lines[0]
    # 2 published records, 1 related-only article; 2 providers; 2 topics.
    assert numbers_before(summary, "articles") == 3
    assert numbers_before(summary, "providers") == 2
    assert numbers_before(summary, "topics") == 2
    assert numbers_before(summary, "unpublished") == 1
    assert numbers_before(summary, "files skipped") == 0
    assert str(clean) in summary


def test_skipped_files_exit_1_with_one_line_per_problem(broken: Path, tmp_path: Path) -> None:
    done = check(broken, cache=tmp_path / "cache")
    assert done.returncode == 1
    summary, *problems = done.stdout.splitlines()
    assert numbers_before(summary, "files skipped") == 2
    assert numbers_before(summary, "duplicates") == 1
    errors = [line for line in problems if line.startswith("error")]
    warnings = [line for line in problems if line.startswith("warning")]
    assert len(errors) == 2 and len(warnings) == 2, problems
    assert any("_news/d.md:4:" in line for line in errors), errors
    assert any("_news/g.md" in line for line in errors), errors
    assert any("_news/e.md" in line and "quality" in line for line in warnings), warnings
    assert any("_news/f.md" in line or "_news/b.md" in line for line in warnings), warnings


def test_errors_only_lists_skipped_files(broken: Path, tmp_path: Path) -> None:
    done = check("--errors-only", broken, cache=tmp_path / "cache")
    assert done.returncode == 1
    _, *problems = done.stdout.splitlines()
    assert all(line.startswith("error") for line in problems), problems
    assert len(problems) == 2


def test_json_report(broken: Path, tmp_path: Path) -> None:
    done = check("--json", broken, cache=tmp_path / "cache")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    expected = {
        "articles": 4,  # a.com/1, a.com/2, a.com/5 and the related-only b.com/x
        "articlesWithRecord": 3,
        "providers": 2,
        "topics": 2,
        "relatedLinks": 1,
        "filesLoaded": 5,  # a, b, c (unpublished), e, f
        "filesSkipped": 2,
        "unpublished": 1,
        "duplicates": 1,
    }
    assert {key: report[key] for key in expected} == expected
    assert sorted(report["skippedFiles"]) == ["_news/d.md", "_news/g.md"]
    problems = {(p["path"], p["level"]) for p in report["problems"]}
    assert {("_news/d.md", "error"), ("_news/g.md", "error"), ("_news/e.md", "warning")} <= problems
    for problem in report["problems"]:
        assert set(problem) >= {"path", "line", "level", "reason"}
        assert problem["reason"]
    (bad_yaml,) = [p for p in report["problems"] if p["path"] == "_news/d.md"]
    assert bad_yaml["line"] == 4


def test_json_of_a_clean_folder_exits_0(clean: Path, tmp_path: Path) -> None:
    done = check("--json", "--no-cache", clean, cache=tmp_path / "cache")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert (report["filesSkipped"], report["skippedFiles"], report["problems"]) == (0, [], [])


@pytest.mark.parametrize("argument", ["missing-folder", "a-file.md"])
def test_a_data_dir_that_is_not_a_folder_exits_2(tmp_path: Path, argument: str) -> None:
    write_md(tmp_path, "a-file.md", record("https://a.com/1"))
    done = check(tmp_path / argument, cache=tmp_path / "cache")
    assert done.returncode == 2
    assert argument in done.stderr
    assert done.stdout == ""


def test_an_unknown_option_exits_2(clean: Path, tmp_path: Path) -> None:
    done = check("--no-such-option", clean, cache=tmp_path / "cache")
    assert done.returncode == 2
    assert "--no-such-option" in done.stderr


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (the shared corpus)")
@pytest.mark.parametrize("folder", ["seed", "power-apps", "ai-news"])
def test_json_of_the_corpus_matches_expected(folder: str, tmp_path: Path) -> None:
    expected = json.loads((CORPUS / "EXPECTED.json").read_text())[folder]
    done = check("--json", CORPUS / folder, cache=tmp_path / "cache")
    assert done.returncode == (1 if expected["filesSkipped"] else 0)
    report = json.loads(done.stdout)
    assert {key: report[key] for key in expected if key != "skippedFiles"} == {
        key: value for key, value in expected.items() if key != "skippedFiles"
    }
    assert sorted(report["skippedFiles"]) == sorted(expected["skippedFiles"])


REPO = Path(__file__).resolve().parents[1]


def record_files_in(folder: Path) -> int:
    """Record files of a folder, counted by the SEMANTICS rule (front matter on line 1)."""
    return sum(
        1
        for path in (folder / "_news").rglob("*.md")
        if path.read_bytes().lstrip(b"\xef\xbb\xbf").startswith(b"---")
    )


def test_without_data_dir_it_checks_the_repository_data(tmp_path: Path) -> None:
    env = {**os.environ, "CONTENT_GRAPH_CACHE": str(tmp_path / "cache")}
    env.pop("CONTENT_GRAPH_DATA", None)
    done = subprocess.run(
        [str(COMMAND), "check", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert Path(report["dataDir"]).resolve() == (REPO / "data").resolve()
    assert report["filesLoaded"] + report["filesSkipped"] == record_files_in(REPO / "data")


def test_the_data_dir_can_come_from_the_environment(clean: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "CONTENT_GRAPH_CACHE": str(tmp_path / "cache"),
        "CONTENT_GRAPH_DATA": str(clean),
    }
    done = subprocess.run(
        [str(COMMAND), "check", "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["filesLoaded"] == 3
