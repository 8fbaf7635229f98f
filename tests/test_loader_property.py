"""Property tests: random records and random damage to real records never crash the load,
and every record that is valid by SEMANTICS.md is served.

Validity is decided here, independently of the loader: the file's front matter is cut
out by the SEMANTICS rule, parsed with PyYAML's SafeLoader, and checked for a text
`title` and a URL (`webUrl`, else `originalUrl`). Where a record's fate is a matter of
interpretation (a title written as a number, `published: "maybe"`), the test makes no
claim about it and about no other record with its URL.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import yaml
import yaml_rs
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from graph import LoadResult, load
from graph.identity import canonical_url
from tests.writing import CORPUS, dump

PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Judgement of one record file, made without the loader.
VALID, INVALID, UNSURE = "valid", "invalid", "unsure"


@dataclass(frozen=True)
class Expectation:
    path: str
    verdict: str
    url: str | None = None
    title: str | None = None
    published: bool | None = None  # None: unsure


def front_matter_text(path: Path) -> str | None:
    """The YAML of a record file by the SEMANTICS rule; None when it has none."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    text = text.replace("\r\n", "\n")
    if path.suffix in {".yaml", ".yml"}:
        return text
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    for end in range(1, len(lines)):
        if lines[end].rstrip() == "---":
            return "\n".join(lines[1:end])
    return None


def parse(path: Path) -> tuple[bool, Any]:
    """(parsed?, value): the first non-empty document, PyYAML's SafeLoader."""
    source = front_matter_text(path)
    if source is None:
        return False, None
    try:
        values = [value for value in yaml.safe_load_all(source) if value is not None]
    except (yaml.YAMLError, ValueError, OverflowError):
        # ValueError: a scalar PyYAML cannot construct, such as the hour 30 of a timestamp.
        return False, None
    if len(values) != 1:
        return False, None
    return True, values[0]


# Characters on which the contract is silent and YAML 1.1 (PyYAML) and 1.2 part ways: a
# lone CR, NEL and the Unicode line and paragraph separators are line breaks to YAML 1.1
# only, and SEMANTICS.md promises only "\n" and "\r\n". A NUL byte makes a binary file.
UNSETTLED = ("\r", "\x85", "\u2028", "\u2029", "\x00")


def read_otherwise_by_yaml_12(path: Path, data: Any) -> bool:
    """Whether a YAML 1.2 parser (yaml-rs) reads the front matter as other values.

    Damage can make text that the two versions read differently, where the contract is
    silent: `&https://a.com/x` is an anchor named `https` before a plain scalar to YAML
    1.1, and an anchor named `https://a.com/x` before nothing to YAML 1.2.
    """
    source = front_matter_text(path)
    try:
        other = yaml_rs.loads(source.removeprefix("\ufeff"))
    except Exception:
        return False
    return other != data


def judge(root: Path, relative: str, canonical: Callable[[str], str | None]) -> Expectation:
    raw = (root / relative).read_bytes().replace(b"\r\n", b"\n")
    if any(character.encode() in raw for character in UNSETTLED):
        return Expectation(relative, UNSURE, url=None)
    parsed, data = parse(root / relative)
    if parsed and read_otherwise_by_yaml_12(root / relative, data):
        return Expectation(relative, UNSURE, url=None)
    if not parsed or not isinstance(data, dict):
        return Expectation(relative, INVALID)
    title = data.get("title")
    url = None
    for key in ("webUrl", "originalUrl"):
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Expectation(relative, UNSURE)  # a number as a URL: interpretation
        if isinstance(value, str) and value.strip():
            url = canonical(value)
            break
    published = data.get("published", True)
    is_published = True if published is True or published is None else None
    if published is False:
        is_published = False
    if isinstance(title, int | float) and not isinstance(title, bool):
        return Expectation(relative, UNSURE, url)
    if not isinstance(title, str) or not title.strip() or url is None:
        return Expectation(relative, INVALID)
    return Expectation(relative, VALID, url, title.strip(), is_published)


def check_load(root: Path, expectations: list[Expectation]) -> LoadResult:
    result = load(root, use_cache=False, workers=1)
    report, graph = result.report, result.graph
    # Every record file is accounted for, and every skipped one is reported by path.
    assert report.files_loaded + report.files_skipped + report.files_ignored == len(expectations)
    written = {e.path for e in expectations}
    assert {problem.path for problem in report.problems} <= written
    assert len({problem.path for problem in report.errors}) == report.files_skipped
    served_with_record = {a.url for a in graph.articles if a.has_record}

    groups: dict[str, list[Expectation]] = {}
    unsure_urls = {e.url for e in expectations if e.verdict == UNSURE}
    for expectation in expectations:
        if expectation.verdict == VALID:
            groups.setdefault(expectation.url, []).append(expectation)
    for url, group in groups.items():
        if {url, None} & unsure_urls or any(e.published is None for e in group):
            # Still: a valid published record is served, whatever the others are.
            if any(e.published for e in group):
                assert url in served_with_record, (url, group)
            continue
        served = [e for e in sorted(group, key=lambda e: e.path.encode()) if e.published]
        if served:
            # The last valid published record in byte-wise path order wins.
            assert url in served_with_record, (url, group, report.problems)
            assert graph.by_url[url].title == served[-1].title, (url, group)
        else:
            assert url not in served_with_record, (url, group)
    return result


# Random records


HOSTS = ["a.com", "news.example.org", "www.b.net"]
SEGMENTS = ["story", "2020/07/x", "A%2Fb", "caf%C3%A9"]
QUERIES = [[], ["id=1"], ["b=2", "a=1"], ["q=x%20y"]]


@st.composite
def urls(draw: st.DrawFn) -> tuple[str, str]:
    """(as written, canonical): a small pool, so that records collide."""
    scheme = draw(st.sampled_from(["http", "https"]))
    host = draw(st.sampled_from(HOSTS))
    path = "/" + draw(st.sampled_from(SEGMENTS))
    query = list(draw(st.sampled_from(QUERIES)))
    canonical = f"{scheme}://{host}{path}" + (f"?{'&'.join(query)}" if query else "")
    written_scheme = scheme.upper() if draw(st.booleans()) else scheme
    written_host = host.upper() if draw(st.booleans()) else host
    port = {"http": ":80", "https": ":443"}[scheme] if draw(st.booleans()) else ""
    slash = "/" if draw(st.booleans()) else ""
    for _ in range(draw(st.integers(0, 2))):
        query.insert(draw(st.integers(0, len(query))), f"utm_{draw(st.sampled_from('sm'))}=x")
    fragment = "#" + draw(st.sampled_from(["top", "", "a?b"])) if draw(st.booleans()) else ""
    space = draw(st.sampled_from(["", " ", "\t"]))
    written = (
        f"{space}{written_scheme}://{written_host}{port}{path}{slash}"
        + (f"?{'&'.join(query)}" if query else "")
        + f"{fragment}{space}"
    )
    return written, canonical


# Titles without digits: a plain "1e3" is a string to PyYAML but a number to YAML 1.2.
TITLE_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Nd", "No", "Nl"), blacklist_characters="\x00"
    ),
    max_size=30,
)
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    ANY_TEXT,
    st.datetimes(timezones=st.just(UTC)),
    st.dates(),
)
ANY_VALUE = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text("abcxyz", min_size=1, max_size=4), inner, max_size=3),
    ),
    max_leaves=8,
)
MISSING = object()


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(MISSING), strategy)


@st.composite
def url_field(draw: st.DrawFn, canonical_of: dict[str, str]) -> Any:
    choice = draw(st.sampled_from(["url"] * 6 + ["blank", "none", "list", "bool", "map"]))
    if choice == "url":
        written, canonical = draw(urls())
        canonical_of[written] = canonical
        return written
    return {
        "blank": "  ",
        "none": None,
        "list": ["https://a.com/story"],
        "bool": True,
        "map": {"url": "https://a.com/story"},
    }[choice]


@st.composite
def images(draw: st.DrawFn) -> Any:
    image = st.fixed_dictionaries(
        {},
        optional={
            "url": st.one_of(st.just("https://img.example/x.jpg"), ANY_VALUE),
            "width": st.one_of(st.integers(0, 5000), ANY_VALUE),
            "height": st.integers(0, 5000),
            "isCached": st.one_of(st.booleans(), ANY_VALUE),
            "title": ANY_TEXT,
        },
    )
    return draw(st.one_of(st.lists(st.one_of(image, ANY_VALUE), max_size=3), ANY_VALUE))


@st.composite
def mini_record(draw: st.DrawFn, canonical_of: dict[str, str], related: bool) -> dict:
    fields: dict[str, Any] = {}
    candidates: dict[str, st.SearchStrategy[Any]] = {
        "title": st.one_of(
            TITLE_TEXT.filter(str.strip), TITLE_TEXT, st.integers(), st.none(), ANY_VALUE
        ),
        "webUrl": url_field(canonical_of),
        "originalUrl": url_field(canonical_of),
        "excerpt": st.one_of(ANY_TEXT, ANY_VALUE),
        "publishedDateTime": st.one_of(
            st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
            st.datetimes(),
            ANY_VALUE,
        ),
        "quality": st.one_of(st.integers(0, 200), st.just("high"), ANY_VALUE),
        "heat": st.one_of(st.integers(0, 500), ANY_VALUE),
        "type": st.one_of(st.sampled_from(["article", "video", " Video "]), ANY_VALUE),
        "provider": st.one_of(
            st.fixed_dictionaries(
                {"domain": st.sampled_from(["www.A.com", "b.net", "", 5])},
                optional={"name": st.one_of(ANY_TEXT, ANY_VALUE), "images": images()},
            ),
            ANY_VALUE,
        ),
        "images": images(),
        "secured": ANY_TEXT,
        "unknownField": ANY_VALUE,
    }
    if not related:
        candidates["published"] = st.one_of(
            st.booleans(), st.booleans(), st.none(), st.sampled_from(["false", "maybe", 0, 1])
        )
        candidates["topics"] = st.one_of(
            st.lists(
                st.one_of(st.sampled_from(["AI", "ai", "Computer Vision", "!!"]), ANY_VALUE),
                max_size=4,
            ),
            ANY_VALUE,
        )
    for key, strategy in candidates.items():
        # Mostly-present titles and URLs, so that most random records are valid.
        usual = key in {"title", "webUrl"}
        value = draw(
            st.one_of(strategy, strategy, strategy, st.just(MISSING)) if usual else maybe(strategy)
        )
        if value is not MISSING:
            fields[key] = value
    if not related:
        links = draw(
            st.lists(st.one_of(mini_record(canonical_of, related=True), ANY_VALUE), max_size=4)
        )
        if links or draw(st.booleans()):
            fields["related"] = links
    keys = list(fields)
    order = draw(st.permutations(keys))
    return {key: fields[key] for key in order}


@st.composite
def record_files(draw: st.DrawFn) -> tuple[list[tuple[str, bytes]], dict[str, str]]:
    canonical_of: dict[str, str] = {}
    count = draw(st.integers(1, 8))
    files = []
    for position in range(count):
        fields = draw(mini_record(canonical_of, related=False))
        text = dump(fields)
        suffix = draw(st.sampled_from([".md", ".md", ".yaml"]))
        if suffix == ".md":
            text = f"---\n{text}---\nBody.\n"
        if draw(st.booleans()):
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        if draw(st.booleans()):
            data = b"\xef\xbb\xbf" + data
        folder = draw(st.sampled_from(["", "_news/", "_news/2020/", "B/"]))
        files.append((f"{folder}{position:02d}-{draw(st.sampled_from('abZ'))}{suffix}", data))
    return files, canonical_of


def fresh_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="cg-property-"))


@PROPERTY_SETTINGS
@given(record_files())
def test_random_records_never_crash_and_valid_ones_are_served(
    drawn: tuple[list[tuple[str, bytes]], dict[str, str]],
) -> None:
    files, canonical_of = drawn
    root = fresh_dir()
    try:
        for relative, data in files:
            (root / relative).parent.mkdir(parents=True, exist_ok=True)
            (root / relative).write_bytes(data)

        def canonical(written: str) -> str | None:
            # The URL pool was built with its canonical forms; check the loader's agrees.
            expected = canonical_of.get(written)
            assert expected is not None, f"URL not from the pool: {written!r}"
            assert canonical_url(written) == expected
            return expected

        expectations = [judge(root, relative, canonical) for relative, _ in files]
        for expectation in expectations:
            event(f"random record: {expectation.verdict}, published {expectation.published}")
        check_load(root, expectations)
    finally:
        shutil.rmtree(root)


# Random damage to real records


def corpus_records() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(
        path
        for folder in ("seed", "power-apps", "ai-news")
        for path in (CORPUS / folder / "_news").glob("*.md")
    )


CORPUS_RECORDS = corpus_records()
JUNK_LINES = [
    "---",
    ": :",
    "- [",
    "\t\tx: 1",
    "title:",
    "title: Junk title",
    "webUrl: https://junk.example/page",
    "published: false",
    "published: no",
    "quality: high",
    "related: 5",
    "  - title: x",
    "&anchor",
    "*alias",
    "{",
    '"',
    "%YAML 1.1",
    "\x00",
    "\ufeff",
]


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    path = draw(st.sampled_from(CORPUS_RECORDS))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 3))):
        how = draw(st.sampled_from(["truncate", "flip", "junk", "junk"]))
        if not data:
            break
        if how == "truncate":
            del data[draw(st.integers(0, len(data) - 1)) :]
        elif how == "flip":
            position = draw(st.integers(0, len(data) - 1))
            data[position] ^= draw(st.integers(1, 255))
        else:
            lines = bytes(data).split(b"\n")
            junk = draw(st.one_of(st.sampled_from(JUNK_LINES), ANY_TEXT))
            lines.insert(draw(st.integers(0, len(lines))), junk.encode("utf-8", "surrogatepass"))
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@pytest.mark.skipif(not CORPUS_RECORDS, reason=f"{CORPUS} is absent (the shared corpus)")
@settings(PROPERTY_SETTINGS, max_examples=400)
@given(
    st.lists(damaged(), min_size=1, max_size=6),
    st.lists(st.sampled_from(CORPUS_RECORDS or [Path()]), max_size=3),
)
def test_damaged_real_records_never_crash_and_valid_ones_are_served(
    broken: list[bytes], intact: list[Path]
) -> None:
    root = fresh_dir()
    try:
        names = []
        for position, data in enumerate(broken):
            names.append(f"_news/broken-{position}.md")
            (root / "_news").mkdir(exist_ok=True)
            (root / names[-1]).write_bytes(data)
        for position, path in enumerate(intact):
            names.append(f"_news/intact-{position}.md")
            shutil.copyfile(path, root / names[-1])
        expectations = [judge(root, name, canonical_url) for name in names]
        for expectation in expectations:
            event(f"damaged record: {expectation.verdict}")
        check_load(root, expectations)
    finally:
        shutil.rmtree(root)


def test_the_judge_agrees_with_the_seed_record() -> None:
    """The test's own reading of validity, on a record whose verdict is known."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent (the shared corpus)")
    seed = next((CORPUS / "seed" / "_news").glob("*.md"))
    verdict = judge(seed.parent, seed.name, canonical_url)
    assert verdict.verdict == VALID and verdict.published is True
    assert verdict.url is not None and verdict.url.startswith("https://qz.com/")
