"""Render stage: escaping, right-to-left text, source links, PDF safety and atomic writes."""

from __future__ import annotations

import http.server
import json
import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefer import render
from briefer.errors import BrieferError, UsageError
from briefer.present import PresentOptions
from briefer.render import (
    builtin_templates_dir,
    render_html,
    render_pdf,
    render_txt,
    template_dirs,
    write_outputs,
)
from briefer.types import Article, Brief, Event, Skipped, SummarySentence

# --- a realistic brief, partly from the seeds ---------------------------------------------

ID_HEADLINE = "Menteri Suriah bahas kerja sama militer dengan Putin di Moskow"
FA_HEADLINE = "دیدار محرمانه وزیران سوریه با پوتین در مسکو؛ تحولی بزرگ در همکاری نظامی دو کشور"
IR_HEADLINE = "Putin dan Rayeesi bahas peningkatan kerja sama Rusia dan Iran"
# the reader (English by default) gets event 1's headline from its English article
EN_HEADLINE = "Syrian ministers discuss military, economic cooperation with Putin"
FA_PHRASE = "ولادیمیر پوتین"
UNSUPPORTED = "Kedua negara juga menandatangani perjanjian pertahanan baru."
SAFE_URL = "https://example.org/news/syria-putin"
HOSTILE_URL = "javascript:alert(1)"


def build_brief(port: int = 9, hostile: bool = True) -> Brief:
    """Three events (Indonesian + English sources, Persian, Indonesian); hostile strings optional.

    ``port`` goes into the hostile URLs so a local server can count any request they cause.
    """
    remote = f"http://127.0.0.1:{port}"
    sana_id = (
        "Moskow, Suarathailand- Menteri luar negeri dan pertahanan Damaskus bertemu dengan "
        "Presiden Rusia Vladimir Putin pada hari Selasa selama kunjungan ke Moskow di mana "
        "mereka membahas kerja sama militer, kata media pemerintah Suriah."
    )
    sana_en = (
        "MOSCOW (MNTV) — Syria’s foreign and defense ministers met Russian President Vladimir "
        "Putin in Moscow to discuss expanding cooperation in military industries."
    )
    a1 = Article(
        id="000_f8241679bfc4829d",
        title="Di Rusia, Para Menteri Suriah Bahas Kerja Sama Militer dengan Putin",
        body=sana_id,
        language="id",
        path="seeds/000_f8241679bfc4829d.txt",
        outlet="Suarathailand",
        via="SANA",
        published="2025-07-29",
    )
    a2 = Article(
        id="003_475af86c010272c1",
        title="Syrian ministers discuss military, economic cooperation with Putin"
        + (" <script>alert(1)</script> {{ 7*7 }}" if hostile else ""),
        body=sana_en,
        language="en",
        path="seeds/003_475af86c010272c1.txt",
        url=SAFE_URL,
        outlet="MNTV",
        via="SANA",
        published="2025-07-29T18:40:00Z",
    )
    summary1 = [
        SummarySentence(
            "Menteri luar negeri dan pertahanan Suriah bertemu Presiden Rusia Vladimir Putin di "
            "Moskow untuk membahas kerja sama militer.",
            sources=[a1.id, a2.id],
            evidence={a1.id: sana_id, a2.id: sana_en},
        ),
        SummarySentence(
            "Pembicaraan mencakup modernisasi peralatan militer, transfer keahlian teknis, serta "
            "kerja sama penelitian dan pengembangan.",
            sources=[a2.id],
            evidence={a2.id: "The talks included modernizing military equipment."},
        ),
        SummarySentence(UNSUPPORTED),
    ]
    if hostile:
        summary1.append(
            SummarySentence(
                f'SANA menyebut <img src="{remote}/x.png"> @import url({remote}/a.css); '
                "{{ 7*7 }} pembicaraan itu penting.",
                sources=[a1.id],
                evidence={a1.id: '" onmouseover="alert(1)'},
            )
        )
    fa_first = (
        "وزیر خارجه و وزیر دفاع دولت موقت سوریه در مسکو با ولادیمیر پوتین دیدار کردند تا "
        "راههای تقویت همکاریهای نظامی و فنی میان دو کشور را بررسی کنند."
    )
    b1 = Article(
        id="001_bb2331bd10b96028",
        title=FA_HEADLINE,
        body=fa_first,
        language="fa",
        path="seeds/001_bb2331bd10b96028.txt",
        url=HOSTILE_URL if hostile else None,
        outlet="نمابان",
        via="ایسنا",
        published="2025-07-29",
    )
    summary2 = [
        SummarySentence(fa_first, sources=[b1.id], evidence={b1.id: fa_first}),
        SummarySentence(
            "در این دیدار بر همکاری راهبردی در حوزه صنایع نظامی تمرکز ویژه شد.",
            sources=[b1.id],
            evidence={
                b1.id: "براساس بیانیه خبرگزاری رسمی سوریه، در این دیدار، مسائل مختلف سیاسی، "
                "نظامی و اقتصادی دارای اهمیت مشترک دو کشور بررسی شد."
            },
        ),
    ]
    ir_text = (
        "Presiden Putin mengatakan Iran dan Rusia telah meningkatkan kerja sama di sejumlah "
        "bidang, terutama keamanan internasional."
    )
    c1 = Article(
        id="002_0444829131de2a90",
        title=IR_HEADLINE,
        body=ir_text,
        language="id",
        path="seeds/002_0444829131de2a90.txt",
        outlet="Aktual.com",
        via="Fars",
        published="2022-07-19",
        title_derived=True,
    )
    events = [
        Event(
            id="evt-syria-russia",
            articles=[a1, a2],
            headline=ID_HEADLINE,
            language="id",
            summary=summary1,
        ),
        Event(
            id="evt-syria-russia-fa",
            articles=[b1],
            headline=FA_HEADLINE,
            language="fa",
            summary=summary2,
            note="Only one source: the summary could not be cross-checked.",
        ),
        Event(
            id="evt-iran-russia",
            articles=[c1],
            headline=IR_HEADLINE,
            language="id",
            summary=[SummarySentence(ir_text, sources=[c1.id], evidence={c1.id: ir_text})],
        ),
    ]
    return Brief(
        title="Daily brief" + (" </title><script>alert(1)</script>" if hostile else ""),
        generated_at="2025-07-30T06:00:00+00:00",
        backend="seq2seq",
        model="csebuetnlp/mT5_multilingual_XLSum",
        events=events,
        warnings=["One input was skipped; it is listed at the end of the brief."],
        skipped=[Skipped(path="seeds/notes.pdf", reason="not a text file")],
    )


# --- helpers ------------------------------------------------------------------------------


class Page(HTMLParser):
    """Elements of an HTML page with their attributes, and all of its text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []  # what a reader sees: the stylesheet is left out
        self.css: list[str] = []
        self._in_style = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.css if self._in_style else self.text).append(data)

    def find(self, tag: str | None = None, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.elements
            if (tag is None or t == tag) and all(a.get(k) == v for k, v in attrs.items())
        ]

    def with_class(self, cls: str) -> list[dict[str, str]]:
        return [a for _, a in self.elements if cls in a.get("class", "").split()]

    @property
    def ids(self) -> dict[str, str]:
        return {a["id"]: t for t, a in self.elements if "id" in a}


class CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012 - shared on purpose: the server makes one per request

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, list[str]]]:
    """A local HTTP server that records every request; hostile URLs point at it."""
    CountingHandler.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1], CountingHandler.requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture(scope="module")
def brief(server: tuple[int, list[str]]) -> Brief:
    return build_brief(port=server[0])


@pytest.fixture(scope="module")
def html(brief: Brief) -> str:
    return render_html(brief)


@pytest.fixture(scope="module")
def page(html: str) -> Page:
    return Page(html)


@pytest.fixture(scope="module")
def pdf(brief: Brief) -> bytes:
    return render_pdf(brief)


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} (poppler-utils) is not installed; install it to check PDF text")
    return path


def squash(text: str) -> str:
    return " ".join(text.split())


# --- HTML ---------------------------------------------------------------------------------


def test_html_has_no_script_and_shows_hostile_text_literally(page: Page, html: str) -> None:
    assert not page.find("script")
    assert not page.find("img")
    assert not page.find("link")
    text = "".join(page.text)
    assert "<script>alert(1)</script>" in text  # shown as text, not run
    assert "{{ 7*7 }}" in text
    # never evaluated (not a bare "49" check: the random server port may contain 49)
    assert "49 pembicaraan" not in text and "</script> 49" not in text
    assert "@import url(http://127.0.0.1" in text  # inert text inside the body
    assert "&lt;script&gt;" in html


def test_html_attributes_stay_attributes(page: Page) -> None:
    for _, attrs in page.elements:
        assert not any(name.startswith("on") for name in attrs)
    tooltips = [a["title"] for a in page.with_class("cite")]
    assert any('" onmouseover="alert(1)' in t for t in tooltips)


def test_html_loads_nothing_remote(page: Page, brief: Brief) -> None:
    allowed = {a.url for e in brief.events for a in e.articles if a.url == SAFE_URL}
    for tag, attrs in page.elements:
        assert "src" not in attrs, tag
        href = attrs.get("href")
        if href is not None:
            assert href.startswith("#") or href in allowed, href
    assert len(page.find("style")) == 1
    # the javascript: URL is shown as text, never as a link
    assert HOSTILE_URL in "".join(page.text)
    assert not page.find("a", href=HOSTILE_URL)


def test_html_is_a_phone_friendly_page(page: Page, html: str) -> None:
    assert page.find("html", lang="en")
    assert page.find("meta", name="viewport")
    assert "@media (max-width" in html


def test_rtl_text_carries_dir_and_lang(page: Page) -> None:
    rtl = [(t, a) for t, a in page.elements if a.get("lang") == "fa"]
    kinds = {(t, a.get("class", "")) for t, a in rtl}
    assert ("h3", "story-headline") in kinds  # the front page
    assert ("span", "headline") in kinds  # the details
    assert ("div", "summary") in kinds
    assert ("span", "title") in kinds
    for tag, attrs in rtl:
        assert attrs.get("dir") == "rtl", (tag, attrs)
    for tag, attrs in page.elements:
        if attrs.get("dir") == "rtl":
            assert attrs.get("lang") in {"fa"}, (tag, attrs)
    # left-to-right text is marked with its language too, and not flipped
    assert page.find("span", lang="en", id="e1-title")
    assert page.find("span", lang="en", **{"class": "title"})
    assert page.find("span", lang="id", **{"class": "sentence"})
    assert all(a.get("dir") != "rtl" for a in page.find(lang="id"))


def test_every_source_marker_points_at_a_source_row(page: Page, html: str) -> None:
    ids = page.ids
    for cite in page.with_class("cite"):  # the front page's and the details'
        assert cite["href"].startswith("#")
        assert ids.get(cite["href"][1:]) in ("li", "span"), cite  # a source line or run
    cites = Page(html.split("<!-- briefer:appendix -->")[1]).with_class("cite")
    assert len(cites) == 7
    hrefs = [c["href"] for c in cites]
    assert hrefs[:3] == ["#e1-s1", "#e1-s2", "#e1-s2"]
    assert "#e2-s1" in hrefs
    first = cites[0]["title"]
    assert first.startswith("Suarathailand: Moskow, Suarathailand- Menteri luar negeri")


def test_marker_for_an_article_outside_the_event_is_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    brief = build_brief(hostile=False)
    brief.events[2].summary[0].sources.append("not-in-this-event")
    with caplog.at_level(logging.WARNING, logger="briefer.render"):
        page = Page(render_html(brief))
    assert "not-in-this-event" in caplog.text
    ids = page.ids
    assert all(c["href"][1:] in ids for c in page.with_class("cite"))


def test_unsupported_sentence_is_marked(html: str, page: Page) -> None:
    assert len(page.with_class("unsupported")) == 2  # on the front page and in the details
    assert len(page.with_class("flag")) == 2
    before, _, after = html.partition(UNSUPPORTED)
    assert 'class="sentence unsupported"' in before.rsplit("<span", 1)[-1]
    assert "unsupported</span>" in after.split("</p>", 1)[0]
    assert ".unsupported {" in html  # styled, and not only for screens


def test_sources_table_lists_outlet_via_and_location(page: Page, html: str, brief: Brief) -> None:
    text = squash(" ".join(page.text))
    assert "MNTV via SANA" in text
    # --detail brief: the file's name in small print; --detail full: the whole path
    assert "000_f8241679bfc4829d.txt" in "".join(page.text)
    assert "seeds/000_f8241679bfc4829d.txt" not in "".join(page.text)
    full = render_html(brief, presentation=PresentOptions(detail="full"))
    assert "seeds/<wbr>000_f8241679bfc4829d.txt" in full
    assert page.find("a", href=SAFE_URL)
    assert "2025-07-29 18:40" in text
    assert "seeds/notes.pdf" in text and "not a text file" in text  # skipped inputs
    assert "One input was skipped" in text  # warnings
    assert "csebuetnlp/mT5_multilingual_XLSum" in text
    # page 1 is news: warnings follow the front page
    assert html.index(EN_HEADLINE) < html.index("One input was skipped")


def test_template_override_and_errors(tmp_path: Path, brief: Brief) -> None:
    custom = tmp_path / "tpl"
    custom.mkdir()
    (custom / "brief.txt.j2").write_text("custom {{ view.brief.events | length }}\n")
    assert render_txt(brief, custom) == "custom 3\n"
    # files the override lacks come from the built-in set
    (custom / "brief.css").write_text("body { color: teal }")
    html = render_html(brief, custom)
    assert "body { color: teal }" in html and EN_HEADLINE in html
    (custom / "brief.txt.j2").write_text("{{ view.nope }}")
    with pytest.raises(BrieferError, match=r"brief\.txt\.j2 failed"):
        render_txt(brief, custom)
    (custom / "brief.txt.j2").write_text("{% for %}")
    with pytest.raises(BrieferError, match="line 1"):
        render_txt(brief, custom)
    (custom / "brief.css").write_text("</style><script>alert(1)</script>")
    with pytest.raises(BrieferError, match="</style"):
        render_html(brief, custom)
    with pytest.raises(UsageError, match="does not exist"):
        render_html(brief, tmp_path / "absent")


def test_default_templates_are_found() -> None:
    root = builtin_templates_dir()
    for name in ("brief.html.j2", "brief.txt.j2", "brief.css"):
        assert (root / name).is_file()
    assert template_dirs() == [root]
    assert template_dirs(root) == [root]


def test_importing_render_does_not_load_weasyprint() -> None:
    code = "import sys, briefer.render; sys.exit('weasyprint' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- text ---------------------------------------------------------------------------------


def test_render_txt(brief: Brief) -> None:
    text = render_txt(brief)
    flat = squash(text)
    for headline in (EN_HEADLINE, FA_HEADLINE, IR_HEADLINE):
        assert headline in flat
    assert "Putin di Moskow untuk membahas kerja sama militer. [1][2]" in flat
    assert UNSUPPORTED + " (⚠ unsupported" in flat
    assert "[1] MNTV" not in flat and "[2] MNTV via SANA · English · 2025-07-29 18:40" in flat
    assert SAFE_URL in text and "003_475af86c010272c1.txt" in text
    assert "{{ 7*7 }}" in text and "&lt;" not in text
    assert "One input was skipped" in text and "seeds/notes.pdf: not a text file" in flat
    assert "Wednesday, July 30, 2025" in text  # Babel, locale en
    for line in text.splitlines():
        assert len(line) <= render.TEXT_WIDTH or " " not in line.strip(), line


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_text_has_headlines_and_persian(pdf: bytes, tmp_path: Path) -> None:
    assert pdf.startswith(b"%PDF")
    (tmp_path / "brief.pdf").write_bytes(pdf)
    out = subprocess.run(
        [tool("pdftotext"), "-enc", "UTF-8", str(tmp_path / "brief.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = squash(out)
    for headline in (EN_HEADLINE, IR_HEADLINE):
        assert headline in flat
    assert FA_PHRASE in flat  # exact only with Noto Naskh (DejaVu reverses the lam-alef)
    assert "دیدار محرمانه وزیران سوریه" in flat
    assert "unsupported" in flat.lower()
    assert "Page 1 of" in flat


def test_pdf_sets_persian_in_noto_naskh(pdf: bytes, tmp_path: Path) -> None:
    fonts_listed = subprocess.run(["fc-list"], capture_output=True, text=True, check=False)
    if "NotoNaskhArabic" not in fonts_listed.stdout:
        pytest.skip("Noto Naskh Arabic is not installed (fonts-noto-core)")
    (tmp_path / "brief.pdf").write_bytes(pdf)
    fonts = subprocess.run(
        [tool("pdffonts"), str(tmp_path / "brief.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "Noto-Naskh-Arabic" in fonts or "NotoNaskhArabic" in fonts


def test_pdf_makes_no_network_requests(server: tuple[int, list[str]], pdf: bytes) -> None:
    _, requests = server
    assert pdf.startswith(b"%PDF")  # rendered from the hostile brief
    assert requests == []


def test_pdf_refuses_remote_and_outside_files_even_from_the_stylesheet(
    server: tuple[int, list[str]], brief: Brief, tmp_path: Path
) -> None:
    port, requests = server
    custom = tmp_path / "tpl"
    shutil.copytree(builtin_templates_dir(), custom)
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    with (custom / "brief.css").open("a") as css:
        css.write(
            f"\n@import url(http://127.0.0.1:{port}/a.css);\n"
            f"@import url({secret.as_uri()});\n"
            f"body {{ background: url(https://127.0.0.1:{port}/b.png); }}\n"
        )
    # @import must come first to be honoured: put a copy at the top as well
    text = (custom / "brief.css").read_text()
    (custom / "brief.css").write_text(f"@import url(http://127.0.0.1:{port}/c.css);\n" + text)
    assert render_pdf(brief, custom).startswith(b"%PDF")
    assert requests == []


def test_fetcher_serves_only_the_templates_dir(tmp_path: Path) -> None:
    root = tmp_path / "tpl"
    root.mkdir()
    (root / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("secret")
    fetcher = render._local_fetcher([root])
    response = fetcher.fetch((root / "logo.svg").as_uri())
    assert response.read().startswith(b"<svg")
    response.close()
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    for url in (
        (tmp_path / "secret.txt").as_uri(),
        root.as_uri() + "/../secret.txt",
        "file://elsewhere" + str(root / "logo.svg"),
        "http://127.0.0.1:9/x.png",
        "https://example.org/a.css",
        "ftp://example.org/a.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_pdf_renders_without_weasyprint_warnings(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """Unsupported CSS or a failed load shows up as a WeasyPrint warning: keep the log clean."""
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_pdf(build_brief(hostile=False))
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    # a missing system library (HarfBuzz-Subset) is the machine's business, not the brief's
    assert [m for m in messages if "HarfBuzz-Subset" not in m] == []


# --- writing files ------------------------------------------------------------------------


def test_write_outputs_writes_all_formats(brief: Brief, tmp_path: Path) -> None:
    out = tmp_path / "out" / "today"
    written = write_outputs(brief, out, ["json", "html", "pdf", "txt"])
    names = ["brief.json", "brief.html", "brief.pdf", "brief.txt"]
    assert written == [out / n for n in names]
    assert sorted(os.listdir(out)) == sorted(names)  # no temporary files left behind
    assert json.loads((out / "brief.json").read_text(encoding="utf-8")) == brief.to_dict()
    assert FA_HEADLINE in (out / "brief.json").read_text(encoding="utf-8")  # not \u-escaped
    assert (out / "brief.html").read_text(encoding="utf-8") == render_html(brief)
    assert (out / "brief.txt").read_text(encoding="utf-8") == render_txt(brief)
    assert (out / "brief.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "brief.html").stat().st_mode & 0o444 == 0o444  # readable, unlike mkstemp's 0600


def test_write_outputs_replaces_existing_files(brief: Brief, tmp_path: Path) -> None:
    (tmp_path / "brief.txt").write_text("yesterday")
    write_outputs(brief, tmp_path, ["txt"])
    assert (tmp_path / "brief.txt").read_text(encoding="utf-8") == render_txt(brief)
    assert os.listdir(tmp_path) == ["brief.txt"]


def test_failed_render_leaves_old_files_untouched(
    brief: Brief, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "brief.html").write_text("yesterday's brief")

    def broken(*args: object, **kwargs: object) -> bytes:
        raise BrieferError("PDF rendering failed.")

    monkeypatch.setattr(render, "render_pdf", broken)
    with pytest.raises(BrieferError, match="PDF rendering failed"):
        write_outputs(brief, tmp_path, ["html", "pdf"])
    assert (tmp_path / "brief.html").read_text() == "yesterday's brief"
    assert os.listdir(tmp_path) == ["brief.html"]


def test_unwritable_output_dir_is_a_briefer_error(brief: Brief, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(BrieferError, match="Cannot create the output directory"):
        write_outputs(brief, blocker / "out", ["json"])


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write to read-only dirs"
)
def test_read_only_output_dir_is_a_briefer_error(brief: Brief, tmp_path: Path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        with pytest.raises(BrieferError, match="Cannot write"):
            write_outputs(brief, out, ["json", "txt"])
    finally:
        out.chmod(0o755)


def test_failing_write_is_a_briefer_error_and_cleans_up(
    brief: Brief, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stands in for a read-only file system, which even root cannot write to."""

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(render.os, "replace", refuse)
    with pytest.raises(BrieferError, match=r"Cannot write .*brief\.json: Permission denied\."):
        write_outputs(brief, tmp_path, ["json"])
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("formats", [["docx"], [], ["html", "PDF ", "gif"]])
def test_unknown_formats_are_refused(brief: Brief, tmp_path: Path, formats: list[str]) -> None:
    with pytest.raises(UsageError, match="choose from json, html, pdf, txt"):
        write_outputs(brief, tmp_path, formats)
    assert os.listdir(tmp_path) == []
