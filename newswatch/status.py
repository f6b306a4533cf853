"""`newswatch status`: per source its last crawl, next run and health; the outbox.

`status_document()` is what `status --json` prints: real JSON types (numbers, objects, null
for "never"), every count present, times in UTC ISO 8601. README.md lists its keys. The text
form shows the same, with times in the configured timezone.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from newswatch.hygiene import json_printable, printable
from newswatch.report import error_summary, page_accounting, print_table

OUTBOX_STATES = ("pending", "sending", "sent", "failed")
RUN_KEYS = ("started_at", "finished_at", "status", "pages", "article_pages", "new_articles",
            "duplicates", "not_articles", "failed", "same_body_kept", "undated",
            "last_error", "due_at")  # fmt: skip


def _when(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")) if iso else None


def _run(run: dict[str, Any] | None) -> dict[str, Any] | None:
    if not run:
        return None
    doc = {key: run.get(key) for key in RUN_KEYS}
    for key in ("errors", "not_article_kinds", "failed_kinds"):
        doc[key] = json.loads(run.get(key) or "{}")
    doc["finished_at"] = doc["finished_at"] or None
    doc["due_at"] = doc["due_at"] or None
    start, end = _when(run.get("started_at")), _when(run.get("finished_at"))
    doc["seconds"] = round((end - start).total_seconds(), 1) if start and end else None
    due = _when(doc["due_at"])
    # How late the service started it against its schedule (None: run by hand).
    doc["late_seconds"] = max(round((start - due).total_seconds()), 0) if start and due else None
    return doc


def late(seconds: int | None) -> str:
    """90 -> '1m30s'; None (a crawl run by hand) -> '-'."""
    if seconds is None:
        return "-"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}m{rest:02d}s" if minutes else f"{rest}s"


def status_document(snapshot: dict[str, Any]) -> dict[str, Any]:
    sources = [{
        "source": s["source"], "schedule": s["schedule"], "articles": s["articles"],
        "last_run": _run(s["last_run"]), "next_run": s["next_run"] or None,
        "health": s["health"], "health_reason": s["health_reason"] or None,
    } for s in snapshot["sources"]]  # fmt: skip
    outbox = snapshot["outbox"]
    counts = {state: int(outbox["counts"].get(state, 0)) for state in OUTBOX_STATES}
    return {"sources": sources, "outbox": {"counts": counts, "failed": outbox["failed"],
                                           "retrying": outbox["retrying"]}}  # fmt: skip


def local(iso: str | None, timezone: str) -> str:
    """'2026-11-28T02:08:18Z' -> '2026-11-28 11:08:18 KST' (the configured zone)."""
    moment = _when(iso)
    if moment is None:
        return "-"
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M:%S %Z")


def print_status(doc: dict[str, Any], timezone: str, as_json: bool) -> None:
    if as_json:
        click.echo(json_printable(json.dumps(doc, indent=2, ensure_ascii=False)))
        return
    rows = [("source", "last crawl", "late", "took", "result", "new", "articles", "next run",
             "health")]  # fmt: skip
    for s in doc["sources"]:
        run = s["last_run"] or {}
        took = f"{run['seconds']:.0f}s" if run.get("seconds") is not None else "-"
        rows.append((
            s["source"], local(run.get("started_at"), timezone) if run else "never",
            late(run.get("late_seconds")), took,
            run.get("status") or "-", str(run.get("new_articles", "-")), str(s["articles"]),
            local(s["next_run"], timezone) if s["next_run"] else "(service not running)",
            s["health"],
        ))  # fmt: skip
    print_table(rows)
    for s in doc["sources"]:
        run = s["last_run"] or {}
        if run.get("status") in ("failed", "partial"):
            why = run.get("last_error") or error_summary(json.dumps(run["errors"]))
            click.echo(printable(f"{s['source']}: last crawl {run['status']}: {why}"))
        if run.get("failed") or run.get("not_articles"):
            shown = run | {k: json.dumps(run[k]) for k in ("not_article_kinds", "failed_kinds")}
            click.echo(printable(f"{s['source']}: last crawl: {page_accounting(shown)}"))
        if s["health_reason"]:
            click.echo(printable(f"{s['source']} is {s['health']}: {s['health_reason']}"))
    _print_outbox(doc["outbox"], timezone)
    if "queue" in doc:  # with workers (config `queue:`): the schedulers and workers
        from newswatch.status_queue import print_queue

        print_queue(doc["queue"], local, timezone)


def _print_outbox(outbox: dict[str, Any], timezone: str) -> None:
    counts = outbox["counts"]
    click.echo(f"alerts: {counts['pending'] + counts['sending']} pending, {counts['sent']} sent,"
               f" {counts['failed']} failed")  # fmt: skip
    for row in outbox["failed"]:
        click.echo(
            printable(f"  failed: {row['subject']} to {row['recipient']}: {row['last_error']}")
        )
    for row in outbox["retrying"]:
        click.echo(printable(
            f"  pending: {row['subject']} to {row['recipient']}: attempt {row['attempts']}"
            f" failed ({row['last_error']}); next try {local(row['next_attempt_at'], timezone)}"
        ))  # fmt: skip
