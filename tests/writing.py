"""Writing record files into a test's data directory, the way a news site keeps them.

Records are written as real files so that every loader test goes through discovery,
reading, parsing and merging exactly as a data directory on disk does.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from graph import ContentGraph

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"


def dump(fields: Any) -> str:
    """YAML text for `fields`, keys in the order given."""
    return yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, width=1000)


def write_text(
    root: Path, relative: str, text: str, *, newline: str = "\n", bom: bool = False
) -> Path:
    """Write `text` (written with `\\n`) at `root/relative`, with the given line ending."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.replace("\n", newline).encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_bytes(root: Path, relative: str, data: bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_md(
    root: Path,
    relative: str,
    fields: dict[str, Any] | str,
    *,
    body: str = "Body text of the page.\n",
    newline: str = "\n",
    bom: bool = False,
) -> Path:
    """A Markdown record: `fields` (a mapping, or YAML text) as front matter, then `body`."""
    front = fields if isinstance(fields, str) else dump(fields)
    if not front.endswith("\n"):
        front += "\n"
    return write_text(root, relative, f"---\n{front}---\n{body}", newline=newline, bom=bom)


def write_yaml(
    root: Path, relative: str, fields: dict[str, Any] | str, *, trailer: str = ""
) -> Path:
    """A YAML record or taxonomy file; `trailer` is appended as written (e.g. `---\\n`)."""
    text = fields if isinstance(fields, str) else dump(fields)
    return write_text(root, relative, text + trailer)


def record(url: str, title: str | None = None, **fields: Any) -> dict[str, Any]:
    """A minimal valid record for `url`; extra fields are added in the order given."""
    return {"title": title if title is not None else f"Title of {url}", "webUrl": url, **fields}


def link(url: str, title: str | None = None, **fields: Any) -> dict[str, Any]:
    """A related link (a mini-record) to `url`."""
    return record(url, title, **fields)


def provider(domain: str, name: str | None = None, images: list[dict] | None = None) -> dict:
    entry: dict[str, Any] = {"domain": domain}
    if name is not None:
        entry["name"] = name
    if images is not None:
        entry["images"] = images
    return entry


def snapshot(graph: ContentGraph) -> dict[str, Any]:
    """Everything a client can see of a graph, as plain values."""
    return {
        "articles": [
            (
                a.index,
                a.url,
                a.title,
                a.excerpt,
                a.published_at,
                a.web_url,
                a.original_url,
                a.amp_web_url,
                a.cdn_amp_web_url,
                a.type,
                a.category,
                a.quality,
                a.heat,
                a.featured_content,
                a.has_record,
                tuple(a.images),
                a.provider.domain if a.provider else None,
                tuple(t.slug for t in a.topics),
                tuple(r.url for r in a.related),
                tuple(a.related_from),
            )
            for a in graph.articles
        ],
        "providers": [
            (p.domain, p.name, tuple(p.images), tuple(p.articles)) for p in graph.providers
        ],
        "topics": [
            (t.slug, t.name, t.keywords, t.hashtags, tuple(t.articles)) for t in graph.topics
        ],
        "edges": sorted(
            (repr(u), repr(v), sorted(d.items())) for u, v, d in graph.graph.edges(data=True)
        ),
    }
