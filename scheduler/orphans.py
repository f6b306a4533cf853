"""The service's look at a source's lock before it crawls the source.

A crawl left by an earlier service (killed with -9, say) may still hold the lock: it ends
itself at its time limit (crawler.timelimit), and once past that deadline the service kills
its process group. Until then the source is skipped, and the log says by whom and since when,
never an empty "crawl finished". A crawl someone runs by hand is waited for, never killed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

from crawler.locks import SERVICE, Holder, is_held, read_holder, try_lock
from db.connection import ArchiveError

log = logging.getLogger("newswatch")
KILL_WAIT_SECONDS = 5.0


def take_service_lock(database: Path, started_at: str) -> int:
    """The service's lock on the archive (held while it runs), or ArchiveError naming the
    running service: two services would crawl every source twice and race for the outbox."""
    fd = try_lock(database, SERVICE, Holder(os.getpid(), started_at))
    if fd is not None:
        return fd
    other = read_holder(database, SERVICE)
    who = f"pid {other.pid}, started {other.started_at}" if other else "pid unknown"
    raise ArchiveError(f"{database}: another newswatch service is running on this archive"
                       f" ({who}); stop it first")  # fmt: skip


def free_to_crawl(database: Path, source: str, extra: dict[str, str]) -> bool:
    """Whether no other process holds `source`'s lock, after ending an overdue orphan."""
    if not is_held(database, source):
        return True
    other = read_holder(database, source)
    if other and _overdue_orphan(other) and _kill_group(other.pid):
        log.warning("killed crawl pid %d of %s, left by an earlier service (pid %d, started"
                    " %s), past its time limit (%s)", other.pid, source, other.service,
                    other.started_at, other.deadline, extra=extra)  # fmt: skip
        deadline = time.monotonic() + KILL_WAIT_SECONDS
        while time.monotonic() < deadline and is_held(database, source):
            time.sleep(0.1)
        if not is_held(database, source):
            return True
    log.warning("crawl of %s skipped: %s", source, describe(other), extra=extra)
    return False


def describe(other: Holder | None) -> str:
    """Who holds a lock, for the log."""
    if other is None:
        return "another process holds its lock"
    by = f"an earlier service (pid {other.service})" if other.service else "someone by hand"
    if other.service == os.getpid():
        by = "this service"
    until = f"; it ends by {other.deadline} at the latest" if other.deadline else ""
    return (f"another crawl holds its lock: pid {other.pid}, started {other.started_at} by"
            f" {by}{until}")  # fmt: skip


def _overdue_orphan(other: Holder) -> bool:
    if not other.service or other.service == os.getpid() or not other.deadline:
        return False
    deadline = datetime.fromisoformat(other.deadline.replace("Z", "+00:00"))
    return datetime.now(UTC) > deadline


def _kill_group(pid: int) -> bool:
    """SIGKILL the process group `pid` leads (a service child leads its own), if it does."""
    try:
        if os.getpgid(pid) != pid:
            return False
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return False
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    return True
