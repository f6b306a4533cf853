"""The Celery queue between `newswatch run` (the scheduler) and `newswatch worker`s.

With `queue: redis://…` in the config, the scheduler sends each due batch of sources, each
digest and each pass over the outbox as a Celery task, and runs none of them itself; workers,
on any number of machines, run them. Redis also keeps, beside Celery's own keys:

- `newswatch:queued:<source>`: the batch a source was sent in, until a worker has crawled it
  (so a source is never queued twice, even by a standby scheduler that has just taken over);
- `newswatch:hb:<role>:<host>:<pid>`: each scheduler's and worker's heartbeat (scheduler.beats).

A task is acknowledged when it ends (acks_late): a worker killed mid-crawl leaves its task
unacknowledged, and Redis gives it to another worker once the visibility timeout has passed,
which is longer than any batch may run, so a slow crawl is never given out twice.
"""

from __future__ import annotations

from typing import Any

import redis
from celery import Celery

from crawler.timelimit import HARD_GRACE
from newswatch.config import Config
from scheduler.batchrun import BACKSTOP_SECONDS

CRAWL = "newswatch.crawl"
DIGEST = "newswatch.digest"
DELIVER = "newswatch.deliver"
QUEUE_NAME = "newswatch"
QUEUED_KEY = "newswatch:queued:"
REDELIVERY_MARGIN = 10  # seconds past the longest a batch may run
RESTORE_EVERY = 10  # seconds between a worker's looks for tasks a dead worker left


def visibility_timeout(config: Config) -> int:
    """Seconds after which an unacknowledged task goes to another worker: past the crawl time
    limit, the child's grace and the worker's backstop kill (scheduler.batchrun)."""
    return int(config.crawl.time_limit + HARD_GRACE + BACKSTOP_SECONDS + REDELIVERY_MARGIN)


def queued_ttl(config: Config) -> int:
    """How long a source counts as queued at most (a task lost with a flushed Redis)."""
    return max(3 * visibility_timeout(config), 3600)


def make_app(config: Config) -> Celery:
    app = Celery("newswatch", broker=config.queue, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={
            "visibility_timeout": visibility_timeout(config),
            "unacked_restore_interval": RESTORE_EVERY,
            "unacked_restore_throttle": 1,  # else only every 10th look scans (kombu)
        },
        broker_connection_retry_on_startup=True,
        task_default_queue=QUEUE_NAME,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        enable_utc=True,
    )
    return app


class Queue:
    """The scheduler's and the workers' handle on the queue: tasks, queued marks, Redis."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.app = make_app(config)
        self.redis = redis.Redis.from_url(config.queue, socket_timeout=10,
                                          socket_connect_timeout=5)  # fmt: skip

    def send(self, task: str, args: list[Any], expires: float | None = None) -> str:
        return self.app.send_task(task, args=args, queue=QUEUE_NAME, expires=expires).id

    def mark_queued(self, names: list[str], batch_id: str) -> None:
        ttl = queued_ttl(self.config)
        with self.redis.pipeline() as pipe:
            for name in names:
                pipe.set(QUEUED_KEY + name, batch_id, ex=ttl)
            pipe.execute()

    def still_queued(self, names: list[str], batch_id: str = "") -> list[str]:
        """Those of `names` queued (in `batch_id`, if given) and not crawled yet."""
        if not names:
            return []
        values = self.redis.mget([QUEUED_KEY + n for n in names])
        return [n for n, v in zip(names, values, strict=True)
                if v is not None and (not batch_id or v.decode() == batch_id)]  # fmt: skip

    def crawled(self, name: str, batch_id: str) -> None:
        """`name`'s crawl in `batch_id` ended: it may be queued again (unless a later batch
        has queued it already: that mark stays)."""
        self.redis.eval(_DELETE_IF_SAME, 1, QUEUED_KEY + name, batch_id)

    def close(self) -> None:
        self.redis.close()


_DELETE_IF_SAME = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
