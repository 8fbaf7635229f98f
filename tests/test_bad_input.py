"""SEMANTICS.md "Errors" for files: every bad file is skipped and reported with its path,
its line where known and a reason a person can act on; every valid neighbour still loads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph import LoadResult, Problem, load
from tests.writing import link, record, write_bytes, write_md, write_text, write_yaml

NEIGHBOUR = "https://good.com/neighbour"


def load_with_neighbour(root: Path) -> LoadResult:
    """Load `root` after adding a valid record beside the bad files, and check it loaded."""
    write_md(root, "_news/zz-neighbour.md", record(NEIGHBOUR, "Valid neighbour"))
    result = load(root, use_cache=False, workers=1)
    assert result.graph.by_url[NEIGHBOUR].title == "Valid neighbour"
    return result


def only_error(result: LoadResult, path: str) -> Problem:
    """The one error of the load, which must be about `path`."""
    errors = result.report.errors
    assert [problem.path for problem in errors] == [path], result.report.problems
    assert result.report.files_skipped == 1
    problem = errors[0]
    assert problem.reason.strip()
    # A reason for a person: one line, no traceback.
    assert "Traceback" not in problem.reason and "\n" not in problem.reason
    return problem


def mentions(reason: str, *words: str) -> bool:
    return any(word in reason.lower() for word in words)


# Unparseable YAML, with the line of the file


def test_invalid_yaml_in_front_matter_reports_the_file_line(tmp_path: Path) -> None:
    write_md(tmp_path, "_news/bad.md", "title: ok\nwebUrl: https://a.com/1\nkey: value: other\n")
    problem = only_error(load_with_neighbour(tmp_path), "_news/bad.md")
    assert problem.line == 4  # the front matter starts on the file's line 2
    assert mentions(problem.reason, "yaml")


def test_invalid_yaml_line_with_bom_and_crlf(tmp_path: Path) -> None:
    text = "title: ok\nexcerpt: >\n  folded\n  text\nwebUrl: https://a.com/1\nkey: value: other\n"
    write_md(tmp_path, "_news/bad.md", text, newline="\r\n", bom=True)
    assert only_error(load_with_neighbour(tmp_path), "_news/bad.md").line == 7


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: ok\nwebUrl: https://a.com/1\nexcerpt: fine\nkey: value: other\n", 4),
        ("# a comment\n---\ntitle: ok\nwebUrl: https://a.com/1\nkey: value: other\n", 5),
        ("title: ok\nwebUrl: https://a.com/1\ntopics: [one, two\nquality: 5\n", 4),
    ],
)
def test_invalid_yaml_file_reports_its_line(tmp_path: Path, text: str, line: int) -> None:
    write_yaml(tmp_path, "_news/bad.yaml", text)
    problem = only_error(load_with_neighbour(tmp_path), "_news/bad.yaml")
    assert problem.line == line


def test_invalid_taxonomy_file_is_reported_too(tmp_path: Path) -> None:
    write_yaml(tmp_path, "_data/topics/bad.yaml", "name: AI\nkeywords: [a, b\nx: 1\n")
    write_md(tmp_path, "_news/a.md", record("https://a.com/1", topics=["ai"]))
    result = load_with_neighbour(tmp_path)
    assert only_error(result, "_data/topics/bad.yaml").line is not None
    assert result.graph.by_slug["ai"].name == "ai"


# Not a record


def test_front_matter_that_never_closes(tmp_path: Path) -> None:
    write_text(tmp_path, "_news/open.md", "---\ntitle: ok\nwebUrl: https://a.com/1\n\nBody\n")
    problem = only_error(load_with_neighbour(tmp_path), "_news/open.md")
    assert mentions(problem.reason, "never closed", "not closed", "unclosed", "no closing")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("list.md", "---\n- title: ok\n  webUrl: https://a.com/1\n---\n"),
        ("list.yaml", "- title: ok\n  webUrl: https://a.com/1\n"),
        ("scalar.md", "---\njust a line of text\n---\n"),
    ],
)
def test_a_record_that_is_not_a_mapping(tmp_path: Path, name: str, text: str) -> None:
    write_text(tmp_path, f"_news/{name}", text)
    problem = only_error(load_with_neighbour(tmp_path), f"_news/{name}")
    assert mentions(problem.reason, "list", "mapping", "str")
    assert "https://a.com/1" not in load(tmp_path, use_cache=False).graph.by_url


@pytest.mark.parametrize(
    ("fields", "word"),
    [
        ({"webUrl": "https://a.com/1", "excerpt": "no title"}, "title"),
        ({"title": "   ", "webUrl": "https://a.com/1"}, "title"),
        ({"title": None, "webUrl": "https://a.com/1"}, "title"),
        ({"title": "No URL", "excerpt": "x"}, "url"),
        ({"title": "Blank URLs", "webUrl": " ", "originalUrl": ""}, "url"),
        ({"title": "Null URL", "webUrl": None}, "url"),
    ],
)
def test_a_record_without_title_or_url_is_invalid(tmp_path: Path, fields: dict, word: str) -> None:
    write_md(tmp_path, "_news/invalid.md", fields)
    problem = only_error(load_with_neighbour(tmp_path), "_news/invalid.md")
    assert mentions(problem.reason, word)


def test_an_empty_yaml_file_is_reported(tmp_path: Path) -> None:
    write_text(tmp_path, "_news/empty.yaml", "")
    only_error(load_with_neighbour(tmp_path), "_news/empty.yaml")


def test_an_empty_front_matter_is_reported(tmp_path: Path) -> None:
    write_text(tmp_path, "_news/empty.md", "---\n---\nBody only\n")
    only_error(load_with_neighbour(tmp_path), "_news/empty.md")


# Fields of the wrong type: dropped with a warning, record kept


def test_wrong_typed_fields_are_dropped_with_a_warning(tmp_path: Path) -> None:
    url = "https://a.com/typed"
    write_md(
        tmp_path,
        "_news/typed.md",
        record(
            url,
            "Kept",
            quality="high",
            heat=[1, 2],
            publishedDateTime="yesterday",
            excerpt="kept too",
            provider="qz.com",
            images="not a list",
        ),
    )
    result = load_with_neighbour(tmp_path)
    assert not result.report.errors
    article = result.graph.by_url[url]
    assert (article.title, article.excerpt) == ("Kept", "kept too")
    assert (article.quality, article.heat, article.published_at) == (None, None, None)
    assert (article.provider, article.images) == (None, ())
    warnings = [p for p in result.report.warnings if p.path == "_news/typed.md"]
    assert len(warnings) == 5, warnings
    for field in ("quality", "heat", "publishedDateTime", "provider", "images"):
        assert any(field in p.reason for p in warnings), (field, warnings)


def test_quality_high_is_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    write_md(
        tmp_path,
        "_news/q.md",
        'title: Q\nwebUrl: https://a.com/q\nquality: "high"\nheat: 12\ntopics: [AI]\n',
    )
    result = load_with_neighbour(tmp_path)
    article = result.graph.by_url["https://a.com/q"]
    assert (article.quality, article.heat, [t.slug for t in article.topics]) == (None, 12, ["ai"])
    (warning,) = result.report.warnings
    assert (warning.path, warning.level) == ("_news/q.md", "warning")
    assert "quality" in warning.reason and "high" in warning.reason
    assert result.report.files_skipped == 0


def test_invalid_related_links_are_dropped_with_a_warning(tmp_path: Path) -> None:
    url = "https://a.com/r"
    write_md(
        tmp_path,
        "_news/r.md",
        record(
            url,
            related=[
                {"excerpt": "no title, no url"},
                {"title": "No URL"},
                {"webUrl": "https://x.com/no-title"},
                "https://x.com/just-a-string",
                link("https://x.com/valid", "Valid link"),
            ],
        ),
    )
    result = load_with_neighbour(tmp_path)
    assert not result.report.errors
    assert [a.url for a in result.graph.by_url[url].related] == ["https://x.com/valid"]
    assert "https://x.com/no-title" not in result.graph.by_url
    assert result.graph.stats.related_links == 1
    warnings = [p for p in result.report.warnings if p.path == "_news/r.md"]
    assert len(warnings) == 4, warnings


# Files that cannot be read as text


def test_an_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        path = write_md(tmp_path, "_news/locked.md", record("https://a.com/locked"))
        path.chmod(0)
        expected = "permission"
    else:
        # Root reads any chmod 000 file, so as root (CI) use a file that no one can read:
        # a reading process's own memory at offset 0 answers EIO.
        (tmp_path / "_news").mkdir()
        (tmp_path / "_news/locked.md").symlink_to("/proc/self/mem")
        expected = "error"
    try:
        problem = only_error(load_with_neighbour(tmp_path), "_news/locked.md")
    finally:
        if not (tmp_path / "_news/locked.md").is_symlink():
            (tmp_path / "_news/locked.md").chmod(0o644)
    assert mentions(problem.reason, "read", expected)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("image.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"),
        ("blob.md", b"---\ntitle: x\n\x00\x01\x02\x03\xff\xfe\n---\n"),
    ],
)
def test_a_binary_file(tmp_path: Path, name: str, data: bytes) -> None:
    write_bytes(tmp_path, f"_news/{name}", data)
    problem = only_error(load_with_neighbour(tmp_path), f"_news/{name}")
    assert mentions(problem.reason, "binary", "utf-8", "text", "character")


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    text = "---\ntitle: Café\nwebUrl: https://a.com/latin\nexcerpt: Voilà\n---\n"
    write_bytes(tmp_path, "_news/latin1.md", text.encode("latin-1"))
    problem = only_error(load_with_neighbour(tmp_path), "_news/latin1.md")
    assert problem.line == 2
    assert mentions(problem.reason, "utf-8", "utf8")


def test_a_100_mb_file_is_bounded_by_the_per_file_limit(tmp_path: Path) -> None:
    path = tmp_path / "_news" / "huge.md"
    path.parent.mkdir(parents=True)
    with open(path, "wb") as handle:
        handle.write(b"---\ntitle: Huge\nwebUrl: https://a.com/huge\n---\n")
        handle.truncate(100 * 1024 * 1024)  # sparse: no 100 MB written to disk
    problem = only_error(load_with_neighbour(tmp_path), "_news/huge.md")
    assert mentions(problem.reason, "limit", "large", "big")


# Parser bombs: run in a child process, so a crash of the parser cannot take pytest down


def load_in_child(root: Path) -> dict:
    script = textwrap.dedent(
        """
        import json, sys
        from graph import load
        result = load(sys.argv[1], use_cache=False, workers=1)
        print(json.dumps({
            "urls": sorted(result.graph.by_url),
            "skipped": result.report.files_skipped,
            "errors": [[p.path, p.reason] for p in result.report.errors],
        }))
        """
    )
    child = subprocess.run(
        [sys.executable, "-c", script, str(root)],
        capture_output=True,
        # A guard against a hang (the failure this test exists for), not a speed limit.
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert child.returncode == 0, child.stderr.decode(errors="replace")[-2000:]
    return json.loads(child.stdout)


@pytest.mark.parametrize(
    "nesting",
    [
        "title: " + "[" * 100_000 + "]" * 100_000,
        "title: " + "{a: " * 50_000 + "x" + "}" * 50_000,
        "".join(" " * depth + "- \n" for depth in range(0, 20_000, 2)) + "title: deep",
    ],
    ids=["flow-lists", "flow-mappings", "block-lists"],
)
def test_a_deep_nesting_bomb(tmp_path: Path, nesting: str) -> None:
    write_md(tmp_path, "_news/deep.md", f"webUrl: https://a.com/deep\n{nesting}\n")
    write_md(tmp_path, "_news/zz-neighbour.md", record(NEIGHBOUR, "Valid neighbour"))
    outcome = load_in_child(tmp_path)
    assert NEIGHBOUR in outcome["urls"]
    assert [path for path, _ in outcome["errors"]] == ["_news/deep.md"]


def billion_laughs(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines)


@pytest.mark.parametrize(
    "use",
    [
        "title: Laughs\nwebUrl: https://a.com/laughs\nexcerpt: *l9",
        "title: Laughs\nwebUrl: https://a.com/laughs\ntopics: *l9\nrelated: *l9",
        # Small enough to expand: every field that holds it is of the wrong type.
        "title: Laughs\nwebUrl: https://a.com/laughs\nexcerpt: *l4\ntopics: *l4\nrelated: *l4\n"
        "images: *l4\nprovider: *l4\nheat: *l4",
    ],
    ids=["excerpt", "topics-and-related", "small-bomb-everywhere"],
)
def test_a_billion_laughs_alias_bomb(tmp_path: Path, use: str) -> None:
    levels = 5 if "*l4" in use else 10
    write_md(tmp_path, "_news/laughs.md", billion_laughs(levels) + "\n" + use + "\n")
    write_md(tmp_path, "_news/zz-neighbour.md", record(NEIGHBOUR, "Valid neighbour"))
    outcome = load_in_child(tmp_path)
    assert NEIGHBOUR in outcome["urls"]
    if levels == 5:
        # Small enough to expand: loaded, every field that holds it dropped.
        assert "https://a.com/laughs" in outcome["urls"]
    else:
        # Either skipped and reported, or loaded with the bomb's fields dropped.
        assert "https://a.com/laughs" in outcome["urls"] or [
            path for path, _ in outcome["errors"]
        ] == ["_news/laughs.md"]
