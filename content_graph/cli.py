"""The `content-graph` command: serve a folder of news records, check it, query it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from content_graph.settings import (
    ADMIN_TOKEN_ENV,
    CORS_ORIGINS_ENV,
    CSRF_PREVENTION_ENV,
    DATA_ENV,
    DEFAULT_HOST,
    DEFAULT_MAX_AGE,
    DEFAULT_MAX_ALIASES,
    DEFAULT_MAX_BATCH,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_COST,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_SUBSCRIPTION_CONNECTIONS,
    DEFAULT_MAX_SUBSCRIPTIONS,
    DEFAULT_MAX_TOKENS,
    DEFAULT_PERSISTED_QUERY_BYTES,
    DEFAULT_PORT,
    DEFAULT_RESPONSE_CACHE_BYTES,
    DEFAULT_SUBSCRIPTION_INIT_TIMEOUT,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    GRAPHIQL_ENV,
    HOST_ENV,
    INTROSPECTION_ENV,
    MAX_AGE_ENV,
    MAX_ALIASES_ENV,
    MAX_BATCH_ENV,
    MAX_BODY_ENV,
    MAX_COST_ENV,
    MAX_DEPTH_ENV,
    MAX_SUBSCRIPTION_CONNECTIONS_ENV,
    MAX_SUBSCRIPTIONS_ENV,
    MAX_TOKENS_ENV,
    PERSISTED_QUERIES_ENV,
    PORT_ENV,
    RESPONSE_CACHE_ENV,
    SUBSCRIPTION_INIT_TIMEOUT_ENV,
    TIMEOUT_ENV,
    WATCH_ENV,
    WORKERS_ENV,
    Limits,
    Settings,
    default_data_dir,
)

# `serve --no-access-log`: uvicorn's line per request costs about a fifth of a small
# query's CPU time (docs/http.md), which a busy server may rather spend answering.
ACCESS_LOG_ENV = "CONTENT_GRAPH_ACCESS_LOG"


def _setting(flag: str, env: str, *names: str, **options: Any) -> Callable[[Any], Any]:
    """An option that falls back to its env var, with both (and the default) in --help."""
    options.setdefault("show_default", True)
    return click.option(flag, *names, envvar=env, show_envvar=True, **options)


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


# serve, query and schema: at the end of this file.
# check and generate: below.


@main.command()
@click.argument(
    "data_dir",
    default=default_data_dir,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar=DATA_ENV,
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON, for pipelines.")
@click.option("--errors-only", is_flag=True, help="List skipped files only, not warnings.")
@_setting(
    "--workers",
    "CONTENT_GRAPH_LOAD_WORKERS",
    type=click.IntRange(min=1),
    help="Processes that read files [default: one per core].",
    show_default=False,
)
@click.option("--no-cache", is_flag=True, help="Read every file again, ignoring the parse cache.")
def check(
    data_dir: Path, as_json: bool, errors_only: bool, workers: int | None, no_cache: bool
) -> None:
    """Load DATA_DIR and report what was loaded and every problem found.

    DATA_DIR (env CONTENT_GRAPH_DATA) defaults to this repository's data/.
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
        click.echo(json.dumps(payload, indent=2))
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


@main.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--records", "-n", type=click.IntRange(min=0), required=True, help="Record files to write."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--force", is_flag=True, help="Write into a non-empty OUT, replacing its _news/ and _data/."
)
def generate(out: Path, records: int, seed: int, force: bool) -> None:
    """Write a synthetic corpus of RECORDS news records into OUT.

    The records are in the seed format (`_news/YYYY-MM-DD-slug.md` with YAML front
    matter) with a realistic shape: a few big providers and a long tail, topics by a
    power law, related links to other records and to outside pages (some spelled with
    `utm_` parameters or a trailing slash), a few unpublished records and duplicates,
    some CRLF files, and taxonomy files in `_data/organizations/` and `_data/topics/`.
    All text is made up. The same RECORDS and SEED always write the same bytes.

    OUT must be empty or absent unless --force is given; --force replaces only
    `_news/`, `_data/organizations/` and `_data/topics/`, so a README beside them stays.

    \b
    Examples:
      content-graph generate /tmp/news --records 10000
      content-graph generate data --records 200 --seed 7 --force
    """
    from graph.generate import generate_corpus

    try:
        summary = generate_corpus(out, records=records, seed=seed, force=force)
    except FileExistsError as error:
        raise click.UsageError(f"{error} (--force replaces its _news/ and _data/)") from None
    click.echo(
        f"wrote {summary.records:,} records ({summary.unpublished:,} unpublished, "
        f"{summary.duplicates:,} duplicates, {summary.crlf_files:,} with CRLF), "
        f"{summary.organizations:,} organizations and {summary.topics:,} topics to {out}"
    )


def _origins(context: click.Context, parameter: click.Parameter, value: str) -> tuple[str, ...]:
    return tuple(origin.strip() for origin in value.split(",") if origin.strip())


def _query_limit_options() -> list[Callable[[Any], Any]]:
    """The limits on one query, which `serve` and `query` apply alike."""
    return [
        _setting(
            "--max-cost",
            MAX_COST_ENV,
            type=click.IntRange(min=0),
            default=DEFAULT_MAX_COST,
            help="Refuse a query that could return more nodes than this (the cost; "
            "page sizes of nested lists multiply).",
        ),
        _setting(
            "--max-depth",
            MAX_DEPTH_ENV,
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_DEPTH,
            help="Refuse a query whose fields nest deeper than this.",
        ),
        _setting(
            "--max-aliases",
            MAX_ALIASES_ENV,
            type=click.IntRange(min=0),
            default=DEFAULT_MAX_ALIASES,
            help="Refuse a document with more aliased fields than this.",
        ),
        _setting(
            "--max-tokens",
            MAX_TOKENS_ENV,
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_TOKENS,
            help="Refuse a document longer than this many tokens, before parsing it whole.",
        ),
        _setting(
            "--timeout",
            TIMEOUT_ENV,
            type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_TIMEOUT,
            help="Seconds a request may run; past them it stops with an error.",
        ),
    ]


def _with_options(
    options: list[Callable[[Any], Any]],
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _limit_options(command: Callable[..., None]) -> Callable[..., None]:
    """The guard rails of `serve`: limits per request and production switches."""
    options = [
        *_query_limit_options(),
        _setting(
            "--max-body-bytes",
            MAX_BODY_ENV,
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_BODY_BYTES,
            help="Answer 413 to a request body larger than this.",
        ),
        _setting(
            "--max-batch",
            MAX_BATCH_ENV,
            type=click.IntRange(min=0),
            default=DEFAULT_MAX_BATCH,
            help="Operations one POST may batch as a JSON list; 0 turns batching off.",
        ),
        _setting(
            "--introspection/--no-introspection",
            INTROSPECTION_ENV,
            default=True,
            help="Answer schema introspection (__schema, __type).",
        ),
        _setting(
            "--graphiql/--no-graphiql",
            GRAPHIQL_ENV,
            default=True,
            help="Serve the playground to browsers at /graphql.",
        ),
        _setting(
            "--cors-origins",
            CORS_ORIGINS_ENV,
            metavar="ORIGINS",
            default="",
            callback=_origins,
            help="Comma-separated origins (https://app.example) whose pages may read the "
            "answers; none by default.",
            show_default=False,
        ),
        _setting(
            "--csrf-prevention/--no-csrf-prevention",
            CSRF_PREVENTION_ENV,
            default=True,
            help="Refuse POSTs a browser could send cross-site without a preflight "
            "(as Apollo Server does).",
        ),
        _setting(
            "--max-subscription-connections",
            MAX_SUBSCRIPTION_CONNECTIONS_ENV,
            type=click.IntRange(min=0),
            default=DEFAULT_MAX_SUBSCRIPTION_CONNECTIONS,
            help="Websocket connections served at once; more are closed with code 1013.",
        ),
        _setting(
            "--max-subscriptions-per-connection",
            MAX_SUBSCRIPTIONS_ENV,
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_SUBSCRIPTIONS,
            help="Subscriptions one websocket connection may run at once.",
        ),
        _setting(
            "--subscription-init-timeout",
            SUBSCRIPTION_INIT_TIMEOUT_ENV,
            type=click.FloatRange(min=0, min_open=True),
            default=DEFAULT_SUBSCRIPTION_INIT_TIMEOUT,
            help="Seconds a websocket may take to send connection_init; then it is closed.",
        ),
    ]
    return _with_options(options)(command)


@main.command()
@click.argument("data_dir", required=False, type=click.Path(path_type=Path), envvar=DATA_ENV)
@_setting(
    "--host",
    HOST_ENV,
    default=DEFAULT_HOST,
    help="Address to listen on; 0.0.0.0 listens on every interface.",
)
@_setting(
    "--port",
    PORT_ENV,
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    help="Port to listen on.",
)
@_setting(
    "--workers",
    WORKERS_ENV,
    type=click.IntRange(min=1),
    default=DEFAULT_WORKERS,
    help="Server processes; they share one copy of the data, loaded once.",
)
@_setting(
    "--response-cache-bytes",
    RESPONSE_CACHE_ENV,
    type=click.IntRange(min=0),
    default=DEFAULT_RESPONSE_CACHE_BYTES,
    help="Memory for answers to repeated requests; 0 turns the cache off.",
)
@_setting(
    "--cache-max-age",
    MAX_AGE_ENV,
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_AGE,
    help="Seconds browsers and proxies may reuse a GET answer; 0 revalidates by ETag.",
)
@_setting(
    "--persisted-query-bytes",
    PERSISTED_QUERIES_ENV,
    type=click.IntRange(min=0),
    default=DEFAULT_PERSISTED_QUERY_BYTES,
    help="Memory for automatic persisted queries (Apollo); 0 turns them off.",
)
@_setting(
    "--watch/--no-watch",
    WATCH_ENV,
    default=False,
    help="Reload when a record or taxonomy file under DATA_DIR is created, changed or "
    "deleted (docs/live.md).",
)
@_setting(
    "--admin-token",
    ADMIN_TOKEN_ENV,
    metavar="TOKEN",
    default=None,
    help="Turn on POST /admin/reload for clients sending 'Authorization: Bearer TOKEN' "
    "(off by default; prefer the env var: flags show in the process list).",
    show_default=False,
)
@_setting(
    "--access-log/--no-access-log",
    ACCESS_LOG_ENV,
    default=True,
    help="Log a line per request; without it a small query costs about 20% less CPU.",
)
@_limit_options
def serve(
    data_dir: Path | None,
    host: str,
    port: int,
    workers: int,
    response_cache_bytes: int,
    cache_max_age: int,
    persisted_query_bytes: int,
    watch: bool,
    admin_token: str | None,
    access_log: bool,
    **limits: Any,
) -> None:
    """Serve DATA_DIR as a GraphQL API, with a playground for browsers.

    DATA_DIR (env CONTENT_GRAPH_DATA) is a folder of news records, searched
    recursively; it defaults to the data/ folder of this repository. The server
    answers at once; the data loads in the background, and /readyz turns 200
    when it is loaded. Open the printed URL in a browser for the playground.

    \b
    Endpoints:
      /graphql          GraphQL over HTTP (POST, or GET for queries)
      /schema.graphql   the schema, in SDL
      /healthz /readyz  liveness and readiness
      /admin/reload     POST reloads, with --admin-token only

    \b
    Reloading without a restart (docs/live.md): --watch, a SIGHUP, or
    `content-graph reload`. A reload that fails keeps serving the last good
    data, and /readyz says why.

    \b
    Examples:
      content-graph serve
      content-graph serve ../news-site --port 9000 --watch
      CONTENT_GRAPH_WORKERS=4 content-graph serve data --host 0.0.0.0
    """
    from content_graph.server import playground_url
    from content_graph.server import serve as run_server

    settings = Settings(
        data_dir=data_dir or default_data_dir(),
        host=host,
        port=port,
        workers=workers,
        response_cache_bytes=response_cache_bytes,
        max_age=cache_max_age,
        persisted_query_bytes=persisted_query_bytes,
        limits=Limits(**limits),
        watch=watch,
        admin_token=admin_token or None,
    )
    if not settings.data_dir.is_dir():
        problem = "is not a directory" if settings.data_dir.exists() else "does not exist"
        raise click.BadParameter(f"{str(settings.data_dir)!r} {problem}.", param_hint="DATA_DIR")
    click.echo(f"Serving {settings.data_dir}: playground at {playground_url(settings)}")
    run_server(settings, access_log=access_log)


@main.command()
@click.argument("query_text", metavar="QUERY")
@click.option(
    "--variables",
    metavar="JSON",
    help="Values for the query's variables, as a JSON object.",
)
@click.option(
    "--operation-name",
    metavar="NAME",
    help="Which operation to run, when QUERY holds several.",
)
@_setting(
    "--data",
    DATA_ENV,
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=default_data_dir,
    show_default="this repository's data/",
    help="The folder of records to query.",
)
@_with_options(_query_limit_options())
def query(
    query_text: str,
    variables: str | None,
    operation_name: str | None,
    data_dir: Path,
    **limits: Any,
) -> None:
    """Run one GraphQL QUERY against the data, without a server, and print the JSON result.

    QUERY is the query text, or - to read it from stdin, or @FILE to read it
    from a file. It is held to the same limits as `serve` (the same flags and
    env vars), and refused the same way. Exit status: 0 when the result has no
    errors, 1 when it has, 2 for usage errors.

    \b
    Examples:
      content-graph query '{ stats { articles providers topics } }'
      content-graph query @queries/latest.graphql --variables '{"first": 3}'
      echo '{ topics(first: 5) { nodes { name } } }' | content-graph query -
    """
    from content_graph.query import QueryInputError, parse_variables, read_query, run_query

    try:
        text = read_query(query_text)
        values = parse_variables(variables)
        result = run_query(data_dir, text, values, operation_name, Limits(**limits))
    except QueryInputError as error:
        raise click.UsageError(str(error)) from None
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    sys.exit(1 if result.get("errors") else 0)


@main.command()
def schema() -> None:
    """Print the GraphQL schema that the server serves, in SDL.

    The same text is served at /schema.graphql.

    \b
    Example:
      content-graph schema > schema.graphql
    """
    from schema import schema as graphql_schema

    click.echo(graphql_schema.as_str())


def _server_url() -> str:
    # Where `serve` listens when started with the same env vars.
    from content_graph.server import playground_url

    return playground_url(Settings.from_env()).removesuffix("/graphql")


@main.command()
@click.option(
    "--url",
    metavar="URL",
    default=_server_url,
    show_default="http://$CONTENT_GRAPH_HOST:$CONTENT_GRAPH_PORT",
    help="The running server; POST URL/admin/reload.",
)
@_setting(
    "--admin-token",
    ADMIN_TOKEN_ENV,
    metavar="TOKEN",
    default=None,
    help="The token the server was started with (its --admin-token).",
    show_default=False,
)
@click.option(
    "--pid",
    type=click.IntRange(min=1),
    help="Send SIGHUP to this process instead (the server, or the supervisor of "
    "--workers); needs no token, but cannot report the outcome.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=600.0,
    show_default=True,
    help="Seconds to wait for the reload to finish.",
)
def reload(url: str, admin_token: str | None, pid: int | None, timeout: float) -> None:
    """Make a running server load its data folder again, and report how it went.

    By default this POSTs to the server's /admin/reload with the admin token
    (the server must run with --admin-token or CONTENT_GRAPH_ADMIN_TOKEN; this
    command reads the same env var). It waits for the reload and prints what
    was loaded, or why the reload failed; the server keeps serving the last
    good data either way. With several workers the supervisor reloads and this
    prints that it accepted. With --pid it sends SIGHUP instead, like `kill
    -HUP PID`. A server started with --watch reloads by itself on every change.

    \b
    Exit status: 0 when the server reloaded (or accepted, or was signalled),
    1 when the reload failed, 2 when the server could not be asked (not
    running, no admin route, wrong token).

    \b
    Examples:
      CONTENT_GRAPH_ADMIN_TOKEN=s3cret content-graph reload
      content-graph reload --url http://10.0.0.5:9000 --admin-token s3cret
      content-graph reload --pid "$(pgrep -of 'content-graph serve')"
    """
    if pid is not None:
        import os
        import signal

        try:
            os.kill(pid, signal.SIGHUP)
        except OSError as error:
            click.echo(f"error: cannot signal process {pid}: {error.strerror}", err=True)
            sys.exit(2)
        click.echo(f"sent SIGHUP to {pid}; its log and /readyz say how the reload went")
        return
    if not admin_token:
        raise click.UsageError(
            "give the server's admin token (--admin-token or CONTENT_GRAPH_ADMIN_TOKEN), "
            "or --pid to send SIGHUP"
        )
    status, answer = _post_reload(url.rstrip("/") + "/admin/reload", admin_token, timeout)
    if status == 200:
        click.echo(f"reloaded: {answer['summary']} (version {answer['version']})")
    elif status == 202:
        click.echo("accepted: the supervisor reloads and restarts its workers; see /readyz")
    elif status == 409:
        failure = answer.get("lastReload") or {}
        click.echo(
            f"reload failed: {failure.get('error')}; still serving version {answer.get('version')}",
            err=True,
        )
        sys.exit(1)
    else:
        reasons = {
            404: "the server has no /admin/reload: start it with --admin-token",
            401: "the server wants the admin token",
            403: "the server refused the admin token",
        }
        reason = reasons.get(status) or answer.get("error") or f"HTTP status {status}"
        click.echo(f"error: {reason} ({url})", err=True)
        sys.exit(2)


def _post_reload(url: str, token: str, timeout: float) -> tuple[int, dict[str, Any]]:
    """The status and JSON answer of POST `url`; exits with status 2 if none came."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url,
        data=b"{}",
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        click.echo(f"error: cannot reach the server at {url}: {reason}", err=True)
        sys.exit(2)
    try:
        answer = json.loads(body)
    except ValueError:
        answer = {}
    return status, answer if isinstance(answer, dict) else {}
