"""`newswatch crawl`: lock the sources, crawl them, then health, matching and delivery.

Exit codes: 0 (even when pages failed: the summary says so), 75 when every source was busy
so nothing was crawled (EX_TEMPFAIL: try again later), 130 when interrupted (Ctrl-C), after
the summary of what was done.

As the service's child (`--service PID`) it runs a batch of due sources (scheduler.batches)
and dies with the service (crawler.timelimit). It prints JSON lines on stdout for the service
to log: `{"done": run}` as each source's crawl ends (its lock is released then, so the source
can fall due again while the rest of the batch goes on), and at the end the runs and the
sources it found busy with the holder of each one's lock.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from crawler.locks import Holder
from newswatch.clock import iso_utc
from newswatch.config import Config, Source
from newswatch.report import run_summary

if TYPE_CHECKING:
    from crawler.pool import ExtractionPool

EX_TEMPFAIL = 75
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def crawl_command(config: Config, chosen: tuple[Source, ...], log_level: str,
                  service: int = 0, due: dict[str, str] | None = None) -> int:  # fmt: skip
    """`newswatch crawl`; `service`: the pid of the service whose child this is, or 0;
    `due`: per source when the service's schedule had it due."""
    import db
    from crawler.pool import ExtractionPool
    from crawler.timelimit import die_with_parent

    if service:
        die_with_parent(service)
    db.open_db(config.database).close()  # one line and exit 2 if it is read-only
    pool = ExtractionPool.configured(config.crawl.extraction_workers)  # begun by _crawl
    try:
        return _crawl(config, chosen, log_level, service, due, pool)
    finally:
        pool.shutdown()  # crawl_sources did, unless nothing was crawled


def _crawl(config: Config, chosen: tuple[Source, ...], log_level: str, service: int,
           due: dict[str, str] | None, pool: ExtractionPool) -> int:  # fmt: skip
    import db
    from crawler.locks import read_holder, source_locks
    from crawler.timelimit import EXIT_DEADLINE, HARD_GRACE

    now = datetime.now(UTC)
    ends = now + timedelta(seconds=config.crawl.time_limit + HARD_GRACE)
    me = Holder(os.getpid(), iso_utc(now), iso_utc(ends), service)
    with source_locks(config.database, [s.name for s in chosen], me) as locks:
        locked = locks.locked
        holders = {name: None if name in locks.elsewhere else read_holder(config.database, name)
                   for name in locks.busy}  # fmt: skip
        for name, other in holders.items():  # two crawls of one source would store twice
            pid = f"pid {other.pid}" if other else "pid ?"
            if name in locks.elsewhere:  # its PostgreSQL lock: a worker on another machine
                pid = "elsewhere: its lock in the archive is taken"
            click.echo(f"{name}: another crawl of this source is running ({pid}); skipped")
        if not locked:
            click.echo("nothing crawled: every source was busy; try again later", err=True)
            if not service:
                return EX_TEMPFAIL
        chosen = tuple(s for s in chosen if s.name in locked)
        if chosen:  # not before: with every source busy, a worker would start for nothing
            # It imports its modules on the other core while this process imports Scrapy
            # (crawler.runner), so the first article page does not wait for it.
            pool.begin()
        from crawler.progress import print_stopped
        from crawler.runner import ArchiveUnwritable, crawl_sources, run_rows

        try:
            batch = _batch(config, locks, due or {}) if service else None
            run_ids = crawl_sources(config, chosen, log_level, not service, service, batch,
                                    pool=pool)  # fmt: skip
        except ArchiveUnwritable as exc:  # nothing more can be written: no alerts, no health
            print_stopped(exc.runs, str(exc), as_json=bool(service))
            return 1
    # Scrapy leaves SIGINT to its own (now stopped) handlers: give Ctrl-C back to Python.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if service and os.getppid() != service:
        return EXIT_DEADLINE  # orphaned: the next service matches and delivers
    runs = run_rows(config, run_ids)
    names = [s.name for s in chosen]
    try:
        return _after(config, runs, names, holders, service)
    except KeyboardInterrupt:
        click.echo("interrupted: the pending alerts are sent by the next crawl", err=True)
        return EXIT_INTERRUPTED
    except Exception as exc:  # the disk filled after the crawl: its articles are stored
        if not db.archive_unwritable(exc):
            raise
        reason = db.unwritable_reason(exc)
        click.echo(f"newswatch: error: {reason}: the articles are stored; health checks"
                   " and alerts wait for the next crawl", err=True)  # fmt: skip
        return 1


def _after(config: Config, runs: list[dict[str, Any]], names: list[str],
           holders: dict[str, Any], service: int) -> int:  # fmt: skip
    """After the crawl: health, matching, and (outside the service) delivery."""
    if service:  # the service respects backoff and reads JSON lines
        busy_list = [{"source": n, **asdict(h)} if h else {"source": n}
                     for n, h in holders.items()]  # fmt: skip
        click.echo(json.dumps({"runs": [run_summary(r) for r in runs], "busy": busy_list}))
        after_crawl(config, names, force=False, deliver=False)  # the service sends them
        return 0
    after_crawl(config, names, force=True, runs=runs)
    return EXIT_INTERRUPTED if any(r["status"] == "interrupted" for r in runs) else 0


def _batch(config: Config, locks: Any, due: dict[str, str]) -> Any:
    """A service batch: each source reported on stdout, and its lock let go, as it ends."""
    from crawler.runner import Batch

    def done(name: str, run: dict[str, Any]) -> None:
        row = {"source": name, "status": "failed", "pages": 0, "new_articles": 0,
               "duplicates": 0, "errors": {}, "last_error": ""} | run  # fmt: skip
        shown = {k: row[k] for k in ("source", "status", "pages", "new_articles",
                                     "duplicates", "errors", "last_error")}  # fmt: skip
        click.echo(json.dumps({"done": shown}))
        sys.stdout.flush()
        locks.release(name)

    return Batch(due=due, on_done=done, max_requests=config.crawl.requests_per_batch)


def after_crawl(
    config: Config, names: list[str], force: bool, runs: list[dict[str, Any]] | None = None,
    deliver: bool = True,
) -> None:  # fmt: skip
    """Judge the sources' health, match what is new, then try every pending alert.

    With `runs`, print the summary (the runs with the alerts per source) before delivering,
    so a second Ctrl-C during delivery still leaves it on screen. An interrupted run says
    nothing about its source's health and is not judged.
    """
    import db
    from crawler.progress import alerts_by_source, failures_by_source, print_summary
    from newswatch.report import print_alerts
    from scheduler.alerts import match_new_articles, matched_upto
    from scheduler.delivery import deliver_pending
    from scheduler.health import check_sources

    stopped = {r["source"] for r in runs or () if r["status"] == "interrupted"}
    archive = db.open_db(config.database, lean=True)
    try:
        changes = check_sources(archive, config, [n for n in names if n not in stopped])
        after = matched_upto(archive)
        matched = match_new_articles(archive, config)
        if runs is not None:
            failures = failures_by_source(archive, runs)
            print_summary(runs, alerts_by_source(archive, config, after), failures)
            for change in changes:
                click.echo(f"health {change}")
        if not deliver:  # the service sends the outbox itself: each email is a line of its log
            return
        delivered = deliver_pending(archive, config, force=force)
    finally:
        archive.close()
    if runs is not None:
        print_alerts(matched, delivered, config)
