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
    """Sentences of ``text``, paragraph by paragraph (sentencex: ~300 languages, fa/ar too)."""
    from sentencex import segment

    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text):
        para = para.strip()
        if not para:
            continue
        for sent in segment(language or "en", para):
            out.extend(_bounded(sent.strip()))
    return out


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
