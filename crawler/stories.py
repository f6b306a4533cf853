"""Which stored story a new article joins: one decision for every kind of evidence.

Three kinds, strongest first:
- key: a site profile's story key is equal (Yonhap: the id without its version digits), so
  updates join whatever their headline became;
- text: near-identical or contained text, for copies on other sites: MinHash finds the
  candidates and estimates, the shingles of promising candidates are compared exactly; but not
  when the two were published days apart or their datelines name different days, because wire
  stories on one topic repeat whole background paragraphs;
- flash: an URGENT flash (its own serial, a headline and a line) and a full article of the
  same desk within hours, when the flash's headline words are in the article's title and
  first paragraphs, and mostly in its title (a same-day reaction story repeats the facts, not
  the headline) unless the article was filed right after the flash.

Candidates are found by index only (key, key ranges of the desk's days, LSH bands), so the
cost per article does not grow with the archive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from crawler.items import Article
from crawler.profiles.base import Profile, split_version
from crawler.similarity import (
    MIN_SHINGLES,
    SAME_STORY_CONTAINMENT,
    SAME_STORY_JACCARD,
    Fingerprint,
    jaccard,
    shingle_hashes,
)
from crawler.similarity import same_story as similar_text
from db import stories as lookups

KEY, TEXT, FLASH = 3.0, 2.0, 1.0  # score bases: a key match beats text beats a flash match
TEXT_WINDOW = timedelta(days=3)  # a copy appears within days; a week later it is news again
FLASH_WINDOW = timedelta(hours=6)
FLASH_IN_TEXT = 0.8  # share of the flash's headline words found in title + lead
FLASH_IN_TITLE = 0.5  # ... and in the title alone
FLASH_SERIAL_GAP = 8  # a story filed this soon after the flash needs no headline evidence
MIN_FLASH_WORDS = 3
LEAD_PARAGRAPHS = 2  # the facts of a flash's headline are in the story's first paragraphs
EXACT_FROM = 0.45  # estimated containment from which shingles are compared exactly

_SPELLINGS = (
    (re.compile(r"\bN\.\s*Korea", re.I), "North Korea"),
    (re.compile(r"\bS\.\s*Korea", re.I), "South Korea"),
    (re.compile(r"\bU\.S\.", re.I), "US"),
    (re.compile(r"\bU\.N\.", re.I), "UN"),
)
_NUMBERS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6"}
_SAME = {  # one spelling for words headlines abbreviate
    "korean": "korea", "koreans": "korea", "km": "kilometer", "pct": "percent",
    "mln": "million", "bln": "billion", "tln": "trillion",
}  # fmt: skip
_STOPWORDS = frozenset({
    "a", "an", "the", "of", "to", "in", "into", "on", "at", "for", "with", "by", "from", "as",
    "and", "or", "but", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that",
    "these", "those", "says", "said", "say", "amid", "over", "after", "before", "than", "about",
    "while", "yonhap",
})  # fmt: skip
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_DATELINE_DAY = re.compile(r"\b([A-Z][a-z]{2})[a-z]*\.?\s+(\d{1,2})\b")


@dataclass(frozen=True)
class Evidence:
    """What the decision needs of one article, new (from the item) or stored (from its row)."""

    story_key: str = ""
    neighbourhood: tuple[str, ...] = ()  # key prefixes where its flashes/full story may be
    version: str = ""
    title: str = ""
    lead: str = ""  # the first paragraphs of the body
    text: str = ""  # title and body, as fingerprinted
    series: str = ""  # the profile's filing sequence (see Profile.sequence)
    serial: int = -1
    published_at: str = ""
    dateline: str = ""
    signature: bytes = b""
    shingles: int = 0
    story_id: int | None = None

    @property
    def is_flash(self) -> bool:
        """An URGENT flash, or a keyed filing with too little text to compare."""
        return self.version == "URGENT" or (bool(self.story_key) and self.shingles < MIN_SHINGLES)


def evidence_of(item: Article, found: Fingerprint, profile: Profile | None) -> Evidence:
    """The new article's evidence; the profile knows its key's neighbourhood and sequence."""
    series, serial = _sequence(profile, item.story_key)
    return Evidence(
        story_key=item.story_key,
        neighbourhood=profile.neighbourhood(item.story_key) if profile and item.story_key else (),
        version=item.version,
        title=item.title,
        lead=_lead(item.body),
        text=f"{item.title}\n\n{item.body}",
        series=series,
        serial=serial,
        published_at=item.published_at,
        dateline=item.dateline,
        signature=found.signature,
        shingles=found.shingles,
    )


def evidence_from_row(row: dict[str, Any], profile: Profile | None = None) -> Evidence:
    """A stored article's evidence, from a db.stories row."""
    key, title, body = row.get("story_key") or "", row.get("title") or "", row.get("body") or ""
    series, serial = _sequence(profile, key)
    return Evidence(
        story_key=key,
        version=row.get("version") or "",
        title=title,
        lead=_lead(body),
        text=f"{title}\n\n{body}",
        series=series,
        serial=serial,
        published_at=row.get("published_at") or "",
        dateline=row.get("dateline") or "",
        signature=row.get("signature") or b"",
        shingles=row.get("shingles") or 0,
        story_id=row.get("story_id"),
    )


def candidates(archive: Database, new: Evidence, bands: Iterable[int]) -> list[dict[str, Any]]:
    """Stored articles that could share the new one's story, each once (index lookups only)."""
    rows = lookups.with_story_key(archive, new.story_key) if new.story_key else []
    if new.neighbourhood:  # a flash looks at the desk's filings; a full story at its flashes
        flashes_below = None if new.is_flash else MIN_SHINGLES
        rows += lookups.in_key_ranges(archive, new.neighbourhood, flashes_below=flashes_below)
    rows += lookups.sharing_bands(archive, bands)
    return list({row["id"]: row for row in rows}.values())


def best_story(
    new: Evidence, rows: list[dict[str, Any]], profile: Profile | None = None
) -> int | None:
    """The story_id of the best-matching candidate, the oldest on a tie; None for a new story."""
    best: tuple[float, int] = (0.0, 0)
    story_id = None
    for row in rows:
        score = match_score(new, evidence_from_row(row, profile))
        if score > 0 and (score, -row["id"]) > best:
            best, story_id = (score, -row["id"]), row["story_id"]
    return story_id


def same_story(new: Evidence, old: Evidence) -> bool:
    """The pipeline's decision for one pair (the labelled tests measure this)."""
    return match_score(new, old) > 0


def match_score(new: Evidence, old: Evidence) -> float:
    """0 for different stories; otherwise higher for stronger evidence."""
    if new.story_key and new.story_key == old.story_key:
        return KEY
    text = _text_score(new, old)
    return text if text else _flash_score(new, old)


def _text_score(new: Evidence, old: Evidence) -> float:
    if not _close(new.published_at, old.published_at, TEXT_WINDOW):
        return 0.0
    if _dateline_days_differ(new.dateline, old.dateline):
        return 0.0
    estimate = jaccard(new.signature, old.signature)
    if new.text and old.text and _contained(estimate, new.shingles, old.shingles) >= EXACT_FROM:
        return TEXT + estimate if _same_text(new.text, old.text) else 0.0
    if not similar_text(Fingerprint(new.signature, new.shingles, ()), old.signature, old.shingles):
        return 0.0
    return TEXT + estimate


def _contained(j: float, a: int, b: int) -> float:
    """Containment of the smaller text estimated from Jaccard j and the shingle counts."""
    return j * (a + b) / (1 + j) / min(a, b) if min(a, b) else 0.0


def _same_text(a: str, b: str) -> bool:
    """crawler.similarity's thresholds on the exact shingle sets (no estimator noise)."""
    first, second = _shingles(a), _shingles(b)
    smaller = min(len(first), len(second))
    if smaller < MIN_SHINGLES:
        return False
    shared = len(first & second)
    jaccard_ = shared / len(first | second)
    return jaccard_ >= SAME_STORY_JACCARD or shared / smaller >= SAME_STORY_CONTAINMENT


@lru_cache(maxsize=64)  # the new article's text meets every candidate: hash it once
def _shingles(text: str) -> frozenset[int]:
    return frozenset(shingle_hashes(text))


def _flash_score(new: Evidence, old: Evidence) -> float:
    if not (new.is_flash or old.is_flash) or not _neighbours(new, old):
        return 0.0
    if not _close(new.published_at, old.published_at, FLASH_WINDOW):
        return 0.0
    pairs = [(new, old)] if new.is_flash else []
    pairs += [(old, new)] if old.is_flash else []
    return max(_flash_in(flash, other) for flash, other in pairs)


def _flash_in(flash: Evidence, other: Evidence) -> float:
    """FLASH + how much of the flash's headline the other article's title and lead carry."""
    wanted = words(split_version(flash.title)[1])
    if len(wanted) < MIN_FLASH_WORDS:
        return 0.0
    title = words(split_version(other.title)[1])
    in_title = len(wanted & title) / len(wanted)
    in_text = len(wanted & (title | words(other.lead))) / len(wanted)
    if in_text >= FLASH_IN_TEXT and (in_title >= FLASH_IN_TITLE or _filed_after(flash, other)):
        return FLASH + in_text
    return 0.0


def _filed_after(flash: Evidence, other: Evidence) -> bool:
    """The other article was filed a few numbers after the flash, in the same series."""
    same_series = bool(flash.series) and flash.series == other.series
    return same_series and 0 < other.serial - flash.serial <= FLASH_SERIAL_GAP


def _neighbours(new: Evidence, old: Evidence) -> bool:
    forward = bool(new.neighbourhood) and old.story_key.startswith(new.neighbourhood)
    backward = bool(old.neighbourhood) and new.story_key.startswith(old.neighbourhood)
    return forward or backward


def words(text: str) -> set[str]:
    """Content words, crudely stemmed, with wire spellings unified ("N. Korea" = "North Korea")."""
    for pattern, spelled in _SPELLINGS:
        text = pattern.sub(spelled, text)
    found = set()
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        word = _SAME.get(word, _NUMBERS.get(word, word))
        if word not in _STOPWORDS and (len(word) > 1 or word.isdigit()):
            found.add(_stem(word))
    return found


def _stem(word: str) -> str:
    # one suffix off: fires/fired/fire -> fir, missiles/missile -> missil, launches -> launch
    for suffix in ("ing", "ed", "es", "s", "e"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _lead(body: str) -> str:
    return "\n\n".join(body.strip().split("\n\n")[:LEAD_PARAGRAPHS])


def _sequence(profile: Profile | None, key: str) -> tuple[str, int]:
    found = profile.sequence(key) if profile and key else None
    return found or ("", -1)


def _close(a: str, b: str, window: timedelta) -> bool:
    """True when both times are known and within `window`, or when one is unknown."""
    try:
        first, second = (datetime.fromisoformat(t) for t in (a, b))  # 3.11 reads "Z"
        return abs(first - second) <= window
    except (ValueError, TypeError):  # "", unreadable or without a zone: no evidence against
        return True


def _dateline_days_differ(a: str, b: str) -> bool:
    days = [_dateline_day(d) for d in (a, b)]
    return None not in days and days[0] != days[1]


def _dateline_day(dateline: str) -> tuple[int, int] | None:
    """(3, 12) for "SEOUL, March 12"; None when the dateline names no day."""
    match = _DATELINE_DAY.search(dateline)
    month = _MONTHS.get(match.group(1).lower()) if match else None
    return (month, int(match.group(2))) if match and month else None
