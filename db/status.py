"""What `newswatch status` shows: per-source numbers and the state of the outbox."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from db.alerts import outbox_summary
from db.runs import last_runs


def status_snapshot(db: Database, config: Any) -> dict[str, Any]:
    counts = dict(db.execute("SELECT source, COUNT(*) FROM articles GROUP BY source").fetchall())
    runs = {run["source"]: run for run in last_runs(db)}
    sources = [
        {"source": s.name, "schedule": str(s.schedule), "articles": counts.get(s.name, 0),
         "last_run": runs.get(s.name)}
        for s in config.sources
    ]  # fmt: skip
    return {"sources": sources, "outbox": outbox_summary(db)}
