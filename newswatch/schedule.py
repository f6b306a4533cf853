"""Schedules as written in config.yaml: "every N[s|m|h]" or a 5-field cron expression."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

_EVERY = re.compile(r"every\s+(\d+)\s*([smh])", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Schedule:
    interval_seconds: int = 0
    cron: str = ""
    timezone: str = "UTC"

    def __str__(self) -> str:
        """As it would be written in config.yaml, in the largest whole unit: 'every 10m'."""
        if not self.interval_seconds:
            return self.cron
        for unit in ("h", "m", "s"):
            if self.interval_seconds % _UNIT_SECONDS[unit] == 0:
                return f"every {self.interval_seconds // _UNIT_SECONDS[unit]}{unit}"
        return f"every {self.interval_seconds}s"


def parse_schedule(text: str, timezone: str) -> Schedule:
    """Parse a schedule; ValueError says what is wrong."""
    text = text.strip()
    every = _EVERY.fullmatch(text)
    if every:
        seconds = int(every.group(1)) * _UNIT_SECONDS[every.group(2).lower()]
        if seconds <= 0:
            raise ValueError("the interval must be positive")
        return Schedule(interval_seconds=seconds, timezone=timezone)
    if len(text.split()) != 5:
        raise ValueError("not an interval, and not 5 cron fields")
    try:
        CronTrigger.from_crontab(text, timezone=timezone)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return Schedule(cron=text, timezone=timezone)


def next_time(schedule: Schedule, now: datetime) -> datetime | None:
    """When a cron schedule fires next after `now` (None for an interval: it runs from start)."""
    if not schedule.cron:
        return None
    trigger = CronTrigger.from_crontab(schedule.cron, timezone=schedule.timezone)
    return trigger.get_next_fire_time(None, now)
