"""Property tests: any text in, no crash out, for the cleaner, the splitter and the renderers."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefer.ingest import parse_article
from briefer.render import render_html, render_pdf, render_txt
from briefer.text import split_sentences
from briefer.types import Article, Brief, Event, SummarySentence

# Letters from the seeds' scripts plus markup, template syntax, controls and bidi overrides.
ALPHABET = st.sampled_from(
    list("abcxyzABC .,;:!?-–—'\"«»()[]{}<>/&#%=\n\n\t")
    + list("دیدارپوتینمسکو،؛؟")
    + list("éèçàüÆ")
    + ["{{", "}}", "{%", "%}", "<script>", "</p>", "javascript:", "\u202e", "\u2067",
       "\u200c", "\x00", "\x1b", "\r\n", "۱۲"]
)
TEXT = st.lists(ALPHABET, max_size=400).map("".join)
PROFILE = settings(max_examples=60, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROFILE
@given(TEXT)
def test_cleaner_returns_an_article_or_a_reason(text):
    try:
        article = parse_article(text, "x", "x.txt")
    except ValueError as exc:
        assert str(exc)
        return
    assert article.body.strip() and article.title.strip()
    for field in (article.title, article.body):
        assert "\x00" not in field and "\u202e" not in field and "\x1b" not in field


@PROFILE
@given(TEXT, st.sampled_from(["en", "fa", "id", "fr", "xx"]))
def test_splitter_keeps_every_word(text, lang):
    sentences = split_sentences(text, lang)
    assert all(s.strip() == s and s for s in sentences)
    assert "".join(text.split()) == "".join("".join(sentences).split())


class _Strict(HTMLParser):
    """Fails on a <script> element or on a start tag the templates never write."""

    ALLOWED = frozenset({
               "html", "head", "meta", "title", "style", "body", "header", "p", "time", "h1",
               "h2", "h3", "section", "ul", "ol", "li", "nav", "a", "main", "article", "span",
               "strong", "div", "sup", "table", "caption", "thead", "tbody", "tr", "th", "td",
               "bdi", "br", "footer", "em", "svg", "g", "rect", "text", "line",
               "details", "summary", "small", "dl", "dt", "dd", "abbr", "figure",
               "figcaption", "circle", "path", "desc", "tspan", "colgroup", "col"})

    def handle_starttag(self, tag, attrs):
        assert tag in self.ALLOWED, tag
        for name, value in attrs:
            assert not name.startswith("on"), name
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert not (value or "").strip().lower().startswith("javascript:"), value


def brief_of(title: str, body: str, sentence: str, lang: str) -> Brief:
    article = Article(id="a1", title=title or "t", body=body or "b", language=lang,
                      path="a1.txt", outlet=title[:20] or None)
    event = Event(id="ev-1", articles=[article], headline=title or "t", language=lang,
                  summary=[SummarySentence(sentence or "s", ["a1"], {"a1": body or "b"}),
                           SummarySentence(sentence or "s")])
    return Brief(title=title or "Brief", generated_at=datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
                 backend="extractive", model=None, events=[event], warnings=[body[:50]])


@PROFILE
@given(TEXT, TEXT, TEXT, st.sampled_from(["en", "fa", "ar", "id"]))
def test_html_is_escaped_and_well_formed(title, body, sentence, lang):
    html = render_html(brief_of(title, body, sentence, lang))
    _Strict().feed(html)
    assert "<script>" not in html
    render_txt(brief_of(title, body, sentence, lang))


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="pdfinfo (poppler-utils) is not installed")
@settings(max_examples=8, deadline=None)
@given(TEXT, TEXT, st.sampled_from(["en", "fa"]))
def test_pdf_parses_for_any_text(tmp_path_factory, title, body, lang):
    pdf = render_pdf(brief_of(title, body, body, lang))
    path = tmp_path_factory.mktemp("pdf") / "b.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True)
