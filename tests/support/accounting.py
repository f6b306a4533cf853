"""The page accounting every crawl must keep (issue 12), checked after every test.

Every article page a crawl fetched ends as exactly one of: stored, duplicate, not an article,
failed. conftest.py runs `check_page_accounting` on every archive a test leaves in its
tmp_path, so that each crawl test enforces it without asking.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

OUTCOMES = ("new_articles", "duplicates", "not_articles", "failed")


def unbalanced_runs(database: Path) -> list[dict[str, object]]:
    """The finished crawl_runs of `database` whose outcomes do not add up to article_pages."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)) as conn:
        conn.row_factory = sqlite3.Row
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "crawl_runs" not in tables:
            return []
        rows = [dict(r) for r in conn.execute("SELECT * FROM crawl_runs WHERE status != 'running'")]
    return [r for r in rows if r["article_pages"] != sum(r[k] for k in OUTCOMES)]


def check_page_accounting(folder: Path) -> None:
    for database in folder.rglob("*.db"):
        bad = unbalanced_runs(database)
        assert not bad, (
            f"{database}: article_pages != new + duplicates + not_articles + failed in {bad}"
        )
