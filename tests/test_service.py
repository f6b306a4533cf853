"""`newswatch run` in a subprocess on a 1 s schedule, against the fixture site and SMTP."""

from __future__ import annotations

import json

from fixtures import news_site
from support.service import Service, rows, smtp_block, wait_for


def test_service_recrawls_alerts_what_appears_and_stops_cleanly(site, workdir, smtp):
    alerts = {"smtp": smtp_block(smtp), "rules": [
        {"name": "drill", "query": '"drone-defense exercise"', "to": ["a@example.org"]},
        {"name": "blossoms", "query": '"cherry blossoms"', "to": ["a@example.org"]},
    ]}  # fmt: skip
    source = news_site.yonhap_source(site.base, schedule="every 1s")
    config = news_site.write_config(
        workdir / "config.yaml", news_site.config_dict([source], alerts=alerts)
    )
    service = Service(config)
    try:
        wait_for(lambda: site.count("/news/1") >= 3, 60, "three crawls of /news/1")
        wait_for(lambda: len(smtp.inbox.messages) >= 1, 20, "the first alert")
        news_site.add_late_news(site)
        wait_for(lambda: len(smtp.inbox.messages) >= 2, 60, "the alert for the late article")
        crawls = site.count("/news/1")
        wait_for(lambda: site.count("/news/1") >= crawls + 3, 30, "three more crawls")
    finally:
        code, err, took = service.stop()
    subjects = sorted(str(m["Subject"]) for m in smtp.inbox.messages)
    assert subjects == ["[newswatch] blossoms: 1 new story", "[newswatch] drill: 1 new story"], (
        subjects
    )
    assert code == 0, err[-2000:]
    assert took < 10, f"stopping took {took:.1f} s"
    assert "source=yonhap run=yonhap#1: crawl started" in err, err[-2000:]
    assert "Traceback" not in err, err[-3000:]


def test_a_hung_crawl_ends_at_its_limit_and_scheduling_goes_on(site, workdir):
    """The list page takes 30 s to answer; the crawl ends itself at its 2 s limit (the
    request's timeout is cut to the time left), its run is `timeout`, the next ones follow."""
    site.update("/news/1", delay=30)
    source = news_site.yonhap_source(site.base, schedule="every 1s", feeds=[], sitemaps=[])
    config = news_site.write_config(
        workdir / "config.yaml",
        news_site.config_dict([source], crawl={"timeout": 60, "time_limit": 2}),
    )
    service = Service(config, "--log-format", "json")
    db = workdir / "news.db"
    try:
        wait_for(
            lambda: (
                db.exists()
                and len(rows(db, "SELECT 1 FROM crawl_runs WHERE status = 'timeout'")) >= 3
            ),  # fmt: skip
            90,
            "three crawls ended at the limit (the last one may not be logged yet)",
        )
    finally:
        code, err, _ = service.stop()
    assert code == 0, err[-2000:]
    (reason,) = {
        r for (r,) in rows(db, "SELECT last_error FROM crawl_runs WHERE status = 'timeout'")
    }
    assert reason == "time limit of 2 s reached", reason
    events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    ended = [e for e in events if e["message"].startswith("crawl of yonhap timeout after")]
    assert len(ended) >= 2 and ended[0]["level"] == "warning", [e["message"] for e in events]
    assert len({e["run"] for e in ended}) == len(ended), "each timeout names its own run"
    took = [float(e["message"].split("after ")[1].split("s:")[0]) for e in ended]
    assert max(took) < 20, f"crawls stopped {took} s after starting, limit 2 s"


def test_a_layout_change_sends_exactly_one_health_email(site, workdir, smtp):
    alerts = {"smtp": smtp_block(smtp), "operator": "ops@example.org", "rules": []}
    source = news_site.yonhap_source(site.base, schedule="every 1s", feeds=[], sitemaps=[])
    config = news_site.write_config(
        workdir / "config.yaml", news_site.config_dict([source], alerts=alerts)
    )
    service = Service(config)
    try:
        wait_for(lambda: site.count("/news/1") >= 2, 60, "two good crawls")
        site.set("/news/1", "<html><body><div class='new-layout'>Headlines</div></body></html>")
        crawls = site.count("/news/1")
        wait_for(lambda: site.count("/news/1") >= crawls + 4, 60, "four crawls of the new layout")
    finally:
        code, err, _ = service.stop()
    assert code == 0, err[-2000:]
    health = smtp.inbox.to("ops@example.org")
    assert [str(m["Subject"]) for m in health] == ["[newswatch] source yonhap: ok -> broken"]
    text = health[0].get_content()
    assert "no article links found" in text, text


def test_a_stop_while_a_crawl_process_starts_is_an_interruption_not_a_broken_source(
    site, workdir, smtp
):
    """The service stops while its batch process is still importing (before Scrapy handles
    SIGTERM, so the child dies of it): that run is `interrupted`, the source is not judged,
    no health email is queued or sent. Each round stops one service at that moment."""
    alerts = {"smtp": smtp_block(smtp), "operator": "ops@example.org", "rules": []}
    source = news_site.yonhap_source(site.base, schedule="every 1s", feeds=[], sitemaps=[])
    config = news_site.write_config(
        workdir / "config.yaml", news_site.config_dict([source], alerts=alerts)
    )
    db = workdir / "news.db"
    for _ in range(3):
        service = Service(config)
        try:
            wait_for(service.children, 60, "a batch process")
        finally:
            code, err, _ = service.stop()
        assert code == 0, err[-2000:]
        assert "Traceback" not in err, err[-3000:]
    statuses = {s for (s,) in rows(db, "SELECT status FROM crawl_runs")}
    assert statuses <= {"interrupted"}, statuses
    assert rows(db, "SELECT source, state FROM source_health WHERE state != 'ok'") == []
    assert smtp.inbox.messages == []
