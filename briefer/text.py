"""Small text helpers shared by several stages: sentences, normalisation, script direction."""

from __future__ import annotations

import re
import unicodedata

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"})

_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_SENT_END = re.compile(r"[.!?。؟!…]['\"”’»)]*$")


# Bidi embeddings, overrides and isolates can make text display in another order than it is
# stored (spoofing); the markup around article text sets direction instead. ZWNJ/ZWJ and the
# plain LRM/RLM marks are kept: Persian and Arabic need them.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_OTHER_CONTROLS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")
_OTHER_CONTROLS[0x7F] = None


def normalize_space(text: str) -> str:
    """Collapse runs of spaces (NBSP and friends included), trim lines, drop control codes."""
    text = text.translate(_BIDI_CONTROLS).translate(_OTHER_CONTROLS)
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(lines)


def one_line(value: object) -> str:
    """Untrusted text (a server's reply, a file name) for one log or message line: line breaks
    and other control characters become spaces, bidi overrides go, spaces collapse."""
    text = str(value).translate(_BIDI_CONTROLS)
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def fold(text: str) -> str:
    """A comparison key: NFKC, case-folded, punctuation dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(text.split())


def is_rtl(language: str | None) -> bool:
    return (language or "").split("-")[0].lower() in RTL_LANGUAGES


def ends_like_sentence(text: str) -> bool:
    return bool(_SENT_END.search(text.strip()))


def split_sentences(text: str, language: str = "en") -> list[str]:
    """Sentences of ``text``, paragraph by paragraph.

    sentencex (~300 languages, fa/ar too) proposes the cuts; :func:`_mend` then rejoins the
    pieces news text makes it cut wrongly: decimals in any script ("۵.۹"), titles, initials
    and abbreviations ("M. Dupont", "tgl. 5"), ordinals and dates ("5. Juni"), a cut before a
    lower-case word, and a cut inside parentheses or quotes.
    """
    from sentencex import segment

    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text):
        para = para.strip()
        if not para:
            continue
        pieces = [q for p in segment(language or "en", para) for q in _resplit(p.strip()) if q]
        for sent in _mend(para, pieces, language or "en"):
            out.extend(_bounded(sent))
    return out


# Titles and abbreviations after which a period does not end a sentence (compared case-folded,
# without the period). Words that often end a sentence ("etc", "usw", "dkk") are not here.
_ABBREVIATION_LINES = (
    "mr mrs ms mx dr prof st sr sra srta sres jr gen gov sen rep lt col capt cpt sgt maj adm",
    "no nos nr nro núm num art fig vol pp pag pág ca approx aprox vs cf resp",
    "m mm mme mmes mlle mlles me pr ste av bd env",  # French
    "hr hrn fr frl dipl ing mag abs str bzw vgl ggf evtl inkl",  # German
    "sig sigg dott avv on dra dña ud uds avda dhr mevr drs ir",  # Italian, Spanish, Dutch
    "bpk bp sdr sdri tgl jl kab kec prov hj kh",  # Indonesian
    "dk sn doç yrd op",  # Turkish
    "ч т г гг ул им тыс млн млрд руб см стр",  # Russian
)
ABBREVIATIONS = frozenset(" ".join(_ABBREVIATION_LINES).split())
# Languages that write ordinals as a number with a period ("5. Juni", "3. Platz").
ORDINAL_PERIOD = frozenset({"de", "da", "no", "nb", "nn", "fi", "cs", "sk", "sl", "hr", "sr",
                            "bs", "pl", "hu", "tr", "is", "et", "lv", "lt"})
_ENDS_DECIMAL_HALF = re.compile(r"\d[.,٫]$")
_LAST_WORD = re.compile(r"(?:^|[\s(\[«“\"'])([^\s(\[«“\"']+)\.$")
_DOTTED = re.compile(r"^(?:[^\W\d_]{1,2}\.)+[^\W\d_]{1,2}$")
_ORDINAL_END = re.compile(r"(?:^|\s)\d{1,3}\.$")


_MONTH_STOP = re.compile(r"(?<=[^\W\d_])\.\s+(?=[^\W\d_])")


def _resplit(piece: str) -> list[str]:
    """Cut where a segmenter took a month written in full ("in May. Economists") for an
    abbreviation: a full month name is never one."""
    from .datetext import is_full_month_name

    out, start = [], 0
    for m in _MONTH_STOP.finditer(piece):
        word = piece[:m.start()].rsplit(None, 1)[-1]
        if is_full_month_name(word) and piece[m.end()].isupper():
            out.append(piece[start:m.start() + 1].strip())
            start = m.end()
    out.append(piece[start:].strip())
    return out


def _mend(para: str, pieces: list[str], language: str) -> list[str]:
    """Rejoin pieces a segmenter cut at a period that does not end the sentence; a rejoined
    sentence is the paragraph's own text between them (no space added inside "5.9")."""
    spans: list[list[int]] = []
    pos = 0
    for piece in pieces:
        start = para.find(piece, pos)
        if start < 0:  # the segmenter changed the text: keep its pieces as they are
            return pieces
        end = start + len(piece)
        if spans and _joins(para[spans[-1][0]:spans[-1][1]], piece, language):
            spans[-1][1] = end
        else:
            spans.append([start, end])
        pos = end
    return [para[a:b] for a, b in spans]


def _joins(prev: str, nxt: str, language: str) -> bool:
    first = nxt[0]
    if first.islower():
        return True  # a sentence does not open in lower case
    if _ENDS_DECIMAL_HALF.search(prev) and first.isdigit():
        return True  # 5.|9, ۵.|۹
    if _unclosed(prev):
        return True
    if not prev.endswith("."):
        return False
    m = _LAST_WORD.search(prev)
    word = m.group(1) if m else ""
    bare = word.rstrip(".")
    if bare.casefold() in ABBREVIATIONS:
        return True
    if len(bare) == 1 and bare.isalpha() and bare.isupper():
        return True  # an initial: "J. K. Rowling", "M. Dupont"
    if _DOTTED.match(word[:-1]) and not first.isupper():
        return True  # "U.S.", "z.B." followed by a digit or a quote
    if _ORDINAL_END.search(prev) and first.isalpha():
        from .datetext import is_month_name

        lang = language.split("-")[0].lower()
        return is_month_name(nxt.split()[0]) or lang in ORDINAL_PERIOD
    return False


_PAIRS = (("(", ")"), ("[", "]"), ("«", "»"))


def _unclosed(text: str) -> bool:
    """True when ``text`` opens a parenthesis or a quotation it does not close."""
    if any(text.count(o) > text.count(c) for o, c in _PAIRS):
        return True
    if "„" not in text and text.count("“") > text.count("”"):  # „…“ is a German pair
        return True
    return text.count('"') % 2 == 1


MAX_SENTENCE_CHARS = 1000


def _bounded(sentence: str) -> list[str]:
    """A run-on "sentence" (a scraped table, a page without punctuation) is cut at spaces,
    so no downstream step (embedding, rendering) ever handles one unbounded string."""
    out = []
    while len(sentence) > MAX_SENTENCE_CHARS:
        cut = sentence.rfind(" ", MAX_SENTENCE_CHARS // 2, MAX_SENTENCE_CHARS)
        cut = cut if cut > 0 else MAX_SENTENCE_CHARS
        out.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    if sentence:
        out.append(sentence)
    return out


# --- furniture: datelines, bylines, credits, captions -----------------------------------------

_PLACE = r"[^\W\d_][\w'’.\-]*(?:\s[^\W\d_][\w'’.\-]*){0,3}"
# "(AP) —", "(شبكة أجيال)-", "Frankfurt, 5 June 2025 (dpa/MIA) -", "MOSCOW, July 29 (Reuters) -"
_PAREN_LEAD = re.compile(rf"^(?:{_PLACE}(?:,\s*[^()\n.!?]{{0,30}}?)?\s*)?\([^()\n]{{2,40}}\)"
                         r"\s*[-–—:]+\s*(?=\S)")
# "MerahPutih.com -", "JAKARTA, Kompas.com —"
_DOMAIN_LEAD = re.compile(rf"^(?:{_PLACE},\s*)?[\w\-]+(?:\.[\w\-]+)*\.(?:com|co\.id|id|net|org|"
                          r"ir|news|info|co\.uk|fr|de|es|it|ru|tr)\s*[-–—:|]+\s*(?=\S)", re.I)
# "MOSCOW, Suarathailand- ", "SINGKIL, Warta Serambi – ": an upper-case place, then an outlet
_CAPS_LEAD = re.compile(r"^[A-ZÀ-Ý][A-ZÀ-Ý'’.\- ]{2,30},\s*[^\s,.!?][^,.!?\n]{0,30}?\s*[-–—]\s+"
                        r"(?=\S)")
# "Editor: …", "Foto: ANTARA/…": a label and a colon (or a slash: "FOTO/ANTARA")
_CREDIT_LABEL = re.compile(
    r"^(?:editor|penulis|pewarta|reporter|redaktur|penyunting|foto|photo|photos|image|bild|"
    r"credit|crédit|source|sumber|quelle|fuente|fonte|writer|author|"
    r"نویسنده|خبرنگار|عکس|منبع|تصوير|صورة|المصدر)\s*[:：/]", re.I)
# "By Jane Doe", "Oleh Budi Santoso", "بقلم …": a byline word and a name, no sentence
_BYLINE = re.compile(r"^(?:by|oleh|par|por|von|بقلم)\s+\S", re.I)


def cut_lead_furniture(sentence: str) -> str:
    """``sentence`` without a dateline or credit it opens with: "(AP) — Rescuers…" → "Rescuers…"."""
    for pattern in (_PAREN_LEAD, _DOMAIN_LEAD, _CAPS_LEAD):
        m = pattern.match(sentence)
        if m and len(sentence) - m.end() >= 20:
            return sentence[m.end():]
    return sentence


def is_furniture(sentence: str, whole_paragraph: bool = False) -> bool:
    """True for text that is page furniture, not a statement: a word or two ("Frankfurt.",
    "SERAMBINEWS."), a byline, credit or caption line, a header joined with pipes, and, for
    a whole paragraph, a short line that does not end like a sentence (a subhead)."""
    words = sentence.split()
    if len(words) <= 2:
        return True
    if sentence.count("|") >= 2 or sentence.count(" • ") >= 2:
        return True
    if _CREDIT_LABEL.match(sentence) and len(words) <= 10:
        return True
    if _BYLINE.match(sentence) and len(words) <= 6 and not ends_like_sentence(sentence):
        return True
    if sentence.startswith("(") and sentence.rstrip(".").endswith(")") and len(words) <= 12:
        return True  # "(Photo: Reuters/Name)", "(ant/rd)"
    return whole_paragraph and len(words) <= 10 and not ends_like_sentence(sentence)


def fact_sentences(body: str, language: str = "en") -> list[str]:
    """The sentences of an article body that can state facts: furniture dropped, dateline and
    credit openings cut (claims, summaries and attribution all read these)."""
    out = []
    for para in re.split(r"\n\s*\n|\n", body):
        para = para.strip()
        if not para or is_furniture(para, whole_paragraph=True):
            continue
        for sent in split_sentences(para, language):
            sent = cut_lead_furniture(sent)
            if not is_furniture(sent):
                out.append(sent)
    return out
