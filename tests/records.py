"""Expected values for tests, read straight from the record files with PyYAML.

A small, separate reading of SEMANTICS.md: file discovery, front matter, canonical URLs,
merging, names. It shares no code with `graph/` on purpose, so a test that compares the
API with these values checks the loader and the resolvers against a second reading of
the rules rather than against themselves. Kept simple over fast: test data sets are small.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"
REPO = Path(__file__).resolve().parents[1]

_URL = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):(?://(?P<authority>[^/?#]*))?"
    r"(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?(?:#.*)?$",
    re.DOTALL,
)
_DEFAULT_PORT = {"http": ":80", "https": ":443"}


def canonical(url: object) -> str | None:
    """SEMANTICS.md "Identity", read independently of graph.identity."""
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()
    found = _URL.match(url)
    if found is None:
        return url.split("#", 1)[0]
    scheme = found["scheme"].lower()
    out = scheme + ":"
    authority = found["authority"]
    if authority is not None:
        user, at, host = authority.rpartition("@")
        host = host.lower()
        port = _DEFAULT_PORT.get(scheme)
        if port and host.endswith(port):
            host = host[: -len(port)]
        out += "//" + user + at + host
    path = found["path"]
    if len(path) > 1 and path[-1] == "/":
        path = path[:-1]
    out += path
    if found["query"] is not None:
        kept = [p for p in found["query"].split("&") if not p.split("=", 1)[0].startswith("utm_")]
        if any(kept) or len(kept) > 1:
            out += "?" + "&".join(kept)
    return out


def domain_of(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip().lower()
    return value[4:] if value.startswith("www.") else value


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def word_list(text: str | None) -> list[str]:
    return [w.lower() for w in re.findall(r"\w+", text or "")]


def when(value: object) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class ArticleRecord:
    """An article as the API should serve it."""

    url: str
    title: str
    excerpt: str | None
    published: datetime | None
    web_url: str | None
    amp_web_url: str | None
    cdn_amp_web_url: str | None
    original_url: str | None
    type: str | None
    category: str | None
    quality: int | None
    heat: int | None
    featured_content: str | None
    has_record: bool
    provider: str | None
    provider_name: str | None
    provider_images: list[dict[str, Any]] | None
    images: list[dict[str, Any]]
    topics: list[str] = field(default_factory=list)  # slugs, in listed order
    topic_spellings: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)  # canonical URLs, listed order


@dataclass
class ProviderRecord:
    domain: str
    name: str
    images: list[dict[str, Any]] | None  # the taxonomy's; None when there is no taxonomy entry
    articles: list[str]


@dataclass
class TopicRecord:
    slug: str
    name: str
    keywords: list[str]
    hashtags: list[str]
    articles: list[str]


def _images(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    out = []
    for image in value:
        if isinstance(image, dict) and isinstance(image.get("url"), str):
            out.append(
                {
                    "url": image["url"],
                    "width": _number(image.get("width")),
                    "height": _number(image.get("height")),
                    "title": _text(image.get("title")),
                    "isCached": image.get("isCached")
                    if isinstance(image.get("isCached"), bool)
                    else None,
                }
            )
    return out


def _article(raw: dict[str, Any], has_record: bool) -> ArticleRecord | None:
    url = canonical(raw.get("webUrl")) or canonical(raw.get("originalUrl"))
    title = raw.get("title")
    if url is None or not isinstance(title, str) or not title:
        return None
    provider = raw.get("provider") if isinstance(raw.get("provider"), dict) else {}
    topics: list[str] = []
    spellings: list[str] = []
    if has_record and isinstance(raw.get("topics"), list):
        for name in raw["topics"]:
            if isinstance(name, str) and slug(name) and slug(name) not in topics:
                topics.append(slug(name))
                spellings.append(name)
    return ArticleRecord(
        url=url,
        title=title,
        excerpt=_text(raw.get("excerpt")),
        published=when(raw.get("publishedDateTime")),
        web_url=_text(raw.get("webUrl")),
        amp_web_url=_text(raw.get("ampWebUrl")),
        cdn_amp_web_url=_text(raw.get("cdnAmpWebUrl")),
        original_url=_text(raw.get("originalUrl")),
        type=_text(raw.get("type")),
        category=_text(raw.get("category")),
        quality=_number(raw.get("quality")),
        heat=_number(raw.get("heat")),
        featured_content=_text(raw.get("featuredContent")),
        has_record=has_record,
        provider=domain_of(provider.get("domain")),
        provider_name=_text(provider.get("name")),
        provider_images=_images(provider.get("images")) or None,
        images=_images(raw.get("images")),
        topics=topics,
        topic_spellings=spellings,
    )


def _files(root: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        relative = Path(folder).relative_to(root)
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        if relative.parts[:1] == ("_data",) and len(relative.parts) == 1:
            dirs[:] = [d for d in dirs if d in ("organizations", "topics")]
            continue
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in _SUFFIXES:
                found.append((relative / name).as_posix())
    return sorted(found, key=lambda p: p.encode())


_SUFFIXES = {".md", ".markdown", ".yaml", ".yml"}


def _read(path: Path) -> tuple[str, Any]:
    """('record', mapping) | ('ignored', None) | ('broken', None)."""
    try:
        text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        return "broken", None
    try:
        if path.suffix.lower() in (".md", ".markdown"):
            lines = text.split("\n")
            if lines[0].rstrip() != "---":
                return "ignored", None
            ends = [i for i, line in enumerate(lines[1:], 1) if line.rstrip() == "---"]
            if not ends:
                return "broken", None
            value = yaml.safe_load("\n".join(lines[1 : ends[0]]))
        else:
            documents = [d for d in yaml.safe_load_all(text)]
            if not documents or any(d is not None for d in documents[1:]):
                return "broken", None
            value = documents[0]
    except yaml.YAMLError:
        return "broken", None
    return ("record", value) if isinstance(value, dict) else ("broken", None)


class Records:
    """What a data directory should serve, by SEMANTICS.md."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files_loaded = 0
        self.skipped: list[str] = []
        self.unpublished = 0
        self.duplicates = 0
        winners: dict[str, tuple[int, dict[str, Any]]] = {}
        organizations: dict[str, dict[str, Any]] = {}
        topic_entries: dict[str, dict[str, Any]] = {}
        for position, relative in enumerate(_files(root)):
            status, value = _read(root / relative)
            if status == "ignored":
                continue
            folder = relative.split("/")[:2]
            if folder == ["_data", "organizations"] or folder == ["_data", "topics"]:
                if status == "record":
                    if folder[1] == "organizations" and domain_of(value.get("domain")):
                        organizations[domain_of(value["domain"])] = value  # type: ignore[index]
                    elif folder[1] == "topics" and isinstance(value.get("name"), str):
                        topic_entries[slug(value["name"])] = value
                continue
            if status == "broken" or _article(value, True) is None:
                self.skipped.append(relative)
                continue
            self.files_loaded += 1
            if value.get("published") is False:
                self.unpublished += 1
                continue
            url = _article(value, True).url  # type: ignore[union-attr]
            if url in winners:
                self.duplicates += 1
                del winners[url]
            winners[url] = (position, value)
        self.articles: dict[str, ArticleRecord] = {}
        records = sorted(winners.values(), key=lambda pair: pair[0])
        for _, raw in records:
            article = _article(raw, True)
            assert article is not None
            self.articles[article.url] = article
        for _, raw in records:
            owner = self.articles[_article(raw, True).url]  # type: ignore[union-attr]
            for link in raw.get("related") or []:
                linked = _article(link, False) if isinstance(link, dict) else None
                if linked is None:
                    continue
                if linked.url != owner.url and linked.url not in owner.related:
                    owner.related.append(linked.url)
                self.articles.setdefault(linked.url, linked)
        self.providers: dict[str, ProviderRecord] = {}
        names: dict[str, Counter[str]] = {}
        for article in self.articles.values():
            if article.provider is None:
                continue
            names.setdefault(article.provider, Counter())
            if article.provider_name:
                names[article.provider][article.provider_name] += 1
        for domain, counted in names.items():
            entry = organizations.get(domain)
            if entry is not None and isinstance(entry.get("name"), str):
                name = entry["name"]
            else:
                name = _most_common(counted) or domain
            self.providers[domain] = ProviderRecord(
                domain=domain,
                name=name,
                images=None if entry is None else _images(entry.get("images")),
                articles=[u for u in self.ordered if self.articles[u].provider == domain],
            )
        spellings: dict[str, Counter[str]] = {}
        for article in self.articles.values():
            for topic, spelling in zip(article.topics, article.topic_spellings, strict=True):
                spellings.setdefault(topic, Counter())[spelling] += 1
        self.topics: dict[str, TopicRecord] = {}
        for topic, counted in spellings.items():
            entry = topic_entries.get(topic, {})
            self.topics[topic] = TopicRecord(
                slug=topic,
                name=entry.get("name") or _most_common(counted),
                keywords=[k for k in entry.get("keywords") or [] if isinstance(k, str)],
                hashtags=[h for h in entry.get("hashtags") or [] if isinstance(h, str)],
                articles=[u for u in self.ordered if topic in self.articles[u].topics],
            )

    @cached_property
    def ordered(self) -> list[str]:
        """Article URLs in the default order: newest first, undated last, then by URL."""
        dated = sorted(
            (a for a in self.articles.values() if a.published is not None),
            key=lambda a: a.url,
        )
        dated.sort(key=lambda a: a.published, reverse=True)  # type: ignore[arg-type, return-value]
        undated = sorted(a.url for a in self.articles.values() if a.published is None)
        return [a.url for a in dated] + undated

    def related_from(self, url: str) -> list[str]:
        return [u for u in self.ordered if url in self.articles[u].related]

    @property
    def related_links(self) -> int:
        return sum(len(a.related) for a in self.articles.values())


def _most_common(counted: Counter[str]) -> str:
    if not counted:
        return ""
    best = max(counted.values())
    return min(name for name, count in counted.items() if count == best)


CORPUS_SETS = ("seed", "power-apps", "ai-news")
DATA_SETS = ("data", *CORPUS_SETS)


def data_set(name: str) -> Path:
    """The folder of a data set: `data` is the repository's own, the rest the shared corpus."""
    return REPO / "data" if name == "data" else CORPUS / name


@cache
def records(name: str) -> Records:
    return Records(data_set(name))
