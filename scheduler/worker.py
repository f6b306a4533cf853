"""`newswatch worker`: runs the scheduler's tasks (scheduler.queue) as they come.

A crawl task is one batch of sources, run as the service runs its batches (scheduler.batchrun):
a child process `newswatch crawl --service PID` with each source's lock, time limit and run
row, which ends itself when this worker dies. Celery's thread pool gives `--concurrency`
tasks at once: a task only waits for its child, the child does the work.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from itertools import count
from typing import Any

from celery import Celery

from newswatch.config import Config, ConfigError
from scheduler.batches import Batch, Due
from scheduler.batchrun import BatchRunner
from scheduler.beats import Heart
from scheduler.queue import CRAWL, DELIVER, DIGEST, QUEUE_NAME, Queue

log = logging.getLogger("newswatch")
DELIVER_EXPIRES = 300  # a pass over the outbox no worker took within this is not needed


class Worker:
    def __init__(self, config: Config, concurrency: int) -> None:
        self.config = config
        self.concurrency = concurrency
        self.queue = Queue(config)
        self.labels = count(1)  # run numbers in the log, as the service's
        self.batches = count(1)
        self.lock = threading.Lock()
        self.running: dict[str, list[str]] = {}  # batch id -> sources, for the heartbeat
        self.stopping = False  # BatchRunner asks (the service's dispatcher has it)
        self._register(self.queue.app)

    def _register(self, app: Celery) -> None:
        app.task(name=CRAWL)(self.crawl)
        app.task(name=DIGEST)(self.digest)
        app.task(name=DELIVER)(self.deliver)

    def run(self) -> int:
        heart = Heart(self.queue.redis, "worker", self._state).start()
        try:
            self.queue.app.start([
                "--quiet", "worker", "--pool=threads", f"--concurrency={self.concurrency}",
                f"--queues={QUEUE_NAME}", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "--loglevel=INFO",
            ])  # fmt: skip
        finally:
            heart.stop()
        return 0

    def _state(self) -> dict[str, Any]:
        with self.lock:
            crawling = sorted(n for names in self.running.values() for n in names)
        return {"concurrency": self.concurrency, "crawling": crawling}

    def crawl(self, names: list[str], due: dict[str, str], batch_id: str) -> None:
        batch = Batch(next(self.batches), [Due(s, _when(due.get(s.name)))
                                           for s in self._sources(names)])  # fmt: skip
        with self.lock:
            self.running[batch_id] = batch.names
        try:
            BatchRunner(self.config, _Marks(self.queue, batch_id), self.labels,
                        self._ask_delivery)(batch)  # fmt: skip
        finally:
            with self.lock:
                self.running.pop(batch_id, None)
            for name in names:
                self.queue.crawled(name, batch_id)

    def _sources(self, names: list[str]) -> list[Any]:
        found = []
        for name in names:
            try:
                found.append(self.config.source(name))
            except ConfigError:  # the scheduler's config has it, this worker's does not
                log.error("crawl of %s skipped: not in this worker's config %s", name,
                          self.config.path, extra={"source": name, "run": "-"})  # fmt: skip
        return found

    def _ask_delivery(self) -> None:
        """After a batch: match and deliver in a task of its own, so a slow mail server
        never holds the crawl task (and its visibility timeout) up."""
        self.queue.send(DELIVER, [], expires=DELIVER_EXPIRES)

    def digest(self, rule_name: str) -> None:
        from scheduler.service import send_digest

        send_digest(self.config, rule_name)

    def deliver(self) -> None:
        from scheduler.service import deliver_outbox

        deliver_outbox(self.config)


class _Marks:
    """What BatchRunner tells the service's dispatcher: here, each source crawled frees its
    `queued` mark at once, so the scheduler may queue it again while its batch goes on."""

    stopping = False

    def __init__(self, queue: Queue, batch_id: str) -> None:
        self.queue = queue
        self.batch_id = batch_id

    def finished(self, batch: Batch, name: str) -> None:
        batch.done.add(name)
        self.queue.crawled(name, self.batch_id)


def _when(iso: str | None) -> datetime:
    from datetime import UTC

    if not iso:
        return datetime.now(UTC)
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))
