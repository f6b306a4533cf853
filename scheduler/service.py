"""`newswatch run`: the background service.

APScheduler runs one job per source on its schedule, one per digest rule and one that
retries the outbox. A source's job only says it is due: the dispatcher (scheduler.batches)
runs the sources due together in one child process (Scrapy's reactor cannot be restarted in
one process), each with its own time limit, lock and run row, so a hung or crashing crawl
never stops the service and the service's own memory stays flat.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

import db
from db.alerts import set_state
from newswatch.clock import iso_utc, utc_now
from newswatch.config import Config, Source
from newswatch.schedule import Schedule
from scheduler import digests
from scheduler.alerts import match_new_articles
from scheduler.batches import Batch, Dispatcher
from scheduler.batchrun import BatchRunner, stop_batches
from scheduler.delivery import deliver_pending
from scheduler.orphans import free_to_crawl, take_service_lock

log = logging.getLogger("newswatch")
STOP_GRACE_SECONDS = 7  # SIGTERM to a crawl, then SIGKILL: all within the promised 10 s
RECORD_GRACE_SECONDS = 1.5  # for the batches' threads to record what they ended
OUTBOX_EVERY_SECONDS = 60
START_SPREAD_SECONDS = 1  # sources due at start-up begin at most this far apart
START_SPREAD_SHARE = 0.8  # and all within this share of their interval (the rest: slack)


def trigger_for(schedule: Schedule) -> IntervalTrigger | CronTrigger:
    if schedule.cron:
        return CronTrigger.from_crontab(schedule.cron, timezone=schedule.timezone)
    seconds = schedule.interval_seconds
    jitter = min(seconds // 10, 60) if seconds >= 60 else None
    return IntervalTrigger(seconds=seconds, jitter=jitter)


class Service:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.stopping = threading.Event()
        self.queue: Any = None
        if config.queue:  # the scheduler of workers (scheduler.queued), imported only then
            from scheduler.queue import Queue
            from scheduler.queued import QueueDispatcher

            self.queue = Queue(config)
            self.dispatcher: Dispatcher = QueueDispatcher(config, self.queue,
                                                          self._save_next_runs)  # fmt: skip
        else:
            self.dispatcher = Dispatcher(config, self._run_batch)
        self.runner = BatchRunner(config, self.dispatcher, count(1), self.batch_ended)
        self.scheduler = BackgroundScheduler(
            timezone=config.timezone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())
        if self.queue is not None and not self._lead():
            return 0  # stopped while standing by
        archive = db.open_db(self.config.database)
        try:
            if self.queue is None:  # with workers, each crawl closes its source's dead runs
                self._lock_and_clean(archive)
            self._add_jobs(archive)
        finally:
            archive.close()
        self.dispatcher.start()
        self.scheduler.start()
        self._save_next_runs()
        log.info("service started: %d sources, %d rules", len(self.config.sources),
                 len(self.config.alerts.rules))  # fmt: skip
        lost = self._wait()
        self._stop()
        return 1 if lost else 0

    def _lock_and_clean(self, archive: Any) -> None:
        self.service_lock = take_service_lock(self.config.database, utc_now())
        for source in self.config.sources:  # crawls a dead service left, or still running
            if free_to_crawl(self.config.database, source.name, _no_run(source.name)):
                db.close_stale_runs(archive, utc_now(), source.name, "the crawl process died")

    def _lead(self) -> bool:
        """With workers: wait as the standby until this is the one scheduler (scheduler.leader)."""
        from newswatch.status_queue import shown_url
        from scheduler.beats import Heart
        from scheduler.leader import scheduler_lock, wait_to_lead

        self.role = "standby"
        self.heart = Heart(self.queue.redis, "scheduler", lambda: {"role": self.role})
        self.lead_lock = scheduler_lock(self.config)
        began = time.monotonic()
        if not wait_to_lead(self.lead_lock, self.stopping, self.heart.beat):
            self.heart.stop()
            return False
        self.role = "active"
        self.heart.since = utc_now()  # status: active since
        self.heart.start()
        log.info("scheduler active after %.1f s; workers crawl (queue %s)",
                 time.monotonic() - began, shown_url(self.config.queue),
                 extra={"source": "-", "run": "-"})  # fmt: skip
        return True

    def _wait(self) -> bool:
        """Until stopped (False), or until a scheduler with workers lost its lock (True): a
        standby may be active by now, and two would queue every crawl twice."""
        while not self.stopping.wait(1):
            if self.queue is not None and not self.lead_lock.still_held():
                log.error("the scheduler lock was lost (its database connection ended):"
                          " stopping", extra={"source": "-", "run": "-"})  # fmt: skip
                return True
        return False

    def _add_jobs(self, archive: Any) -> None:
        last = {run["source"]: run for run in db.last_runs(archive)}
        sources = self.config.sources
        for i, source in enumerate(sources):
            self.scheduler.add_job(
                self.due, trigger_for(source.schedule), args=[source], id=f"crawl:{source.name}",
                next_run_time=self._first_run(source, last.get(source.name), i, len(sources)),
            )  # fmt: skip
        for rule in self.config.alerts.rules:
            if rule.digest is not None:
                due = digests.due_at_start(archive, rule, datetime.now(UTC))
                self.scheduler.add_job(
                    self.digest, trigger_for(rule.digest), args=[rule.name],
                    id=f"digest:{rule.name}", next_run_time=due,
                )  # fmt: skip
        self.scheduler.add_job(self.deliver, IntervalTrigger(seconds=OUTBOX_EVERY_SECONDS),
                               id="outbox")  # fmt: skip

    def _first_run(self, source: Source, last: dict[str, Any] | None, index: int,
                   total: int) -> datetime:  # fmt: skip
        """Resume the schedule where the last run left it; stagger what is due now, over at
        most START_SPREAD_SHARE of the source's interval (a cron: of a minute), so every
        source is crawled once within its first interval, and never more than
        START_SPREAD_SECONDS apart."""
        now = datetime.now(UTC)
        interval = source.schedule.interval_seconds or 60
        gap = min(START_SPREAD_SECONDS, START_SPREAD_SHARE * interval / max(total, 1))
        stagger = now + timedelta(seconds=index * gap)
        if last is None or not source.schedule.interval_seconds:
            return stagger
        started = datetime.fromisoformat(last["started_at"].replace("Z", "+00:00"))
        return max(started + timedelta(seconds=source.schedule.interval_seconds), stagger)

    def due(self, source: Source) -> None:
        """APScheduler: `source` is due; the dispatcher runs it in the next batch (or not at
        all when its last crawl is still queued or running: missed runs coalesce)."""
        if not self.stopping.is_set():
            self.dispatcher.due(source)

    def _run_batch(self, batch: Batch) -> None:
        self.runner(batch)

    def batch_ended(self) -> None:
        self.deliver()  # here, not in the child: each email sent is a line of this log
        self._save_next_runs()

    def _save_next_runs(self) -> None:
        """Where `newswatch status` finds each source's next run."""
        archive = db.open_db(self.config.database)
        try:
            with db.write_transaction(archive):
                for job in self.scheduler.get_jobs():
                    if job.id.startswith("crawl:") and job.next_run_time:
                        set_state(archive, f"next_run:{job.id[6:]}", iso_utc(job.next_run_time))
        finally:
            archive.close()

    def digest(self, rule_name: str) -> None:
        if self.queue is not None:
            self.queue.send("newswatch.digest", [rule_name])  # scheduler.queue.DIGEST
        else:
            send_digest(self.config, rule_name)

    def deliver(self) -> None:
        if self.queue is not None:  # the workers deliver, after each batch too
            self.queue.send("newswatch.deliver", [], expires=OUTBOX_EVERY_SECONDS)
        else:
            deliver_outbox(self.config)

    def _stop(self) -> None:
        log.info("stopping", extra={"source": "-", "run": "-"})
        self.scheduler.shutdown(wait=False)
        archive = db.open_db(self.config.database)
        try:
            with db.write_transaction(archive):
                for source in self.config.sources:
                    set_state(archive, f"next_run:{source.name}", "")
        finally:
            archive.close()
        stop_batches(self.dispatcher.stop(), STOP_GRACE_SECONDS)
        self.dispatcher.wait_idle(RECORD_GRACE_SECONDS)  # each batch records how it ended
        if self.queue is None:
            os.close(self.service_lock)
        else:  # queued batches stay queued: the workers crawl them, a standby takes over
            self.lead_lock.release()
            self.heart.stop()
        log.info("stopped", extra={"source": "-", "run": "-"})


def send_digest(config: Config, rule_name: str) -> None:
    archive = db.open_db(config.database)
    try:
        queued = digests.send_digest(archive, config, rule_name, datetime.now(UTC))
        report = deliver_pending(archive, config)
    finally:
        archive.close()
    log.info("digest %s: %d stories, %d emails sent", rule_name, queued, report.sent,
             extra={"source": "-", "run": f"digest:{rule_name}"})  # fmt: skip


def deliver_outbox(config: Config) -> None:
    archive = db.open_db(config.database)
    try:
        match_new_articles(archive, config)  # in case a crawl died before matching
        report = deliver_pending(archive, config)
    finally:
        archive.close()
    if report.sent or report.retrying or report.failed:
        log.info("outbox: %d sent, %d to retry, %d failed", report.sent, report.retrying,
                 report.failed, extra={"source": "-", "run": "outbox"})  # fmt: skip


def _no_run(source: str) -> dict[str, str]:
    return {"source": source, "run": "-"}
