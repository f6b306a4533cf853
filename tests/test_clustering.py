"""Story clustering: a labelled set of article pairs measured through the real pipelines, and
end-to-end runs that store versions, flashes and reprints of one story on a real database.

Each pair gets a fresh SQLite archive: the older article goes through Normalize, Validate,
Deduplicate and Store, then the newer one; "same story" means the newer got the older's
story_id. So candidate lookup (story key, the desk's key ranges, LSH bands) is measured too.
Run with `pytest -s tests/test_clustering.py` to see precision and recall.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fixtures import story_corpus as m
from fixtures import story_corpus_more as w
from fixtures.story_corpus import Doc
from support.evidence import article

from crawler.profiles import get_profile
from crawler.writer import ArchiveWriter

GOAL = 0.95
SAME = [  # (newer, older): one story
    (m.M1_LEAD, m.M1_ORIG), (m.M1_2LD, m.M1_ORIG), (m.M1_2LD, m.M1_LEAD),
    (m.M1_ORIG, m.M1_LEAD), (m.M1_ORIG, m.M1_FLASH), (m.M1_FLASH, m.M1_ORIG),
    (m.M1_FLASH, m.M1_LEAD), (m.M1_LEAD, m.M1_FLASH), (m.M1_FLASH2, m.M1_2LD),
    (m.M1_FLASH2, m.M1_LEAD), (m.M1_PARTNER, m.M1_LEAD), (m.M1_PARTNER, m.M1_2LD),
    (m.M4, m.M4_FLASH), (m.M5_FLASH, m.M5_ORIG), (m.M5_ORIG, m.M5_FLASH),
    (w.A1_LEAD, w.A1_ORIG), (w.A1_PARTNER, w.A1_LEAD), (w.A1_PARTNER2, w.A1_ORIG),
    (w.A1_PARTNER, w.A1_PARTNER2), (w.E1_LEAD, w.E1_ORIG), (w.E1_PARTNER, w.E1_ORIG),
    (w.E1_PARTNER, w.E1_LEAD), (w.E1_FLASH, w.E1_ORIG), (w.E1_ORIG, w.E1_FLASH),
    (w.D1_LEAD, w.D1_ORIG), (w.SYN_PARTNER, w.SYN),
]  # fmt: skip
DIFFERENT = [  # same topic, often the same words: different stories
    (m.M2_ORIG, m.M1_ORIG), (m.M2_ORIG, m.M1_LEAD), (m.M2_FLASH, m.M1_FLASH),
    (m.M2_FLASH, m.M1_ORIG), (m.M2_PARTNER, m.M1_ORIG), (m.M2_PARTNER, m.M1_PARTNER),
    (m.M2_ORIG, m.M1_PARTNER), (m.M3, m.M1_FLASH), (m.M1_FLASH, m.M3), (m.M3, m.M1_LEAD),
    (m.M4, m.M1_FLASH), (m.M4_FLASH, m.M1_ORIG), (m.M4_FLASH, m.M1_FLASH),
    (m.M5_FLASH, m.M1_ORIG), (m.M1_FLASH, m.M5_ORIG), (m.M5_ORIG, m.M1_LEAD),
    (w.A2, w.A1_ORIG), (w.A2, w.A1_PARTNER), (w.A3, w.A1_ORIG), (w.A3, w.A1_LEAD),
    (w.E2, w.E1_ORIG), (w.E2, w.E1_PARTNER), (w.E2_FLASH, w.E1_ORIG), (w.E2_FLASH, w.E1_FLASH),
    (w.D1_ORIG, w.A1_ORIG), (m.M1_FLASH, w.E1_ORIG),
]  # fmt: skip


class Archive:
    """The writer threads of two crawlers (Yonhap with its profile, a partner without) on one
    SQLite file, as a crawl runs them; each article is its own batch, stored before the next."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writers = {
            "yonhap": ArchiveWriter(path, get_profile("yonhap"), wait=0),
            "partner": ArchiveWriter(path, None, wait=0),
        }

    def store(self, doc: Doc) -> int:
        """Runs one article through its source's writer; returns its story_id."""
        verdict = self.writers[doc.source].submit(article(doc)).result(timeout=60)
        assert verdict.error is None and not verdict.duplicate, verdict
        assert verdict.story_id is not None
        return verdict.story_id

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    store = Archive(tmp_path / "news.db")
    yield store
    store.close()


def test_labelled_pairs_precision_and_recall(tmp_path: Path) -> None:
    assert len(SAME) + len(DIFFERENT) >= 30
    outcomes = {}
    for label, pairs in ((True, SAME), (False, DIFFERENT)):
        for newer, older in pairs:
            outcomes[(newer.url, older.url, newer.title)] = (
                label,
                pair_joins(tmp_path, newer, older),
            )
    true_pos = sum(label and got for label, got in outcomes.values())
    predicted = sum(got for _, got in outcomes.values())
    precision = true_pos / predicted if predicted else 1.0
    recall = true_pos / len(SAME)
    wrong = [f"  {'missed' if label else 'false join'}: {k[2]!r} <- {k[1]}"
             for k, (label, got) in outcomes.items() if label != got]  # fmt: skip
    print(f"\nstory clustering on {len(outcomes)} labelled pairs ({len(SAME)} same story): "
          f"precision {precision:.3f}, recall {recall:.3f}", *wrong, sep="\n")  # fmt: skip
    assert precision >= GOAL and recall >= GOAL, "\n".join(wrong)


def pair_joins(tmp_path: Path, newer: Doc, older: Doc) -> bool:
    store = Archive(tmp_path / f"pair-{len(list(tmp_path.iterdir()))}.db")
    try:
        first = store.store(older)  # the older article is in the archive first
        return store.store(newer) == first
    finally:
        store.close()


STORY = [m.M1_FLASH, m.M1_ORIG, m.M1_LEAD, m.M1_2LD, m.M1_PARTNER]


@pytest.mark.parametrize(
    "order",
    [STORY, [*STORY[1:], STORY[0]], [m.M1_2LD, m.M1_PARTNER, m.M1_FLASH, m.M1_LEAD, m.M1_ORIG]],
    ids=["flash-first", "flash-last", "shuffled"],
)
def test_versions_flash_and_reprint_share_one_story(archive: Archive, order: list[Doc]) -> None:
    ids = {doc.title: archive.store(doc) for doc in order}
    other = archive.store(m.M2_ORIG)  # a week later, same headline and boilerplate
    reaction = archive.store(m.M3)  # same day and desk, the allies' reaction
    assert len(set(ids.values())) == 1, f"one story expected: {ids}"
    assert other not in ids.values() and reaction not in ids.values()
    assert other != reaction
    rows = stored(archive.path)
    assert {r["version"] for r in rows} == {"URGENT", "", "LEAD", "2nd LD"}
    assert {r["story_key"] for r in rows if r["source"] == "partner"} == {None}


def stored(path: Path) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(path)) as con:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute("select * from articles")]


def test_story_lookups_use_indexes_never_a_scan(archive: Archive) -> None:
    """The queries the deduplicating pipeline really runs, each explained by SQLite."""
    for doc in STORY[:-1]:
        archive.store(doc)
    queries: list[str] = []
    archive.writers["yonhap"].archive.conn.set_trace_callback(queries.append)
    archive.store(m.M1_FLASH2)  # a flash: key, key ranges of the desk and LSH bands
    archive.store(m.M3)  # a full story: key ranges restricted to flashes
    tables = (" articles a", " article_bands ")
    lookups = [q for q in queries if q.startswith("SELECT") and any(t in q for t in tables)]
    assert len(lookups) >= 10, queries
    with closing(sqlite3.connect(archive.path)) as con:
        for query in lookups:
            plan = [row[-1] for row in con.execute(f"EXPLAIN QUERY PLAN {query}")]
            assert not [p for p in plan if p.startswith("SCAN")], f"{query}\n{plan}"
