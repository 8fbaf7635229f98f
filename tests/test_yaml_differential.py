"""The loader's YAML parser (`graph.files.parse_yaml`) against PyYAML's SafeLoader.

The loader parses with yaml-rs for speed; the records were written for PyYAML-era static
site generators. On every front matter of the real and of a generated corpus both must
give the same values (types included: `True` is not `1`), and so the same Records.

One difference is by design: the loader's parsers give timestamps as the text written
(an impossible date then drops one field, not the file), and the coercion reads them.
So where PyYAML gives a date or datetime, the loader's text must be read by the
coercion (`records.parse_datetime`) as the very same instant; the Records compared
below are then equal too.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph import load
from graph.files import _pyyaml_load, parse_yaml
from graph.records import FieldWarning, InvalidRecord, coerce_record, parse_datetime
from tests.writing import CORPUS

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
GENERATOR_PRESENT = importlib.util.find_spec("graph.generate") is not None


def documents(path: Path) -> Iterator[tuple[int, str]]:
    """The YAML documents of one file, with the file line each starts on.

    Markdown: the front matter between the first two `---` lines (none if the file does
    not open one or never closes it). YAML: the parts between `---` lines.
    """
    text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    lines = text.split("\n")
    if path.suffix.lower() in {".md", ".markdown"}:
        if lines[0].rstrip() != "---":
            return
        for end in range(1, len(lines)):
            if lines[end].rstrip() == "---":
                yield 2, "\n".join(lines[1:end]) + "\n"
                return
        return
    start = 0
    for number, line in enumerate([*lines, "---"]):
        if line.rstrip() == "---":
            part = "\n".join(lines[start:number])
            if part.strip():
                yield start + 1, part + "\n"
            start = number + 1


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types, all the way down; a timestamp as text (`a`) is the
    same as PyYAML's date or datetime (`b`) when the coercion reads it as that instant."""
    if isinstance(a, str) and isinstance(b, date):
        moment = parse_datetime(a)
        return moment is not None and moment == parse_datetime(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def record_files(root: Path) -> list[Path]:
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and path.suffix.lower() in {".md", ".markdown", ".yaml", ".yml"}
    )


def compare_folder(root: Path) -> tuple[int, list[str]]:
    """How many documents were compared, and a line for each difference."""
    compared, differences = 0, []
    for path in record_files(root):
        relative = path.relative_to(root).as_posix()
        for line, source in documents(path):
            try:
                expected = yaml.load(source, Loader=SAFE_LOADER)
            except yaml.YAMLError:
                continue  # broken for both; test_bad_input covers how it is reported
            compared += 1
            try:
                found = parse_yaml(source)
            except Exception as error:
                differences.append(f"{relative}:{line}: PyYAML parses it, parse_yaml: {error}")
                continue
            if not same(found, expected):
                differences.append(f"{relative}:{line}: {diff(found, expected)}")
                continue
            if relative.startswith("_data/") or not isinstance(expected, dict):
                continue
            mine, theirs = coerce(found), coerce(expected)
            if mine != theirs:
                differences.append(f"{relative}:{line}: records differ: {mine} != {theirs}")
    return compared, differences


def coerce(value: Any) -> tuple[Any, list[FieldWarning]]:
    warnings: list[FieldWarning] = []
    try:
        return coerce_record(value, warnings), warnings
    except InvalidRecord as error:
        return f"invalid: {error}", warnings


def diff(found: Any, expected: Any) -> str:
    if isinstance(found, dict) and isinstance(expected, dict):
        keys = sorted(
            key
            for key in found.keys() | expected.keys()
            if key not in found or key not in expected or not same(found[key], expected[key])
        )
        return "; ".join(
            f"{key}: parse_yaml {found.get(key)!r} vs PyYAML {expected.get(key)!r}" for key in keys
        )
    return f"parse_yaml {found!r} vs PyYAML {expected!r}"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (the shared corpus)")
@pytest.mark.parametrize("folder", ["seed", "power-apps", "ai-news"])
def test_same_values_on_the_real_corpus(folder: str) -> None:
    compared, differences = compare_folder(CORPUS / folder)
    assert compared > 0
    assert not differences, "\n".join(differences[:20])


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not GENERATOR_PRESENT:
        pytest.skip("graph/generate.py is not there yet: nothing generates a corpus")
    from graph.generate import generate_corpus

    out = tmp_path_factory.mktemp("generated") / "corpus"
    generate_corpus(out, records=2000, seed=0)
    return out


def test_same_values_on_a_generated_corpus(generated: Path) -> None:
    compared, differences = compare_folder(generated)
    assert compared >= 2000
    assert not differences, "\n".join(differences[:20])


@pytest.mark.parametrize(
    "source",
    [
        "title: 'quoted: with colon'\nwebUrl: https://a.com/x?q=1&b=2#f\n",
        'title: "Escapes \\u00e9 \\" \\n"\nexcerpt: >-\n  folded\n  lines\n',
        "excerpt: |\n  literal\n    indented\n\n  kept\nquality: 0x1F\nheat: +12\n",
        "publishedDateTime: 2020-07-01T16:50:00Z\nother: 2020-07-01 16:50:00.5+02:00\n",
        "published: true\nfeatured: False\nnone: ~\nempty:\n",
        "images:\n  - url: x\n    width: 1400\n    isCached: true\n  - {url: y, height: 2}\n",
        "anchors: &a {k: v}\nused: *a\nlist: [1, 2.5, -3, 1.0e+3, .inf, -.Inf, .NaN]\n",
        "title: A title with 'quotes' and #hash\nkey with spaces: value\n",
        # Quoted scalars folded over indented lines, as PyYAML's dumper writes long ones.
        "title: 'Microsoft: what the new portal means for makers, admins and the\n  rest'\n",
        'excerpt: "He said: \\"this\\" and\n  went on\n\n  for a while"\nquality: 5\n',
        # A byte order mark opening the stream (a BOM-saved YAML file put under "---").
        "\ufefftitle: T\nwebUrl: https://a.com/x\n",
        # Continuation lines indented by one space: valid YAML (1.1 and 1.2) as well.
        'title: "A title folded\n over two lines"\nquality: 5\n',
        "excerpt: 'An excerpt folded\n over two lines'\n",
    ],
)
def test_same_values_on_record_shaped_yaml(source: str) -> None:
    expected = yaml.load(source, Loader=SAFE_LOADER)
    found = parse_yaml(source)
    if any(isinstance(v, float) and v != v for v in expected.get("list", [])):
        # NaN is never equal to itself: compare the rest, and NaN by its repr.
        assert repr(found) == repr(expected)
    else:
        assert same(found, expected), diff(found, expected)


@pytest.mark.parametrize(
    "source",
    [
        "publishedDateTime: 2020-07-01T16:50:00Z\nother: 2020-07-01 16:50:00.5+02:00\n",
        "day: 2021-01-19\nspaced: 2001-12-14 21:59:43.10 -5\nlower: 2001-12-14t21:59:43.10-05:00\n",
        "impossible: 2021-01-19T30:57:00Z\nfebruary: 2021-02-30\nquoted: '2021-01-19'\n",
    ],
)
def test_the_loaders_two_parsers_both_give_timestamps_as_text(source: str) -> None:
    # yaml-rs, and PyYAML where the loader falls back to it, give the same values, and
    # no date objects: the coercion reads the text (test_loader_timestamps.py).
    found, fallback = parse_yaml(source), _pyyaml_load(source)
    assert same(found, fallback), diff(found, fallback)
    assert all(type(value) is str for value in found.values()), found


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "NO", "true", "False"])
def test_yaml_1_1_booleans_in_published_give_the_same_record(word: str) -> None:
    # PyYAML (YAML 1.1) reads `published: no` as False, yaml-rs (YAML 1.2) as "no":
    # the record must be unpublished under both.
    source = f"title: T\nwebUrl: https://a.com/x\npublished: {word}\n"
    mine = coerce(parse_yaml(source))
    theirs = coerce(yaml.load(source, Loader=SAFE_LOADER))
    assert mine == theirs
    assert mine[1] == []


def test_a_record_dumped_by_pyyaml_with_its_defaults_loads(tmp_path: Path) -> None:
    # yaml.safe_dump folds long quoted strings over indented lines at 80 columns: a
    # record written by any Python tool looks like this.
    fields = {
        "title": "Microsoft: what the new Power Apps portal means for makers, admins and the rest",
        "webUrl": "https://a.com/folded",
        "excerpt": 'He said: "this" ' + "word " * 30,
    }
    text = yaml.safe_dump(fields, sort_keys=False)
    assert "\n  " in text  # folded
    (tmp_path / "folded.md").write_text(f"---\n{text}---\n")
    result = load(tmp_path, use_cache=False)
    assert not result.report.problems, result.report.problems
    article = result.graph.by_url["https://a.com/folded"]
    expected = yaml.safe_load(text)
    assert (article.title, article.excerpt) == (expected["title"], expected["excerpt"])


def test_a_record_with_a_title_folded_by_hand_loads(tmp_path: Path) -> None:
    # Hand-edited front matter: a quoted title continued on a line indented by one space.
    text = 'title: "Power Apps portals:\n what changes for makers"\nwebUrl: https://a.com/hand\n'
    (tmp_path / "hand.md").write_text(f"---\n{text}---\n")
    result = load(tmp_path, use_cache=False)
    assert not result.report.problems, result.report.problems
    expected = yaml.safe_load(text)["title"]
    assert result.graph.by_url["https://a.com/hand"].title == expected
