"""One scheduler at a time: with a queue, a second `newswatch run` waits as a standby.

The active scheduler holds a lock for as long as it lives: on a PostgreSQL archive an advisory
lock on a connection of its own (db.coordination), which PostgreSQL drops when the process
or its machine dies; on SQLite the service's lock file beside the archive (crawler.locks),
which the kernel drops when the process dies. A standby tries for it every POLL_SECONDS and
takes over at once; the active one checks every second that it still holds it (a PostgreSQL
connection can be lost) and stops scheduling if not.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from crawler.locks import SERVICE, Holder, try_lock
from db.coordination import SCHEDULER, AdvisoryLock, is_postgres
from newswatch.clock import utc_now
from newswatch.config import Config

log = logging.getLogger("newswatch")
POLL_SECONDS = 1.0
NO_RUN = {"source": "-", "run": "-"}


class FileLock:
    """The service's lock file beside a SQLite archive (scheduler.orphans' lock)."""

    def __init__(self, config: Config) -> None:
        self.database = config.database
        self.fd: int | None = None

    def try_acquire(self) -> bool:
        self.fd = try_lock(self.database, SERVICE, Holder(os.getpid(), utc_now()))
        return self.fd is not None

    def still_held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None


def scheduler_lock(config: Config) -> Any:
    if is_postgres(config.database):
        return AdvisoryLock(str(config.database), SCHEDULER)
    return FileLock(config)


def wait_to_lead(lock: Any, stopping: threading.Event, waiting: Callable[[], None]) -> bool:
    """Block until `lock` is ours (True) or `stopping` is set (False); `waiting()` is called
    once a POLL_SECONDS while another scheduler holds it (the standby's heartbeat)."""
    told, failing = False, ""
    while not stopping.is_set():
        try:
            if lock.try_acquire():
                return True
        except Exception as exc:  # the database is down: keep trying, as a standby would
            if str(exc) != failing:  # once per new error, not once a second
                log.warning("cannot reach the scheduler lock: %s", exc, extra=NO_RUN)
            failing = str(exc)
            lock.release()
            stopping.wait(POLL_SECONDS)
            continue
        if not told:
            log.info("another scheduler is active: standing by to take over", extra=NO_RUN)
            told = True
        waiting()
        stopping.wait(POLL_SECONDS)
    return False
