"""Loading news records into the content graph (a NetworkX graph plus its indexes)."""

from __future__ import annotations

from graph.files import Problem
from graph.load import DataDirectoryError, LoadResult, load
from graph.model import Article, ContentGraph, Image, Provider, Stats, Topic
from graph.report import LoadReport

__all__ = [
    "Article",
    "ContentGraph",
    "DataDirectoryError",
    "Image",
    "LoadReport",
    "LoadResult",
    "Problem",
    "Provider",
    "Stats",
    "Topic",
    "load",
]
