"""Small text helpers shared by several stages: sentences, normalisation, script direction."""

from __future__ import annotations

import re
import unicodedata

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"})

_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_SENT_END = re.compile(r"[.!?。؟!…]['\"”’»)]*$")


def normalize_space(text: str) -> str:
    """Collapse runs of spaces (NBSP and friends included) and trim each line."""
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
    """Sentences of ``text``, paragraph by paragraph (sentencex: ~300 languages, fa/ar too)."""
    from sentencex import segment

    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text):
        para = para.strip()
        if not para:
            continue
        for sent in segment(language or "en", para):
            sent = sent.strip()
            if sent:
                out.append(sent)
    return out
