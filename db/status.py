"""What `newswatch status` shows: per-source numbers and the state of the outbox."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from db.alerts import get_state, outbox_summary
from db.health import all_health
from db.runs import last_runs


def status_snapshot(db: Database, config: Any) -> dict[str, Any]:
    counts = dict(db.execute("SELECT source, COUNT(*) FROM articles GROUP BY source").fetchall())
    runs = {run["source"]: run for run in last_runs(db)}
    health = all_health(db)
    sources = []
    for s in config.sources:
        verdict = health.get(s.name, {})
        sources.append({
            "source": s.name, "schedule": str(s.schedule), "articles": counts.get(s.name, 0),
            "last_run": runs.get(s.name), "next_run": get_state(db, f"next_run:{s.name}"),
            "health": verdict.get("state", "ok" if s.name in runs else "unknown"),
            "health_reason": verdict.get("reason", ""),
        })  # fmt: skip
    return {"sources": sources, "outbox": outbox_summary(db)}
