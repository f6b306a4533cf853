"""Other copies of the article text than the page's visible paragraphs: JSON-LD's
articleBody and a script's data. Such a copy may be the fuller one (a paywalled or
cut-off page shows only the start), or a worse one: the text twice over, or this story
followed by another. The visible paragraphs stand unless they are clearly truncated, and
no copy brings a paragraph twice.
"""

from __future__ import annotations

import re

from crawler.mainrules import REPEAT_MIN_CHARS, WIDE, key

_WORD = re.compile(r"\w+")
_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>")
# The copy is the same article when it holds this share of the visible text's word 4-grams.
AGREEMENT = 0.8
PAYWALL_AGREEMENT = 0.5
# The visible text is truncated when the copy has this many times its distinct 4-grams;
# on a page that declares a paywall (isAccessibleForFree: false), PAYWALL_LONGER times.
LONGER = 2.0
PAYWALL_LONGER = 1.3
DOUBLED_MIN_WORDS = 20


def fuller_copy(texts: list[str], copy: str, *, paywalled: bool = False) -> list[str] | None:
    """The copy's paragraphs when it holds the visible text (so it is the same article) and
    the visible text is clearly a truncated part of it; None when the visible text stands."""
    if not copy:
        return None
    paragraphs = copy_paragraphs(copy)
    extracted = _shingles("\n".join(texts))
    structured = _shingles("\n".join(paragraphs))
    if not structured or not extracted:
        return None
    # a paywalled page mixes its prompt into the little text it shows
    share = PAYWALL_AGREEMENT if paywalled else AGREEMENT
    agrees = len(extracted & structured) >= share * len(extracted)
    longer = PAYWALL_LONGER if paywalled else LONGER
    return paragraphs if agrees and len(structured) >= longer * len(extracted) else None


def agreement(texts: list[str], other: list[str]) -> float:
    """The share of the visible text's word 4-grams that the other copy holds."""
    extracted = _shingles("\n".join(texts))
    return len(extracted & _shingles("\n".join(other))) / len(extracted) if extracted else 0.0


def copy_paragraphs(copy: str) -> list[str]:
    """The lines of a text copy (markup becomes line breaks), each paragraph once."""
    lines = [" ".join(line.split()) for line in _MARKUP.sub("\n", copy).split("\n")]
    return undoubled([line for line in lines if line])


def undoubled(paragraphs: list[str]) -> list[str]:
    """The paragraphs without a second copy: a text written out twice in a row is taken
    once, and a paragraph of prose seen before is dropped."""
    paragraphs = _first_half(paragraphs)
    seen: set[str] = set()
    kept = []
    for paragraph in paragraphs:
        paragraph_key = key(paragraph)
        if len(paragraph_key) >= REPEAT_MIN_CHARS and paragraph_key in seen:
            continue
        seen.add(paragraph_key)
        kept.append(paragraph)
    return kept


def _first_half(paragraphs: list[str]) -> list[str]:
    """The first copy of a text that is the same words twice over, with its line breaks
    (the copies may be glued mid-line: "... last sentence. First sentence ...")."""
    words = [word for paragraph in paragraphs for word in paragraph.split()]
    half = len(words) // 2
    if len(words) < DOUBLED_MIN_WORDS or len(words) % 2 or words[:half] != words[half:]:
        return paragraphs
    kept: list[str] = []
    for paragraph in paragraphs:
        room = half - sum(len(p.split()) for p in kept)
        if room <= 0:
            break
        kept.append(" ".join(paragraph.split()[:room]))
    return kept


def _shingles(text: str) -> set[tuple[str, ...]]:
    """The text's distinct word 4-grams (a shorter text is one gram); Hangul, kana and Han
    count one character as a word (Japanese and Chinese are not spaced)."""
    words = _WORD.findall(WIDE.sub(r" \g<0> ", text))
    return {tuple(words[i : i + 4]) for i in range(max(1, len(words) - 3)) if words}
