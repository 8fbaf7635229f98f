"""The load report: what was read, what was kept, and every problem with its place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.files import Problem


@dataclass(frozen=True, slots=True)
class LoadReport:
    data_dir: str
    files_seen: int
    # Record files (not taxonomy files) read into a record, published or not.
    files_loaded: int
    files_skipped: int
    # Markdown files without front matter: pages, not records.
    files_ignored: int
    taxonomy_loaded: int
    unpublished: int
    duplicates: int
    seconds: float
    # Files whose parse came from the cache rather than from reading them again.
    cache_hits: int
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(problem for problem in self.problems if problem.level == "warning")

    def summary(self, articles: int, providers: int, topics: int) -> str:
        return (
            f"{counted(self.files_loaded, 'record')} loaded ({self.unpublished:,} unpublished, "
            f"{counted(self.duplicates, 'duplicate')}), {counted(self.files_skipped, 'file')} "
            f"skipped, {counted(len(self.warnings), 'warning')}: {counted(articles, 'article')}, "
            f"{counted(providers, 'provider')}, {counted(topics, 'topic')} from {self.data_dir} "
            f"in {self.seconds:.2f}s"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "dataDir": self.data_dir,
            "filesSeen": self.files_seen,
            "filesLoaded": self.files_loaded,
            "filesSkipped": self.files_skipped,
            "filesIgnored": self.files_ignored,
            "taxonomyLoaded": self.taxonomy_loaded,
            "unpublished": self.unpublished,
            "duplicates": self.duplicates,
            "seconds": round(self.seconds, 3),
            "cacheHits": self.cache_hits,
            "skippedFiles": [problem.path for problem in self.errors],
            "problems": [
                {
                    "path": problem.path,
                    "line": problem.line,
                    "level": problem.level,
                    "reason": problem.reason,
                }
                for problem in self.problems
            ],
        }


def counted(number: int, noun: str) -> str:
    """`number` and `noun`, plural unless it is one: "1 file", "2 files", "1,234 articles"."""
    return f"{number:,} {noun}" if number == 1 else f"{number:,} {noun}s"
