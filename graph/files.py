"""Finding record files in a data directory and reading each one into a `FileResult`.

Reading one file never raises: whatever is wrong with it (unreadable, binary, too big,
bad YAML, not a record) becomes a `Problem` naming the file and, where the parser knows
it, the line. That is what lets every valid neighbour of a broken file still load.
"""

from __future__ import annotations

import io
import os
import pickle
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml

from graph.model import Image
from graph.records import (
    FieldWarning,
    InvalidRecord,
    OrganizationEntry,
    ProviderRef,
    Record,
    TopicEntry,
    coerce_organization,
    coerce_record,
    coerce_topic,
)

FileKind = Literal["record", "organization", "topic"]
Status = Literal["loaded", "ignored", "skipped"]

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
YAML_SUFFIXES = frozenset({".yaml", ".yml"})
# Under the data directory's own _data/, only these folders hold records we read.
TAXONOMY_FOLDERS: dict[str, FileKind] = {"organizations": "organization", "topics": "topic"}
# Records are a few kilobytes; anything past this is a mistake or an attack.
DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024
_FIRST_READ = 64 * 1024


class Problem(NamedTuple):
    """Something wrong with one file: `error` skips the file, `warning` drops a field."""

    path: str
    line: int | None
    reason: str
    level: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


class FileResult(NamedTuple):
    path: str
    kind: FileKind
    status: Status
    value: Record | OrganizationEntry | TopicEntry | None = None
    problems: tuple[Problem, ...] = ()


def discover(data_dir: Path) -> list[tuple[str, FileKind]]:
    """Every candidate file, as (path relative to data_dir, kind), in byte-wise path order.

    Which files are candidates is `file_kind`'s decision. Symlinked folders are not
    followed, so a link loop cannot make discovery endless.
    """
    found: list[tuple[str, FileKind]] = []
    for entry_path, kind in _walk(str(data_dir), ""):
        found.append((entry_path, kind))
    # Byte-wise order of the relative paths, as SEMANTICS.md fixes "first" and "last".
    found.sort(key=lambda item: item[0].encode("utf-8", "surrogateescape"))
    return found


def file_kind(relative: str) -> FileKind | None:
    """What the loader reads the file at `relative` as, or None when it does not read it.

    `relative` is the file's path under the data directory, `/`-separated. The one rule
    for "is this a record or taxonomy file": `discover` applies it while walking, and
    the watcher of `serve --watch` to each changed path, so both agree on every name.
    Hidden files and folders are skipped; under the top-level `_data/`, only the
    taxonomy folders are read; only Markdown and YAML suffixes are records.

    Editors' side files fall out of these rules, so a save never shows the loader a
    half-written neighbour: swap and lock files are hidden (`.a.md.swp`, `.#a.md`),
    backups and temporary copies end in another suffix (`a.md~`, `a.md.tmp`,
    `#a.md#`, `a.md___jb_tmp___`), and vim's probe file `4913` has none. The file
    being saved itself is read when the save's last change arrives.
    """
    *folders, name = relative.split("/")
    kind = folder_kind(folders)
    if kind is None or name.startswith("."):
        return None
    suffix = os.path.splitext(name)[1].lower()
    if suffix in MARKDOWN_SUFFIXES or suffix in YAML_SUFFIXES:
        return kind
    return None


def folder_kind(folders: list[str]) -> FileKind | None:
    """The kind of the files in the folder `folders` (its path, split), or None when
    nothing in it is read: a hidden folder, or `_data/` outside its taxonomy folders."""
    if any(folder.startswith(".") for folder in folders):
        return None
    if folders and folders[0] == "_data":
        return TAXONOMY_FOLDERS.get(folders[1]) if len(folders) > 1 else None
    return "record"


def searched_folder(relative: str) -> bool:
    """Whether the folder at `relative` may hold files the loader reads, at any depth.

    The same rule that `file_kind` applies to each file's folders; `_data/` itself holds
    no records, but its taxonomy folders do.
    """
    return relative == "_data" or folder_kind(relative.split("/")) is not None


def _walk(root: str, prefix: str) -> Iterator[tuple[str, FileKind]]:
    try:
        entries = list(os.scandir(os.path.join(root, prefix) if prefix else root))
    except OSError:
        return
    for entry in entries:
        relative = f"{prefix}/{entry.name}" if prefix else entry.name
        # The taxonomy folders are found by name, and may be links (as before);
        # other linked folders are not followed.
        if entry.is_dir(follow_symlinks=prefix == "_data"):
            if searched_folder(relative):
                yield from _walk(root, relative)
        elif entry.is_file():
            kind = file_kind(relative)
            if kind is not None:
                yield relative, kind


_MARKER = re.compile(r"^---[ \t]*$", re.MULTILINE)
# The same line found after a newline: a search led by a literal runs several times
# faster than a multi-line `^`, which the engine tries at every position.
_CLOSING_MARKER = re.compile(r"\n---[ \t]*(?:\n|$)")
_DOCUMENT_MARK = re.compile(r"^(?:---|\.\.\.)(?=[ \t]|$)", re.MULTILINE)


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _pyyaml_load(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error)
        raise YamlError(problem, mark.line + 1 if mark else None) from None
    except (RecursionError, MemoryError, OverflowError, ValueError) as error:
        raise YamlError(f"cannot be read ({type(error).__name__})", None) from None


class _SafeLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader, giving timestamps as the text they are written in.

    Turning text into a date is the coercion's job (records.parse_datetime): there an
    impossible date drops one field, where in the parser it fails the whole file.
    """


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_yaml_str)
_SAFE_LOADER = _SafeLoader


def _fast_loader() -> Callable[[str], Any] | None:
    try:
        import yaml_rs
    except ImportError:
        return None
    policy = yaml_rs.DuplicateKeyPolicy.LastWins  # PyYAML's behaviour for repeated keys

    def load(text: str) -> Any:
        # A byte-order mark inside a stream (after a front-matter line, say) is no part
        # of the first key; yaml-rs would keep it there.
        text = text.removeprefix("\ufeff")
        try:
            # Timestamps stay text, as with PyYAML (see _SafeLoader).
            return yaml_rs.loads(text, parse_datetime=False, duplicate_key_policy=policy)
        except yaml_rs.YAMLDecodeError as error:
            if "alias" in str(error):
                # An alias bomb, refused on purpose: PyYAML would build it.
                raise YamlError(str(error), None) from None
        except (RecursionError, OverflowError, ValueError):
            pass
        # yaml-rs is stricter than YAML in a few corners that PyYAML reads (a quoted
        # string continued on a line indented by one space): PyYAML has the last word
        # before a file is called broken, and its messages carry the line.
        return _pyyaml_load(text)

    return load


# yaml-rs when installed (several times faster); PyYAML's safe loader otherwise. Both
# give the same values on records (tests/test_yaml_differential.py).
parse_yaml: Callable[[str], Any] = _fast_loader() or _pyyaml_load


def read_file(
    data_dir: Path, path: str, kind: FileKind, max_bytes: int = DEFAULT_MAX_FILE_BYTES
) -> FileResult:
    """Read, parse and validate one file. Never raises for anything the file contains."""
    problems: list[Problem] = []

    def skip(reason: str, line: int | None = None) -> FileResult:
        problems.append(Problem(path, line, reason))
        return FileResult(path, kind, "skipped", None, tuple(problems))

    try:
        # A string join, not a Path: this runs once per file.
        raw = _read_head(f"{data_dir}/{path}", max_bytes + 1)
    except OSError as error:
        return skip(f"cannot read: {error.strerror or error}")
    if len(raw) > max_bytes:
        return skip(f"larger than the {max_bytes:,}-byte limit for one file")
    if not raw or raw.isspace():  # without copying the file, as strip() would
        return skip("empty file")
    if b"\x00" in raw:
        return skip("binary file (contains NUL bytes), not a text record")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return skip(f"not UTF-8 text (byte 0x{raw[error.start]:02x})", line)
    if "\r" in text:
        text = text.replace("\r\n", "\n")

    if os.path.splitext(path)[1].lower() in MARKDOWN_SUFFIXES:
        first, _, rest = text.partition("\n")
        if first.rstrip() != "---":
            # A Markdown page without front matter (a README) is not a record.
            return FileResult(path, kind, "ignored")
        if _MARKER.match(rest):
            documents = [("", 2)]
        else:
            end = _CLOSING_MARKER.search(rest)
            if end is None:
                return skip("front matter opened on line 1 is never closed by a '---' line", 1)
            documents = [(rest[: end.start() + 1], 2)]
    else:
        documents = _split_documents(text)

    data: Any = None
    seen_document = False
    record_source, record_line = "", 1
    for source, first_line in documents:
        try:
            value = parse_yaml(source)
        except YamlError as error:
            line = error.line + first_line - 1 if error.line else None
            return skip(f"invalid YAML: {error}", line)
        if value is None:
            continue
        if seen_document:
            return skip("a second YAML document: one record per file", first_line)
        data, seen_document = value, True
        record_source, record_line = source, first_line
    if not seen_document:
        return skip("no record: the front matter is empty")

    warnings: list[FieldWarning] = []
    try:
        if kind == "organization":
            value = coerce_organization(data, warnings)
        elif kind == "topic":
            value = coerce_topic(data, warnings)
        else:
            value = coerce_record(data, warnings)
    except InvalidRecord as error:
        return skip(f"not a valid record: {error}")
    for warning in warnings:
        line = _field_line(record_source, warning.field, warning.value)
        where = record_line + line if line is not None else None
        problems.append(Problem(path, where, warning.message, "warning"))
    return FileResult(path, kind, "loaded", value, tuple(problems))


def _field_line(source: str, field: str, value: Any) -> int | None:
    """The line, counted from 0 in `source`, on which a dropped field is written.

    That is the line of its top-level key or, for a nested field holding text (a link's
    `publishedDateTime`), the first line from there on which a key holds that text.
    Only called for warnings, so a search is cheap enough; None when the key is not
    written as a plain block-style key.
    """
    top = re.split(r"[.\[]", field, maxsplit=1)[0]
    key = re.search(rf"^(['\"]?){re.escape(top)}\1[ \t]*:", source, re.MULTILINE)
    if key is None:
        return None
    at = key.start()
    if isinstance(value, str) and field != top:
        held = rf":[ \t]*(['\"]?){re.escape(value)}\1[ \t]*$"
        written = re.compile(held, re.MULTILINE).search(source, key.end())
        if written is not None:
            at = written.start()
    return source.count("\n", 0, at)


def _read_head(location: str, size: int) -> bytes:
    """The file's first `size` bytes (all of it, when shorter).

    Plain descriptor calls: a file object (FileIO and BufferedReader) costs about 3 us
    a file to make. A read of n bytes first allocates n: asking for the whole limit at
    once would cost a 4 MiB allocation per file, so a first small read, which holds
    any record, comes first.
    """
    handle = os.open(location, os.O_RDONLY | os.O_CLOEXEC)
    try:
        data = os.read(handle, min(_FIRST_READ, size))
        while 0 < len(data) < size:
            more = os.read(handle, size - len(data))
            if not more:
                break
            data += more
        return data
    finally:
        os.close(handle)


def _split_documents(text: str) -> list[tuple[str, int]]:
    """A YAML stream cut at its `---` and `...` document markers, with each part's line.

    Cutting here rather than in the parser tells "a document that is a list" apart from
    "a stream of documents", and gives each document its own line numbers. A part starts
    right after the dashes of its `---`, so the parser's line 1 is the marker's line;
    directives (`%YAML 1.1`) stay with the document they precede.
    """
    documents = []
    start = 0
    for marker in _DOCUMENT_MARK.finditer(text):
        piece = text[start : marker.start()]
        if marker.group(0) == "---" and _directives_only(piece):
            continue
        documents.append((piece, text.count("\n", 0, start) + 1))
        if marker.group(0) == "---":
            start = marker.end()
        else:
            line_end = text.find("\n", marker.end())
            start = len(text) if line_end < 0 else line_end + 1
    documents.append((text[start:], text.count("\n", 0, start) + 1))
    return [(source, first) for source, first in documents if source.strip()]


def _directives_only(piece: str) -> bool:
    lines = [line.strip() for line in piece.splitlines() if line.strip()]
    return any(line.startswith("%") for line in lines) and all(
        line.startswith(("%", "#")) for line in lines
    )


# FileResults cross process boundaries (worker → loader: `pack`) and sit in the parse
# cache (`to_plain`, `from_plain`). Pickle rebuilds a named tuple through Python-level
# code, about four times slower than a plain tuple, so both ways rebuild each one with
# tuple.__new__ (C).
_new = tuple.__new__


def _as_new_tuple(cls: type) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    return lambda value: (_new, (cls, tuple(value)))


# Pickled through this table, each named tuple is rebuilt by tuple.__new__ itself: the
# unpickling side runs no Python code at all, which matters in the loading process,
# where every worker's results arrive.
_PACKED_TYPES = (FileResult, Problem, Record, ProviderRef, Image, OrganizationEntry, TopicEntry)
_PACK_TABLE = {cls: _as_new_tuple(cls) for cls in _PACKED_TYPES}


def pack(results: list[FileResult]) -> bytes:
    """Results as bytes for another process; `pickle.loads` gives them back."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _PACK_TABLE
    pickler.dump(results)
    return out.getvalue()


def to_plain(result: FileResult) -> tuple[Any, ...]:
    value = result.value
    if isinstance(value, Record):
        plain_value: Any = ("record", _plain_record(value))
    elif isinstance(value, OrganizationEntry):
        plain_value = ("organization", (value.domain, value.name, _plain_images(value.images)))
    elif isinstance(value, TopicEntry):
        plain_value = ("topic", tuple(value))
    else:
        plain_value = None
    return (*result[:3], plain_value, tuple(map(tuple, result.problems)))


def from_plain(plain: tuple[Any, ...]) -> FileResult:
    path, kind, status, plain_value, problems = plain
    value: Record | OrganizationEntry | TopicEntry | None = None
    if plain_value is not None:
        tag, fields = plain_value
        if tag == "record":
            value = _record_from_plain(fields)
        elif tag == "organization":
            value = _new(OrganizationEntry, (fields[0], fields[1], _images_from_plain(fields[2])))
        else:
            value = _new(TopicEntry, fields)
    return _new(
        FileResult,
        (path, kind, status, value, tuple(_new(Problem, problem) for problem in problems)),
    )


def _plain_images(images: tuple[Image, ...]) -> tuple[tuple[Any, ...], ...]:
    return tuple(map(tuple, images))


def _images_from_plain(images: tuple[tuple[Any, ...], ...]) -> tuple[Image, ...]:
    return tuple(_new(Image, image) for image in images)


def _plain_record(record: Record) -> tuple[Any, ...]:
    provider = record.provider
    return (
        *record[:14],
        (provider.domain, provider.name, _plain_images(provider.images)) if provider else None,
        record.topics,
        _plain_images(record.images),
        tuple(_plain_record(link) for link in record.related),
    )


def _record_from_plain(fields: tuple[Any, ...]) -> Record:
    provider = fields[14]
    return _new(
        Record,
        (
            *fields[:14],
            _new(ProviderRef, (provider[0], provider[1], _images_from_plain(provider[2])))
            if provider
            else None,
            fields[15],
            _images_from_plain(fields[16]),
            tuple(_record_from_plain(link) for link in fields[17]),
        ),
    )
