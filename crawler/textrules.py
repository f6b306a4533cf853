"""Date stamps set as lines of their own ("Stand: 22.04.2024 10:15 Uhr", "Updated 3:15 PM
EST, April 2, 2024", "입력 2024.06.03 (14:05)"): page furniture, not article text, in any
language. Only short lines are judged, and a sentence that mentions a date is text.

Prompts to subscribe and copyright notices are not judged by their words: the shared
benchmark's references keep a closing copyright line as part of the text, and a sentence
about subscribers is no prompt. Prompts go by their markup (crawler.furniture).
"""

from __future__ import annotations

import re

from crawler.mainrules import WIDE

_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|jän|mär|mai|okt|dez|janv|févr|"
    r"avr|juil|août|déc|ene|abr|ago|dic|fev|set|out|gen|mag|giu|lug|ott)[a-zéû]*\.?"
)
_DATE = re.compile(
    r"\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{4}[-./]\s?\d{1,2}[-./]\s?\d{1,2}\.?|"
    r"\d{1,2}/\d{1,2}/\d{2,4}|\d{4}\s?[年년]\s?\d{1,2}\s?[月월]\s?\d{1,2}\s?[日일]?|"
    rf"\d{{1,2}}\.?\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\d{1,2}[:h]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|\d{1,2}\s?[時시]\s?(?:\d{1,2}\s?[分분])?|"
    r"\(\s*\)|\buhr\b|\b[A-Z]{2,4}T\b|\bUTC\b|\bGMT\b",
    re.IGNORECASE,
)
_LETTERS = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[^\W\d_]\s*[.。!?！？]\s*$")
# A date stamp is a date with at most this many other words ("Updated on Monday").
DATE_LINE_MAX_WORDS = 4
DATE_LINE_MAX_CHARS = 120


def is_date_line(text: str) -> bool:
    """A stamp like "Stand: 22.04.2024 10:15 Uhr", "Updated 3:15 PM EST, April 2, 2024",
    "입력 2024.06.03 (14:05)" or "Channel | 22.04.2024 | 08:00 Uhr"; not the signature of
    an embedded post ("— Name (@name) May 2, 2024"), which is part of the quote."""
    if len(text) > DATE_LINE_MAX_CHARS or not _DATE.search(text):
        return False
    if "@" in text or text.lstrip()[:1] in "—–-":
        return False
    rest = _TIME.sub(" ", _DATE.sub(" ", text))
    if _SENTENCE_END.search(rest):
        return False  # "The council met on 22.04.2024.": a sentence
    return word_count(rest) <= DATE_LINE_MAX_WORDS or text.count("|") >= 2


def word_count(text: str) -> float:
    """Words, counting two Hangul, kana or Han characters as one (they are not spaced)."""
    wide = len(WIDE.findall(text))
    return len(_LETTERS.findall(WIDE.sub(" ", text))) + wide / 2
