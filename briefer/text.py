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
        pieces = [p.strip() for p in segment(language or "en", para) if p.strip()]
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
