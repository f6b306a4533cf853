"""The scheduler's side of the queue: due batches become Celery tasks (scheduler.queue).

The dispatcher batches due sources as it does for child processes (scheduler.batches), but
a batch is sent as a task instead of run, and is "running" until the workers have crawled its
sources (their `queued` marks are gone). At most as many batches are out as the live workers
have slots (their heartbeats say how many), so due sources wait here and fill bigger batches
when the workers are busy, as they do for a service's child processes.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

import redis

from newswatch.clock import iso_utc
from newswatch.config import Config, Source
from scheduler.batches import Batch, Dispatcher
from scheduler.beats import SILENT_AFTER, heartbeats
from scheduler.queue import CRAWL, Queue

log = logging.getLogger("newswatch")
CAPACITY_EVERY = 5.0  # seconds between looks at the workers' heartbeats
WATCH_SECONDS = 1.0  # how often a sent batch's marks are looked at


class QueueDispatcher(Dispatcher):
    def __init__(self, config: Config, queue: Queue, ended: Callable[[], None]) -> None:
        super().__init__(config, self._send_and_watch)
        self.tasks = queue
        self.ended = ended
        self.capacity = config.crawl.max_batches
        self.capacity_at = float("-inf")  # never looked yet

    def due(self, source: Source) -> bool:
        """As Dispatcher.due; also coalesced while a worker has it (queued by a scheduler that
        has died since)."""
        try:
            if self.tasks.still_queued([source.name]):
                return False
        except redis.RedisError as exc:  # it is due again at its next time
            log.warning("crawl of %s not queued: the queue is unreachable: %s", source.name, exc,
                        extra={"source": source.name, "run": "-"})  # fmt: skip
            return False
        return super().due(source)

    def _full(self) -> bool:
        return len(self.running) >= self._capacity()

    def _capacity(self) -> int:
        """The live workers' slots (crawl.max_batches before any worker has been seen)."""
        now = time.monotonic()
        if now - self.capacity_at > CAPACITY_EVERY:
            self.capacity_at = now
            try:
                workers = heartbeats(self.tasks.redis).get("worker", [])
            except Exception as exc:  # Redis is away: sending fails too, and says so
                log.warning("workers' heartbeats unreadable: %s", exc,
                            extra={"source": "-", "run": "-"})  # fmt: skip
                return self.capacity
            live = [w for w in workers if _age(w["seen_at"]) < SILENT_AFTER]
            if live:
                self.capacity = sum(int(w.get("concurrency", 1)) for w in live)
        return max(self.capacity, 1)

    def _send_and_watch(self, batch: Batch) -> None:
        batch_id = uuid.uuid4().hex
        due = {d.source.name: iso_utc(d.at) for d in batch.due}
        self.tasks.mark_queued(batch.names, batch_id)
        self.tasks.send(CRAWL, [batch.names, due, batch_id])
        log.info("%s queued: %s", batch.label, ", ".join(batch.names),
                 extra={"source": "-", "run": batch.label})  # fmt: skip
        while not self.stopping:
            left = set(self.tasks.still_queued(batch.names, batch_id))
            for name in set(batch.names) - left - batch.done:
                self.finished(batch, name)
            if not left:
                break
            time.sleep(WATCH_SECONDS)
        if not self.stopping:
            self.ended()


def _age(iso: str) -> float:
    from datetime import UTC, datetime

    return (datetime.now(UTC) - datetime.fromisoformat(iso.replace("Z", "+00:00"))).total_seconds()
