"""Validating and coercing one parsed YAML mapping into a `Record`.

A record's fields are checked one by one: a field of the wrong type is dropped with a
warning and the rest of the record is kept; only a missing title or URL makes a record
(or a related link) invalid. Records are named tuples: worker processes and the parse
cache pickle and unpickle them several times faster than dataclasses.
"""

from __future__ import annotations

import reprlib
from datetime import UTC, date, datetime, time
from typing import Any, NamedTuple

import yaml

from graph.identity import canonical_url, normalize_domain, slugify
from graph.model import Image


class InvalidRecord(ValueError):
    """The mapping cannot be a record (no title, no URL, not a mapping)."""


class FieldWarning(NamedTuple):
    """A field (or image, provider, related link) dropped from a record that is kept.

    `field` is its path in the record (`related[2].publishedDateTime`) and `value` what
    it held: enough for the reader of the file to find the line it is written on.
    """

    message: str
    field: str
    value: Any = None


class ProviderRef(NamedTuple):
    domain: str
    name: str | None
    images: tuple[Image, ...]


class Record(NamedTuple):
    """One news item as written in a file, or one related link inside a record."""

    url: str
    title: str
    excerpt: str | None = None
    published_at: datetime | None = None
    web_url: str | None = None
    amp_web_url: str | None = None
    cdn_amp_web_url: str | None = None
    original_url: str | None = None
    type: str | None = None
    category: str | None = None
    quality: int | None = None
    heat: int | None = None
    featured_content: str | None = None
    published: bool = True
    provider: ProviderRef | None = None
    # Topic names as written, repeats (by slug) dropped; empty for related links.
    topics: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    related: tuple[Record, ...] = ()


class OrganizationEntry(NamedTuple):
    domain: str
    name: str | None
    images: tuple[Image, ...]


class TopicEntry(NamedTuple):
    slug: str
    name: str
    keywords: tuple[str, ...]
    hashtags: tuple[str, ...]


# YAML 1.1 (PyYAML) reads these unquoted words as booleans; YAML 1.2 parsers read them
# as strings. Accepting both spellings makes `published` mean the same under either.
_new = tuple.__new__

_TRUE_WORDS = frozenset({"true", "yes", "y", "on"})
_FALSE_WORDS = frozenset({"false", "no", "n", "off"})


# Bounded: a field can hold a huge or alias-shared structure whose full repr never ends.
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, 50, 50


class _Fields:
    """Reads typed fields out of one mapping, collecting a warning per dropped field."""

    __slots__ = ("data", "prefix", "warnings")

    def __init__(
        self, data: dict[str, Any], warnings: list[FieldWarning], prefix: str = ""
    ) -> None:
        self.data = data
        self.warnings = warnings
        self.prefix = prefix

    def _drop(self, key: str, value: Any, expected: str) -> None:
        field = f"{self.prefix}{key}"
        shown = _SHORT.repr(value)
        message = f"field {field}: expected {expected}, got {shown}; field dropped"
        self.warnings.append(FieldWarning(message, field, value))

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or value.__class__ is str:  # nearly always: no further tests
            return value
        if isinstance(value, str):
            return value
        # An unquoted number where text belongs is an authoring slip, not a wrong type.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self._drop(key, value, "text")
        return None

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None or value.__class__ is int:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        self._drop(key, value, "an integer")
        return None

    def boolean(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE_WORDS:
                return True
            if word in _FALSE_WORDS:
                return False
        self._drop(key, value, "true or false")
        return None

    def moment(self, key: str) -> datetime | None:
        value = self.data.get(key)
        if value is None:
            return None
        parsed = parse_datetime(value)
        if parsed is None:
            self._drop(key, value, "an ISO-8601 date-time")
        return parsed

    def mapping(self, key: str) -> dict[str, Any] | None:
        value = self.data.get(key)
        if value is None or isinstance(value, dict):
            return value
        self._drop(key, value, "a mapping")
        return None

    def sequence(self, key: str) -> list[Any]:
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self._drop(key, value, "a list")
        return []


def parse_datetime(value: Any) -> datetime | None:
    """A timezone-aware datetime from a YAML value; naive times are UTC.

    The parsers hand timestamps over as text (graph/files.py), so that an impossible
    one (an hour of 30) drops this field rather than failing the whole file. Text is
    read as ISO 8601, else by YAML 1.1's timestamp rule, which PyYAML applies to
    unquoted scalars (`2001-12-14 21:59:43.10 -5`).
    """
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            parsed = _yaml_timestamp(text)
            if parsed is None:
                return None
            return parse_datetime(parsed)
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


_YAML_TIMES = yaml.constructor.SafeConstructor()


def _yaml_timestamp(text: str) -> date | None:
    if not _YAML_TIMES.timestamp_regexp.fullmatch(text):
        return None
    node = yaml.ScalarNode("tag:yaml.org,2002:timestamp", text)
    try:
        return _YAML_TIMES.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return None  # the right shape, an impossible value: February 30th, hour 30


def _images(fields: _Fields, key: str = "images") -> tuple[Image, ...]:
    images = []
    for position, item in enumerate(fields.sequence(key)):
        if not isinstance(item, dict):
            fields._drop(f"{key}[{position}]", item, "a mapping with a url")
            continue
        image = _Fields(item, fields.warnings, f"{fields.prefix}{key}[{position}].")
        url = image.text("url")
        if not url or not url.strip():
            field = f"{fields.prefix}{key}[{position}]"
            fields.warnings.append(FieldWarning(f"field {field}: no url; image dropped", field))
            continue
        # Positional, through tuple.__new__: a named tuple's keyword __new__ is Python code.
        images.append(
            _new(
                Image,
                (
                    url.strip(),
                    image.integer("width"),
                    image.integer("height"),
                    image.text("title"),
                    image.boolean("isCached"),
                ),
            )
        )
    return tuple(images)


def _provider(fields: _Fields) -> ProviderRef | None:
    data = fields.mapping("provider")
    if data is None:
        return None
    provider = _Fields(data, fields.warnings, f"{fields.prefix}provider.")
    domain = provider.text("domain")
    domain = normalize_domain(domain) if domain else None
    if not domain:
        field = f"{fields.prefix}provider"
        fields.warnings.append(FieldWarning(f"field {field}: no domain; provider dropped", field))
        return None
    name = provider.text("name")
    if name is not None:
        name = name.strip() or None
    return _new(ProviderRef, (domain, name, _images(provider)))


def _topics(fields: _Fields) -> tuple[str, ...]:
    seen: set[str] = set()
    names = []
    for position, item in enumerate(fields.sequence("topics")):
        name = item if isinstance(item, str) else None
        if isinstance(item, int | float) and not isinstance(item, bool):
            name = str(item)
        slug = slugify(name) if name else ""
        if not slug:
            fields._drop(f"topics[{position}]", item, "a topic name")
            continue
        if slug not in seen:
            seen.add(slug)
            names.append(name.strip())
    return tuple(names)


def coerce_record(data: Any, warnings: list[FieldWarning], *, prefix: str = "") -> Record:
    """A Record from a parsed mapping; raises InvalidRecord when it cannot be one.

    Warnings for dropped fields are appended to `warnings`. Related links are records
    without topics or links of their own; an invalid link is dropped with a warning.
    """
    if not isinstance(data, dict):
        raise InvalidRecord(f"expected a mapping of fields, got {_kind(data)}")
    fields = _Fields(data, warnings, prefix)
    web_url = fields.text("webUrl")
    original_url = fields.text("originalUrl")
    url = canonical_url(web_url) or canonical_url(original_url)
    title = fields.text("title")
    if title is not None:
        title = title.strip()
    if not title or not url:
        missing = [
            name for name, value in (("title", title), ("webUrl or originalUrl", url)) if not value
        ]
        raise InvalidRecord(f"no {' and no '.join(missing)}")
    related: tuple[Record, ...] = ()
    if not prefix:
        related = _related(fields, url)
    published = fields.boolean("published") if not prefix else None
    # Positional, in field order, through tuple.__new__ (see _images); the arguments are
    # evaluated in the order the fields' warnings have always come in.
    return _new(
        Record,
        (
            url,
            title,
            fields.text("excerpt"),
            fields.moment("publishedDateTime"),
            web_url,
            fields.text("ampWebUrl"),
            fields.text("cdnAmpWebUrl"),
            original_url,
            fields.text("type"),
            fields.text("category"),
            fields.integer("quality"),
            fields.integer("heat"),
            fields.text("featuredContent"),
            published is not False,
            _provider(fields),
            _topics(fields) if not prefix else (),
            _images(fields),
            related,
        ),
    )


def _related(fields: _Fields, own_url: str) -> tuple[Record, ...]:
    links = []
    seen = {own_url}
    for position, item in enumerate(fields.sequence("related")):
        try:
            link = coerce_record(item, fields.warnings, prefix=f"related[{position}].")
        except InvalidRecord as error:
            field = f"related[{position}]"
            fields.warnings.append(FieldWarning(f"{field}: {error}; link dropped", field))
            continue
        # Links to the record itself and repeats of an earlier link are not edges.
        if link.url in seen:
            continue
        seen.add(link.url)
        links.append(link)
    return tuple(links)


def coerce_organization(data: Any, warnings: list[FieldWarning]) -> OrganizationEntry:
    if not isinstance(data, dict):
        raise InvalidRecord(f"expected a mapping of fields, got {_kind(data)}")
    fields = _Fields(data, warnings)
    domain = fields.text("domain")
    if not domain or not normalize_domain(domain):
        raise InvalidRecord("organization without a domain")
    name = fields.text("name")
    return OrganizationEntry(
        domain=normalize_domain(domain),
        name=name.strip() if name and name.strip() else None,
        images=_images(fields),
    )


def coerce_topic(data: Any, warnings: list[FieldWarning]) -> TopicEntry:
    if not isinstance(data, dict):
        raise InvalidRecord(f"expected a mapping of fields, got {_kind(data)}")
    fields = _Fields(data, warnings)
    name = fields.text("name")
    if not name or not slugify(name):
        raise InvalidRecord("topic without a name")
    return TopicEntry(
        slug=slugify(name),
        name=name.strip(),
        keywords=_strings(fields, "keywords"),
        hashtags=_strings(fields, "hashtags"),
    )


def _strings(fields: _Fields, key: str) -> tuple[str, ...]:
    out = []
    for position, item in enumerate(fields.sequence(key)):
        if isinstance(item, str):
            out.append(item)
        else:
            fields._drop(f"{key}[{position}]", item, "text")
    return tuple(out)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"
