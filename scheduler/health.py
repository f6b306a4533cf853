"""Source health, judged after every run: the monitors Spidermon gives Scrapy Cloud, built in.

A source is `broken` when it yields nothing (no page fetched, article pages fetched but none
stored, no article link found, all blocked by robots.txt), `degraded` when what it yields is
poor (HTTP errors, 403/429, article pages that failed, articles without body or date, silence
far longer than its usual cadence), else `ok`.
A change of verdict emails the operator once, through the outbox.
"""

from __future__ import annotations

import json
import statistics
import textwrap
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

import db
from db import health as health_store
from newswatch.clock import iso_utc
from newswatch.config import Config
from newswatch.report import local_time
from scheduler.email import clean_line
from scheduler.outgoing import Outgoing, queue_email

POOR_SHARE = 0.3  # of recent articles without body or date
ERROR_SHARE = 0.5  # of requests that failed
BLOCKED_SHARE = 0.3  # of requests answered 403 or 429
MIN_SILENCE = timedelta(hours=6)
SILENCE_FACTOR = 4  # times the usual gap between new articles


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def judge_run(run: dict[str, Any]) -> tuple[str, str]:
    errors = json.loads(run.get("errors") or "{}")
    requests = max(run.get("requests") or 0, 1)
    if run["status"] == "failed" and not run.get("pages"):
        return "broken", "no page could be fetched" + _last(run)
    fetched, failed = run.get("article_pages") or 0, run.get("failed") or 0
    if fetched and not (run.get("new_articles") or 0) + (run.get("duplicates") or 0):
        return "broken", run.get("last_error") or f"{fetched} article pages fetched, none stored"
    if run.get("pages") and not run.get("links_found"):
        return "broken", "no article links found on its pages and feeds (has the layout changed?)"
    if run.get("blocked") and run.get("blocked") >= run.get("links_found", 0) > 0:
        return "broken", "every article link is blocked by robots.txt"
    denied = errors.get("http_403", 0) + errors.get("http_429", 0)
    if denied / requests >= BLOCKED_SHARE:
        return "degraded", f"{denied} of {requests} requests answered 403 or 429" + _last(run)
    if sum(errors.values()) / requests >= ERROR_SHARE:
        return "degraded", f"{sum(errors.values())} of {requests} requests failed" + _last(run)
    if fetched and failed / fetched >= ERROR_SHARE:
        return "degraded", f"{failed} of {fetched} article pages failed" + _last(run)
    return "ok", ""


def judge_selectors(run: dict[str, Any]) -> tuple[str, str]:
    """`degraded` when a configured selector matched nothing on every article of the run:
    the site has changed its layout, and that field now comes from guesswork or not at all."""
    articles = run.get("selector_articles") or 0
    missed = json.loads(run.get("selector_missed") or "{}")
    dead = [key for key, n in sorted(missed.items()) if articles and n >= articles]
    if not dead:
        return "ok", ""
    reasons = [
        f"selector {key} matched nothing on {articles} of {articles} articles" for key in dead
    ]
    return "degraded", "; ".join(reasons)


def _last(run: dict[str, Any]) -> str:
    return f"; last error: {run['last_error']}" if run.get("last_error") else ""


def judge_articles(articles: list[dict[str, Any]], now: datetime) -> tuple[str, str]:
    if len(articles) >= 5:
        poor = sum(1 for a in articles if not a["has_body"] or not a["has_date"])
        if poor / len(articles) > POOR_SHARE:
            return "degraded", f"{poor} of the last {len(articles)} articles lack a body or date"
        times = sorted(_when(a["fetched_at"]) for a in articles if a["fetched_at"])
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
        usual = timedelta(seconds=statistics.median(gaps)) if gaps else MIN_SILENCE
        silent = now - times[-1]
        if silent > max(MIN_SILENCE, usual * SILENCE_FACTOR):
            hours = silent.total_seconds() / 3600
            return "degraded", f"no new article for {hours:.0f} h (usually one every {usual})"
    return "ok", ""


def judge(archive: Database, source: str, now: datetime) -> tuple[str, str, str] | None:
    """(state, reason, last error) of a source from its latest run and recent articles;
    None when its recent runs were all interrupted. An interrupted run (stopped by Ctrl-C or
    the service) says nothing about the site: the run before it does. Judged as it stood,
    a crawl stopped before its first page looked fine, and a broken source was "ok" again."""
    recent_runs = db.recent_runs(archive, source, 10)
    runs = [r for r in recent_runs if r["status"] != "interrupted"]
    if not runs:
        return None if recent_runs else ("ok", "", "")
    state, reason = judge_run(runs[0])
    if state == "ok":
        state, reason = judge_selectors(runs[0])
    if state == "ok":
        recent = health_store.recent_articles(archive, source)
        state, reason = judge_articles(recent, now)
    return state, reason, runs[0].get("last_error") or ""


def check_sources(archive: Database, config: Config, names: list[str]) -> list[str]:
    """Judge each source; queue one operator email per change of state. Returns the changes."""
    changes = []
    now = datetime.now(UTC)
    for name in names:
        with db.write_transaction(archive):
            verdict = judge(archive, name, now)
            if verdict is None:
                continue
            state, reason, error = verdict
            old = health_store.get_health(archive, name) or {"state": "ok"}
            if old["state"] == state:
                continue
            row = {"source": name, "state": state, "reason": reason, "last_error": error,
                   "changed_at": iso_utc(now)}  # fmt: skip
            health_store.set_health(archive, row)
            _notify(archive, config, row, old["state"])
            changes.append(f"{name}: {old['state']} -> {state}")
    return changes


def operator_addresses(config: Config) -> tuple[str, ...]:
    if config.alerts.operator:
        return (config.alerts.operator,)
    return config.alerts.rules[0].to if config.alerts.rules else ()


def _notify(archive: Database, config: Config, row: dict[str, Any], old: str) -> None:
    """Queue the operator's email about a change of verdict (one Message-ID for all)."""
    source, state = row["source"], row["state"]
    ever = health_store.has_completed_run(archive, source)
    was = f"was {old}" if ever else "has never completed a crawl"
    subject = f"[newswatch] source {source}: {old} -> {state}" if ever else (
        f"[newswatch] source {source}: {state} (has never completed a crawl)")  # fmt: skip
    reason = row["reason"] or "its last run went well"
    lines = [f"Source {source} is now {state} ({was}).", "", f"Why: {reason}"]
    if row["last_error"] and row["last_error"] not in reason:  # said once, not twice
        lines.append(f"Last error: {row['last_error']}")
    lines += [f"Since: {local_time(row['changed_at'], config.timezone)}", "",
              f"Run `newswatch status` for the details, or `newswatch sources check {source}`"
              " to see what a crawl of it finds now."]  # fmt: skip
    text = "\n".join(w for line in lines for w in (textwrap.wrap(clean_line(line), 76) or [""]))
    mail = Outgoing(f"health:{source}", subject, text + "\n",
                    recipients=operator_addresses(config))  # fmt: skip
    queue_email(archive, config, mail, _when(row["changed_at"]))
