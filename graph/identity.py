"""Canonical identities: article URL, provider domain, topic slug, words.

These are the rules of SEMANTICS.md ("Identity", "Lists and pages"); every layer that
compares URLs, domains, topic names or words goes through these functions.
"""

from __future__ import annotations

import re

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"\w+")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


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
    if _already_canonical(url):
        return url
    # Split by hand, in RFC 3986 order (fragment, query, scheme, authority): urlsplit
    # costs several times more, and this runs for every record and every link.
    url = url.partition("#")[0]
    url, _, query = url.partition("?")
    scheme_match = _SCHEME.match(url)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    rest = url[scheme_match.end() :] if scheme_match else url
    out = f"{scheme}:" if scheme else ""
    if rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        out += "//" + _authority(authority, scheme)
        path = slash + path
    else:
        path = rest
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    out += path
    if query:
        query = "&".join(
            piece for piece in query.split("&") if not piece.partition("=")[0].startswith("utm_")
        )
        if query:
            out += f"?{query}"
    return out


def _already_canonical(url: str) -> bool:
    """True for the common `https://host/path` that no rule changes.

    Most URLs in records are already canonical; recognising them with a few string
    tests costs a fraction of taking them apart, and returning the very same string lets
    equal URL fields share one object.
    """
    if url.startswith("https://"):
        start = 8
    elif url.startswith("http://"):
        start = 7
    else:
        return False
    if "#" in url or "?" in url or url.endswith("/"):
        return False
    slash = url.find("/", start)
    host = url[start:] if slash < 0 else url[start:slash]
    # A port or user information goes the long way; so does any capital in the host.
    return ":" not in host and "@" not in host and host == host.lower()


def _authority(authority: str, scheme: str) -> str:
    userinfo, at, hostport = authority.rpartition("@")
    host, port = hostport, ""
    # "[::1]:8080" and "host:8080" carry a port; "[::1]" does not.
    if not hostport.endswith("]"):
        head, colon, tail = hostport.rpartition(":")
        if colon:
            host, port = head, tail
    if port and _DEFAULT_PORTS.get(scheme) != port:
        return f"{userinfo}{at}{host.lower()}:{port}"
    return f"{userinfo}{at}{host.lower()}"


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
    lowered = text.lower()
    # Lower-casing the whole text first gives the same words, in one pass, whenever no
    # character lower-cases to several ('İ' alone does) and none depends on its
    # neighbours ('Σ' alone does): every other character keeps whether it is \w
    # (checked over all of Unicode), so no word boundary moves.
    if text.isascii() or (len(lowered) == len(text) and "Σ" not in text):
        return _WORD.findall(lowered)
    return [word.lower() for word in _WORD.findall(text)]
