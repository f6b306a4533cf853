"""Running one batch of due sources in a child process, and recording how it went.

The child reports each source as it ends (logged at once, and the source is free again); when
the child is gone, every source it did not report (killed with -9, out of memory, a bug) is
recorded as failed with the reason, judged, and crawled again at its next due time.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any

import db
from crawler.locks import Holder, is_held
from crawler.timelimit import EXIT_DEADLINE, HARD_GRACE
from newswatch.clock import iso_utc, utc_now
from newswatch.config import Config
from scheduler.batches import Batch, Dispatcher, batch_command, report_lines
from scheduler.health import check_sources
from scheduler.orphans import describe, free_to_crawl
from scheduler.outcomes import health_before, log_health_changes, log_run

log = logging.getLogger("newswatch")
BACKSTOP_SECONDS = 15  # after a batch's own hard deadline, the service kills it


class BatchRunner:
    """Called by the dispatcher, in a thread of its own, for each batch."""

    def __init__(self, config: Config, dispatcher: Dispatcher, labels: Any,
                 ended: Callable[[], None]) -> None:  # fmt: skip
        self.config = config
        self.dispatcher = dispatcher
        self.labels = labels  # the next run number, for "source#N" in the log
        self.ended = ended  # after each batch: the service matches and delivers

    def __call__(self, batch: Batch) -> None:
        batch.due = [d for d in batch.due if self._free(batch, d.source.name)]
        if not batch.due:
            return
        runs = {name: f"{name}#{next(self.labels)}" for name in batch.names}
        for name in batch.names:
            log.info("crawl started (%s, %d sources)", batch.label, len(batch.names),
                     extra={"source": name, "run": runs[name]})  # fmt: skip
        before = self._archive(health_before, batch.names)
        after_id = self._archive(db.last_run_id)  # the batch's runs will be above it
        proc = subprocess.Popen(batch_command(self.config, batch, os.getpid()),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)  # fmt: skip
        batch.proc = proc
        errors = _tail_of(proc)
        overdue = self._run(batch, proc, runs, before)
        missing = [name for name in batch.names if name not in batch.done]
        if missing or proc.returncode != 0:
            killed = overdue and proc.returncode == -signal.SIGKILL
            why = _why(proc.returncode, errors, killed)
            self._failed(batch, missing, after_id, why, "timeout" if killed else "failed")
        self._archive(log_health_changes, before, batch.label)
        self.ended()

    def _run(self, batch: Batch, proc: subprocess.Popen[str], runs: dict[str, str],
             before: dict[str, str]) -> bool:  # fmt: skip
        """Read the child's reports until it ends; True when the backstop had to kill it."""
        limit = self.config.crawl.time_limit + HARD_GRACE + BACKSTOP_SECONDS
        overdue = threading.Event()
        backstop = threading.Timer(limit, lambda: (overdue.set(), _kill_group(proc)))
        backstop.start()
        try:
            self._read(batch, proc, runs, before)
            proc.wait()
        finally:
            backstop.cancel()
        return overdue.is_set()

    def _free(self, batch: Batch, name: str) -> bool:
        if free_to_crawl(self.config.database, name, {"source": name, "run": batch.label}):
            return True
        self.dispatcher.finished(batch, name)
        return False

    def _judge(self, name: str, before: dict[str, str], label: str) -> None:
        """Judge a source's health as soon as its crawl ends, not when its batch does."""

        def judge(archive: Any) -> str:
            check_sources(archive, self.config, [name])
            log_health_changes(archive, {name: before.get(name, "")}, label)
            return health_before(archive, [name])[name]

        before[name] = self._archive(judge)

    def _read(self, batch: Batch, proc: subprocess.Popen[str], runs: dict[str, str],
              before: dict[str, str]) -> None:  # fmt: skip
        for report in report_lines(proc):
            if "done" in report:
                run = report["done"]
                label = runs.get(run["source"], batch.label)
                log_run(run, label, time.monotonic() - batch.started)
                if run["status"] != "interrupted":  # says nothing about the source's health
                    self._judge(run["source"], before, label)
                self.dispatcher.finished(batch, run["source"])
            for other in report.get("busy", []):  # taken since we looked at its lock
                fields = {k: v for k, v in other.items() if k != "source"}
                holder = Holder(**fields) if "pid" in fields else None  # None: not known
                log.warning("crawl of %s skipped: %s", other["source"], describe(holder),
                            extra={"source": other["source"], "run": batch.label})  # fmt: skip
                self.dispatcher.finished(batch, other["source"])

    def _failed(self, batch: Batch, names: list[str], after_id: int, reason: str,
                status: str) -> None:  # fmt: skip
        """The child is gone before it reported `names`: each gets a `status` run with the
        reason (the crawl it had open, or a new row if it had none), and is judged. A source
        someone else has locked since is theirs: it is left alone. When the service is stopping
        the child was stopped too (it may die of SIGTERM while still starting): its runs are
        `interrupted`, which says nothing about the sources' health, so they are not judged."""
        stopping = self.dispatcher.stopping
        if stopping:
            reason, status = "the service stopped: " + reason, "interrupted"
        names = [n for n in names if not is_held(self.config.database, n)]
        if names:
            log.log(logging.INFO if stopping else logging.ERROR,
                    "%s of %d sources ended early: %s; not finished: %s", batch.label,
                    len(batch.names), reason, ", ".join(names),
                    extra={"source": "-", "run": batch.label})  # fmt: skip
        due = {d.source.name: iso_utc(d.at) for d in batch.due}

        def record(archive: Any) -> None:
            db.fail_unfinished_runs(archive, names, after_id, status, reason, utc_now(), due)
            if not stopping:
                check_sources(archive, self.config, names)

        self._archive(record)

    def _archive(self, work: Any, *args: Any) -> Any:
        archive = db.open_db(self.config.database)
        try:
            return work(archive, *args)
        finally:
            archive.close()


def _tail_of(proc: subprocess.Popen[str]) -> collections.deque[str]:
    """The last lines the child wrote on stderr, read in a thread so it never blocks."""
    tail: collections.deque[str] = collections.deque(maxlen=20)

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.strip():
                tail.append(line.rstrip())

    threading.Thread(target=read, name=f"stderr-{proc.pid}", daemon=True).start()
    return tail


def _why(returncode: int, errors: collections.deque[str], backstop: bool = False) -> str:
    last = errors[-1][:300] if errors else "no output"
    if backstop:
        return f"the batch process was killed past its time limit; last output: {last}"
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return f"the batch process was killed ({name}); last output: {last}"
    if returncode == EXIT_DEADLINE:
        return f"the batch process overran its time limit: {last}"
    return f"the batch process exited with {returncode}: {last}"


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def stop_batches(batches: list[Batch], grace: float) -> None:
    """SIGTERM every running batch (Scrapy closes its spiders), SIGKILL what is left."""
    procs = [b.proc for b in batches if b.proc is not None]
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            _kill_group(proc)
