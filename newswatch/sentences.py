"""Which sentences of a story's version are new: in no earlier version of the story.

A version is compared with what the reader could already have read, not with one other page,
and by its words rather than its layout, so that none of this counts as new:
- paragraphs re-wrapped, split or joined; spacing, quotes, dashes and other punctuation;
- the dateline ("SEOUL, March 12 (Yonhap) --", "(서울=연합뉴스) 김기자 기자 =") and its day;
- the lead rewritten to restate known facts, as each Yonhap (LEAD)/(2nd LD) does: a sentence
  whose content words were nearly all in earlier versions adds nothing;
- bylines, photo credits and captions ("… (Yonhap)"), reporters' emails, "(END)".

A sentence is new when it carries a number no earlier version has (a death toll, a range), or
when at least MIN_NEW_WORDS of its content words, and NEW_SHARE of them, are in no earlier
version. Content words are crawler.stories.words (case, stems, "N. Korea" = "North Korea",
"km" = "kilometer") plus Hangul as bigrams, as the search index has them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from crawler.stories import words
from crawler.wire import byline_names, without_dateline

MIN_NEW_WORDS = 2
NEW_SHARE = 0.3
# Words that only report who said something ("adding", "told reporters", "according to"),
# after crawler.stories.words has stemmed them.
_REPORTING = frozenset({"add", "told", "tell", "accord", "also", "noted"})
# Function words crawler.stories.words keeps (it compares headlines, which have few).
_FUNCTION = re.compile(
    r"\b(?:not|no|did|do|does|done|has|have|had|will|would|could|should|can|might|must|"
    r"he|she|they|we|i|you|him|her|them|his|their|our|your|who|whom|whose|which|what|when|"
    r"where|there|here|so|such|some|any|all|other|others|more|most|very|just|only|up|out|"
    r"then|now|yet|still|if|because|since|until|under|between|through|against|during)\b",
    re.I,
)
# Before these a period ends no sentence: titles, months, initials, "N. Korea", "U.S. forces".
_NOT_AT_END = frozenset({
    "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "capt", "cmdr", "adm", "sgt", "rep",
    "sen", "gov", "amb", "pres", "prof", "rev", "st", "no", "nos", "vol", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.n", "u.k", "e.u",
    "vs", "e.g", "i.e", "approx", "est",
})  # fmt: skip
# After these a period ends the sentence only if a usual sentence opener follows.
_MAYBE_END = frozenset({"a.m", "p.m", "etc", "inc", "ltd", "co", "corp", "jr", "sr"})
_OPENERS = frozenset({
    "the", "a", "an", "it", "he", "she", "they", "we", "i", "this", "that", "these", "those",
    "there", "in", "on", "at", "but", "and", "meanwhile", "however", "earlier", "later",
})  # fmt: skip
_BOUNDARY = re.compile(r"([.!?。]+[\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9\uac00-\ud7a3])")
_LAST_WORD = re.compile(r"([\w.]+)[.!?。]+[\"'”’)\]]*$")
_HANGUL = re.compile(r"[\uac00-\ud7a3]+")
_CREDIT = re.compile(
    r"\((?:Yonhap|YNA|AP|AFP|Reuters|EPA|UPI|Xinhua|KCNA|[^()]*\bPhotos?\b[^()]*)\)\s*$", re.I
)
_CREDIT_LINE = re.compile(
    r"^(?:this|the) (?:article|story|report|content)\b.{0,40}\b(?:provided|supplied|"
    r"distributed|reprinted|republished|courtesy)\b",
    re.I,
)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_END = re.compile(r"^\(?END\)?$|^/END/$")
_KOREAN_BYLINE = re.compile(r"^\s*(?:[\uac00-\ud7a3]{2,4}\s*){1,3}(?:기자|특파원)\s*=\s*")
# A copy's dateline without the agency: "SEOUL, March 12 --" (crawler.wire needs the agency).
_BARE_DATELINE = re.compile(
    r"^\s*[A-Z][A-Z.'’\-]*(?:[ /][A-Z][A-Z.'’\-]*){0,3},"  # SEOUL, NEW YORK, SEOUL/TOKYO
    r"\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}\s*(?:--|—|–)\s*"  # March 12 --
)


def split_sentences(body: str) -> list[str]:
    """The sentences of a body, in order, each on one line, without bylines, captions and
    the like. A paragraph break ends a sentence unless the next paragraph goes on in lower
    case (a paragraph re-wrapped in two)."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body or "")]
    joined: list[str] = []
    for paragraph in (p for p in paragraphs if p and not is_furniture(p)):
        if joined and paragraph[0].islower():
            joined[-1] += " " + paragraph
        else:
            joined.append(paragraph)
    return [s for p in joined for s in _split_paragraph(p)]


def _split_paragraph(text: str) -> list[str]:
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(text):
        if _ends_here(text[start : match.end(1)], text[match.end() :]):
            sentences.append(text[start : match.end(1)].strip())
            start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


def _ends_here(before: str, after: str) -> bool:
    if not before.rstrip("\"'”’)]").endswith("."):
        return True  # "?" and "!" always end one
    found = _LAST_WORD.search(before)
    last = found.group(1).lower().rstrip(".") if found else ""
    if last in _NOT_AT_END or (len(last) == 1 and last.isalpha()):
        return False
    if last in _MAYBE_END:
        return after.split(" ", 1)[0].strip("\"'“‘(").lower() in _OPENERS
    return True


@lru_cache(maxsize=8192)  # a version repeats the sentences of the one before it
def content_words(text: str) -> frozenset[str]:
    """What a text says, as comparable words: crawler.stories.words and Hangul bigrams."""
    text = unicodedata.normalize("NFKC", text)
    found = words(_FUNCTION.sub(" ", text)) - _REPORTING
    for run in _HANGUL.findall(text):
        found.update(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
    return frozenset(found)


def is_furniture(sentence: str) -> bool:
    """A byline, a photo caption or credit, an email address, "(END)": not article text."""
    line = sentence.strip()
    if _END.match(line) or _CREDIT.search(line) or _CREDIT_LINE.match(line) or byline_names(line):
        return True
    return bool(_EMAIL.search(line)) and len(_EMAIL.sub("", line).split()) <= 3


def comparable(text: str) -> str:
    """A paragraph or sentence without its dateline (nor a Korean reporter's "김기자 기자 =")."""
    return _KOREAN_BYLINE.sub("", _BARE_DATELINE.sub("", without_dateline(text)))


def known_words(bodies: Iterable[str]) -> set[str]:
    """Every content word of the earlier versions' bodies."""
    known: set[str] = set()
    for body in bodies:
        for sentence in split_sentences(body):
            known |= content_words(comparable(sentence))
    return known


def is_new(sentence: str, known: set[str]) -> bool:
    """Whether `sentence` says something the versions behind `known` did not."""
    if is_furniture(sentence):
        return False
    found = content_words(comparable(sentence))
    unseen = found - known
    if any(word.isdigit() for word in unseen):
        return True
    return len(unseen) >= MIN_NEW_WORDS and len(unseen) >= NEW_SHARE * len(found)


def new_sentences(body: str, known: set[str]) -> list[str]:
    """The sentences of `body` that no earlier version contains (`known`: their known_words),
    in order, each once."""
    known = set(known)
    added: list[str] = []
    for sentence in split_sentences(body):
        if is_new(sentence, known):
            added.append(sentence)
            known |= content_words(comparable(sentence))  # said twice in one version: once
    return added
