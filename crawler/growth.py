"""When one more extraction worker pays: pages wait for the workers while a core is idle.

A crawl starts with one worker fewer than the usable cores (crawler.pool.workers_for): the
crawl process needs a core of its own when extraction is quick (with selectors both are busy,
and a third process only takes turns with them). Generic extraction is slower: there the
worker is the bottleneck, the crawl process waits half the time, and a core idles, which a
second worker puts to use (2,000 generic pages on two cores: 11.3 s with one, 8.8-9.2 s with
two; with selectors 5.7 s with one, 6.7 s with two; benchmarks/crawl_site.py).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

LOOK_SECONDS = 0.5  # how often the pool looks whether to grow
WAITING_PER_WORKER = 16  # pages waiting per worker that make extraction the bottleneck
IDLE_CORES = 0.4  # idle CPU since the last look, in cores, that one more worker can use
_STAT = Path("/proc/stat")


def should_grow(waiting_per_worker: float, idle_cores: float) -> bool:
    """One more worker when pages queue up for the workers and a core is (partly) idle."""
    return waiting_per_worker >= WAITING_PER_WORKER and idle_cores >= IDLE_CORES


class IdleMeter:
    """How many cores were idle (or waiting on the disk) since the last reading, machine-wide,
    from /proc/stat; None where that cannot be read (not Linux): the pool does not grow."""

    def __init__(self) -> None:
        self.last = _reading()

    def idle_cores(self) -> float | None:
        now, last = _reading(), self.last
        self.last = now
        if now is None or last is None or now[1] <= last[1]:
            return None
        return (now[0] - last[0]) / os.sysconf("SC_CLK_TCK") / (now[1] - last[1])


def _reading() -> tuple[int, float] | None:
    """(idle + iowait clock ticks of all cores, monotonic time)."""
    try:
        fields = _STAT.read_text().split("\n", 1)[0].split()
        return int(fields[4]) + int(fields[5]), time.monotonic()
    except (OSError, IndexError, ValueError):
        return None
