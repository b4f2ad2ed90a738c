"""Command line: parse, call the pipeline, turn named errors into one sentence and an exit code.

Exit codes: 0 success; 2 usage error or no readable article; 1 internal error (or a model
that cannot be loaded).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from . import __version__
from .errors import BrieferError

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

Sources = Annotated[
    list[Path],
    typer.Argument(help="Article files or directories (searched recursively for .txt and .md)."),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display on stderr.")]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir", envvar="BRIEFER_CACHE_DIR", file_okay=False,
        help="Directory of the embedding cache [default: $XDG_CACHE_HOME/briefer].",
    ),
]
NoCache = Annotated[
    bool, typer.Option("--no-cache", help="Embed everything afresh; read and write no cache.")
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"briefer {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Turn multilingual news articles into a grouped, summarised, source-attributed brief.

    Examples:

      briefer build seeds --out out

      briefer group seeds --json
    """


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname.lower()}: {record.getMessage()}"


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    root = logging.getLogger("briefer")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if os.environ.get("BRIEFER_DEBUG") else logging.WARNING)
    root.propagate = False


@contextmanager
def _progress(quiet: bool) -> Iterator:
    """A spinner on stderr naming the current stage; a no-op when quiet or not a terminal."""
    if quiet:
        yield lambda _msg: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("Starting") as status:
        def report(msg: str) -> None:
            status.update(msg)
            if not console.is_terminal:
                console.print(f"[dim]{msg}…[/dim]", highlight=False)

        yield report


@contextmanager
def _errors() -> Iterator[None]:
    """One clear sentence and a non-zero exit for every failure; a traceback only on request."""
    try:
        yield
    except BrieferError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("error: interrupted.", err=True)
        raise typer.Exit(130) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if os.environ.get("BRIEFER_DEBUG"):
            raise
        typer.echo(
            f"error: internal error ({type(exc).__name__}: {exc}); "
            "set BRIEFER_DEBUG=1 for the traceback.",
            err=True,
        )
        raise typer.Exit(1) from None


@app.command()
def build(
    sources: Sources,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the brief files.")],
    format: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: json,html,pdf,txt.")
    ] = "json,html,pdf,txt",
    summarizer: Annotated[
        str,
        typer.Option(
            help="auto (seq2seq when its model loads, else extractive), seq2seq, extractive."
        ),
    ] = "auto",
    model: Annotated[
        str | None,
        typer.Option(help="Model id or local directory for seq2seq "
                          "[default: csebuetnlp/mT5_multilingual_XLSum]."),
    ] = None,
    title: Annotated[str, typer.Option(help="Title of the brief.")] = "Daily brief",
    templates: Annotated[
        Path | None, typer.Option(help="Directory with templates overriding the built-in ones.")
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option(
            envvar="BRIEFER_STATE", dir_okay=False,
            help="SQLite file of past events: continue developing stories across runs.",
        ),
    ] = None,
    outlets: Annotated[
        Path | None,
        typer.Option(envvar="BRIEFER_OUTLETS", dir_okay=False,
                     help="Outlet registry (TOML) [default: the example shipped with briefer]."),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(help="Drop summary sentences no source supports, instead of marking them."),
    ] = False,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    quiet: Quiet = False,
) -> None:
    """Build a brief: group articles by event, summarise, attribute, render.

    Examples:

      briefer build seeds --out out

      briefer build news/ extra.md --out out --format html,pdf --title "Morning brief"

      briefer build seeds --out out --summarizer seq2seq --model ./models/mT5_multilingual_XLSum

      briefer build news/today --out out --state briefer-state.sqlite
    """
    _setup_logging()
    with _errors():
        from .pipeline import Options
        from .pipeline import build as run_build

        options = Options(
            title=title,
            formats=tuple(f.strip().lower() for f in format.split(",") if f.strip()),
            summarizer=summarizer,
            model=model,
            templates_dir=templates,
            cache_dir=cache_dir,
            embedding_cache=not no_cache,
            state=state,
            outlets=outlets,
            strict=strict,
        )
        with _progress(quiet) as report:
            brief, written = run_build(sources, out, options, report)
        if not quiet:
            for s in brief.skipped:
                typer.echo(f"skipped {s.path}: {s.reason}", err=True)
            typer.echo(
                f"{len(brief.events)} events from "
                f"{sum(len(e.articles) for e in brief.events)} articles "
                f"({brief.backend} summaries) → " + ", ".join(str(p) for p in written),
                err=True,
            )


@app.command()
def group(
    sources: Sources,
    json_out: Annotated[bool, typer.Option("--json", help="Print the events as JSON.")] = False,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Show the pair scores behind each merge and near miss."),
    ] = False,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    quiet: Quiet = False,
) -> None:
    """Group articles into events without summarising.

    Examples:

      briefer group seeds

      briefer group seeds --json

      briefer group seeds --explain
    """
    _setup_logging()
    with _errors():
        from .group import SAME_EVENT_THRESHOLD
        from .group import explain as explain_grouping
        from .pipeline import Options, read_and_group

        with _progress(quiet) as report:
            options = Options(cache_dir=cache_dir, embedding_cache=not no_cache)
            _, grouping, embedder = read_and_group(sources, options, report)
            embedder.close()
        decisions = explain_grouping(grouping) if explain else []
        if json_out:
            payload: dict = {
                "events": [
                    {"id": e.id, "articles": [a.id for a in e.articles]} for e in grouping.events
                ]
            }
            if explain:
                payload["pairs"] = [
                    {"kind": d.kind, "a": d.a, "b": d.b, **asdict(d.score)} for d in decisions
                ]
            typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for e in grouping.events:
            typer.echo(f"{e.id}  [{e.language}] {e.headline}")
            for a in e.articles:
                typer.echo(f"    {a.id}  [{a.language}] {a.outlet or '-'}  {a.title}")
        if explain:
            typer.echo(f"\nSame-event threshold {SAME_EVENT_THRESHOLD} (average over both events):")
            for d in decisions:
                typer.echo(f"  {d.kind:<9} {d.a} ~ {d.b}: {d.score.describe()}")
