"""Canonical identities: article URL, provider domain, topic slug, words.

These are the rules of SEMANTICS.md ("Identity", "Lists and pages"); every layer that
compares URLs, domains, topic names or words goes through these functions.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"\w+")


def canonical_url(url: str | None) -> str | None:
    """The canonical form of an article URL, or None when there is no URL.

    Scheme and host lower-cased, a default port dropped, the fragment dropped, `utm_*`
    query pieces dropped (the rest kept byte for byte, in order), one trailing `/` of a
    path longer than `/` dropped. The path is otherwise kept byte for byte: percent
    escapes are not normalized, since two servers may well treat them differently.
    """
    if url is None:
        return None
    url = url.strip()
    if not url:
        return None
    # urlsplit keeps the path and query as written; it only splits.
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    netloc = parts.netloc
    if netloc:
        userinfo, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport.rpartition(":") if _has_port(hostport) else (hostport, "", "")
        host = host.lower()
        if colon and _DEFAULT_PORTS.get(scheme) == port:
            colon = port = ""
        netloc = f"{userinfo}{at}{host}{colon}{port}"
    path = parts.path
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    query = "&".join(
        piece for piece in parts.query.split("&") if not piece.partition("=")[0].startswith("utm_")
    )
    out = f"{scheme}:" if scheme else ""
    if netloc or scheme in _DEFAULT_PORTS:
        out += f"//{netloc}"
    out += path
    if query:
        out += f"?{query}"
    return out


def _has_port(hostport: str) -> bool:
    # "[::1]:8080" has a port; "[::1]" does not; "host:8080" does.
    if hostport.endswith("]"):
        return False
    return ":" in hostport


def normalize_domain(domain: str) -> str:
    """A provider's identity: lower-cased, surrounding space and a leading `www.` dropped."""
    domain = domain.strip().lower()
    return domain[4:] if domain.startswith("www.") else domain


def slugify(name: str) -> str:
    """A topic's identity: lower-cased, each run of characters outside a-z0-9 made one `-`."""
    return _NON_SLUG.sub("-", name.lower()).strip("-")


def words(text: str | None) -> list[str]:
    """The words of a text: runs of `\\w+`, lower-cased, in order (repeats kept)."""
    if not text:
        return []
    return [word.lower() for word in _WORD.findall(text)]
