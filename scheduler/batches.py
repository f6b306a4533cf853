"""Due crawls share a process: the service's dispatcher of batches.

A source's schedule (APScheduler) only says that it is due; the dispatcher collects the
sources due within a few seconds of each other (up to `crawl.batch_size`) and runs them in one
child process (`newswatch crawl --service PID --due NAME=TIME ...`), one spider per source,
with at most `crawl.max_batches` children at once. Starting Python, Scrapy and the archive
costs a process about a second and a half of CPU; shared by a batch, a source costs a tenth.

Inside the batch each source keeps what a process of its own gave it: its own time limit
(a source past it is closed and recorded `timeout`, the others go on), its own lock, run row
and health. The child reports each source as its spider closes, so a source is free for its
next due time as soon as its own crawl ends, whatever the rest of its batch does.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from typing import Any

from newswatch.clock import iso_utc
from newswatch.config import Config, Source

log = logging.getLogger("newswatch")
BATCH_WINDOW_SECONDS = 5.0  # how long a due source waits for others to share its process
BEHIND_SECONDS = 60.0  # a source waiting longer than this for a batch is behind schedule
BEHIND_WARN_EVERY = 300.0  # at most one "behind schedule" warning this often


@dataclass
class Due:
    source: Source
    at: datetime  # when it fell due
    queued: float = field(default_factory=time.monotonic)


@dataclass
class Batch:
    number: int
    due: list[Due]
    proc: subprocess.Popen[str] | None = None
    done: set[str] = field(default_factory=set)
    started: float = field(default_factory=time.monotonic)

    @property
    def label(self) -> str:
        return f"batch#{self.number}"

    @property
    def names(self) -> list[str]:
        return [d.source.name for d in self.due]


class Dispatcher:
    """Queues due sources, starts batches, and hands each finished one to `run_batch`.

    `run_batch(batch)` runs in a thread of its own per batch: it starts the child, reads what
    it reports (calling `finished(batch, name)` per source) and records the outcome.
    """

    def __init__(self, config: Config, run_batch: Callable[[Batch], None]) -> None:
        self.config = config
        self.run_batch = run_batch
        self.numbers = count(1)
        self.lock = threading.Condition()
        self.queue: list[Due] = []
        self.busy: set[str] = set()  # queued or crawling now
        self.running: list[Batch] = []
        self.stopping = False
        self.warned_at = float("-inf")  # monotonic time starts near 0 at boot: not "just warned"
        self.thread = threading.Thread(target=self._loop, name="dispatcher", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def due(self, source: Source) -> bool:
        """`source` fell due now; False when it is still queued or crawling (coalesced)."""
        with self.lock:
            if self.stopping or source.name in self.busy:
                return False
            self.busy.add(source.name)
            self.queue.append(Due(source, datetime.now(UTC)))
            self.lock.notify_all()
            return True

    def finished(self, batch: Batch, name: str) -> None:
        """One source of `batch` is done: it may fall due again."""
        with self.lock:
            batch.done.add(name)
            self.busy.discard(name)
            self.lock.notify_all()

    def stop(self) -> list[Batch]:
        """No more batches; the ones running now (for the service to stop)."""
        with self.lock:
            self.stopping = True
            self.queue.clear()
            self.lock.notify_all()
            return list(self.running)

    def _loop(self) -> None:
        with self.lock:
            while not self.stopping:
                batch = self._next_batch()
                if batch is None:
                    self.lock.wait(timeout=self._wait_seconds())
                    continue
                self.running.append(batch)
                threading.Thread(target=self._run, args=(batch,), name=batch.label,
                                 daemon=True).start()  # fmt: skip

    def wait_idle(self, seconds: float) -> None:
        """Until no batch runs (their threads have recorded how they ended), or `seconds`."""
        deadline = time.monotonic() + seconds
        with self.lock:
            while self.running and time.monotonic() < deadline:
                self.lock.wait(timeout=max(deadline - time.monotonic(), 0.01))

    def _full(self) -> bool:
        """Whether `crawl.max_batches` batches are running. A batch whose sources have almost
        all ended (a straggler: a source that hangs until its time limit) does not count, so
        it holds no other source up; there are never more than twice as many processes."""
        limit = self.config.crawl.max_batches
        busy = [b for b in self.running if not _winding_down(b)]
        return len(busy) >= limit or len(self.running) >= 2 * limit

    def _next_batch(self) -> Batch | None:
        """A batch to start now: when a batch may start and the oldest due source has waited
        BATCH_WINDOW_SECONDS, the queue fills a batch or no other source could join it.
        Called with the lock held."""
        self._warn_if_behind()
        if not self.queue or self._full():
            return None
        size = self.config.crawl.batch_size
        waited = time.monotonic() - self.queue[0].queued
        if len(self.queue) < size and waited < BATCH_WINDOW_SECONDS and self._others_may_join():
            return None
        taken, self.queue = self.queue[:size], self.queue[size:]
        return Batch(next(self.numbers), taken)

    def _others_may_join(self) -> bool:
        """Whether a source not queued or crawling yet could still join the batch: when every
        configured source already is, waiting for the window only delays the crawl."""
        return len(self.busy) < len(self.config.sources)

    def _wait_seconds(self) -> float:
        """Until the oldest due source's window closes; when no batch may start, until one
        ends (finished() notifies) or a second passes (for the behind-schedule warning)."""
        if not self.queue:
            return 30.0
        if self._full():
            return 1.0
        return max(BATCH_WINDOW_SECONDS - (time.monotonic() - self.queue[0].queued), 0.05)

    def _run(self, batch: Batch) -> None:
        try:
            self.run_batch(batch)
        except Exception:  # a bug here must not leave its sources busy for ever
            log.exception("batch failed", extra={"source": "-", "run": batch.label})
        finally:
            with self.lock:
                self.running.remove(batch)
                # Those reported done were let go then, and may be queued again by now.
                self.busy.difference_update(set(batch.names) - batch.done)
                self.lock.notify_all()

    def _warn_if_behind(self) -> None:
        """The box is too small for the schedule when sources wait long for a batch."""
        now = time.monotonic()
        late = [d for d in self.queue if now - d.queued > BEHIND_SECONDS]
        if not late or now - self.warned_at < BEHIND_WARN_EVERY:
            return
        self.warned_at = now
        oldest = now - min(d.queued for d in late)
        log.warning(
            "%d sources are behind their schedule, the oldest by %.0f s: %d batches of up to"
            " %d sources are running (crawl.max_batches, crawl.batch_size); this machine may"
            " be too small for these schedules", len(late), oldest, len(self.running),
            self.config.crawl.batch_size, extra={"source": "-", "run": "-"},
        )  # fmt: skip


def _winding_down(batch: Batch) -> bool:
    """Some of its sources have ended and at most a tenth (at least one) are still crawling."""
    left = len(batch.names) - len(batch.done)
    return bool(batch.done) and left <= max(1, len(batch.names) // 10)


def batch_command(config: Config, batch: Batch, service_pid: int) -> list[str]:
    due = [f"--due={d.source.name}={iso_utc(d.at)}" for d in batch.due]
    return [sys.executable, "-m", "newswatch.cli", "--config", str(config.path), "crawl",
            "--service", str(service_pid), *due, *batch.names]  # fmt: skip


def report_lines(proc: subprocess.Popen[str]) -> Any:
    """The JSON objects the child prints on stdout, as they come."""
    import json

    assert proc.stdout is not None
    for line in proc.stdout:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            yield value
