"""Issue 20: the service crawls the sources due together in one process (a batch), each
source keeping its own time limit, lock, run row and health; a batch process that dies leaves
a run row for each source it did not finish; `status` shows how late each crawl started."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fixtures import news_site
from support.cli import newswatch_command
from support.pages import article, query
from support.service import Service, rows, wait_for
from support.site import FixtureSite, send

import db as archive_db
from crawler.locks import read_holder
from newswatch.config import load_config
from scheduler.batches import Batch, Dispatcher, Due

ARTICLES = 2  # per source


def add_source(site: FixtureSite, name: str, delay: float = 0.0) -> dict:
    """A source of its own on `site`: /news/NAME linking ARTICLES articles /view/NAME-N."""
    paths = [f"/view/{name}-{i}" for i in range(ARTICLES)]
    for i, path in enumerate(paths):
        site.set(path, article(f"{name.capitalize()} council reports finding number {i}"))
    links = "".join(f'<a href="{p}">{p}</a>' for p in paths)
    site.set(f"/news/{name}", f"<html><body>{links}</body></html>", delay=delay)
    return {"name": name, "start_urls": [site.url(f"/news/{name}")],
            "article_url_pattern": rf"/view/{name}-\d+", "max_list_pages": 1}  # fmt: skip


def write(workdir: Path, sources: list[dict], schedule: str, **crawl: object) -> Path:
    sources = [s | {"schedule": schedule} for s in sources]
    config = news_site.config_dict(sources, crawl=crawl)
    return news_site.write_config(workdir / "config.yaml", config)


def runs(database: Path, source: str) -> list[dict]:
    if not database.exists():
        return []
    try:
        return query(database, "SELECT * FROM crawl_runs WHERE source = ? ORDER BY id", source)
    except Exception:  # the schema is being created
        return []


def statuses(database: Path, source: str) -> list[str]:
    return [r["status"] for r in runs(database, source)]


def stored(database: Path) -> list[str]:
    return [url for (url,) in rows(database, "SELECT url FROM articles ORDER BY url")]


@pytest.mark.slow
def test_a_hanging_source_times_out_alone_and_the_others_of_its_batch_go_on(site, workdir):
    """Four sources fall due together and share a process; one list page never answers. The
    other three are stored, and crawled again while the hanging one still runs; it ends at
    its own time limit, `timeout`."""
    good = [add_source(site, name) for name in ("alpha", "bravo", "charlie")]
    hanging = add_source(site, "hang", delay=120)
    config = write(workdir, [*good, hanging], "every 2s", time_limit=25, batch_size=10)
    database = workdir / "news.db"
    service = Service(config)
    try:
        wait_for(
            lambda: all(statuses(database, s["name"]).count("ok") >= 2 for s in good)
            and statuses(database, "hang") == ["running"],
            60,
            "two crawls of each good source while the hanging one's first crawl runs",
        )  # fmt: skip
        wait_for(lambda: "timeout" in statuses(database, "hang"), 90, "the hanging one's limit")
    finally:
        code, err, _ = service.stop()
    assert code == 0, err[-2000:]
    for name in ("alpha", "bravo", "charlie", "hang"):
        started = rf"source={name} run={name}#\d+: crawl started \(batch#1, 4 sources\)"
        assert re.search(started, err), err[-3000:]
    first = runs(database, "hang")[0]
    assert first["status"] == "timeout", first
    assert first["last_error"] == "time limit of 25 s reached", first
    expected = sorted(f"{site.base}/view/{s['name']}-{i}" for s in good for i in range(ARTICLES))
    assert stored(database) == expected, "each good source's articles, once"
    assert "Traceback" not in err, err[-3000:]


def test_a_batch_killed_before_it_wrote_its_runs_leaves_a_failed_run(site, workdir):
    """The batch process is killed with -9 as soon as it exists, before its crawl has
    written anything: the service records the source's run as failed, with the reason."""
    config = write(workdir, [add_source(site, "alpha")], "every 1h")
    database = workdir / "news.db"
    service = Service(config)
    try:
        killed: list[int] = []

        def kill_first_child() -> bool:
            for pid in service.children():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            return bool(killed)

        wait_for(kill_first_child, 60, "the batch process")
        wait_for(lambda: statuses(database, "alpha") == ["failed"], 30, "the failed run")
    finally:
        code, err, _ = service.stop()
    assert code == 0, err[-2000:]
    (run,) = runs(database, "alpha")
    assert run["last_error"].startswith("the batch process was killed (SIGKILL)"), run
    assert run["finished_at"] and run["due_at"], run
    assert "batch#1 of 1 sources ended early" in err, err[-2000:]


@pytest.mark.slow
def test_a_batch_killed_with_9_fails_every_unfinished_source_and_each_is_retried(site, workdir):
    names = ("alpha", "bravo", "charlie")
    sources = [add_source(site, name) for name in names]
    for path in list(site.routes):
        if path.startswith("/view/"):
            site.update(path, delay=4)
    config = write(workdir, sources, "every 20s", concurrency_per_domain=1)
    database = workdir / "news.db"
    service = Service(config)
    try:
        # Each article page takes 4 s to answer: with three asked for, none is finished.
        wait_for(lambda: site.count("/view/") >= 3, 60, "article pages being fetched")
        holders = {read_holder(database, name) for name in names}
        (holder,) = holders  # one process crawls the three: they fell due together
        assert holder is not None and holder.service == service.proc.pid, holder
        os.kill(holder.pid, signal.SIGKILL)
        wait_for(
            lambda: all("failed" in statuses(database, n) and statuses(database, n)[-1] == "ok"
                        for n in names),
            120,
            "a failed run, then a good one, of every source",
        )  # fmt: skip
    finally:
        code, err, _ = service.stop()
    assert code == 0, err[-2000:]
    for name in names:
        failed = [r for r in runs(database, name) if r["status"] == "failed"]
        assert len(failed) == 1, failed
        assert failed[0]["last_error"].startswith("the batch process was killed (SIGKILL)")
    urls = stored(database)
    assert urls == sorted(f"{site.base}/view/{n}-{i}" for n in names for i in range(ARTICLES))
    left = query(database, "SELECT COUNT(*) AS n FROM crawl_runs WHERE status = 'running'")
    assert left[0]["n"] == 0


@pytest.mark.slow
def test_status_shows_how_late_a_source_waiting_for_a_batch_started(site, workdir):
    """One batch at a time, one source each: the second source waits for the first, which
    hangs until its 10 s limit; `status` shows it started that late."""
    sources = [add_source(site, "hang", delay=120), add_source(site, "bravo")]
    config = write(workdir, sources, "every 1h", time_limit=10, batch_size=1, max_batches=1,
                   max_requests=1)  # fmt: skip
    database = workdir / "news.db"
    service = Service(config)
    try:
        wait_for(lambda: statuses(database, "bravo") == ["ok"], 90, "bravo's crawl")
    finally:
        code, err, _ = service.stop()
    assert code == 0, err[-2000:]
    command = [*newswatch_command(), "--config", str(config), "status"]
    doc = json.loads(subprocess.run([*command, "--json"], capture_output=True, text=True,
                                    timeout=60, check=True).stdout)  # fmt: skip
    late = {s["source"]: s["last_run"]["late_seconds"] for s in doc["sources"]}
    assert late["bravo"] >= 5, late
    assert late["hang"] is not None, late
    text = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout
    header, _, bravo = text.splitlines()[:3]
    assert header.split()[:5] == ["source", "last", "crawl", "late", "took"], text
    assert bravo.split()[4] == f"{late['bravo']}s", text


def test_status_shows_lateness_against_the_due_time_and_a_dash_for_a_crawl_by_hand(workdir):
    source = {"name": "s1", "start_urls": ["http://127.0.0.1:9/"], "article_url_pattern": "x"}
    other = source | {"name": "s2"}
    config = write(workdir, [source, other], "every 10m")
    archive = archive_db.open_db(workdir / "news.db")
    run = archive_db.start_run(archive, "s1", "2026-11-29T10:01:35Z", "2026-11-29T10:00:00Z")
    archive_db.finish_run(archive, run, {"status": "ok", "finished_at": "2026-11-29T10:01:40Z"})
    run = archive_db.start_run(archive, "s2", "2026-11-29T10:01:35Z")
    archive_db.finish_run(archive, run, {"status": "ok", "finished_at": "2026-11-29T10:01:40Z"})
    archive.close()
    command = [*newswatch_command(), "--config", str(config), "status"]
    text = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout
    rows = [line.split() for line in text.splitlines()[1:3]]
    assert [(r[0], r[4]) for r in rows] == [("s1", "1m35s"), ("s2", "-")], text
    doc = json.loads(subprocess.run([*command, "--json"], capture_output=True, text=True,
                                    timeout=60, check=True).stdout)  # fmt: skip
    first = doc["sources"][0]["last_run"]
    assert (first["due_at"], first["late_seconds"]) == ("2026-11-29T10:00:00Z", 95), first
    assert doc["sources"][1]["last_run"]["late_seconds"] is None


def test_sources_waiting_long_for_a_batch_log_a_warning(workdir, caplog):
    source = {"name": "s1", "start_urls": ["http://127.0.0.1:9/"], "article_url_pattern": "x"}
    config = load_config(write(workdir, [source], "every 1m", max_batches=1))
    dispatcher = Dispatcher(config, lambda batch: None)
    waiting = Due(config.sources[0], datetime.now(UTC), queued=time.monotonic() - 90)
    dispatcher.running.append(Batch(1, [waiting]))  # one batch runs: no other may start
    dispatcher.queue.append(waiting)
    with caplog.at_level(logging.WARNING, logger="newswatch"), dispatcher.lock:
        assert dispatcher._next_batch() is None
    (record,) = caplog.records
    assert "1 sources are behind their schedule, the oldest by 90 s" in record.getMessage()
    assert "this machine may be too small for these schedules" in record.getMessage()


def test_a_due_source_waits_for_others_only_while_another_could_join(workdir):
    """The batch window is for sources that may still fall due: with every other source
    queued or crawling already, the due one starts at once (a lone source never waits)."""
    sources = [{"name": n, "start_urls": [f"http://127.0.0.1:9/{n}"], "article_url_pattern": "x"}
               for n in ("s1", "s2")]  # fmt: skip
    config = load_config(write(workdir, sources, "every 1m"))
    dispatcher = Dispatcher(config, lambda batch: None)
    assert dispatcher.due(config.sources[0])
    with dispatcher.lock:
        assert dispatcher._next_batch() is None, "s2 may fall due within the window"
        dispatcher.busy.add("s2")  # s2 crawling now: it cannot join
        batch = dispatcher._next_batch()
    assert batch is not None and batch.names == ["s1"]

    alone = load_config(write(workdir, sources[:1], "every 1m"))
    dispatcher = Dispatcher(alone, lambda batch: None)
    assert dispatcher.due(alone.sources[0])
    with dispatcher.lock:
        batch = dispatcher._next_batch()
    assert batch is not None and batch.names == ["s1"]


class InFlight:
    """A handler that answers an article page after `delay` s, counting the requests waiting
    for their answer at once (the most, over the test). A request leaves the count before
    its answer is sent: the client cannot ask again before it has the answer, whereas a
    count taken after the send would race the client's next request on a loaded machine."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.now = self.most = 0

    def handler(self, page: bytes):  # noqa: ANN201
        def answer(h) -> None:  # noqa: ANN001
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            try:
                time.sleep(self.delay)
            finally:
                with self.lock:
                    self.now -= 1
            send(h, page)

        return answer


@pytest.mark.slow
def test_crawl_max_requests_bounds_the_requests_in_flight_of_a_batch(site, workdir):
    """Three sources in one batch, each with its article pages 1 s slow: with
    crawl.max_requests 1 the site never answers two article pages at once."""
    names = ("alpha", "bravo", "charlie")
    sources = [add_source(site, name) for name in names]
    counter = InFlight(1.0)
    for name in names:
        for i in range(ARTICLES):
            path = f"/view/{name}-{i}"
            site.handle(path, counter.handler(site.routes[path].body))
    config = write(workdir, sources, "every 1h", max_batches=1, max_requests=1)
    database = workdir / "news.db"
    service = Service(config)
    try:
        wait_for(lambda: all(statuses(database, n) == ["ok"] for n in names), 90, "the crawls")
    finally:
        code, err, _ = service.stop()
    assert code == 0, err[-2000:]
    assert "crawl started (batch#1, 3 sources)" in err, err[-2000:]
    assert len(stored(database)) == len(names) * ARTICLES
    assert counter.most == 1, counter.most
