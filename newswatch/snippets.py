"""The passage of an article around the first match of a query, with the terms marked."""

from __future__ import annotations

import re
from functools import lru_cache

from newswatch.query import Term

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
SNIPPET_CHARS = 240
# Direction overrides and zero-width characters can disguise text in a mail client.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _term_pattern(term: Term) -> str:
    parts = [re.escape(w) for w in re.findall(r"\w+", term.text)]
    body = r"\W+".join(parts)
    if _HANGUL.search(term.text):
        return body  # Korean particles attach: match inside words
    return rf"(?<!\w){body}" + (r"\w*" if term.prefix else r"(?!\w)")


@lru_cache(maxsize=4096)
def _pattern(terms: tuple[Term, ...]) -> re.Pattern[str] | None:
    """One regex for all of a query's terms (compiled once per query)."""
    patterns = [_term_pattern(t) for t in terms if re.findall(r"\w+", t.text)]
    return re.compile("|".join(patterns), re.IGNORECASE) if patterns else None


@lru_cache(maxsize=4096)
def _first_words(terms: tuple[Term, ...]) -> tuple[str, ...]:
    return tuple(words[0].lower() for t in terms if (words := re.findall(r"\w+", t.text)))


def _first_match(text: str, found: re.Pattern[str], terms: tuple[Term, ...]) -> re.Match | None:
    """The first match, searched from the first place a term's first word occurs: a plain
    find is many times quicker than the regex tried at every position of a long body."""
    lowered = text.lower()
    if len(lowered) == len(text):  # same offsets (a few letters lengthen when lowered)
        starts = [i for word in _first_words(terms) if (i := lowered.find(word)) >= 0]
        first = found.search(text, min(starts)) if starts else None
        if first:
            return first
    return found.search(text)


def snippet(text: str, terms: list[Term]) -> list[tuple[str, bool]]:
    """The passage around the first match, as (text, highlighted) pieces."""
    text = " ".join(_INVISIBLE.sub("", text).split())
    found = _pattern(tuple(terms))
    first = _first_match(text, found, tuple(terms)) if found else None
    start = max(0, (first.start() if first else 0) - SNIPPET_CHARS // 3)
    if start:
        start = text.find(" ", start) + 1 or start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    window = text[start:end]
    pieces: list[tuple[str, bool]] = [("… " if start else "", False)]
    pos = 0
    for m in found.finditer(window) if found else ():
        pieces += [(window[pos : m.start()], False), (m.group(0), True)]
        pos = m.end()
    pieces += [(window[pos:], False), (" …" if end < len(text) else "", False)]
    return [p for p in pieces if p[0]]


def plain_snippet(text: str, terms: list[Term], mark: str = "*") -> str:
    """The snippet as one line of text, matched terms between `mark`s."""
    return "".join(f"{mark}{t}{mark}" if hit else t for t, hit in snippet(text, terms))
