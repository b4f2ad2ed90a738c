"""Every script in a PDF is set in a font drawn for it, not in whatever font has the glyph.

WeasyPrint falls back per glyph to any installed font that has it (for Chinese without a CJK
font: Nüshu, Yi, PhagsPa...), which prints tofu or nonsense. The stylesheet names a Noto face
per :lang(); this test reads the PDF back with pypdf and checks, character by character, which
embedded font drew each script.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata

import pytest

from briefer.present import PresentOptions
from briefer.render import render_html, render_pdf
from briefer.types import Article, Brief, Event, SummarySentence

# Our own sentences, one per language (written for this test).
SAMPLES = {
    "zh": ("北京公布新的公共交通计划", "北京市政府今天公布了新的公共交通计划。"),
    "ja": ("東京で新しい交通計画", "東京都は今日、新しい交通計画を発表しました。"),
    "ko": ("서울시 새 교통 계획 발표", "서울시는 오늘 새로운 교통 계획을 발표했다."),
    "th": ("กรุงเทพฯ ประกาศแผนขนส่งใหม่", "กรุงเทพมหานครประกาศแผนการขนส่งสาธารณะใหม่ในวันนี้"),
    "hi": ("दिल्ली में नई परिवहन योजना", "दिल्ली सरकार ने आज नई परिवहन योजना की घोषणा की।"),
    "he": ("תוכנית תחבורה חדשה בירושלים", "עיריית ירושלים הודיעה היום על תוכנית תחבורה חדשה."),
    "fa": ("طرح تازه حمل‌ونقل در تهران", "شهرداری تهران امروز طرح تازه حمل‌ونقل عمومی را اعلام کرد."),
    "ar": ("خطة نقل جديدة في القاهرة", "أعلنت محافظة القاهرة اليوم خطة جديدة للنقل العام."),
    "ru": ("Новый транспортный план Москвы",
           "Мэрия Москвы сегодня объявила новый план общественного транспорта."),
}  # fmt: skip

# The script of a character (by its Unicode name) -> the font family that must draw it.
SCRIPT_FONT = {
    "CJK": "NotoSansCJK",
    "HIRAGANA": "NotoSansCJK",
    "KATAKANA": "NotoSansCJK",
    "HANGUL": "NotoSansCJK",
    "THAI": "NotoSansThai",
    "DEVANAGARI": "NotoSansDevanagari",
    "HEBREW": "NotoSansHebrew",
    "ARABIC": "NotoNaskhArabic",
    "CYRILLIC": "NotoSans",
}
NEEDED = ("NotoSansCJK", "NotoSansThai", "NotoSansDevanagari", "NotoSansHebrew",
          "NotoNaskhArabic")  # fmt: skip


def _script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for script in SCRIPT_FONT:
        if name.startswith(script) or (script == "CJK" and "CJK" in name.split(" ")[:2]):
            return script
    return None


def _brief() -> Brief:
    events = []
    for i, (lang, (title, sentence)) in enumerate(SAMPLES.items()):
        article = Article(id=f"a{i}", title=title, body=sentence, language=lang,
                          outlet=f"Outlet {lang.upper()}", published="2025-07-29")  # fmt: skip
        events.append(
            Event(id=f"e{i}", articles=[article], headline=title, language=lang,
                  summary=[SummarySentence(sentence, [article.id], {article.id: sentence})])
        )  # fmt: skip
    return Brief("Scripts", "2025-07-30T06:00:00+00:00", "extractive", None, events)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    listed = shutil.which("fc-list")
    fonts = subprocess.run([listed], capture_output=True, text=True).stdout if listed else ""
    missing = [f for f in NEEDED if f not in fonts.replace(" ", "")]
    if missing:
        pytest.skip(f"fonts not installed ({', '.join(missing)}): run scripts/ensure_fonts.sh")
    return render_pdf(_brief(), presentation=PresentOptions(top=len(SAMPLES)))


def test_each_script_is_drawn_by_a_font_made_for_it(pdf: bytes) -> None:
    from pypdf import PdfReader

    drawn: dict[str, set[str]] = {}

    def visit(text: str, cm: object, tm: object, font: object, size: object) -> None:
        base = str((font or {}).get("/BaseFont", "?")) if isinstance(font, dict) else "?"
        base = base.split("+", 1)[-1].replace("-", "").replace(" ", "")  # subset tag, spelling
        for ch in text:
            script = _script(ch)
            if script:
                drawn.setdefault(script, set()).add(base)

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    for script in ("CJK", "HIRAGANA", "HANGUL", "THAI", "DEVANAGARI", "HEBREW", "ARABIC",
                   "CYRILLIC"):  # fmt: skip
        assert script in drawn, f"no {script} text found in the PDF"
        wrong = {f for f in drawn[script] if not f.startswith(SCRIPT_FONT[script])
                 or (script == "CYRILLIC" and "CJK" in f)}  # fmt: skip
        assert not wrong, f"{script} drawn by {sorted(wrong)}"


def test_every_text_carries_its_language_for_the_stylesheet() -> None:
    html = render_html(_brief(), presentation=PresentOptions(top=len(SAMPLES)))
    for lang, (title, sentence) in SAMPLES.items():
        assert f'lang="{lang}"' in html
        assert title in html and sentence in html
    for family in ("Noto Sans CJK SC", "Noto Sans Thai", "Noto Sans Devanagari",
                   "Noto Sans Hebrew", "Noto Naskh Arabic"):  # fmt: skip
        assert family in html
