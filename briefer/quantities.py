"""Quantities: the numbers a sentence states, as values that compare across languages.

The smallest part of the facts issue's parser that grouping needs (match scores), written to
that module's public contract so the full parser can replace this file unchanged for its
callers: :class:`Quantity`, :func:`parse_quantities` (sentence, language) → quantities in text
order, :func:`compatible` (a, b). Only ``kind == "score"`` is produced here ("2-0", "2–1",
"3:1"; a score's ``value`` is ``home * 1000 + away`` as written).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Quantity", "compatible", "parse_quantities"]


@dataclass(frozen=True)
class Quantity:
    value: float
    kind: str
    unit: str | None
    low: float
    high: float
    text: str
    start: int = 0
    end: int = 0
    bound: str = "="
    concept: str | None = None


_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# "2-0", "2 – 1", "3:1"; not dates (2025-06-05), ranges of years, times (14:32) or ratios
# inside longer chains of numbers.
_SCORE = re.compile(r"(?<![\d.,:/\-–])(\d{1,3})\s?([-–:])\s?(\d{1,3})(?![\d.,:/\-–]|\s?[%٪])")


def parse_quantities(sentence: str, language: str = "") -> list[Quantity]:
    """The match scores the sentence states, in text order (``language`` is for the full
    parser's number conventions; scores are written alike everywhere)."""
    out = []
    for m in _SCORE.finditer(sentence.translate(_DIGITS)):
        a, sep, b = m.group(1), m.group(2), m.group(3)
        if sep == ":" and len(a) == 2 and len(b) == 2:  # 14:32 is a time of day
            continue
        value = int(a) * 1000 + int(b)
        out.append(Quantity(value, "score", None, value, value, m.group(0), m.start(), m.end()))
    return out


def compatible(a: Quantity, b: Quantity) -> bool:
    """Could both be true of one thing (same kind and unit, overlapping intervals)."""
    return a.kind == b.kind and a.unit == b.unit and a.low <= b.high and b.low <= a.high
