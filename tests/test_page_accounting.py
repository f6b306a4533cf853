"""No silent failure: every article page a crawl fetched is stored, a duplicate, not an article
(with why) or failed (named, recorded in failed_urls, fetched again on the next crawl).

The invariant itself is checked after every test (accounting.py, from conftest.py); here,
one test per way a page can fail to become an article.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures import news_site
from support.cli import newswatch_command
from support.pages import article, config_for, last_run, query, serve
from support.service import children_of

# Standard-library modules a spawned worker imports after its interpreter starts: each one
# in the current folder used to replace the real one in every extraction worker.
SHADOWS = ("operator", "pickle", "struct", "queue", "selectors", "threading", "weakref")


def big_article(n: int, paragraphs: int) -> bytes:
    """A long page: extracting it keeps a worker busy for a while (0.4 s per 400 paragraphs)."""
    return article(f"Report {n} on the harbour", paragraphs,
                   f"Story {n}: the harbour reopened and the ships returned")  # fmt: skip


def tail(result: subprocess.CompletedProcess[str]) -> str:
    return f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"


def workers_of(pid: int) -> list[int]:
    """The extraction workers (spawned children) of process `pid`."""
    found = []
    for child in children_of(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:  # gone already
            continue
        if b"spawn_main" in command:
            found.append(child)
    return found


def kill_workers(pid: int) -> int:
    killed = 0
    for worker in workers_of(pid):
        try:
            os.kill(worker, signal.SIGKILL)
            killed += 1
        except ProcessLookupError:
            pass
    return killed


def wait_until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.02)


# -- workers that cannot be hijacked, and the crawl without them --------------------------------


def test_a_standard_module_name_in_the_current_folder_cannot_hijack_the_workers(
    site, write_config, run_cli, workdir
):
    for name in SHADOWS:
        (workdir / f"{name}.py").write_text(f"raise SystemExit('hijacked by ./{name}.py')\n")
    config = write_config()
    result = run_cli("crawl", config=config)  # in workdir, beside the files

    assert result.returncode == 0, tail(result)
    assert "hijacked" not in result.stderr + result.stdout, tail(result)
    assert "could not start" not in result.stderr, "the workers start: nothing falls back"
    stored = query(workdir / "news.db", "SELECT url FROM articles")
    assert len(stored) == len(news_site.expected_paths()), stored
    run = last_run(workdir / "news.db")
    assert run["status"] == "ok" and run["failed"] == 0, run


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"),
                    reason="needs root and unshare(1) to make /dev/shm unusable")  # fmt: skip
def test_without_working_semaphores_the_workers_still_extract(site, write_config, workdir):
    # A host without a usable /dev/shm (some containers) has no semaphores; the workers need
    # none (two pipes each), so the crawl keeps them.
    config = write_config()
    crawl = " ".join([*newswatch_command(), "--config", str(config), "crawl"])
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o ro,size=1m tmpfs /dev/shm && {crawl}"],
        capture_output=True, text=True, timeout=120, cwd=workdir,
    )  # fmt: skip

    assert result.returncode == 0, tail(result)
    assert "could not start" not in result.stderr, tail(result)
    stored = query(workdir / "news.db", "SELECT url FROM articles")
    assert len(stored) == len(news_site.expected_paths()), stored


def test_workers_that_cannot_start_leave_extraction_to_the_crawl_after_one_warning(caplog):
    import asyncio

    from crawler.pool import ExtractionPool

    async def two_pages(pool: ExtractionPool) -> list[int]:
        return list(await asyncio.gather(pool.run(os.getpid), pool.run(os.getpid)))

    pool = ExtractionPool(1)
    pool.begin()
    (worker,) = [channel.process for channel in pool.channels]
    worker.kill()  # before it could answer the check that precedes the first page
    worker.join()
    try:
        with caplog.at_level(logging.WARNING, logger="crawler.pool"):
            extracted_by = asyncio.run(two_pages(pool))
    finally:
        pool.shutdown()
    assert extracted_by == [os.getpid(), os.getpid()], "extracted in this process"
    warnings = [r.getMessage() for r in caplog.records if "could not start" in r.getMessage()]
    assert len(warnings) == 1 and "BrokenProcessPool" in warnings[0], warnings
    assert "extracting in the crawl process" in warnings[0]


def test_a_page_goes_to_the_worker_not_the_crawl_process():
    import asyncio

    from crawler.pool import ExtractionPool

    pool = ExtractionPool(1)
    try:
        pid = asyncio.run(pool.run(os.getpid))
        (worker,) = [channel.process.pid for channel in pool.channels]
    finally:
        pool.shutdown()
    assert pid == worker != os.getpid()


def test_a_pool_whose_worker_dies_is_replaced_and_a_page_that_kills_every_worker_fails():
    import asyncio
    from concurrent.futures.process import BrokenProcessPool

    from crawler.pool import ExtractionPool
    from crawler.workers import ready

    async def scenario(pool: ExtractionPool) -> tuple[str, bool]:
        try:
            # The worker dies with the task, twice (SIGKILL: os._exit, which coverage wraps in
            # a closure under `make coverage`, cannot be sent to a worker).
            await pool.run(signal.raise_signal, signal.SIGKILL)
            outcome = "returned"
        except BrokenProcessPool as exc:
            outcome = str(exc)
        return outcome, await pool.run(ready)  # and the next page has a working pool

    pool = ExtractionPool(1)
    try:
        outcome, after = asyncio.run(scenario(pool))
        replacements, workers = pool.replacements, len(pool.channels)
    finally:
        pool.shutdown()
    assert "died 2 times" in outcome, outcome
    assert replacements == 2 and workers == 1 and after is True


class Idle:
    """A machine whose cores are `cores` idle, as crawler.growth.IdleMeter would tell."""

    def __init__(self, cores: float) -> None:
        self.cores = cores

    def idle_cores(self) -> float:
        return self.cores


@pytest.mark.parametrize(("idle", "most", "workers"), [(1.0, 2, 2), (0.0, 2, 1), (1.0, 1, 1)])
def test_the_pool_adds_a_worker_only_when_pages_wait_and_a_core_is_idle(idle, most, workers):
    import asyncio

    from crawler.pool import ExtractionPool

    async def pages(pool: ExtractionPool) -> None:
        pending = []
        for _ in range(150):  # 100 pages a second for 1.5 s, to a worker that takes 50
            pending.append(asyncio.ensure_future(pool.run(time.sleep, 0.02)))
            await asyncio.sleep(0.01)
        await asyncio.gather(*pending)

    pool = ExtractionPool(1, most, Idle(idle))
    try:
        asyncio.run(pages(pool))
        grown = len(pool.channels)
    finally:
        pool.shutdown()
    assert grown == workers, f"{grown} workers with {idle} cores idle, at most {most}"


def test_the_idle_meter_reads_this_machine():
    from crawler.growth import IdleMeter

    meter = IdleMeter()
    time.sleep(0.3)
    idle = meter.idle_cores()  # in cores, whatever else the machine is doing
    assert idle is not None and 0 <= idle <= os.cpu_count() + 0.1, idle


# -- what becomes of each page ------------------------------------------------------------------


def test_a_run_that_stores_nothing_is_failed_says_why_and_breaks_the_source(
    make_site, workdir, run_cli
):
    site = make_site()
    serve(site, {f"/view/{n}": b"<html><head></head><body><div></div></body></html>"
                       for n in range(1, 4)})  # fmt: skip
    config = config_for(workdir, site)
    result = run_cli("crawl", config=config)

    assert result.returncode == 0, tail(result)  # SPEC: exit 0 even when pages failed
    run = last_run(workdir / "news.db")
    assert run["status"] == "failed", run
    assert (run["article_pages"], run["not_articles"], run["new_articles"]) == (3, 3, 0), run
    assert json.loads(run["not_article_kinds"]) == {"empty_page": 3}, run
    assert "s3 failed: 3 article pages fetched, none stored: 3 not articles (empty_page)" in (
        result.stdout
    ), tail(result)
    status = run_cli("status", config=config)
    assert "s3 is broken: 3 article pages fetched, none stored" in status.stdout, status.stdout
    assert (
        "s3: last crawl: 3 article pages: 0 new, 0 duplicates, 3 not articles (empty_page 3),"
        " 0 failed" in status.stdout
    ), status.stdout


def test_same_body_under_another_headline_is_kept_and_counted_a_print_copy_is_not(
    make_site, workdir, run_cli
):
    site = make_site()
    text = "A short video report: the minister visited the flooded town on Monday."
    serve(site, {
        "/view/1": article("Minister visits flooded town", 2, text),
        "/view/2": article("Rescue teams reach the valley", 2, text),  # other story, same text
        "/view/3": article("Minister visits flooded town", 2, text),  # print copy of /view/1
    })  # fmt: skip
    result = run_cli("crawl", config=config_for(workdir, site))

    assert result.returncode == 0, tail(result)
    rows = query(workdir / "news.db", "SELECT title, story_id FROM articles")
    assert sorted(r["title"] for r in rows) == [
        "Minister visits flooded town", "Rescue teams reach the valley"
    ], rows  # fmt: skip
    assert len({r["story_id"] for r in rows}) == 2, "one extracted body is no evidence of a story"
    run = last_run(workdir / "news.db")
    assert (run["new_articles"], run["duplicates"], run["same_body_kept"]) == (2, 1, 1), run


def test_a_print_copy_is_dropped_whichever_same_body_article_was_stored_first(
    make_site, workdir, run_cli
):
    """Pages arrive in any order: the copy is compared with every stored page of that body,
    not only the first (which may be the other headline)."""
    site = make_site()
    config = config_for(workdir, site)
    text = "A short video report: the minister visited the flooded town on Monday."
    pages = {
        "/view/2": article("Rescue teams reach the valley", 2, text),
        "/view/1": article("Minister visits flooded town", 2, text),
        "/view/3": article("Minister visits flooded town", 2, text),
    }
    for count in (1, 2, 3):  # one new page per crawl, in this order
        serve(site, dict(list(pages.items())[:count]))
        result = run_cli("crawl", config=config)
        assert result.returncode == 0, tail(result)

    rows = query(workdir / "news.db", "SELECT url, title FROM articles ORDER BY id")
    assert [r["url"].rsplit("/", 1)[1] for r in rows] == ["2", "1"], rows
    run = last_run(workdir / "news.db")
    assert (run["new_articles"], run["duplicates"]) == (0, 1), run


@pytest.mark.slow
def test_a_worker_killed_with_9_mid_crawl_is_replaced_and_every_page_is_stored(make_site, workdir):
    site = make_site()
    serve(site, {f"/view/{n}": big_article(n, 400) for n in range(1, 13)})
    site.update("/news", delay=5)  # the workers have started before the first page
    config = config_for(workdir, site)
    crawl = subprocess.Popen([*newswatch_command(), "--config", str(config), "crawl"],
                             cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)  # fmt: skip
    try:
        wait_until(lambda: site.count("/view/") >= 2, 60, "two article pages served")
        time.sleep(0.3)  # extracting the first ones
        killed = kill_workers(crawl.pid)
        out, err = crawl.communicate(timeout=180)
    finally:
        crawl.kill()

    assert killed == 1 and crawl.returncode == 0, f"{out}\n{err}"
    assert "an extraction worker died; started a new one" in err, err
    titles = [r["title"] for r in query(workdir / "news.db", "SELECT title FROM articles")]
    assert len(titles) == len(set(titles)) == 12, titles
    run = last_run(workdir / "news.db")
    assert (run["status"], run["article_pages"], run["failed"]) == ("ok", 12, 0), run


@pytest.mark.slow
def test_a_page_whose_worker_dies_every_time_is_failed_by_name_and_stored_next_crawl(
    make_site, workdir, run_cli
):
    site = make_site()
    # The OOM killer or a crash in a parser, played by this test: every worker that takes the
    # page is killed. The crawl names the page, the next crawl (no killer) stores it.
    serve(site, {"/view/1": big_article(1, 3000)})
    site.update("/view/1", delay=5)  # the workers have started before it arrives
    config = config_for(workdir, site)
    crawl = subprocess.Popen([*newswatch_command(), "--config", str(config), "crawl"],
                             cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)  # fmt: skip
    try:
        wait_until(lambda: site.count("/view/1") >= 1, 60, "the page requested")
        time.sleep(5)  # served
        killed = 0
        while crawl.poll() is None:
            killed += kill_workers(crawl.pid)
            time.sleep(0.02)
        out, err = crawl.communicate(timeout=60)
    finally:
        crawl.kill()

    assert crawl.returncode == 0 and killed == 2, f"killed {killed}\n{out}\n{err}"
    url = site.url("/view/1")
    assert f"s3: failed: {url}: BrokenProcessPool: an extraction worker died 2 times" in out, out
    run = last_run(workdir / "news.db")
    assert (run["status"], run["failed"], json.loads(run["failed_kinds"])) == (
        "failed", 1, {"BrokenProcessPool": 1}
    ), run  # fmt: skip
    (failure,) = query(workdir / "news.db", "SELECT * FROM failed_urls")
    assert (failure["url"], failure["kind"], failure["permanent"]) == (url, "BrokenProcessPool", 0)

    again = run_cli("crawl", config=config)
    assert again.returncode == 0, tail(again)
    assert [r["url"] for r in query(workdir / "news.db", "SELECT url FROM articles")] == [url]
    assert query(workdir / "news.db", "SELECT * FROM failed_urls") == []
    assert last_run(workdir / "news.db")["status"] == "ok"
