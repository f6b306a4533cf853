"""Following a developing story (issue 19): one alert when it breaks, one update per version
that adds facts, threaded under the alert; nothing for copies, new headlines or re-wraps.

The fixture sites publish the story one version per crawl (fixtures/developing_story.py);
the crawls are the real `newswatch crawl`, the mail goes to a real SMTP server.
"""

from __future__ import annotations

import re

import pytest
from fixtures import developing_story as dev
from fixtures import news_site
from support.alerts import parts, unwrapped
from support.service import smtp_block

RULES = [
    {"name": "plant-fire", "query": '"chemical plant"', "to": ["desk@example.org"],
     "updates": True},
    {"name": "fires", "query": '"chemical plant"', "to": ["other@example.org"]},
]  # fmt: skip


@pytest.fixture
def sites(make_site):
    yonhap, partner = make_site("127.0.0.1"), make_site("127.0.0.2")
    dev.publish_partner(partner)
    return yonhap, partner


def crawl(run_cli, config) -> str:
    result = run_cli("crawl", config=config)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_rule_that_follows_gets_the_alert_and_one_threaded_update_per_version_that_adds(
    sites, smtp, workdir, run_cli
):
    yonhap, partner = sites
    config = news_site.write_config(
        workdir / "config.yaml", dev.config(yonhap, partner, smtp=smtp_block(smtp), rules=RULES)
    )
    outputs = []
    for n in range(1, len(dev.UPDATES) + 1):  # flash, story, LEAD, 2nd LD: one per crawl
        dev.publish(yonhap, dev.UPDATES[:n])
        outputs.append(crawl(run_cli, config))
    desk, other = smtp.inbox.to("desk@example.org"), smtp.inbox.to("other@example.org")
    assert [m["Subject"] for m in other] == ["[newswatch] fires: 1 new story"]
    assert [m["Subject"] for m in desk] == [
        "[newswatch] plant-fire: 1 new story",
        "[newswatch] plant-fire: update — Fire breaks out at chemical plant in Ulsan, workers"
        " evacuated",
        "[newswatch] plant-fire: update — Chemical plant fire in Ulsan injures 3 workers",
        "[newswatch] plant-fire: update — Chemical plant fire in Ulsan put out after 5 hours; 3"
        " injured",
    ]
    alert_id = desk[0]["Message-ID"]
    for update in desk[1:]:
        assert update["In-Reply-To"] == alert_id and update["References"] == alert_id
        assert update["Message-ID"] != alert_id
    assert "update plant-fire: 1 version adding news" in outputs[1], outputs[1]

    lead = parts(desk[2])
    text = unwrapped(lead["text/plain"])
    assert yonhap.url(dev.LEAD.path) in text and yonhap.url(dev.FLASH.path) in text
    assert "Headline changed from: Fire breaks out at chemical plant in Ulsan, workers" in text
    assert "LEAD · 3 new sentences" in text, text
    assert f"NEW {dev.P_INJURED}" in text and f"NEW {dev.P_TEXT_ALERT}" in text, text
    assert dev.P_START not in text and dev.P_ENGINES not in text, "known sentences are not new"
    assert f"First alerted as: {dev.FLASH.headline} {yonhap.url(dev.FLASH.path)}" in text
    html = lead["text/html"]
    assert re.search(r">NEW</span>Two of the injured workers", html), html
    assert f'href="{yonhap.url(dev.LEAD.path)}"' in html

    # Nothing more: a copy elsewhere, a new headline with a new byline and photo, a re-wrap
    # that adds one sentence, and every version seen again.
    dev.publish_partner(partner, [dev.PARTNER])
    dev.publish(yonhap, [*dev.UPDATES, *dev.QUIET])
    crawl(run_cli, config)
    crawl(run_cli, config)
    subjects = [m["Subject"] for m in smtp.inbox.messages]
    assert len(subjects) == 5, subjects

    # They were stored, in the story, and added what they added:
    shown = run_cli("story", yonhap.url(dev.FOURTH.path), config=config)
    assert shown.returncode == 0, shown.stderr
    heads = re.findall(r"^\d+\. (.+)$", shown.stdout, re.M)
    assert heads == [
        "URGENT · 2023-03-06 10:02 KST · yonhap · 1 new sentence",
        "original · 2023-03-06 10:10 KST · yonhap · 3 new sentences",
        "LEAD · 2023-03-06 11:30 KST · yonhap · 3 new sentences",
        "2nd LD · 2023-03-06 14:05 KST · yonhap · 4 new sentences",
        "3rd LD · 2023-03-06 14:40 KST · yonhap · nothing new",
        "copy · 2023-03-06 15:00 KST · partner · nothing new",
        "4th LD · 2023-03-06 16:00 KST · yonhap · 1 new sentence",
    ], shown.stdout
    assert f"+ {dev.P_WEEK}" in shown.stdout, shown.stdout
    assert shown.stdout.count("sent as an update by rule plant-fire") == 3, shown.stdout
