"""A story's versions in order, each with the sentences it added (newswatch.sentences).

Used by `newswatch story`, `serve`'s article page and the update pass (scheduler.updates),
so the three always agree on what a version added.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from crawler.profiles.base import split_version
from db import updates as store
from newswatch.sentences import known_words, new_sentences


@dataclass(frozen=True)
class Version:
    article_id: int
    url: str
    source: str
    label: str  # "URGENT", "LEAD", "2nd LD"…; "" for a first filing or a copy
    title: str
    published_at: str
    added: tuple[str, ...]  # sentences no earlier version contains
    headline_was: str = ""  # the previous version's headline, when this one changed it

    @property
    def headline(self) -> str:
        """The title without its version label."""
        return split_version(self.title)[1]


def when(row: dict[str, Any]) -> tuple[str, int]:
    """The order of versions: published (else fetched) time, then the order stored."""
    return (row.get("published_at") or row.get("fetched_at") or "", row["id"])


def version_of(row: dict[str, Any], earlier: list[dict[str, Any]],
               known: set[str] | None = None) -> Version:  # fmt: skip
    """`row` as a version after `earlier` (any order): what it added, whether it changed the
    headline of the newest of them. `known`: known_words of `earlier`, if already counted."""
    if known is None:
        known = known_words(e.get("body") or "" for e in earlier)
    added = new_sentences(row.get("body") or "", known)
    previous = max(earlier, key=when) if earlier else None
    was = ""
    if previous is not None and _headline(previous["title"]) != _headline(row["title"]):
        was = previous["title"] or ""
    return as_version(row, added, was)


def as_version(row: dict[str, Any], added: Iterable[str] = (), headline_was: str = "") -> Version:
    """An articles row as a Version, with what it added if known."""
    label = row.get("version") or split_version(row.get("title") or "")[0]
    return Version(row["id"], row["url"], row["source"], label, row.get("title") or "",
                   row.get("published_at") or "", tuple(added), headline_was)  # fmt: skip


def _headline(title: str | None) -> str:
    return split_version(title or "")[1].casefold()


def ordered_versions(rows: Iterable[dict[str, Any]]) -> list[Version]:
    """Every row as a version of its story, in time order, each compared with those before."""
    ordered = sorted(rows, key=when)
    known: set[str] = set()
    versions = []
    for i, row in enumerate(ordered):
        versions.append(version_of(row, ordered[:i], set(known)))
        known |= known_words([row.get("body") or ""])
    return versions


def story_versions(archive: Database, story_id: int) -> list[Version]:
    """The versions and copies of story `story_id`, in time order."""
    return ordered_versions(store.story_rows(archive, [story_id]).get(story_id, []))
