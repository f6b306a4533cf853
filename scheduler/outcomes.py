"""What the service logs about a crawl: one line per source, at a level an operator can filter.

A crawl that went well is INFO; a failed, partial or timed-out crawl is a WARNING naming the
source and the cause; a change of a source's health is a WARNING (to degraded or broken) or
INFO (back to ok), so `journalctl -p warning` lists what needs a look.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlite_utils import Database

import db
from db.health import all_health
from newswatch.report import error_summary

log = logging.getLogger("newswatch")
BAD_RUNS = ("failed", "partial", "timeout")


def describe_run(run: dict[str, Any]) -> str:
    errors = error_summary(_errors_json(run.get("errors")))
    text = (f"{run['pages']} pages, {run['new_articles']} new, {run['duplicates']} duplicates,"
            f" errors {errors}")  # fmt: skip
    if run.get("last_error"):
        text += f"; last error: {run['last_error']}"
    return text


def _errors_json(errors: Any) -> str:
    import json

    return errors if isinstance(errors, str) else json.dumps(errors or {})


def log_run(run: dict[str, Any], run_label: str, seconds: float) -> None:
    """One line for one source's crawl, WARNING when it did not go well."""
    extra = {"source": run["source"], "run": run_label}
    status = run["status"]
    if status in BAD_RUNS:
        log.warning("crawl of %s %s after %.1fs: %s", run["source"], status, seconds,
                    describe_run(run), extra=extra)  # fmt: skip
    else:
        log.info("crawl %s in %.1fs: %s", status, seconds, describe_run(run), extra=extra)


def health_before(archive: Database, names: list[str]) -> dict[str, str]:
    states = all_health(archive)
    return {name: states[name]["state"] if name in states else "" for name in names}


def log_health_changes(archive: Database, before: dict[str, str], run_label: str) -> None:
    """Compare each source's stored verdict with the one before its crawl; log the changes."""
    after = all_health(archive)
    for name, old in before.items():
        row = after.get(name)
        if row is None or row["state"] == (old or "ok"):
            continue
        extra = {"source": name, "run": run_label}
        level = logging.INFO if row["state"] == "ok" else logging.WARNING
        reason = f": {row['reason']}" if row.get("reason") else ""
        if old or _completed_before(archive, name):
            change = f"{old or 'ok'} -> {row['state']}"
        else:
            change = f"{row['state']} (has never completed a crawl)"
        log.log(level, "source %s health %s%s", name, change, reason, extra=extra)


def _completed_before(archive: Database, name: str) -> bool:
    """Whether a crawl before the latest one went through (so the verdict was `ok`)."""
    runs = db.recent_runs(archive, name, 50)
    return any(r["status"] in ("ok", "partial") for r in runs[1:])
