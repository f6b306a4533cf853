"""Process faults: kill -9 mid-crawl, two crawls of one source, readers while the service writes."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fixtures import news_site
from support.accounting import check_page_accounting
from support.alerts import write_config as write_alerts_config
from support.cli import newswatch_command
from support.pages import article, config_for, query, serve
from support.service import Service, count, rows, slow_articles, wait_for
from support.site import FixtureSite, send
from support.smtp import Inbox, SmtpServer

import db as archive_db
from crawler.locks import is_held, read_holder
from db import alerts as store
from newswatch.clock import utc_now


@pytest.mark.slow
def test_kill_9_during_a_crawl_leaves_no_half_article_and_the_next_run_completes(
    site, write_config, run_cli
):
    slow_articles(site, 0.7)
    config = write_config(crawl={"concurrency_per_domain": 1})
    db = config.parent / "news.db"
    crawl = subprocess.Popen([*newswatch_command(), "--config", str(config), "crawl"])
    wait_for(lambda: count(db, "SELECT COUNT(*) FROM articles") >= 2, 60, "two stored articles")
    os.kill(crawl.pid, signal.SIGKILL)
    crawl.wait(10)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT title, body, story_id FROM articles").fetchall()
        indexed = conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0]
    assert rows and all(t and b and s for t, b, s in rows), "every stored article is whole"
    assert indexed == len(rows), "the search index matches the articles"
    slow_articles(site, 0)
    result = run_cli("crawl", config=config)
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(db) as conn:
        urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
        stale = conn.execute("SELECT COUNT(*) FROM crawl_runs WHERE status = 'running'")
        stale = stale.fetchone()[0]
    assert len(urls) == len(set(urls)) == len(news_site.STORIES), sorted(urls)
    assert stale == 0, "the killed run is closed by the next crawl of its source"


@pytest.mark.slow
def test_two_crawls_of_one_source_at_once_one_refuses(site, write_config):
    """The first crawl's article pages are held until the second crawl has ended, so the
    first is still running however long the second takes to start on a loaded machine."""
    second_done = hold_articles(site)
    config = write_config(crawl={"timeout": 60})  # held pages must not time out meanwhile
    command = [*newswatch_command(), "--config", str(config), "crawl", "yonhap"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    db = config.parent / "news.db"
    wait_for(lambda: count(db, "SELECT COUNT(*) FROM crawl_runs") >= 1, 60, "the first crawl")
    try:
        second = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        second_done.set()
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    assert second.returncode == 75, "its only source was busy: EX_TEMPFAIL, try again later"
    assert "another crawl of this source is running" in second.stdout, second.stdout
    assert "nothing crawled: every source was busy" in second.stderr, second.stderr
    with sqlite3.connect(db) as conn:
        urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    assert len(urls) == len(set(urls)) == len(news_site.STORIES)


def hold_articles(site: FixtureSite) -> threading.Event:
    """Article pages answered only once the returned event is set (60 s at most)."""
    released = threading.Event()
    for path in [p for p in site.routes if p.startswith("/view/")]:
        body = site.routes[path].body

        def answer(h, body: bytes = body) -> None:  # noqa: ANN001
            released.wait(60)
            send(h, body)

        site.handle(path, answer)
    return released


@pytest.mark.slow
def test_search_and_status_while_the_service_writes(site, workdir):
    source = news_site.yonhap_source(site.base, schedule="every 1s")
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict([source]))
    service = Service(config)
    outputs = []
    try:
        db = workdir / "news.db"
        wait_for(lambda: count(db, "SELECT COUNT(*) FROM articles") >= 1, 60, "a first article")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            for args in (["search", "Korea"], ["status"]):
                done = subprocess.run([*newswatch_command(), "--config", str(config), *args],
                                      capture_output=True, text=True, timeout=60)  # fmt: skip
                outputs.append((done.returncode, done.stderr))
    finally:
        code, err, _ = service.stop()
    assert code == 0, err[-2000:]
    assert len(outputs) >= 6
    assert all(rc == 0 for rc, _ in outputs), outputs
    assert not [e for _, e in outputs if "locked" in e.lower()], outputs
    assert "locked" not in err.lower()


# -- issue 14: crawls that end themselves, one service per archive, private files ----------


def lock_file(db: Path, source: str) -> Path:
    return db.parent / f".{db.name}.locks" / f"{source}.lock"


def held(db: Path, source: str) -> bool:
    return lock_file(db, source).exists() and is_held(db, source)


@pytest.mark.slow
def test_kill_9_of_the_service_does_not_orphan_its_crawl(site, workdir):
    """The service dies with -9 during a crawl that would hang for minutes: the crawl ends
    within seconds (PR_SET_PDEATHSIG, then its own deadline), closes its run, and the next
    service crawls the source as usual."""
    site.update("/news/1", delay=120)
    source = news_site.yonhap_source(site.base, schedule="every 1s", feeds=[], sitemaps=[])
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict(
        [source], crawl={"timeout": 300, "time_limit": 600}))  # fmt: skip
    db = workdir / "news.db"
    service = Service(config)
    wait_for(lambda: held(db, "yonhap") and site.count("/news/1") >= 1, 60, "a hanging crawl")
    crawl_pid = read_holder(db, "yonhap").pid
    service.proc.kill()
    killed = time.monotonic()
    service.proc.communicate(timeout=10)
    wait_for(lambda: not held(db, "yonhap"), 60, "the orphaned crawl to end")
    took = time.monotonic() - killed
    print(f"orphan of kill -9: crawl pid {crawl_pid} ended {took:.1f} s after its service")
    (status, reason) = rows(db, "SELECT status, last_error FROM crawl_runs")[-1]
    assert status in ("interrupted", "timeout"), (status, reason)
    site.update("/news/1", delay=0)
    again = Service(config)
    try:
        wait_for(lambda: count(db, "SELECT COUNT(*) FROM crawl_runs WHERE status = 'ok'") >= 1,
                 60, "a crawl by the next service")  # fmt: skip
    finally:
        code, err, _ = again.stop()
    assert code == 0 and "Traceback" not in err, err[-2000:]


LOCK_HOLDER = """
import os, sys, time
from pathlib import Path
from crawler.locks import Holder, try_lock
fd = try_lock(Path(sys.argv[1]), "yonhap", Holder(os.getpid(), "2026-01-01T00:00:00Z",
              sys.argv[2], service=int(sys.argv[3])))
print("locked" if fd is not None else "busy", flush=True)
time.sleep(600)
"""


def hold_lock(db: Path, deadline: str) -> subprocess.Popen[str]:
    """A process that holds yonhap's lock as a crawl of a dead service would (own group)."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    proc = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(db), deadline,
                             str(dead.pid)], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    assert proc.stdout.readline().strip() == "locked"
    return proc


@pytest.mark.slow
def test_a_crawl_left_by_an_earlier_service_is_waited_for_then_killed(site, workdir):
    source = news_site.yonhap_source(site.base, schedule="every 1s", feeds=[], sitemaps=[])
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict([source]))
    db = workdir / "news.db"
    ahead = hold_lock(db, "2999-01-01T00:00:00Z")  # not past its deadline: wait for it
    service = Service(config, "--log-format", "json")
    try:
        started = "SELECT COUNT(*) FROM state WHERE key = 'next_run:yonhap' AND value != ''"
        wait_for(lambda: count(db, started) == 1, 60, "the service to start")
        time.sleep(3)  # three due times of the source
        assert ahead.poll() is None, "a crawl within its deadline is not killed"
    finally:
        code, err, _ = service.stop()
        ahead.kill()
        ahead.communicate()
    skipped = [json.loads(x) for x in err.splitlines() if "skipped" in x]
    assert skipped and skipped[0]["level"] == "warning", err[-2000:]
    assert f"pid {ahead.pid}, started 2026-01-01T00:00:00Z by an earlier service" in (
        skipped[0]["message"]), skipped[0]  # fmt: skip
    assert site.count("/news/1") == 0 and "crawl finished" not in err

    overdue = hold_lock(db, "2000-01-01T00:00:00Z")
    service = Service(config, "--log-format", "json")
    try:
        wait_for(lambda: count(db, "SELECT COUNT(*) FROM crawl_runs WHERE status = 'ok'") >= 1,
                 60, "the source crawled once the overdue crawl was killed")  # fmt: skip
    finally:
        code, err, _ = service.stop()
    overdue.communicate(timeout=10)
    assert overdue.returncode == -signal.SIGKILL
    assert f"killed crawl pid {overdue.pid} of yonhap" in err, err[-2000:]


def without_dac_override(command: list[str]) -> list[str]:
    """Root ignores file modes; without these capabilities it obeys them like anyone."""
    if os.geteuid() != 0:
        return command
    caps = "-dac_override,-dac_read_search,-fowner"
    return ["setpriv", f"--bounding-set={caps}", *command]


@pytest.mark.skipif(os.geteuid() == 0 and not shutil.which("setpriv"), reason="no setpriv")
def test_a_read_only_archive_or_lock_folder_is_one_line_and_exit_2(site, write_config):
    config = write_config()
    db = config.parent / "news.db"
    archive_db.open_db(db).close()
    os.chmod(db, 0o400)
    try:
        for args in (["crawl"], ["status"], ["search", "missile"]):
            done = subprocess.run(without_dac_override([*newswatch_command(), "--config",
                                  str(config), *args]), capture_output=True, text=True,
                                  timeout=60)  # fmt: skip
            assert done.returncode == 2, (args, done.stderr)
            assert done.stderr.splitlines() == [
                f"newswatch: error: {db}: cannot open the archive for writing:"
                " attempt to write a readonly database"
            ]
    finally:
        for path in db.parent.glob("news.db*"):  # -wal and -shm took its mode
            path.chmod(0o600)
    locks = db.parent / f".{db.name}.locks"
    locks.mkdir(mode=0o500)
    try:
        done = subprocess.run(without_dac_override([*newswatch_command(), "--config",
                              str(config), "crawl"]), capture_output=True, text=True,
                              timeout=60)  # fmt: skip
    finally:
        locks.chmod(0o700)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"newswatch: error: {locks}/yonhap.lock: cannot open the lock file: Permission denied"
    ]
    assert site.count("/news/1") == 0


def modes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): oct(p.stat().st_mode & 0o777) for p in
            [folder, *folder.rglob("*")]}  # fmt: skip


def test_a_crawl_opens_no_remote_control_server_and_leaves_no_job_file(site, workdir):
    # Scrapy 2.19 starts, by default, an HTTP server that runs Python code sent to it, and
    # writes its port and token to $XDG_STATE_HOME/scrapy/job_files (left behind by a crawl
    # killed with -9). A crawl killed with -9 mid-way shows whether one was started.
    slow_articles(site, 0.5)
    state = workdir / "state"
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict(
        [news_site.yonhap_source(site.base)], crawl={"concurrency_per_domain": 1}))  # fmt: skip
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    crawl = subprocess.Popen([*newswatch_command(), "--config", str(config), "crawl"],
                             cwd=workdir, env=env, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for(lambda: count(workdir / "news.db", "SELECT COUNT(*) FROM articles") >= 1, 60,
                 "a first article")  # fmt: skip
    finally:
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait(10)
    left = sorted(p.name for p in state.rglob("*")) if state.exists() else []
    assert left == [], f"the crawl left {left} in $XDG_STATE_HOME"


def test_everything_newswatch_creates_is_private(site, workdir):
    """Whatever the caller's umask: files 0600 in folders 0700 (the Maildir too)."""
    slow_articles(site, 0.5)
    site.update("/news/1", headers={"ETag": '"v1"'})  # cached for the next crawl's 304
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict(
        [news_site.yonhap_source(site.base)], database="data/news.db",
        crawl={"concurrency_per_domain": 1}))  # fmt: skip
    data = workdir / "data"
    old = os.umask(0o022)
    try:
        crawl = subprocess.Popen(
            [*newswatch_command(), "--config", str(config), "crawl"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.umask(old)
    wait_for(lambda: count(data / "news.db", "SELECT COUNT(*) FROM articles") >= 1, 60,
             "a first article")  # fmt: skip
    during = modes(data)
    out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 0, err[-2000:]
    after = modes(data)
    assert {"news.db-wal", "news.db-shm", ".news.db.locks/yonhap.lock"} <= set(during), during
    assert any(name.startswith(".news.db.httpcache/") for name in after), after
    for name, mode in (during | after).items():
        is_dir = (data / name).is_dir() if (data / name).exists() else False
        assert mode == ("0o700" if is_dir else "0o600"), (name, mode)


def test_a_second_service_on_one_archive_refuses_to_start(site, workdir):
    source = news_site.yonhap_source(site.base, schedule="every 1h")
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict([source]))
    first = Service(config)
    try:
        wait_for(lambda: held(workdir / "news.db", "service"), 60, "the first service")
        second = subprocess.run([*newswatch_command(), "--config", str(config), "run"],
                                capture_output=True, text=True, timeout=60)  # fmt: skip
    finally:
        code, err, _ = first.stop()
    assert code == 0, err[-2000:]
    assert second.returncode == 2, second.stderr
    (line,) = second.stderr.splitlines()
    assert line.startswith(
        f"newswatch: error: {workdir / 'news.db'}: another newswatch service"
        f" is running on this archive (pid {first.proc.pid}, started "
    )
    assert line.endswith("); stop it first"), line


STRESS = """
import sys
import db
from db import alerts
from newswatch.clock import utc_now
archive = db.open_db(sys.argv[1])
run = db.start_run(archive, "s" + sys.argv[2], utc_now())
for i in range(200):  # each of these reads the row, then writes it
    alerts.mark_outbox(archive, 1, attempts=i)
    db.finish_run(archive, run, {"status": "ok", "pages": i})
    db.record_failure(archive, f"http://x/{i % 7}", "s", "dns", False, utc_now())
"""


def outbox_row(n: int) -> dict[str, object]:
    message = f"Message-ID: <{n}@test>\nSubject: alert {n}\nTo: a@example.org\n\nbody {n}\n"
    return {"rule": "r", "recipient": "a@example.org", "message_id": f"<{n}@test>",
            "subject": f"alert {n}", "message": message, "story_ids": [], "status": "pending",
            "attempts": 0, "next_attempt_at": "", "last_error": "", "created_at": utc_now(),
            "sent_at": ""}  # fmt: skip


def test_writers_in_several_processes_wait_for_each_other(tmp_path):
    """Read-then-write transactions begun lazily failed with "database is locked" at once
    when another process wrote in between; every write now takes the lock first."""
    path = tmp_path / "news.db"
    archive = archive_db.open_db(path)
    store.add_outbox(archive, [outbox_row(1)])
    archive.close()
    procs = [subprocess.Popen([sys.executable, "-c", STRESS, str(path), str(i)],
                              stderr=subprocess.PIPE, text=True) for i in range(3)]  # fmt: skip
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors


DELIVER = """
import sys
import db
from newswatch.config import load_config
from scheduler.delivery import deliver_pending
config = load_config(sys.argv[1])
archive = db.open_db(config.database)
print(deliver_pending(archive, config, force=True).sent)
"""


class SlowInbox(Inbox):
    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


def test_two_processes_delivering_one_outbox_send_each_email_once(tmp_path):
    inbox = SlowInbox()
    server = SmtpServer(inbox).start()
    try:
        config = write_alerts_config(tmp_path, server.port)
        archive = archive_db.open_db(config.database)
        store.add_outbox(archive, [outbox_row(n) for n in range(60)])
        archive.close()
        command = [sys.executable, "-c", DELIVER, str(config.path)]
        procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(3)]  # fmt: skip
        results = [p.communicate(timeout=120) for p in procs]
        later = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        server.stop()
    assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in results]
    assert sum(int(out) for out, _ in results) == 60 and later.stdout.strip() == "0"
    ids = [str(m["Message-ID"]) for m in inbox.messages]
    assert sorted(ids) == sorted(f"<{n}@test>" for n in range(60)), "each email exactly once"


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a small tmpfs (a full disk)")
def test_disk_full_fails_the_run_in_one_line_and_the_next_crawl_stores_the_rest_alerting_once(
    workdir, run_cli
):

    archive = workdir / "archive"
    archive.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(archive)], check=True)
    # 120 articles of 24 paragraphs do not fit in 1 MB: the disk fills during the crawl, whatever
    # the batches and checkpoints (with 8 paragraphs a run could store all and fill after)
    words = [
        "harbour",
        "ferry",
        "crane",
        "dock",
        "tide",
        "pier",
        "cargo",
        "berth",
        "quay",
        "vessel",
    ]
    try:
        with FixtureSite("127.0.0.1") as site:
            serve(site, {f"/view/{n}": article(
                f"Harbour story {n}: {words[n % 10]} {words[n // 10 % 10]} report", 24,
                f"Item {n} on the {words[n % 7]} and the {words[n % 9]}, number {n * 31}.",
            ) for n in range(1, 121)})  # fmt: skip
            rules = [{"name": "harbour", "query": "harbour", "to": ["desk@example.org"]}]
            config = config_for(workdir, site, "archive/news.db", alerts={"rules": rules})
            full = run_cli("crawl", config=config)
            database = archive / "news.db"
            stored_when_full = len(query(database, "SELECT id FROM articles"))
            subprocess.run(["mount", "-o", "remount,size=64m", str(archive)], check=True)
            freed = run_cli("crawl", config=config)
            again = run_cli("crawl", config=config)
            urls = [r["url"] for r in query(database, "SELECT url FROM articles")]
            runs = query(database, "SELECT status, last_error FROM crawl_runs ORDER BY id")
            stories = query(database, "SELECT COUNT(DISTINCT story_id) AS n FROM articles")[0]["n"]
            matches = query(database, "SELECT COUNT(*) AS n FROM alert_matches")[0]["n"]
            emails = query(database, "SELECT COUNT(*) AS n FROM outbox WHERE rule = 'harbour'")
            check_page_accounting(archive)  # before the tmpfs and the archive go
    finally:
        subprocess.run(["umount", "-l", str(archive)], check=False)

    # a crawl past 5 s also prints plain progress lines ("crawling: ..."): not errors
    lines = [ln for ln in full.stderr.strip().splitlines() if not ln.startswith("crawling: ")]
    assert full.returncode == 1 and len(lines) == 1, f"{full.stdout}\n{full.stderr}"
    assert re.fullmatch(r"newswatch: error: disk full: \d+ articles not stored; they will be"
                        r" fetched on the next crawl", lines[0]), lines  # fmt: skip
    assert runs[0] == {"status": "failed", "last_error": lines[0][len("newswatch: error: ") :]}
    assert 0 < stored_when_full < 120
    assert freed.returncode == 0 and again.returncode == 0, freed.stderr + again.stderr
    assert len(urls) == len(set(urls)) == 120, "every article once, the rest stored after"
    assert matches == stories > 1, "each story alerted once, those of the failed run too"
    assert emails[0]["n"] >= 1 and "alert harbour" not in again.stdout, again.stdout
