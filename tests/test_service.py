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


def test_a_hung_crawl_is_killed_at_its_limit_and_scheduling_goes_on(site, workdir):
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
                and len(rows(db, "SELECT 1 FROM crawl_runs WHERE last_error LIKE 'killed%'")) >= 2
            ),  # fmt: skip
            60,
            "two crawls killed at the limit",
        )
    finally:
        code, err, _ = service.stop()
    assert code == 0, err[-2000:]
    events = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    killed = [e for e in events if e["message"].startswith("crawl killed")]
    assert len(killed) >= 2 and killed[0]["source"] == "yonhap", events[-5:]
    assert len({e["run"] for e in killed}) == len(killed), "each kill names its own run"


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
