"""Digest rules: one email on the rule's cron with the stories since the last digest."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from sqlite_utils import Database

from db import alerts as store
from db import write_transaction
from newswatch.config import Config, Rule
from scheduler.alerts import queue_digest


def _key(rule_name: str) -> str:
    return f"digest_at:{rule_name}"


def due_at_start(archive: Database, rule: Rule, now: datetime) -> datetime | None:
    """`now` if a digest fell due while the service was down, else None (the cron decides)."""
    assert rule.digest is not None
    with write_transaction(archive):
        last = store.get_state(archive, _key(rule.name))
        if not last:  # first start: digests begin from here, nothing is owed yet
            store.set_state(archive, _key(rule.name), now.isoformat())
            return None
    trigger = CronTrigger.from_crontab(rule.digest.cron, timezone=rule.digest.timezone)
    missed = trigger.get_next_fire_time(None, datetime.fromisoformat(last))
    return now if missed is not None and missed <= now else None


def send_digest(archive: Database, config: Config, rule_name: str, now: datetime) -> int:
    """Queue the digest of `rule_name` and remember when it was due."""
    queued = queue_digest(archive, config, rule_name)
    with write_transaction(archive):
        store.set_state(archive, _key(rule_name), now.isoformat())
    return queued
