"""crawl_runs: one row per source per crawl."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from db.tx import write_transaction


def start_run(db: Database, source: str, started_at: str, due_at: str = "") -> int:
    """A new 'running' row; `due_at`: when the service's schedule had it due."""
    with write_transaction(db):
        table = db["crawl_runs"].insert(
            {"source": source, "started_at": started_at, "status": "running",
             "pages": 0, "new_articles": 0, "duplicates": 0, "undated": 0, "errors": "{}",
             "due_at": due_at}
        )  # fmt: skip
    return int(table.last_pk)


def finish_run(db: Database, run_id: int, values: dict[str, Any]) -> None:
    """Record a run's outcome: status, finished_at and its counters; the mappings (errors,
    not_article_kinds, failed_kinds: kind -> count) as JSON."""
    values = {k: json.dumps(v, sort_keys=True) if isinstance(v, dict) else v
              for k, v in values.items()}  # fmt: skip
    with write_transaction(db):
        db["crawl_runs"].update(run_id, values)


def recent_runs(db: Database, source: str, limit: int = 10) -> list[dict[str, Any]]:
    return db.execute_returning_dicts(
        "SELECT * FROM crawl_runs WHERE source = ? AND status != 'running'"
        " ORDER BY id DESC LIMIT ?",
        [source, limit],
    )


def last_runs(db: Database) -> list[dict[str, Any]]:
    """The newest run of every source."""
    return db.execute_returning_dicts(
        "SELECT * FROM crawl_runs WHERE id IN (SELECT MAX(id) FROM crawl_runs GROUP BY source)"
        " ORDER BY source"
    )


def runs_by_id(db: Database, run_ids: list[int]) -> list[dict[str, Any]]:
    if not run_ids:
        return []
    marks = ",".join("?" * len(run_ids))
    return db.execute_returning_dicts(
        f"SELECT * FROM crawl_runs WHERE id IN ({marks}) ORDER BY source", run_ids
    )


def close_stale_runs(db: Database, now: str, source: str = "", reason: str = "") -> None:
    """Mark runs left 'running' (by a crawl that was killed or crashed) as failed."""
    where = "status = 'running'" + (" AND source = ?" if source else "")
    with write_transaction(db):
        db.execute(
            f"UPDATE crawl_runs SET status = 'failed', finished_at = ?,"
            f" last_error = ? WHERE {where}",
            [now, reason or "interrupted", *([source] if source else [])],
        )


def end_open_runs(db: Database, run_ids: list[int], status: str, reason: str, now: str) -> None:
    """Close those of `run_ids` still 'running' (their process is about to end)."""
    if not run_ids:
        return
    marks = ",".join("?" * len(run_ids))
    with write_transaction(db):
        db.execute(
            f"UPDATE crawl_runs SET status = ?, finished_at = ?, last_error = ?"
            f" WHERE status = 'running' AND id IN ({marks})",
            [status, now, reason, *run_ids],
        )


def last_run_id(db: Database) -> int:
    """The newest crawl_runs id (0 when none): runs a crawl starts from now on are above it."""
    return db.execute("SELECT COALESCE(MAX(id), 0) FROM crawl_runs").fetchone()[0]


def fail_unfinished_runs(db: Database, sources: list[str], after_id: int, status: str,
                         reason: str, now: str, due: dict[str, str]) -> list[str]:  # fmt: skip
    """The process crawling `sources` is gone: each run of theirs above `after_id` it left
    'running' becomes `status` with `reason`, and a source it had not yet started a run for
    gets a row saying so (record_unstarted_runs), so that no killed crawl goes unrecorded.
    Returns the sources that had no run."""
    if not sources:
        return []
    marks = ",".join("?" * len(sources))
    with write_transaction(db):
        db.execute(
            f"UPDATE crawl_runs SET status = ?, finished_at = ?, last_error = ?"
            f" WHERE status = 'running' AND id > ? AND source IN ({marks})",
            [status, now, reason, after_id, *sources],
        )
        started = {r[0] for r in db.execute(
            f"SELECT DISTINCT source FROM crawl_runs WHERE id > ? AND source IN ({marks})",
            [after_id, *sources],
        ).fetchall()}  # fmt: skip
        never = [s for s in sources if s not in started]
        record_unstarted_runs(db, never, status, reason, now, due)
    return never


def record_unstarted_runs(db: Database, sources: list[str], status: str, reason: str,
                          now: str, due: dict[str, str]) -> None:  # fmt: skip
    """A finished run of each of `sources`, whose crawl ended before it had begun a run."""
    with write_transaction(db):
        for source in sources:
            db["crawl_runs"].insert(
                {"source": source, "started_at": now, "finished_at": now, "status": status,
                 "pages": 0, "new_articles": 0, "duplicates": 0, "undated": 0, "errors": "{}",
                 "last_error": reason, "due_at": due.get(source, "")}
            )  # fmt: skip
