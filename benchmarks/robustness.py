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
  Message-ID), measured on a loopback SMTP server during the fault cases.

Fault cases run the daily job (``briefer run``) against a hand-written SMTP server on
127.0.0.1 that refuses, times out or hangs up (tests/servers.py ``FaultySmtp``), with the
output directory mounted read-only (a private mount namespace; skipped where not permitted),
and with the process SIGKILLed while rendering, after writing, while sending, and after the
server took the message. Each is handled when the failing run ends as documented, the next
healthy run finishes the job, every brief file parses, no temporary file is left, and the SMTP
password appears in no output, log or state.

Last line: ``robustness cases=N handled=H crashes=C fetches=F duplicates=D``.
"""

from __future__ import annotations

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
    check: Callable[[Path, object], bool]


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
             "Ministers meet " + hostile_img, hostile_css), inert("@import")),
        Case("10 000 small files", "read", many_files, None),
    ]


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

    def no_secret(self) -> bool:
        texts = list(self.outputs)
        if self.config.log_path.exists():
            texts.append(self.config.log_path.read_text(encoding="utf-8"))
        state = self.config.state.read_bytes() if self.config.state.exists() else b""
        return all(SECRET not in t for t in texts) and SECRET.encode() not in state


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
                                             "--summarizer", "extractive", "--no-cache"])
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
    print(f"robustness cases={n_cases} handled={handled} crashes={crashes} "
          f"fetches={Counter.hits} duplicates={duplicates}")


if __name__ == "__main__":
    main()
