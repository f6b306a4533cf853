"""`newswatch run` as the scheduler and `newswatch worker`s crawling, on a real Redis (issue 22).

Each test runs on both archives: SQLite (the workers share its file on one machine) and
PostgreSQL (a database of its own per test; the locks are advisory locks there).
"""

from __future__ import annotations

import json
import re
import socket

import pytest
from fixtures import news_site
from support.service import slow_articles, smtp_block, wait_for
from support.workers import Archive, scheduler, wait_for_line, worker

from db.coordination import SourceLocks

RULES = [
    {"name": "drill", "query": '"drone-defense exercise"', "to": ["a@example.org"]},
    {"name": "blossoms", "query": '"cherry blossoms"', "to": ["a@example.org"]},
]


@pytest.fixture(params=["sqlite", "postgresql"])
def archive(request, workdir) -> Archive:
    if request.param == "sqlite":
        return Archive("sqlite", workdir)
    return Archive("postgresql", workdir, request.getfixturevalue("postgres_url"))


def queued_config(workdir, archive, smtp, redis_url, sources, **crawl):
    alerts = {"smtp": smtp_block(smtp), "rules": RULES}
    return news_site.write_config(workdir / "config.yaml", news_site.config_dict(
        sources, alerts=alerts, queue=redis_url, database=archive.database,
        crawl=crawl or None))  # fmt: skip


def both_sites(site, partner) -> list[dict]:
    return [news_site.yonhap_source(site.base, schedule="every 2s"),
            news_site.partner_source(partner.base, schedule="every 2s")]  # fmt: skip


def expected_articles(site, partner=None) -> set[str]:
    found = {site.base + p for p in news_site.expected_paths()}
    if partner is not None:
        found |= {partner.base + a.path for a in news_site.PARTNER_ARTICLES}
    return found


def urls(archive: Archive) -> list[str]:
    return sorted(u for (u,) in archive.rows("SELECT url FROM articles"))


@pytest.mark.slow
def test_two_workers_crawl_what_the_scheduler_queues_each_article_and_alert_once(
    site, partner, smtp, redis_url, workdir, archive
):
    config = queued_config(workdir, archive, smtp, redis_url, both_sites(site, partner))
    workers = [worker(config, workdir / f"worker{i}.log", "--concurrency", "1") for i in (1, 2)]
    for each in workers:  # a worker still starting (a loaded machine) would leave all to one
        wait_for_line(each, " ready.", 60)
    run = scheduler(config, workdir / "run.log")
    try:
        wait_for(lambda: archive.ok_runs("yonhap") >= 3, 90, "three crawls of yonhap")
        wait_for(lambda: len(smtp.inbox.messages) >= 1, 30, "the first alert")
        news_site.add_late_news(site)
        wait_for(lambda: len(smtp.inbox.messages) >= 2, 60, "the alert for the late article")
        crawls = site.count("/news/1")
        wait_for(lambda: site.count("/news/1") >= crawls + 2, 30, "two more crawls")
        wait_for(lambda: all("crawl started" in w.output() for w in workers), 60,
                 "a crawl taken by each worker")  # fmt: skip
    finally:
        codes = [p.stop() for p in (run, *workers)]
    late = site.base + news_site.LATE_NEWS.path
    assert urls(archive) == sorted(expected_articles(site, partner) | {late}), "each once"
    subjects = sorted(str(m["Subject"]) for m in smtp.inbox.messages)
    assert subjects == ["[newswatch] blossoms: 1 new story", "[newswatch] drill: 1 new story"]
    assert codes == [0, 0, 0], [p.output()[-2000:] for p in (run, *workers)]
    assert "crawl started" not in run.output(), "the scheduler must not crawl itself"
    assert re.search(r"batch#\d+ queued: (yonhap|partner)", run.output()), run.output()[-2000:]
    crawled_by = [w for w in workers if "crawl started" in w.output()]
    assert len(crawled_by) == 2, "both workers took crawls"
    for log in (run.output(), *(w.output() for w in workers)):
        assert "Traceback" not in log, log[-3000:]
    runs = archive.rows("SELECT source, started_at, finished_at FROM crawl_runs ORDER BY id")
    for source in ("yonhap", "partner"):  # never two crawls of a source at once
        spans = sorted((s, f) for name, s, f in runs if name == source)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans


def test_a_source_locked_on_another_machine_is_not_crawled(site, write_config, run_cli,
                                                          postgres_url):  # fmt: skip
    """The advisory lock alone (no lock file here: as a worker on another machine) keeps a
    second crawl of the source off the PostgreSQL archive."""
    config = write_config(database=postgres_url, feeds=[], sitemaps=[])
    elsewhere = SourceLocks(postgres_url, ["yonhap"])
    try:
        assert elsewhere.locked == ["yonhap"]
        result = run_cli("crawl", config=config)
        assert result.returncode == 75, result.stdout + result.stderr
        assert "yonhap: another crawl of this source is running (elsewhere" in result.stdout
    finally:
        elsewhere.release_all()
    assert run_cli("crawl", config=config).returncode == 0


def status_json(run_cli, config) -> dict:
    result = run_cli("status", "--json", config=config)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["queue"]


@pytest.mark.slow
def test_a_standby_scheduler_takes_over_when_the_active_one_is_killed(
    site, partner, smtp, redis_url, workdir, run_cli, archive
):
    config = queued_config(workdir, archive, smtp, redis_url, both_sites(site, partner))
    one = worker(config, workdir / "worker.log", "--concurrency", "1")
    first = scheduler(config, workdir / "first.log")
    second = None
    try:
        wait_for_line(first, "scheduler active", 30)
        second = scheduler(config, workdir / "second.log")
        wait_for_line(second, "standing by to take over", 30)
        wait_for(lambda: archive.ok_runs("yonhap") >= 1, 60, "a first crawl")
        queue = status_json(run_cli, config)
        roles = {s["pid"]: (s["role"], s["alive"]) for s in queue["schedulers"]}
        assert roles == {first.pid: ("active", True), second.pid: ("standby", True)}, queue
        workers = [(w["pid"], w["alive"], w["concurrency"]) for w in queue["workers"]]
        assert workers == [(one.pid, True, 1)], queue
        first.kill()
        took = wait_for_line(second, "scheduler active", 60)
        print(f"failover ({archive.kind}): the standby scheduled {took:.1f} s after kill -9")
        assert took < 30 + 5, f"the standby took over after {took:.1f} s"
        crawled = archive.ok_runs("yonhap")
        wait_for(lambda: archive.ok_runs("yonhap") >= crawled + 2, 60, "crawls after takeover")
        host = socket.gethostname()
        silent = f"scheduler silent: {host} pid {first.pid}"
        wait_for(lambda: silent in run_cli("status", config=config).stdout, 30, silent)
        text = run_cli("status", config=config).stdout
        assert f"scheduler active: {host} pid {second.pid}" in text, text
    finally:
        codes = [p.stop() for p in (first, second, one) if p and p.proc.poll() is None]
    assert codes == [0, 0], (second.output()[-2000:], one.output()[-2000:])
    assert urls(archive) == sorted(expected_articles(site, partner))


def crawl_task_ids(log: str) -> list[str]:
    return re.findall(r"Task newswatch\.crawl\[([0-9a-f-]+)\] received", log)


@pytest.mark.slow
def test_a_worker_killed_mid_crawl_leaves_its_task_to_another(
    site, smtp, redis_url, workdir, archive
):
    """kill -9 of the worker crawling: its task is redelivered to the other worker once the
    visibility timeout has passed (time limit 8 s + grace: about a minute), and no article is
    stored twice."""
    slow_articles(site, 1.0)
    sources = [news_site.yonhap_source(site.base, schedule="every 2s")]
    config = queued_config(workdir, archive, smtp, redis_url, sources, time_limit=8,
                           concurrency_per_domain=1)  # fmt: skip
    workers = [worker(config, workdir / f"worker{i}.log", "--concurrency", "1") for i in (1, 2)]
    run = scheduler(config, workdir / "run.log")
    try:
        wait_for(lambda: archive.count("SELECT COUNT(*) FROM articles") >= 2, 60, "articles")
        victim, other = sorted(workers, key=lambda w: "crawl started" not in w.output())
        (task,) = crawl_task_ids(victim.output())
        victim.kill()
        stored = archive.count("SELECT COUNT(*) FROM articles")
        took = wait_for_line(other, f"Task newswatch.crawl[{task}] received", 120)
        print(f"redelivered ({archive.kind}) {took:.0f} s after kill -9, {stored} articles in")
        expected = expected_articles(site)
        wait_for(lambda: len(urls(archive)) >= len(expected), 120, "every article")
        wait_for(lambda: len(smtp.inbox.messages) >= 1, 30, "the alert")
    finally:
        codes = [p.stop() for p in (run, *workers) if p.proc.poll() is None]
    assert set(codes) == {0}, (run.output()[-2000:], other.output()[-2000:])
    assert urls(archive) == sorted(expected), "each article once"
    assert [str(m["Subject"]) for m in smtp.inbox.messages] == ["[newswatch] drill: 1 new story"]
    assert not archive.rows("SELECT id FROM crawl_runs WHERE status = 'running'")


def test_worker_without_a_queue_is_one_line_and_exit_2(write_config, run_cli):
    result = run_cli("worker", config=write_config())
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "queue: not set; `newswatch worker` needs the Redis URL that `newswatch run` queues to,"
        " e.g. redis://127.0.0.1:6379/0"
    ), result.stderr
    assert "\n" not in result.stderr.strip()


def test_status_says_when_the_queue_cannot_be_read(write_config, run_cli):
    config = write_config(queue="redis://:secret@127.0.0.1:1/0")
    result = run_cli("status", config=config)
    assert result.returncode == 0, result.stderr
    assert "queue: redis://:***@127.0.0.1:1/0\n  cannot reach the queue: " in result.stdout
    queue = json.loads(run_cli("status", "--json", config=config).stdout)["queue"]
    assert queue["error"].startswith("cannot reach the queue") and queue["workers"] == []
    assert "secret" not in result.stdout + json.dumps(queue)


def test_status_without_a_queue_has_no_queue_key(write_config, run_cli):
    result = run_cli("status", "--json", config=write_config())
    assert "queue" not in json.loads(result.stdout)
