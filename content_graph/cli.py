"""The `content-graph` command: serve a folder of news records, check it, query it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="content-graph")
def main() -> None:
    """Put a folder of news records behind a GraphQL API.

    \b
    Start here:
      content-graph serve            serve ./data at http://127.0.0.1:8000/graphql
      content-graph check DIR        load DIR and report every problem found
      content-graph query '{ stats { articles } }'
    """


# serve, query and schema: defined in content_graph/commands (API issue).
# check and generate: below.


@main.command()
@click.argument(
    "data_dir",
    default="data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar="CONTENT_GRAPH_DATA",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON, for pipelines.")
@click.option("--errors-only", is_flag=True, help="List skipped files only, not warnings.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    envvar="CONTENT_GRAPH_LOAD_WORKERS",
    show_envvar=True,
    help="Processes that read files [default: one per core].",
)
@click.option("--no-cache", is_flag=True, help="Read every file again, ignoring the parse cache.")
def check(
    data_dir: Path, as_json: bool, errors_only: bool, workers: int | None, no_cache: bool
) -> None:
    """Load DATA_DIR and report what was loaded and every problem found.

    Prints a summary line, then one line per problem: the file (relative to
    DATA_DIR), the line where known, and the reason. Skipped files are errors;
    dropped fields, invalid related links and duplicate records are warnings.

    \b
    Exit status: 0 when every file loaded, 1 when any file was skipped,
    2 for usage errors (such as a DATA_DIR that does not exist).

    \b
    Examples:
      content-graph check ../news-site
      content-graph check data --json | jq .skippedFiles
    """
    from graph import load

    with _progress_bar("Loading") as progress:
        result = load(data_dir, workers=workers, use_cache=not no_cache, progress=progress)
    report, stats = result.report, result.graph.stats
    if as_json:
        payload = report.as_json() | {
            "articles": stats.articles,
            "articlesWithRecord": stats.articles_with_record,
            "providers": stats.providers,
            "topics": stats.topics,
            "relatedLinks": stats.related_links,
            "version": stats.version,
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        click.echo(report.summary(stats.articles, stats.providers, stats.topics))
        problems = report.errors if errors_only else report.errors + report.warnings
        for problem in problems:
            click.echo(f"{problem.level}: {problem}")
    sys.exit(1 if report.files_skipped else 0)


@contextmanager
def _progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback drawing on stderr when it is a terminal; None otherwise."""
    if not sys.stderr.isatty():
        yield None
        return
    bar = None
    shown = 0

    def update(done: int, total: int) -> None:
        nonlocal bar, shown
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr).__enter__()
        bar.update(done - shown)
        shown = done

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
