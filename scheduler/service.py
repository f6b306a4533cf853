"""`newswatch run`: the background service.

APScheduler runs one job per source on its schedule, one per digest rule and one that
retries the outbox. Each crawl runs in a child process (Scrapy's reactor cannot be
restarted in one process) with a time limit, so a hung or crashing crawl never stops
the service and the service's own memory stays flat.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

import db
from crawler.locks import Holder
from crawler.timelimit import HARD_GRACE
from db.alerts import set_state
from newswatch.clock import iso_utc, utc_now
from newswatch.config import Config, Source
from newswatch.schedule import Schedule
from scheduler import digests
from scheduler.alerts import match_new_articles
from scheduler.delivery import deliver_pending
from scheduler.health import check_sources
from scheduler.orphans import describe, free_to_crawl, take_service_lock
from scheduler.outcomes import health_before, log_health_changes, log_run

log = logging.getLogger("newswatch")
STOP_GRACE_SECONDS = 8  # SIGTERM to a crawl, then SIGKILL: all within the promised 10 s
OUTBOX_EVERY_SECONDS = 60
BACKSTOP_SECONDS = 15  # after a crawl's own hard deadline, the service kills it
START_SPREAD_SECONDS = 5  # sources due at start-up begin this far apart, not all at once


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
        self.children: dict[str, subprocess.Popen[str]] = {}
        self.lock = threading.Lock()
        self.run_numbers = count(1)
        self.scheduler = BackgroundScheduler(
            timezone=config.timezone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )

    def run(self) -> int:
        archive = db.open_db(self.config.database)
        try:
            self.service_lock = take_service_lock(self.config.database, utc_now())
            for source in self.config.sources:  # crawls a dead service left, or still running
                if free_to_crawl(self.config.database, source.name, _no_run(source.name)):
                    db.close_stale_runs(archive, utc_now(), source.name, "the crawl process died")
            self._add_jobs(archive)
        finally:
            archive.close()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())
        self.scheduler.start()
        self._save_next_runs()
        log.info("service started: %d sources, %d rules", len(self.config.sources),
                 len(self.config.alerts.rules))  # fmt: skip
        while not self.stopping.wait(1):
            pass
        self._stop()
        return 0

    def _add_jobs(self, archive: Any) -> None:
        last = {run["source"]: run for run in db.last_runs(archive)}
        for i, source in enumerate(self.config.sources):
            self.scheduler.add_job(
                self.crawl, trigger_for(source.schedule), args=[source], id=f"crawl:{source.name}",
                next_run_time=self._first_run(source, last.get(source.name), i),
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

    def _first_run(self, source: Source, last: dict[str, Any] | None, index: int) -> datetime:
        """Resume the schedule where the last run left it; stagger what is due now."""
        now = datetime.now(UTC)
        stagger = now + timedelta(seconds=index * START_SPREAD_SECONDS)
        if last is None or not source.schedule.interval_seconds:
            return stagger
        started = datetime.fromisoformat(last["started_at"].replace("Z", "+00:00"))
        return max(started + timedelta(seconds=source.schedule.interval_seconds), stagger)

    def crawl(self, source: Source) -> None:
        if self.stopping.is_set():
            return
        run = f"{source.name}#{next(self.run_numbers)}"
        if not free_to_crawl(self.config.database, source.name, _no_run(source.name)):
            self._save_next_runs()
            return
        before = self._health([source.name])
        started = time.monotonic()
        command = [sys.executable, "-m", "newswatch.cli", "--config", str(self.config.path),
                   "crawl", "--service", str(os.getpid()), source.name]  # fmt: skip
        log.info("crawl started", extra={"source": source.name, "run": run})
        # Its own process group: a kill takes the crawl's extraction workers with it.
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)  # fmt: skip
        with self.lock:
            self.children[source.name] = proc
        # The crawl ends itself at its limit; this is the backstop.
        outcome = self._wait(proc, self.config.crawl.time_limit + HARD_GRACE + BACKSTOP_SECONDS)
        with self.lock:
            self.children.pop(source.name, None)
        self._record(source, run, proc, outcome, time.monotonic() - started)
        self._log_health(before, run)
        self.deliver()  # here, not in the child: each email sent is a line of this log
        self._save_next_runs()

    def _wait(self, proc: subprocess.Popen[str], limit: float) -> tuple[str, str, str]:
        try:
            out, err = proc.communicate(timeout=limit)
            return ("ok" if proc.returncode == 0 else "crashed"), out, err
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            out, err = proc.communicate()
            return "killed", out, err

    def _record(self, source: Source, run: str, proc: subprocess.Popen[str],
                outcome: tuple[str, str, str], seconds: float) -> None:  # fmt: skip
        result, out, err = outcome
        extra = {"source": source.name, "run": run}
        if result == "ok":
            report = _last_json_line(out)
            for row in report.get("runs", []):
                log_run(row, run, seconds)
            for other in report.get("busy", []):  # taken between our look and the child's
                holder = Holder(**{k: v for k, v in other.items() if k != "source"})
                log.warning("crawl of %s skipped: %s", other["source"], describe(holder),
                            extra=extra)  # fmt: skip
            return
        if self.stopping.is_set():
            result = "interrupted"
        reason = f"{result} after {seconds:.0f}s (exit {proc.returncode}): {_tail(err)}"
        log.error("crawl %s", reason, extra=extra)
        archive = db.open_db(self.config.database)
        try:
            db.close_stale_runs(archive, utc_now(), source.name, reason)
            check_sources(archive, self.config, [source.name])
            deliver_pending(archive, self.config)
        finally:
            archive.close()

    def _health(self, names: list[str]) -> dict[str, str]:
        archive = db.open_db(self.config.database)
        try:
            return health_before(archive, names)
        finally:
            archive.close()

    def _log_health(self, before: dict[str, str], run: str) -> None:
        archive = db.open_db(self.config.database)
        try:
            log_health_changes(archive, before, run)
        finally:
            archive.close()

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
        archive = db.open_db(self.config.database)
        try:
            queued = digests.send_digest(archive, self.config, rule_name, datetime.now(UTC))
            report = deliver_pending(archive, self.config)
        finally:
            archive.close()
        log.info("digest %s: %d stories, %d emails sent", rule_name, queued, report.sent,
                 extra={"source": "-", "run": f"digest:{rule_name}"})  # fmt: skip

    def deliver(self) -> None:
        archive = db.open_db(self.config.database)
        try:
            match_new_articles(archive, self.config)  # in case a crawl died before matching
            report = deliver_pending(archive, self.config)
        finally:
            archive.close()
        if report.sent or report.retrying or report.failed:
            log.info("outbox: %d sent, %d to retry, %d failed", report.sent, report.retrying,
                     report.failed, extra={"source": "-", "run": "outbox"})  # fmt: skip

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
        with self.lock:
            children = list(self.children.values())
        for proc in children:
            proc.terminate()  # Scrapy closes the spider cleanly on SIGTERM
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for proc in children:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
        os.close(self.service_lock)
        log.info("stopped", extra={"source": "-", "run": "-"})


def _no_run(source: str) -> dict[str, str]:
    return {"source": source, "run": "-"}


def _signal_group(proc: subprocess.Popen[str], signum: int) -> None:
    """Signal a crawl and everything it started (it leads its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signum)


def _last_json_line(text: str) -> dict[str, Any]:
    for line in reversed((text or "").splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def _tail(text: str) -> str:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"
