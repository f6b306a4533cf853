"""`newswatch status` with a queue: the schedulers (active, standby) and the workers, from
their heartbeats in Redis (scheduler.beats). A process whose heartbeat is older than
SILENT_AFTER is shown as silent (stopped, killed, or cut off from Redis)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from newswatch.config import Config

BEAT_KEYS = ("host", "pid", "since", "seen_at")


def queue_document(config: Config) -> dict[str, Any]:
    """{"url", "error", "schedulers": [...], "workers": [...]}: each with its last heartbeat
    (`seen_at`, UTC), `alive`; a scheduler's `role` (active, standby); a worker's
    `concurrency` and the sources it is `crawling`."""
    import redis

    from scheduler.beats import SILENT_AFTER, heartbeats

    doc: dict[str, Any] = {"url": shown_url(config.queue), "error": None,
                           "schedulers": [], "workers": []}  # fmt: skip
    client = redis.Redis.from_url(config.queue, socket_timeout=5, socket_connect_timeout=5)
    try:
        beats = heartbeats(client)
    except redis.RedisError as exc:
        doc["error"] = f"cannot reach the queue: {exc}"
        return doc
    finally:
        client.close()
    extra = {"scheduler": ("role",), "worker": ("concurrency", "crawling")}
    for role, keys in extra.items():
        for beat in beats.get(role, []):
            entry = {k: beat.get(k) for k in (*BEAT_KEYS, *keys)}
            entry["alive"] = _age(beat["seen_at"]) < SILENT_AFTER
            doc[role + "s"].append(entry)
    return doc


def print_queue(doc: dict[str, Any], local: Any, timezone: str) -> None:
    click.echo(f"queue: {doc['url']}")
    if doc["error"]:
        click.echo(f"  {doc['error']}")
        return
    if not any(s["alive"] and s["role"] == "active" for s in doc["schedulers"]):
        click.echo("  scheduler: none active (no `newswatch run` is scheduling)")
    for s in doc["schedulers"]:
        click.echo(f"  scheduler {s['role'] if s['alive'] else 'silent'}: {_who(s)}, since"
                   f" {local(s['since'], timezone)}; {_seen(s, local, timezone)}")  # fmt: skip
    if not doc["workers"]:
        click.echo("  workers: none (start `newswatch worker` on one or more machines)")
    for w in doc["workers"]:
        crawling = ", ".join(w["crawling"] or []) or "nothing"
        state = "worker" if w["alive"] else "worker silent"
        click.echo(f"  {state}: {_who(w)}, {w['concurrency']} at once, crawling {crawling};"
                   f" {_seen(w, local, timezone)}")  # fmt: skip


def _who(beat: dict[str, Any]) -> str:
    return f"{beat['host']} pid {beat['pid']}"


def _seen(beat: dict[str, Any], local: Any, timezone: str) -> str:
    age = _age(beat["seen_at"])
    if beat["alive"]:
        return f"last heartbeat {age:.0f} s ago"
    return f"last heartbeat {local(beat['seen_at'], timezone)} ({age:.0f} s ago)"


def _age(iso: str) -> float:
    seen = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return (datetime.now(UTC) - seen).total_seconds()


def shown_url(url: str) -> str:
    """The URL without its password, for logs and status."""
    from urllib.parse import urlsplit

    password = urlsplit(url).password
    return url.replace(f":{password}@", ":***@") if password else url
