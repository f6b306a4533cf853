"""The pure per-article work: normalized fields, body hash, search-index text, fingerprint.

It needs nothing but the article, so it runs in the extraction worker right after the
extraction (crawler.workers), and the crawl process's reactor thread never pays for it;
NormalizePipeline runs the same function for an item that was not prepared there.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from crawler.items import Article
from crawler.profiles.base import Profile
from crawler.similarity import fingerprint
from newswatch.hygiene import clean_text

_SPACES = re.compile(r"[ \t\u00a0\u200b\u3000]+")
_WORDS = re.compile(r"\w+")


def normalize_text(text: str) -> str:
    """NFC, no control or bidi override characters (newswatch.hygiene), single spaces,
    paragraphs separated by one blank line."""
    text = clean_text(unicodedata.normalize("NFC", text or ""))
    paragraphs = (_single_spaced(p).strip() for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def _single_spaced(text: str) -> str:
    """Runs of spaces, tabs, no-break and zero-width spaces as one space."""
    if text.isascii() and "  " not in text and "\t" not in text:
        return text  # already so: the regex would replace each space by itself
    return _SPACES.sub(" ", text)


def same_title(a: str, b: str) -> bool:
    """Equal headlines, blind to case, spacing and punctuation."""
    return _WORDS.findall(a.lower()) == _WORDS.findall(b.lower())


def body_hash(body: str, words: list[str] | None = None) -> str:
    """Identity of a body, blind to case, spacing and punctuation (mobile/print copies).
    `words`: the body's words if already found; an ASCII body's, lower-cased, are those of its
    lower-cased text, so they are not looked for again (not so in every script: "İ" lowers
    to two characters)."""
    if words is None or not body.isascii():
        words = _WORDS.findall(body.lower())
        return _words_hash(" ".join(words))
    return _words_hash(" ".join(words).lower())


def _words_hash(words: str) -> str:
    return hashlib.sha1(words.encode()).hexdigest() if words else ""


def normalize(item: Article) -> Article:
    """The item's text fields normalized, with its word count and body hash."""
    item.title = " ".join(normalize_text(item.title).split())
    item.body = normalize_text(item.body)
    item.summary = " ".join(normalize_text(item.summary).split())
    item.authors = [a for a in (" ".join(clean_text(x).split()) for x in item.authors) if a]
    item.tags = list(
        dict.fromkeys(t for t in (" ".join(clean_text(x).split()) for x in item.tags) if t)
    )
    words = _WORDS.findall(item.body)
    item.word_count = len(words)
    item.body_hash = body_hash(item.body, words)
    return item


def prepare(item: Article, profile: Profile | None) -> Article:
    """Everything the writer needs besides the archive: normalized text, fingerprint and the
    profile's story key. (The search index's text is the writer's: db.text, which would
    bring the whole db package, sqlite-utils and, where installed, numpy into the worker.)"""
    normalize(item)
    found = fingerprint(f"{item.title}\n\n{item.body}")
    item.signature, item.shingles, item.bands = found.signature, found.shingles, found.bands
    if profile and not item.story_key:
        item.story_key = profile.story_key(item.url)
    item.prepared = True
    return item
