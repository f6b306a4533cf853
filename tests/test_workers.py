"""`newswatch run` as the scheduler and `newswatch worker`s crawling, on a real Redis (issue 22).

On a SQLite archive the workers share its file on one machine; the PostgreSQL versions
are in test_workers_pg.py.
"""

from __future__ import annotations

import json
import re
import socket

import pytest
from fixtures import news_site
from support.service import count, rows, slow_articles, smtp_block, wait_for
from support.workers import scheduler, wait_for_line, worker

RULES = [
    {"name": "drill", "query": '"drone-defense exercise"', "to": ["a@example.org"]},
    {"name": "blossoms", "query": '"cherry blossoms"', "to": ["a@example.org"]},
]


def queued_config(workdir, site, partner, smtp, redis_url, **crawl):
    sources = [news_site.yonhap_source(site.base, schedule="every 2s"),
               news_site.partner_source(partner.base, schedule="every 2s")]  # fmt: skip
    alerts = {"smtp": smtp_block(smtp), "rules": RULES}
    return news_site.write_config(workdir / "config.yaml", news_site.config_dict(
        sources, alerts=alerts, queue=redis_url, crawl=crawl or None))  # fmt: skip


def ok_runs(db, source: str) -> int:
    return count(db, f"SELECT COUNT(*) FROM crawl_runs WHERE status = 'ok' AND source = '{source}'")


def expected_articles(site, partner) -> set[str]:
    late = {site.base + news_site.LATE_NEWS.path}
    return (
        late
        | {site.base + p for p in news_site.expected_paths()}
        | {partner.base + a.path for a in news_site.PARTNER_ARTICLES}
    )


def test_a_worker_crawls_what_the_scheduler_queues(site, partner, smtp, redis_url, workdir):
    config = queued_config(workdir, site, partner, smtp, redis_url)
    db = workdir / "news.db"
    one = worker(config, workdir / "worker.log")
    run = scheduler(config, workdir / "run.log")
    try:
        wait_for(lambda: ok_runs(db, "yonhap") >= 3, 90, "three crawls of yonhap")
        wait_for(lambda: len(smtp.inbox.messages) >= 1, 30, "the first alert")
        news_site.add_late_news(site)
        wait_for(lambda: len(smtp.inbox.messages) >= 2, 60, "the alert for the late article")
        crawls = site.count("/news/1")
        wait_for(lambda: site.count("/news/1") >= crawls + 2, 30, "two more crawls")
    finally:
        run_code, worker_code = run.stop(), one.stop()
    urls = [u for (u,) in rows(db, "SELECT url FROM articles")]
    assert sorted(urls) == sorted(expected_articles(site, partner)), urls
    subjects = sorted(str(m["Subject"]) for m in smtp.inbox.messages)
    assert subjects == ["[newswatch] blossoms: 1 new story", "[newswatch] drill: 1 new story"]
    assert run_code == 0 and worker_code == 0, (run.output()[-2000:], one.output()[-2000:])
    assert "crawl started" not in run.output(), "the scheduler must not crawl itself"
    assert "queued: yonhap" in run.output() or "queued: partner" in run.output()
    assert "source=yonhap run=yonhap#1: crawl started" in one.output(), one.output()[-2000:]
    for log in (run.output(), one.output()):
        assert "Traceback" not in log, log[-3000:]


def status_json(run_cli, config) -> dict:
    result = run_cli("status", "--json", config=config)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["queue"]


@pytest.mark.slow
def test_a_standby_scheduler_takes_over_when_the_active_one_is_killed(
    site, partner, smtp, redis_url, workdir, run_cli
):
    config = queued_config(workdir, site, partner, smtp, redis_url)
    db = workdir / "news.db"
    one = worker(config, workdir / "worker.log", "--concurrency", "1")
    first = scheduler(config, workdir / "first.log")
    second = None
    try:
        wait_for_line(first, "scheduler active", 30)
        second = scheduler(config, workdir / "second.log")
        wait_for_line(second, "standing by to take over", 30)
        wait_for(lambda: ok_runs(db, "yonhap") >= 1, 60, "a first crawl")
        queue = status_json(run_cli, config)
        roles = {s["pid"]: (s["role"], s["alive"]) for s in queue["schedulers"]}
        assert roles == {first.pid: ("active", True), second.pid: ("standby", True)}, queue
        assert [(w["pid"], w["alive"], w["concurrency"]) for w in queue["workers"]] == [
            (one.pid, True, 1)
        ], queue
        first.kill()
        took = wait_for_line(second, "scheduler active", 60)
        print(f"failover: the standby scheduled {took:.1f} s after kill -9 of the active one")
        assert took < 30 + 5, f"the standby took over after {took:.1f} s"
        crawled = ok_runs(db, "yonhap")
        wait_for(lambda: ok_runs(db, "yonhap") >= crawled + 2, 60, "crawls after the takeover")
        host = socket.gethostname()
        silent = f"scheduler silent: {host} pid {first.pid}"
        wait_for(lambda: silent in run_cli("status", config=config).stdout, 30, silent)
        text = run_cli("status", config=config).stdout
        assert f"scheduler active: {host} pid {second.pid}" in text, text
    finally:
        codes = [p.stop() for p in (first, second, one) if p and p.proc.poll() is None]
    assert codes == [0, 0], (second.output()[-2000:], one.output()[-2000:])
    urls = [u for (u,) in rows(db, "SELECT url FROM articles")]
    assert sorted(urls) == sorted(
        expected_articles(site, partner) - {site.base + news_site.LATE_NEWS.path}
    )


def crawl_task_ids(log: str) -> list[str]:
    return re.findall(r"Task newswatch\.crawl\[([0-9a-f-]+)\] received", log)


@pytest.mark.slow
def test_a_worker_killed_mid_crawl_leaves_its_task_to_another(site, smtp, redis_url, workdir):
    """kill -9 of the worker crawling: its task is redelivered to the other worker once the
    visibility timeout has passed (time limit 8 s + grace: about a minute), and no article is
    stored twice."""
    slow_articles(site, 1.0)
    source = news_site.yonhap_source(site.base, schedule="every 2s")
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict(
        [source], queue=redis_url, alerts={"smtp": smtp_block(smtp), "rules": RULES},
        crawl={"time_limit": 8, "concurrency_per_domain": 1}))  # fmt: skip
    db = workdir / "news.db"
    workers = [worker(config, workdir / f"worker{i}.log", "--concurrency", "1") for i in (1, 2)]
    run = scheduler(config, workdir / "run.log")
    try:
        wait_for(lambda: count(db, "SELECT COUNT(*) FROM articles") >= 2, 60, "articles stored")
        victim, other = sorted(workers, key=lambda w: "crawl started" not in w.output())
        (task,) = crawl_task_ids(victim.output())
        victim.kill()
        stored = count(db, "SELECT COUNT(*) FROM articles")
        took = wait_for_line(other, f"Task newswatch.crawl[{task}] received", 120)
        print(f"redelivered {took:.0f} s after kill -9 ({stored} articles stored by then)")
        expected = {site.base + p for p in news_site.expected_paths()}
        wait_for(lambda: len(rows(db, "SELECT url FROM articles")) >= len(expected), 120,
                 "every article")  # fmt: skip
        wait_for(lambda: len(smtp.inbox.messages) >= 1, 30, "the alert")
    finally:
        codes = [p.stop() for p in (run, *workers) if p.proc.poll() is None]
    assert set(codes) == {0}, (run.output()[-2000:], other.output()[-2000:])
    urls = [u for (u,) in rows(db, "SELECT url FROM articles")]
    assert sorted(urls) == sorted(expected), "each article once"
    assert [str(m["Subject"]) for m in smtp.inbox.messages] == ["[newswatch] drill: 1 new story"]
    assert not rows(db, "SELECT id FROM crawl_runs WHERE status = 'running'")
