"""Property tests: any text in, no crash out, for the cleaner, the splitter, the renderers and
the config loader."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, example, given, settings
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
@example(".A")  # found by hypothesis: the splitter cut the lone "." off as the first sentence
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


# --- the config loader: any file in, a Config or one ConfigError naming the problem out ---------

# Values of every TOML type, so each known key also meets every wrong type.
TOML_VALUES = st.recursive(
    st.none().map(lambda _: '""') | st.integers(-(2**63), 2**63 - 1).map(str)
    | st.floats(allow_nan=False, allow_infinity=False).map(repr)
    | st.booleans().map(lambda b: str(b).lower()) | TEXT.map(lambda t: json_string(t)),
    lambda inner: st.lists(inner, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]"),
    max_leaves=4,
)
TOP_KEYS = ["title", "sources", "out_dir", "formats", "state", "window_hours", "log_file",
            "lock_file", "cache_dir", "outlets", "templates", "strict", "password", "titel"]
EMAIL_KEYS = ["host", "port", "security", "from", "to", "cc", "bcc", "subject", "username_env",
              "password_env", "timeout_s", "attempts", "retry_wait_s", "ca_file", "attach_pdf"]


def json_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=True)  # a valid TOML basic string for any text


@PROFILE
@given(
    st.lists(st.tuples(st.sampled_from(TOP_KEYS), TOML_VALUES), max_size=4,
             unique_by=lambda kv: kv[0]),
    st.lists(st.tuples(st.sampled_from(EMAIL_KEYS), TOML_VALUES), max_size=4,
             unique_by=lambda kv: kv[0]),
    st.sampled_from(["", "[summarizer]\nbackend = ", "[fetch]\ntimeout_s = "]),
    TOML_VALUES,
)
def test_config_loader_accepts_or_names_the_problem(tmp_path_factory, top, email, table, value):
    from briefer.config import load_config
    from briefer.errors import ConfigError

    lines = [f"{k} = {v}" for k, v in top]
    if table:
        lines.append(table + value)
    if email:
        lines.append("[email]")
        lines += [f"{k} = {v}" for k, v in email]
    path = tmp_path_factory.mktemp("cfg") / "briefer.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        config = load_config(path)
    except ConfigError as exc:
        message = str(exc)
        assert "\n" not in message.strip() and message.endswith((".", "?")), message
        assert "Traceback" not in message
        return
    assert config.sources  # required: a config that loads has somewhere to read from
    assert config.email is None or config.email.host


@PROFILE
@given(st.binary(max_size=300))
def test_config_loader_survives_any_bytes(tmp_path_factory, raw):
    from briefer.config import load_config
    from briefer.errors import ConfigError

    path = tmp_path_factory.mktemp("cfg") / "briefer.toml"
    path.write_bytes(raw)
    try:
        config = load_config(path)
    except ConfigError as exc:
        assert str(exc).endswith((".", "?")), exc
        return
    assert config.sources  # bytes that happen to be a valid config still name sources
