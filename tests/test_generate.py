"""The synthetic corpus: deterministic, shaped like the real one, and loadable without surprises.

Expected values come from parsing the written files here, with PyYAML, never from the
generator's own bookkeeping.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

import pytest
import yaml
import yaml_rs
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from content_graph.cli import main
from graph.generate import _vary, generate_corpus
from graph.identity import canonical_url, normalize_domain, slugify

REPO = Path(__file__).resolve().parents[1]
RECORDS = 600
SEED = 11


@dataclass
class Record:
    path: str
    raw: bytes
    front: dict[str, Any]
    body: str

    @property
    def url(self) -> str | None:
        return canonical_url(self.front.get("webUrl") or self.front.get("originalUrl"))

    @property
    def published(self) -> bool:
        return self.front.get("published") is not False


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _split(raw: bytes) -> tuple[str, str]:
    lines = raw.decode("utf-8").splitlines()
    assert lines[0] == "---"
    end = lines.index("---", 1)
    return "\n".join(lines[1:end]), "\n".join(lines[end + 1 :])


def _parse(root: Path) -> list[Record]:
    records = []
    for path in sorted((root / "_news").iterdir()):
        raw = path.read_bytes()
        front, body = _split(raw)
        records.append(Record(f"_news/{path.name}", raw, yaml.safe_load(front), body))
    return records


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate_corpus(out, records=RECORDS, seed=SEED)
    return out


@pytest.fixture(scope="module")
def records(corpus: Path) -> list[Record]:
    return _parse(corpus)


def test_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "a", records=300, seed=5)
    generate_corpus(tmp_path / "b", records=300, seed=5)
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert len(first) > 300
    assert first == second


def test_another_seed_writes_another_corpus(tmp_path: Path) -> None:
    generate_corpus(tmp_path / "a", records=100, seed=1)
    generate_corpus(tmp_path / "b", records=100, seed=2)
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    news = [name for name in first if name.startswith("_news/")]
    assert set(news) != {name for name in second if name.startswith("_news/")}


def test_writes_the_requested_number_of_records(corpus: Path) -> None:
    assert len(list((corpus / "_news").glob("*.md"))) == RECORDS
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\d-[a-z0-9-]+\.md", p.name) for p in corpus.rglob("_news/*")
    )


def test_pyyaml_and_yaml_rs_read_every_file_alike(corpus: Path) -> None:
    for name, raw in _files(corpus).items():
        text = _split(raw)[0] if name.endswith(".md") else raw.decode("utf-8")
        assert yaml.safe_load(text) == yaml_rs.loads(text), name


def test_every_record_has_a_title_and_a_url(records: list[Record]) -> None:
    for record in records:
        assert isinstance(record.front["title"], str) and record.front["title"], record.path
        assert record.url, record.path
        for link in record.front.get("related", []):
            assert isinstance(link["title"], str) and canonical_url(link["webUrl"]), record.path


def test_quoted_text_reads_back_as_written(records: list[Record]) -> None:
    # The body repeats the title and excerpt unquoted: YAML must yield exactly that text.
    titles = []
    for record in records:
        heading, _, rest = record.body.strip().partition("\n\n")
        assert heading == f"# {record.front['title']}", record.path
        assert rest.startswith(record.front["excerpt"]), record.path
        titles.append(record.front["title"])
    for needle in (": ", '"', "#", "'", "$", "%", "&"):
        assert any(needle in title for title in titles), needle
    assert any(not title.isascii() for title in titles)


def test_records_have_the_shape_of_real_ones(records: list[Record]) -> None:
    fronts = [record.front for record in records]
    assert any(b"\r\n" in record.raw for record in records)
    assert any(b"\r\n" not in record.raw for record in records)
    assert 0 < sum(not record.published for record in records) < RECORDS // 10
    videos = [front for front in fronts if front["type"] == "video"]
    assert videos and all("<iframe" in front["featuredContent"] for front in videos)
    assert any("webUrl" not in front and "originalUrl" in front for front in fronts)
    assert any("quality" not in front for front in fronts)
    assert any(isinstance(front.get("quality"), int) for front in fronts)
    assert any(isinstance(front.get("heat"), int) for front in fronts)
    assert all(isinstance(front["secured"], str) for front in fronts)
    images = [image for front in fronts for image in front.get("images", [])]
    assert images and all({"url", "width", "height", "isCached"} <= set(image) for image in images)
    assert all(1 <= len(front["topics"]) <= 4 for front in fronts)
    assert all(len(front.get("related", [])) <= 8 for front in fronts)
    assert any(len(front.get("related", [])) >= 5 for front in fronts)


def test_popularity_has_a_long_tail(records: list[Record]) -> None:
    providers = Counter(normalize_domain(r.front["provider"]["domain"]) for r in records)
    topics = Counter(slugify(topic) for r in records for topic in r.front["topics"])
    for counts in (providers, topics):
        ranked = [count for _, count in counts.most_common()]
        assert ranked[0] >= 5 * ranked[len(ranked) // 2]


def test_related_links_point_inside_and_outside(records: list[Record]) -> None:
    own = {record.url for record in records}
    links = [link for record in records for link in record.front.get("related", [])]
    inside = [link for link in links if canonical_url(link["webUrl"]) in own]
    outside = [link for link in links if canonical_url(link["webUrl"]) not in own]
    assert len(inside) > len(outside) > 0
    # Links spelled unlike their target, so that only canonicalization matches them.
    respelled = [link for link in inside if link["webUrl"] != canonical_url(link["webUrl"])]
    assert any("utm_" in link["webUrl"] for link in respelled)
    assert any(":443/" in link["webUrl"] for link in respelled)
    assert any(link["webUrl"].startswith("HTTPS://") for link in respelled)
    assert any(link.get("ampWebUrl") for link in links)
    assert any(link.get("images") for link in links)
    assert any("publishedDateTime" not in link for link in links)
    assert any(r.front["provider"]["domain"].startswith("www.") for r in records)


@given(
    st.sampled_from(
        [
            "https://www.example.com/2020/01/a-title-100",
            "https://example.com/2020/01/a-title-101/",
            "https://example.com/article?id=102&lang=en",
            "https://example.com/watch?v=1a2b",
        ]
    ),
    st.integers(min_value=0, max_value=2**32),
    st.integers(min_value=1, max_value=4),
)
def test_respelled_urls_stay_the_same_article(url: str, seed: int, times: int) -> None:
    # Duplicates respell a URL that a record may respell again: chains must hold too.
    rng, varied = Random(seed), url
    for _ in range(times):
        varied = _vary(rng, varied)
    assert canonical_url(varied) == canonical_url(url)


def test_a_record_links_its_own_article_from_the_body(records: list[Record]) -> None:
    for record in records:
        body_url = re.search(r"\]\((\S+)\)\s*$", record.body)
        assert body_url and canonical_url(body_url.group(1)) == record.url, record.path


def test_taxonomy_files_describe_providers_and_topics(corpus: Path, records: list[Record]) -> None:
    domains = {normalize_domain(r.front["provider"]["domain"]) for r in records}
    organizations = sorted((corpus / "_data" / "organizations").iterdir())
    assert organizations
    for path in organizations:
        entry = yaml.safe_load(_split(path.read_bytes())[0])
        assert entry["taxonomy"] == "organization"
        assert entry["_id"] == entry["domain"] == path.name.removesuffix(".md")
        assert entry["domain"] in domains and entry["name"] and entry["images"]
    topics = {}
    for path in sorted((corpus / "_data" / "topics").iterdir()):
        entry = yaml.safe_load(path.read_text("utf-8"))
        assert entry["taxonomy"] == "topic"
        assert re.fullmatch(rf"\d\d-{re.escape(entry['_id'])}\.yaml", path.name)
        assert entry["_id"] == slugify(entry["name"])
        assert entry["keywords"] and all(tag.startswith("#") for tag in entry["hashtags"])
        topics[entry["_id"]] = entry["name"]
    assert {slugify(topic) for r in records for topic in r.front["topics"]} <= set(topics)


def _duplicates(records: list[Record]) -> list[str]:
    """Files that repeat an earlier published record's article (in path order)."""
    by_url: defaultdict[str, list[str]] = defaultdict(list)
    for record in records:
        if record.published:
            by_url[record.url].append(record.path)
    return sorted(path for paths in by_url.values() for path in sorted(paths)[1:])


def test_the_loader_reports_only_the_intended_duplicates(
    corpus: Path, records: list[Record]
) -> None:
    from graph.load import load

    duplicates = _duplicates(records)
    assert duplicates
    result = load(corpus, use_cache=False, workers=1)
    report = result.report
    assert report.files_loaded == RECORDS and report.files_skipped == 0
    assert report.unpublished == sum(not record.published for record in records)
    assert report.duplicates == len(duplicates)
    assert sorted(problem.path for problem in report.problems) == duplicates
    assert {problem.level for problem in report.problems} == {"warning"}
    served = {record.url for record in records if record.published}
    assert result.graph.stats.articles_with_record == len(served)


def test_the_command_refuses_a_folder_in_use(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# mine\n")
    runner = CliRunner()
    refused = runner.invoke(main, ["generate", str(tmp_path), "--records", "5"])
    assert refused.exit_code == 2 and "not empty" in refused.output
    assert not (tmp_path / "_news").exists()
    for _ in range(2):  # a second --force run replaces the first one's records
        forced = runner.invoke(main, ["generate", str(tmp_path), "-n", "30", "--force"])
        assert forced.exit_code == 0, forced.output
    assert len(list((tmp_path / "_news").iterdir())) == 30
    assert (tmp_path / "README.md").read_text() == "# mine\n"


def test_the_command_explains_itself() -> None:
    help_text = CliRunner().invoke(main, ["generate", "--help"]).output
    for word in ("--records", "--seed", "--force", "Examples"):
        assert word in help_text


def test_data_folder_is_what_its_readme_says(tmp_path: Path) -> None:
    readme = (REPO / "data" / "README.md").read_text("utf-8")
    command = re.search(r"content-graph generate data (.+)", readme)
    assert command, "data/README.md names the command that wrote data/"
    out = tmp_path / "data"
    args = ["generate", str(out), *command.group(1).split(), "--force"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    committed = {
        name: raw
        for name, raw in _files(REPO / "data").items()
        if name.startswith(("_news/", "_data/"))
    }
    assert committed == _files(out)
