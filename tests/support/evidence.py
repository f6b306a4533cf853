"""Wire stories (fixtures.story_corpus Docs) as the writer judges them: the prepared item, its
crawler.stories Evidence, and the db.stories row it would be stored as."""

from __future__ import annotations

from typing import Any

from fixtures.story_corpus import Doc

from crawler.items import Article
from crawler.prepare import prepare
from crawler.profiles import get_profile
from crawler.profiles.base import Profile, split_version
from crawler.similarity import Fingerprint
from crawler.stories import Evidence, evidence_of
from crawler.wire import find_dateline

YONHAP = get_profile("yonhap")


def profile_of(doc: Doc) -> Profile | None:
    return YONHAP if doc.source == "yonhap" else None


def article(doc: Doc) -> Article:
    """The item the spider would yield for this page (the profile sets the version)."""
    return Article(
        url=doc.url,
        source=doc.source,
        title=doc.title,
        body="\n\n".join(doc.paragraphs),
        published_at=doc.published_at,
        dateline=find_dateline(doc.paragraphs[0]),
        version=split_version(doc.title)[0] if doc.source == "yonhap" else "",
    )


def prepared(doc: Doc) -> Article:
    """The item the writer receives for this page: normalized, fingerprinted, keyed."""
    return prepare(article(doc), profile_of(doc))


def evidence(doc: Doc) -> Evidence:
    """The new article's evidence, as the writer builds it."""
    item = prepared(doc)
    found = Fingerprint(item.signature, item.shingles, item.bands)
    return evidence_of(item, found, profile_of(doc))


def row_of(doc: Doc, row_id: int, story_id: int) -> dict[str, Any]:
    """The db.stories row of this page, as stored with that id in that story."""
    item = prepared(doc)
    return item.row() | {
        "id": row_id, "story_id": story_id, "signature": item.signature,
        "shingles": item.shingles,
    }  # fmt: skip
