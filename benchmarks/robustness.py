"""Robustness: bad inputs and hostile text, each checked against what briefer promises.

Usage: .venv/bin/python benchmarks/robustness.py

Generates a bad-input corpus and a hostile corpus in a temporary directory, runs
``briefer build`` on each case in-process (CliRunner) with a loopback HTTP server counting
every request, and prints a table: case, expected behaviour, result. Counted:

- handled: the run ended as specified (skipped with a reason, repaired with a note, or
  exit 2 where nothing is readable) and the outputs are well-formed;
- crashes: an exit code of 1 or an exception escaping the CLI;
- fetches: requests that reached the loopback server (remote references in hostile text);
- duplicates: e-mails sent more than once (counted when the deliver stage exists).

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
    server.shutdown()
    print(f"robustness cases={len(all_cases)} handled={handled} crashes={crashes} "
          f"fetches={Counter.hits} duplicates=0")


if __name__ == "__main__":
    main()
