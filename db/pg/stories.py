"""The LSH band lookup on PostgreSQL: every band's posting list in one round trip."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from db.pg.handle import PgArchive


def band_counts(db: PgArchive, bands: Iterable[int], per_band: int) -> Counter[int]:
    """article_id -> how many of `bands` it shares, each band read newest first and at most
    `per_band` deep (as db.stories.sharing_bands does band by band on SQLite)."""
    rows = db.raw(
        "SELECT b.article_id FROM unnest(%s::bigint[]) AS q(band), LATERAL ("
        " SELECT article_id FROM article_bands WHERE band = q.band"
        " ORDER BY article_id DESC LIMIT %s) b",
        [sorted(set(bands)), per_band],
    )
    return Counter(row[0] for row in rows)
