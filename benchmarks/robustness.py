"""Robustness: bad inputs and hostile text, each checked against what briefer promises.

Usage: .venv/bin/python benchmarks/robustness.py

Generates a bad-input corpus and a hostile corpus in a temporary directory, runs
``briefer build`` on each case in-process (CliRunner) with a loopback HTTP server counting
every request, and prints a table: case, expected behaviour, result. Counted:

- handled: the run ended as specified (skipped with a reason, repaired with a note, or
  exit 2 where nothing is readable) and the outputs are well-formed;
- crashes: an exit code of 1 or an exception escaping the CLI;
- fetches: requests that reached the loopback server (remote references in hostile text);
- duplicates: copies of an e-mail the SMTP server received beyond the first (same
  Message-ID), measured on a loopback SMTP server during the fault cases;
- internal_fetches: requests that reached an internal service through a feed: a loopback
  "internal" HTTP server linked from feed items in every spelling (``127.0.0.1``, decimal
  ``2130706433``, hex, octal, ``[::ffff:127.0.0.1]``, a redirect), and an SMTP port linked
  the same way. The feed itself is allowed by name (``--allow-fetch localhost``), the
  internal addresses are not;
- secrets_leaked: cases where something that must stay private reached an output, the log
  or the state: the SMTP password (also a non-ASCII one, and on a refused login), a file
  outside the source directory reached through a symbolic link, an internal page's text, an
  SMTP banner.

Fault cases run the daily job (``briefer run``) against a hand-written SMTP server on
127.0.0.1 that refuses, times out or hangs up (tests/servers.py ``FaultySmtp``), with the
output directory mounted read-only (a private mount namespace; skipped where not permitted),
and with the process SIGKILLed while rendering, after writing, while sending, and after the
server took the message. Each is handled when the failing run ends as documented, the next
healthy run finishes the job, every brief file parses, no temporary file is left, and the SMTP
password appears in no output, log or state. Then: a non-ASCII password against a loopback
SMTP server with AUTH (PLAIN and LOGIN), ``briefer email`` racing a ``briefer run`` that waits
for the server's reply on the same brief, hostile config numbers and settings that cannot
work (each must exit 2 naming the key, never 1).

Last line: ``robustness cases=N handled=H crashes=C fetches=F duplicates=D internal_fetches=I
secrets_leaked=S`` (all but cases and handled must be 0, and handled = cases).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from typer.testing import CliRunner  # noqa: E402

from briefer.cli import app  # noqa: E402
from briefer.ingest import ingest  # noqa: E402

SEED = next((ROOT / "seeds").glob("003_*.txt")).read_text(encoding="utf-8")
SEED_FA = next((ROOT / "seeds").glob("001_*.txt")).read_text(encoding="utf-8")


class Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        Counter.hits += 1
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class Case:
    name: str
    expect: str
    setup: Callable[[Path, int], list[str]]  # writes files, returns CLI sources
    check: Callable[[Path, object], bool] | None
    args: tuple[str, ...] = ()  # more options for `briefer build`


PRIVATE = "PRIVATE-MARKER-4f1c"  # text of a file outside the source dir, or of an internal page
LEAKS = {"internal_fetches": 0, "secrets_leaked": 0}


def leaked(out: Path, result, *markers: str) -> bool:
    """Any marker in the brief files or the command's output; counts it as a leaked secret."""
    texts = [getattr(result, "output", "")]
    texts += [p.read_text("utf-8", "replace") for p in out.glob("brief.*") if p.suffix != ".pdf"]
    if (out / "brief.pdf").exists():
        from pypdf import PdfReader

        texts += [page.extract_text() or "" for page in PdfReader(out / "brief.pdf").pages]
    found = any(m in t for m in markers for t in texts)
    LEAKS["secrets_leaked"] += found
    return found


def _write(d: Path, name: str, data: bytes | str) -> Path:
    p = d / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def _brief(out: Path) -> dict:
    return json.loads((out / "brief.json").read_text(encoding="utf-8"))


def skipped_with(reason: str) -> Callable[[Path, object], bool]:
    def check(out: Path, result) -> bool:
        b = _brief(out)
        return result.exit_code == 0 and any(reason in s["reason"] for s in b["skipped"])
    return check


def repaired_with(note: str) -> Callable[[Path, object], bool]:
    def check(out: Path, result) -> bool:
        b = _brief(out)
        return result.exit_code == 0 and any(note in w for w in b["warnings"])
    return check


def exit_code(code: int) -> Callable[[Path, object], bool]:
    return lambda out, result: result.exit_code == code


def built(out: Path, result) -> bool:
    return result.exit_code == 0 and all(
        (out / f"brief.{x}").exists() for x in ("json", "html", "pdf", "txt"))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "img", "iframe", "object", "embed", "link"):
            self.bad.append(tag)
        self.bad += [n for n, v in attrs if n.startswith("on")]
        self.bad += [v for n, v in attrs
                     if n in ("href", "src") and (v or "").lower().startswith("javascript:")]


def inert(marker: str) -> Callable[[Path, object], bool]:
    """Built, no active markup in the HTML, and the hostile text shown literally."""
    def check(out: Path, result) -> bool:
        if not built(out, result):
            return False
        html = (out / "brief.html").read_text(encoding="utf-8")
        tags = _Tags()
        tags.feed(html)
        return not tags.bad and marker in json.dumps(_brief(out), ensure_ascii=False)
    return check


def with_seed(d: Path, name: str, title: str, extra: str = "") -> list[str]:
    body = SEED.split("\n", 1)[1]
    _write(d, name, f"{title}\n\n{extra}\n\n{body}")
    return [str(d)]


def cases(port: int) -> list[Case]:
    remote = f"http://127.0.0.1:{port}"

    def ok_plus(name: str, data: bytes | str) -> Callable[[Path, int], list[str]]:
        def setup(d: Path, _port: int) -> list[str]:
            _write(d, "good.txt", SEED)
            _write(d, name, data)
            return [str(d)]
        return setup

    def many_files(d: Path, _port: int) -> list[str]:
        for i in range(10_000):
            _write(d, f"n{i:05d}.txt", f"Headline {i}\n\nShort article number {i} says a thing.")
        return [str(d)]

    def loop(d: Path, _port: int) -> list[str]:
        _write(d, "good.txt", SEED)
        (d / "sub").mkdir()
        os.symlink(d, d / "sub" / "loop")
        return [str(d)]

    def names(d: Path, _port: int) -> list[str]:
        _write(d, "with space é.txt", SEED)
        _write(d, "-leading-dash.txt", SEED_FA)
        _write(d, "ναι 你好.md", "# Ein Titel\n\nEin Satz mit genug Wörtern für einen Absatz hier.")
        return [str(d)]

    def links_out(d: Path, _port: int) -> list[str]:
        private = d.parent / f"{d.name}-private"
        (private / "keys").mkdir(parents=True)
        (private / "id_rsa").write_text(f"-----BEGIN KEY----- {PRIVATE}\n", encoding="utf-8")
        (private / "keys" / "note.txt").write_text(f"Key note\n\n{PRIVATE} stays here.\n",
                                                   encoding="utf-8")
        news = d / "news"
        news.mkdir()
        _write(news, "good.txt", SEED)
        os.symlink(private / "id_rsa", news / "key.txt")
        os.symlink(private / "keys", news / "keys")
        os.symlink("/etc/passwd", news / "passwd_link.txt")
        return [str(news)]

    def loop_source(d: Path, _port: int) -> list[str]:
        os.symlink(d / "loop", d / "loop")
        return [str(d / "loop")]

    hostile_img = f'<img src="{remote}/x.png" onerror="alert(1)">'
    hostile_css = (f"<style>@import url({remote}/a.css); "
                   f"body{{background:url({remote}/b.png)}}</style>")
    return [
        Case("empty file", "skipped", ok_plus("empty.txt", ""), skipped_with("empty")),
        Case("whitespace only", "skipped", ok_plus("ws.txt", " \n\t\n  "), skipped_with("empty")),
        Case("PNG image", "skipped", ok_plus("img.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
             skipped_with("binary")),
        Case("zip archive", "skipped", lambda d, p: _zip(d), skipped_with("binary")),
        Case("invalid UTF-8 bytes", "repaired",
             ok_plus("bad.txt", b"Headline\n\nA sentence with a broken \xff byte in it, long."),
             repaired_with("invalid UTF-8")),
        Case("Latin-1", "repaired",
             ok_plus("l1.txt", "Crème brûlée\n\nLe chef a préparé la crème brûlée pour le dîner."
                     .encode("latin-1")), repaired_with("decoded as")),
        Case("Windows-1256", "repaired",
             ok_plus("ar.txt", "خبر عاجل\n\nقال المتحدث إن الاجتماع عقد في العاصمة يوم الثلاثاء."
                     .encode("cp1256")), repaired_with("cp1256")),
        Case("UTF-16 with BOM", "repaired",
             ok_plus("u16.txt", "Titre\n\nUn article encodé en UTF-16 avec BOM.".encode("utf-16")),
             repaired_with("UTF-16")),
        Case("50 MB file", "skipped", ok_plus("big.txt", b"a" * (50 * 1024 * 1024)),
             skipped_with("larger than")),
        Case("5 MB single line", "truncated",
             ok_plus("line.txt", "Headline\n\n" + "word " * 1_000_000), repaired_with("truncated")),
        Case("symlink loop", "ignored", loop, built),
        Case("odd file names", "read", names, lambda out, r: built(out, r)
             and len({a["id"] for e in _brief(out)["events"] for a in e["articles"]}) == 3),
        Case("one-sentence article", "built",
             lambda d, p: [str(_write(d, "one.txt", "Quake hits the coast, killing 12."))], built),
        Case("no articles", "exit 2", lambda d, p: [str(d)], exit_code(2)),
        Case("script in title", "inert", lambda d, p: with_seed(d, "s.txt",
             "<script>alert('x')</script> Ministers meet"), inert("<script>alert('x')</script>")),
        Case("event handlers", "inert", lambda d, p: with_seed(d, "h.txt",
             '<b onmouseover="alert(1)">Ministers</b> meet', hostile_img), inert("onmouseover")),
        Case("javascript: URL", "inert", lambda d, p: [str(_write(d, "j.md",
             "---\ntitle: Ministers meet\nurl: javascript:alert(1)\n---\n" + SEED))],
             inert("javascript:alert(1)")),
        Case("Jinja syntax", "literal", lambda d, p: with_seed(d, "t.txt",
             "{{ 7*7 }} and {% for x in y %} meet"), inert("{{ 7*7 }}")),
        Case("CR/LF in title", "one line", lambda d, p: [str(_write(d, "c.md",
             "---\ntitle: Ministers\rBcc: victim@example.org\n---\n" + SEED))],
             lambda out, r: built(out, r) and all("\n" not in e["headline"] and "\r" not in
                                                 e["headline"] for e in _brief(out)["events"])),
        Case("bidi overrides", "stripped", lambda d, p: with_seed(d, "b.txt",
             "Ministers \u202emeet\u202c in Moscow"), lambda out, r: built(out, r)
             and "\u202e" not in (out / "brief.html").read_text(encoding="utf-8")),
        Case("remote image and CSS", "not fetched", lambda d, p: with_seed(d, "r.txt",
             "Ministers meet " + hostile_img, hostile_css), inert("onerror")),  # the <style>
             # line is dropped as page furniture by ingest; the <img> stays in the headline
        Case("symlinks out of the root", "skipped", links_out,
             lambda out, r: built(out, r) and not leaked(out, r, PRIVATE, "root:x:0:0")
             and sum("outside the source" in s["reason"] for s in _brief(out)["skipped"]) == 3),
        Case("symlink loop as source", "exit 2", loop_source, exit_code(2)),
        *ssrf_cases(),
        Case("10 000 small files", "read", many_files, None),
    ]


def ssrf_cases() -> list[Case]:
    """Feeds whose item links and redirects point at internal services (loopback servers)."""
    from tests.servers import FaultySmtp, rss_feed, web_server

    def setup(d: Path, _port: int) -> list[str]:
        stack = _STACK
        internal = stack.enter_context(web_server())
        internal.add("/secret", f"<html><body><article><p>{PRIVATE} internal admin page with "
                                f"enough words to be an article.</p></article></body></html>")
        smtp = stack.enter_context(FaultySmtp("ok"))
        feed = stack.enter_context(web_server())
        ip = int(internal.base.rsplit(":", 1)[1])
        fhost = "http://localhost:" + feed.base.rsplit(":", 1)[1]
        feed.add("/r1", "", status=302, headers={"Location": f"http://127.0.0.1:{ip}/secret"})
        feed.add("/r2", "", status=301,
                 headers={"Location": "http://169.254.169.254/latest/meta-data/iam/"})
        links = [f"http://127.0.0.1:{ip}/secret", f"http://2130706433:{ip}/secret", f"http://0x7f000001:{ip}/secret",
                 f"http://0177.0.0.1:{ip}/secret", f"http://[::ffff:127.0.0.1]:{ip}/secret",
                 f"http://[::1]:{ip}/secret", "http://169.254.169.254/latest/meta-data/iam/",
                 f"http://127.0.0.1:{smtp.port}/", f"{fhost}/r1", f"{fhost}/r2"]
        body = "".join(f"<p>{p}</p>" for p in SEED.split("\n")[2:] if p.strip())
        items = [{"title": "Ministers meet in Moscow", "text": body, "guid": "ok"}] + [
            {"title": f"Item {i}", "link": link, "guid": f"i{i}"} for i, link in enumerate(links)]
        feed.add("/feed.xml", rss_feed("Example News", items), "application/rss+xml")
        _SSRF.update(internal=internal, smtp=smtp, links=len(links))
        return [f"{fhost}/feed.xml"]

    def check(out: Path, result) -> bool:
        internal, smtp = _SSRF["internal"], _SSRF["smtp"]
        LEAKS["internal_fetches"] += len(internal.requests) + smtp.connections
        clean = not leaked(out, result, PRIVATE, "faulty ESMTP", "220 127.0.0.1")
        refused = [s for s in _brief(out)["skipped"] if s["reason"].startswith("not fetched")]
        return (built(out, result) and clean and len(refused) == _SSRF["links"]
                and not internal.requests and smtp.connections == 0)

    return [Case("SSRF: internal links", "refused", setup, check,
                 args=("--allow-fetch", "localhost"))]


_SSRF: dict = {}
_STACK = contextlib.ExitStack()


def _zip(d: Path) -> list[str]:
    _write(d, "good.txt", SEED)
    with zipfile.ZipFile(d / "archive.txt", "w") as z:
        z.writestr("inner.txt", "x" * 1000)
    return [str(d)]


# --- faults: the daily job against a rude SMTP server, a read-only disk, SIGKILL -------------

SECRET = "bench-Pw!9-never-printed"
FAULT_CONFIG = """title = "Morning brief"
sources = ["news"]
formats = {formats}
out_dir = "out/{{date}}"
state = "var/state.db"
window_hours = 0
[summarizer]
backend = "extractive"
[email]
host = "127.0.0.1"
port = {port}
from = "brief@example.org"
to = ["reader@example.org"]
username_env = "BENCH_SMTP_USER"
password_env = "BENCH_SMTP_PASSWORD"
timeout_s = {timeout_s}
attempts = 2
retry_wait_s = 0
"""


class Job:
    """One fault case: a config, a news directory, and every output the runs printed."""

    def __init__(self, root: Path, port: int, *, pdf: bool = False, timeout_s: float = 0.5):
        self.root = root
        (root / "news").mkdir(parents=True)
        self.publish("002", "003", "004")
        formats = '["json", "html", "pdf", "txt"]' if pdf else '["json", "html", "txt"]'
        self.path = root / "briefer.toml"
        self.path.write_text(FAULT_CONFIG.format(formats=formats, port=port,
                                                 timeout_s=timeout_s), encoding="utf-8")
        from briefer.config import load_config

        self.config = load_config(self.path)
        self.outputs: list[str] = []
        self.crashed = False

    def publish(self, *seeds: str) -> None:
        for prefix in seeds:
            src = next((ROOT / "seeds").glob(f"{prefix}_*.txt"))
            (self.root / "news" / src.name).write_bytes(src.read_bytes())

    @property
    def out(self) -> Path:
        from datetime import UTC, datetime

        return self.config.out_dir_for(datetime.now(UTC))

    def run(self) -> int:
        result = CliRunner().invoke(app, ["run", "--config", str(self.path)])
        self._note(result.output)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            self.crashed = True
        return result.exit_code

    def _note(self, output: str) -> None:
        self.outputs.append(output)
        if "Traceback" in output or "internal error" in output:
            self.crashed = True

    def run_killed(self, until: Callable[[str], bool] | threading.Event) -> bool:
        """``briefer run`` in a child process, SIGKILLed when a line of its --verbose output
        satisfies ``until`` or when the event (set by the SMTP server) is set."""
        import queue
        import signal
        import subprocess

        child = subprocess.Popen(
            [sys.executable, "-m", "briefer", "run", "--config", str(self.path), "--verbose"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            assert child.stdout is not None
            for raw in child.stdout:
                lines.put(raw.decode("utf-8", "replace"))

        threading.Thread(target=pump, daemon=True).start()
        seen: list[str] = []
        deadline = time.monotonic() + 180
        hit = False
        while not hit and time.monotonic() < deadline and child.poll() is None:
            if isinstance(until, threading.Event):
                hit = until.wait(0.05)
                continue
            try:
                seen.append(lines.get(timeout=0.1))
                hit = until(seen[-1])
            except queue.Empty:
                pass
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
        child.wait()
        time.sleep(0.1)
        while not lines.empty():
            seen.append(lines.get())
        self._note("".join(seen))
        return hit and child.returncode == -signal.SIGKILL

    def statuses(self) -> list[str]:
        import sqlite3

        if not self.config.state.exists():
            return []
        conn = sqlite3.connect(self.config.state)
        try:
            return [r[0] for r in conn.execute("SELECT status FROM briefs ORDER BY id")]
        finally:
            conn.close()

    def intact(self) -> bool:
        """Every brief file parses, all are there, and no temporary file is left."""
        out = self.out
        if list(out.glob("*.tmp")) or list(out.glob(".*.tmp")):
            return False
        try:
            json.loads((out / "brief.json").read_text(encoding="utf-8"))
            html = (out / "brief.html").read_text(encoding="utf-8")
            HTMLParser().feed(html)
            ok = html.rstrip().endswith("</html>") and bool(
                (out / "brief.txt").read_text(encoding="utf-8").strip())
            if (out / "brief.pdf").exists():
                from pypdf import PdfReader

                ok = ok and len(PdfReader(out / "brief.pdf", strict=True).pages) > 0
            return ok
        except Exception:
            return False

    def no_secret(self, secret: str = SECRET) -> bool:
        """The password, and any two characters of it with a non-ASCII one (what the old
        UnicodeEncodeError quoted), appear in no output, log or state; else counted leaked."""
        texts = list(self.outputs)
        if self.config.log_path.exists():
            texts.append(self.config.log_path.read_text(encoding="utf-8"))
        state = self.config.state.read_bytes() if self.config.state.exists() else b""
        pieces = {secret} | {secret[i:i + 2] for i in range(len(secret) - 1)
                             if not secret[i:i + 2].isascii()}
        clean = all(p not in t for p in pieces for t in texts) and not any(
            p.encode() in state for p in pieces)
        LEAKS["secrets_leaked"] += not clean
        return clean


def _ids(received: list[bytes]) -> list[str]:
    from email import message_from_bytes
    from email import policy as email_policy

    return [str(message_from_bytes(m, policy=email_policy.default)["Message-ID"])
            for m in received]


def _read_only_prefix(target: Path) -> list[str] | None:
    """Run a command with ``target`` read-only in a private mount namespace (root cannot write
    there, unlike a chmod 555 directory); None where mounts are not permitted."""
    import shutil
    import subprocess

    unshare = shutil.which("unshare")
    mount = (f'mount --bind "{target}" "{target}" && mount -o remount,bind,ro "{target}"')
    if unshare is None or subprocess.run(
            [unshare, "--mount", "--propagation", "private", "sh", "-c",
             f'{mount} && ! touch "{target}/.probe" 2>/dev/null'],
            capture_output=True).returncode != 0:  # fmt: skip
        return None
    return [unshare, "--mount", "--propagation", "private", "sh", "-c", f'{mount} && exec "$@"',
            "sh"]


def fault_cases() -> list[tuple[str, str, Callable[[Path], tuple[bool, bool, int, int]]]]:
    """(name, expected, scenario); a scenario returns (handled, crashed, received, duplicates)
    or raises Skip."""
    from tests.servers import FaultySmtp, free_port

    def smtp_fault(mode: str, expect_reason: str, then: int = 0) -> Callable:
        def scenario(root: Path) -> tuple[bool, bool, int, int]:
            with FaultySmtp(mode) as smtp:
                job = Job(root, smtp.port)
                t0 = time.monotonic()
                code = job.run()
                ok = code == 4 and expect_reason in job.outputs[-1] and job.intact()
                ok = ok and time.monotonic() - t0 < 60
                smtp.mode = "ok"
                ok = ok and job.run() == then and job.run() == 3
                return _verdict(job, smtp.received, ok, briefs=1)
        return scenario

    def refused_connection(root: Path) -> tuple[bool, bool, int, int]:
        port = free_port()
        job = Job(root, port)
        ok = job.run() == 4 and "Cannot connect" in job.outputs[-1] and job.intact()
        with FaultySmtp("ok", port=port) as smtp:
            ok = ok and job.run() == 0 and job.run() == 3
            return _verdict(job, smtp.received, ok, briefs=1)

    def read_only(root: Path) -> tuple[bool, bool, int, int]:
        import subprocess

        with FaultySmtp("ok") as smtp:
            job = Job(root, smtp.port)
            ok = job.run() == 0
            before = {p.name: p.read_bytes() for p in job.out.iterdir()}
            prefix = _read_only_prefix(job.out.parent)
            if prefix is None:
                raise Skip("read-only bind mounts are not permitted here")
            job.publish("000", "001")
            done = subprocess.run([*prefix, sys.executable, "-m", "briefer", "run", "--config",
                                   str(job.path)], capture_output=True, text=True, cwd=ROOT)
            job._note(done.stdout + done.stderr)
            errors = [x for x in done.stderr.splitlines() if x.startswith("error:")]
            ok = ok and done.returncode == 1 and len(errors) == 1 and \
                "Read-only file system" in errors[0]
            ok = ok and {p.name: p.read_bytes() for p in job.out.iterdir()} == before
            ok = ok and job.run() == 0  # writable again: the update is written and sent
            return _verdict(job, smtp.received, ok, briefs=2)

    def killed(mode: str, pdf: bool, trigger: str, then: int, statuses: tuple) -> Callable:
        def scenario(root: Path) -> tuple[bool, bool, int, int]:
            with FaultySmtp(mode) as smtp:
                job = Job(root, smtp.port, pdf=pdf, timeout_s=30)
                until: Callable[[str], bool] | threading.Event
                if trigger in ("data", "accepted"):
                    until = getattr(smtp, trigger)
                else:
                    until = lambda line: trigger in line  # noqa: E731
                ok = job.run_killed(until) and tuple(job.statuses()) in statuses
                smtp.mode = "ok"
                ok = ok and job.run() == then and job.run() == 3
                return _verdict(job, smtp.received, ok, briefs=1)
        return scenario

    def unicode_password(root: Path) -> tuple[bool, bool, int, int]:
        from aiosmtpd.smtp import AuthResult

        from tests.servers import smtp_server

        secret = "pässwörd-Ω-密码-ä"

        def check(server, session, envelope, mechanism, data) -> AuthResult:
            return AuthResult(success=data.password == secret.encode(), handled=False)

        before = os.environ["BENCH_SMTP_PASSWORD"]
        ok, crashed, received, dups = True, False, 0, 0
        try:
            for mechanism, other in (("PLAIN", "LOGIN"), ("LOGIN", "PLAIN")):
                with smtp_server(authenticator=check, auth_require_tls=False,
                                 auth_exclude_mechanism=[other]) as smtp:
                    job = Job(root / mechanism, smtp.port)
                    os.environ["BENCH_SMTP_PASSWORD"] = secret[::-1]  # wrong, non-ASCII too
                    ok = ok and job.run() == 4 and "refused the login" in job.outputs[-1]
                    os.environ["BENCH_SMTP_PASSWORD"] = secret
                    ok = ok and job.run() == 0 and job.run() == 3
                    ok = job.no_secret(secret) and job.no_secret(secret[::-1]) and ok
                    ids = _ids([r.data for r in smtp.box.received])
                    ok = ok and len(ids) == 1
                    crashed = crashed or job.crashed
                    received += len(ids)
                    dups += len(ids) - len(set(ids))
        finally:
            os.environ["BENCH_SMTP_PASSWORD"] = before
        return ok and not crashed, crashed, received, dups

    def email_races_run(root: Path) -> tuple[bool, bool, int, int]:
        with FaultySmtp("accept_then_stall") as smtp:
            job = Job(root, smtp.port, timeout_s=30)
            done = threading.Event()
            codes: list[int] = []

            def by_hand() -> None:
                if smtp.accepted.wait(120):  # the run waits for the reply to the final "."
                    smtp.mode = "ok"
                    result = CliRunner().invoke(app, ["email", str(job.out), "--config",
                                                      str(job.path)])
                    job._note(result.output)
                    codes.append(result.exit_code)
                done.set()

            threading.Thread(target=by_hand, daemon=True).start()
            ok = job.run_killed(done) and codes == [5]  # locked out: the run holds the lock
            after = CliRunner().invoke(app, ["email", str(job.out), "--config", str(job.path)])
            job._note(after.output)
            ok = ok and after.exit_code == 2 and "--resend" in after.output  # may be delivered
            ok = ok and job.run() == 4 and job.run() == 3  # unconfirmed: never re-sent
            return _verdict(job, smtp.received, ok, briefs=1)

    def hostile_config(root: Path) -> tuple[bool, bool, int, int]:
        with FaultySmtp("ok") as smtp:
            base = Job(root, smtp.port)
            text = base.path.read_text(encoding="utf-8")
            edits = [
                ("window_hours", ("window_hours = 0", "window_hours = inf")),
                ("window_hours", ("window_hours = 0", "window_hours = nan")),
                ("window_hours", ("window_hours = 0", "window_hours = 1e308")),
                ("fetch.timeout_s", ("[summarizer]", "[fetch]\ntimeout_s = 1e308\n[summarizer]")),
                ("fetch.max_bytes", ("[summarizer]", "[fetch]\nmax_bytes = 9223372036854775807\n"
                                                    "[summarizer]")),
                ("email.timeout_s", ("timeout_s = 0.5", "timeout_s = 1e308")),
                ("email.retry_wait_s", ("retry_wait_s = 0", "retry_wait_s = -inf")),
                ("out_dir", ('out_dir = "out/{date}"', 'out_dir = "out/{date:>99999999999}"')),
                ("email.subject", ("[email]", '[email]\nsubject = "{title:*^999999999}"')),
                ("email.host", ('host = "127.0.0.1"', 'host = ""')),
                ("email.ca_file", ("[email]", '[email]\nca_file = "missing-ca.pem"')),
                ("STARTTLS", ("[email]", '[email]\nsecurity = "starttls"')),
            ]
            ok, crashed = True, False
            for key, (old, new) in edits:
                base.path.write_text(text.replace(old, new, 1), encoding="utf-8")
                before = smtp.connections
                result = CliRunner().invoke(app, ["run", "--config", str(base.path)])
                base._note(result.output)
                errors = [line for line in result.output.splitlines()
                          if line.startswith("error:")]
                good = (result.exit_code == 2 and len(errors) == 1 and key in errors[0]
                        and smtp.connections - before <= 1)  # never retried
                crashed = crashed or result.exit_code == 1 or base.crashed
                ok = ok and good
                if not good:
                    print(f"  config {key}: exit {result.exit_code}: {result.output.strip()}")
            return ok and not crashed, crashed, len(smtp.received), 0

    return [
        ("SMTP connection refused", "exit 4, then 1", refused_connection),
        ("SMTP refuses (451)", "exit 4, then 1", smtp_fault("refuse", "451 4.3.0")),
        ("SMTP silent (timeout)", "exit 4, then 1", smtp_fault("silent", "did not answer")),
        ("SMTP stalls at DATA", "exit 4, then 1", smtp_fault("stall_data", "did not answer")),
        ("SMTP drops at DATA", "exit 4, then 1", smtp_fault("drop_data", "closed the conn")),
        ("SMTP drops in body", "exit 4, then 1", smtp_fault("drop_body", "closed the conn")),
        ("SMTP reply lost", "exit 4, no resend", smtp_fault("accept_then_drop",
                                                            "may or may not", then=3)),
        ("read-only output", "exit 1, kept", read_only),
        ("SIGKILL rendering", "next run sends", killed("ok", True, "Rendering", 0, ((),))),
        ("SIGKILL after writing", "next run sends", killed(
            "silent", False, "brief.json (", 0,
            ((), ("written",), ("pending",), ("sending",)))),
        ("SIGKILL sending", "next run sends", killed("stall_data", False, "data", 0,
                                                     (("sending",),))),
        ("SIGKILL after handover", "no resend", killed("accept_then_stall", False, "accepted",
                                                       4, (("awaiting reply",),))),
        ("non-ASCII SMTP password", "login, no leak", unicode_password),
        ("email races run", "exit 5, no dup", email_races_run),
        ("hostile config numbers", "exit 2, key", hostile_config),
    ]


class Skip(Exception):
    pass


def _verdict(job: Job, received: list[bytes], ok: bool, briefs: int
             ) -> tuple[bool, bool, int, int]:
    ids = _ids(received)
    duplicates = len(ids) - len(set(ids))
    ok = ok and len(set(ids)) == briefs and duplicates == 0 and job.intact() and job.no_secret()
    return ok and not job.crashed, job.crashed, len(received), duplicates


def main() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    runner = CliRunner()
    handled = crashes = 0
    all_cases = cases(port)
    print(f"{'case':<24} {'expected':<12} {'result':<8} seconds")
    with tempfile.TemporaryDirectory() as tmp:
        for k, case in enumerate(all_cases):
            src, out = Path(tmp) / f"in{k}", Path(tmp) / f"out{k}"
            src.mkdir()
            t0 = time.perf_counter()
            sources = case.setup(src, port)
            if case.check is None:  # ingest only: a day's worth of tiny files
                try:
                    n = len(ingest(sources).articles)
                    ok, crashed = n == 10_000, False
                except Exception:
                    ok, crashed = False, True
            else:
                result = runner.invoke(app, ["build", *sources, "--out", str(out), "-q",
                                             "--summarizer", "extractive", "--no-cache",
                                             *case.args])
                crashed = result.exit_code == 1 or (
                    result.exception is not None and not isinstance(result.exception, SystemExit))
                try:
                    ok = not crashed and bool(case.check(out, result))
                except (OSError, ValueError, KeyError):
                    ok = False
            handled += ok
            crashes += crashed
            status = "ok" if ok else ("CRASH" if crashed else "FAILED")
            print(f"{case.name:<24} {case.expect:<12} {status:<8} {time.perf_counter() - t0:.1f}")
        n_cases, duplicates = len(all_cases), 0
        os.environ["BRIEFER_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.environ["BENCH_SMTP_USER"] = "briefer"
        os.environ["BENCH_SMTP_PASSWORD"] = SECRET
        print(f"\n{'fault':<24} {'expected':<18} {'result':<8} {'mails':>5} {'dups':>4} seconds")
        for k, (name, expect, scenario) in enumerate(fault_cases()):
            t0 = time.perf_counter()
            try:
                ok, crashed, mails, dups = scenario(Path(tmp) / f"fault{k}")
            except Skip as why:
                print(f"{name:<24} {expect:<18} skipped  ({why})")
                continue
            except Exception as exc:  # the harness or briefer raised: count it, go on
                ok, crashed, mails, dups = False, True, 0, 0
                print(f"  {type(exc).__name__}: {exc}")
            n_cases += 1
            handled += ok
            crashes += crashed
            duplicates += dups
            status = "ok" if ok else ("CRASH" if crashed else "FAILED")
            print(f"{name:<24} {expect:<18} {status:<8} {mails:>5} {dups:>4} "
                  f"{time.perf_counter() - t0:.1f}")
    server.shutdown()
    _STACK.close()
    print(f"robustness cases={n_cases} handled={handled} crashes={crashes} "
          f"fetches={Counter.hits} duplicates={duplicates} "
          f"internal_fetches={LEAKS['internal_fetches']} secrets_leaked={LEAKS['secrets_leaked']}")


if __name__ == "__main__":
    main()
