"""Following a developing story (issue 19): one alert when it breaks, one update per version
that adds facts, threaded under the alert; nothing for copies, new headlines or re-wraps.

The fixture sites publish the story one version per crawl (fixtures/developing_story.py);
the crawls are the real `newswatch crawl`, the mail goes to a real SMTP server.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from fixtures import developing_story as dev
from fixtures import news_site
from sqlite_utils import Database
from support.alerts import add_article, alert_pass, parts, unwrapped, write_config
from support.service import smtp_block

import db
from db.schema import MIGRATIONS, _v8_story_updates
from scheduler.alerts import queue_digest

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
    # that adds one sentence; and the versions before, linked again.
    dev.publish_partner(partner, [dev.PARTNER])
    dev.publish(yonhap, [*dev.UPDATES, *dev.QUIET])
    last = crawl(run_cli, config)
    assert re.search(r"^yonhap\s+ok\s+\d+\s+2\s+2\s", last, re.M), last  # 3rd and 4th LD
    assert re.search(r"^partner\s+ok\s+\d+\s+1\s+1\s", last, re.M), last
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


# -- the same, on articles added straight to the archive ---------------------------------------

BODIES = {story: "\n\n".join(story.paragraphs) for story in (*dev.UPDATES, *dev.QUIET)}


def add(config, story, first: int | None = None, source: str = "wire") -> int:
    site = "https://en.yna.co.kr" if source == "wire" else "http://127.0.0.2/article"
    return add_article(config, f"{site}{story.path}", story.headline, BODIES[story],
                       source=source, story_id=first)  # fmt: skip


def rules(*lines: str) -> str:
    return "".join(f"    - {{{line}}}\n" for line in lines)


def test_update_min_sentences_and_sources_choose_which_versions_update_which_rule(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port, rules(
        "name: any, query: '\"chemical plant\"', to: [any@x.org], updates: true,"
        " update_min_sentences: 1",
        "name: many, query: '\"chemical plant\"', to: [many@x.org], updates: true,"
        " update_min_sentences: 4",
        "name: partner-only, query: '\"chemical plant\"', to: [p@x.org], updates: true,"
        " sources: [partner]",
    ))  # fmt: skip
    first = add(config, dev.LEAD)
    add(config, dev.LEAD, first, source="partner")  # the partner alerts its rule too
    alert_pass(config)
    add(config, dev.SECOND, first)  # 4 new sentences
    add(config, dev.FOURTH, first)  # 1 more
    matched, _ = alert_pass(config)
    assert matched.updates == {"any": 2, "many": 1}, matched.updates
    subjects = {a: [m["Subject"] for m in smtp.inbox.to(a)] for a in ("any@x.org", "many@x.org")}
    assert subjects["any@x.org"][1:] == [
        "[newswatch] any: update — Ulsan chemical plant fire extinguished; 3 workers hurt"
    ], "both versions of one pass: one email, named for the newest"
    text = parts(smtp.inbox.to("any@x.org")[1])["text/plain"]
    assert "2nd LD · 4 new sentences" in text and "4th LD · 1 new sentence" in text, text
    assert len(subjects["many@x.org"]) == 2 and smtp.inbox.to("p@x.org")[1:] == []


def test_a_digest_rule_lists_updates_under_their_story_in_its_next_digest(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port, rules(
        "name: daily, query: '\"chemical plant\"', to: [d@x.org], digest: '0 8 * * *',"
        " updates: true",
    ))  # fmt: skip
    first = add(config, dev.FLASH)
    add(config, dev.STORY, first)  # before the digest: the digest shows it
    alert_pass(config)
    archive = db.open_db(config.database)
    assert queue_digest(archive, config, "daily") == 1
    add(config, dev.LEAD, first)
    add(config, dev.SECOND, first)
    other = add_article(config, "https://en.yna.co.kr/view/AEN9", "Chemical plant opens",
                        "A new chemical plant opened in Yeosu on Friday.")  # fmt: skip
    matched, _ = alert_pass(config)
    assert matched.updates == {"daily": 2} and len(smtp.inbox.messages) == 1
    assert queue_digest(archive, config, "daily") == 2
    assert queue_digest(archive, config, "daily") == 0
    archive.close()
    alert_pass(config)
    first_digest, digest = smtp.inbox.to("d@x.org")
    assert first_digest["Subject"] == "[newswatch] daily: 1 new story"
    assert digest["Subject"] == "[newswatch] daily: 1 new story, 1 story updated"
    text = parts(digest)["text/plain"]
    assert re.search(r"^1\. Chemical plant opens$", text, re.M), text
    update = text.split("Updated since an earlier digest:", 1)[1]
    assert update.startswith(f"\n\n2. {dev.FLASH.headline}\n"), update
    assert update.index(dev.LEAD.headline) < update.index(dev.SECOND.headline), update
    assert f"NEW  {dev.P_INJURED[:40]}" in update and dev.P_START[:40] not in update, update
    assert other and "Headline changed from" in update


KILLED = """
import os, signal, sys
import db
from newswatch.config import load_config
from scheduler.alerts import match_new_articles
config = load_config(sys.argv[1])
archive = db.open_db(config.database)
print("opened", flush=True)
sys.stdin.readline()
match_new_articles(archive, config)
os.kill(os.getpid(), signal.SIGKILL)  # after matching, before sending
"""


@pytest.mark.parametrize("when", ["before the commit", "after the commit, before sending"])
def test_kill_9_between_matching_and_sending_neither_loses_nor_doubles_an_update(
    tmp_path, smtp, when
):
    config = write_config(tmp_path, smtp.port, rules(
        "name: plant, query: '\"chemical plant\"', to: [d@x.org], updates: true",
    ))  # fmt: skip
    first = add(config, dev.FLASH)
    alert_pass(config)
    add(config, dev.STORY, first)
    pipe = subprocess.PIPE
    matcher = subprocess.Popen([sys.executable, "-c", KILLED, str(config.path)],
                               stdin=pipe, stdout=pipe, text=True)  # fmt: skip
    assert matcher.stdout.readline() == "opened\n"
    lock = sqlite3.connect(config.database, isolation_level=None)
    if when == "before the commit":
        lock.execute("BEGIN IMMEDIATE")  # the pass waits for the write lock: killed waiting
    matcher.stdin.write("go\n")
    matcher.stdin.close()
    if when == "before the commit":
        time.sleep(1)
        os.kill(matcher.pid, signal.SIGKILL)
    assert matcher.wait(60) == -signal.SIGKILL
    matcher.stdout.close()
    lock.execute("ROLLBACK") if lock.in_transaction else None
    queued = lock.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    lock.close()
    assert queued == (0 if when == "before the commit" else 1)
    alert_pass(config)
    alert_pass(config)
    subjects = [m["Subject"] for m in smtp.inbox.to("d@x.org")]
    assert subjects == ["[newswatch] plant: 1 new story",
                        f"[newswatch] plant: update — {dev.STORY.headline}"]  # fmt: skip


def test_an_archive_from_before_updates_threads_its_first_update_under_the_old_alert(
    tmp_path, smtp
):
    config = write_config(tmp_path, smtp.port, rules(
        "name: plant, query: '\"chemical plant\"', to: [d@x.org], updates: true",
    ))  # fmt: skip
    old = Database(sqlite3.connect(config.database, isolation_level=None))
    with db.write_transaction(old):  # the schema before updates, the flash alerted and sent
        for step in MIGRATIONS[: MIGRATIONS.index(_v8_story_updates)]:
            step(old)
        old.execute(f"PRAGMA user_version = {MIGRATIONS.index(_v8_story_updates)}")
    row = {"url": "https://en.yna.co.kr/view/F", "source": "wire", "title": dev.FLASH.headline,
           "body": BODIES[dev.FLASH], "published_at": "2023-03-06T01:02:00Z"}  # fmt: skip
    first = db.insert_article(old, row, [], None)
    old.execute("INSERT INTO alert_matches VALUES ('plant', ?, ?, '2023-03-06T01:05:00Z', 0)",
                [first, first])  # fmt: skip
    sent_row = {"rule": "plant", "recipient": "d@x.org", "message_id": "<old@x.org>",
                "message": b"...", "story_ids": f"[{first}]", "status": "sent"}  # fmt: skip
    old["outbox"].insert(sent_row)
    old["state"].insert({"key": "matched_upto", "value": str(first)})
    old.close()
    add(config, dev.STORY, first)
    matched, sent = alert_pass(config)
    assert matched.updates == {"plant": 1} and sent.sent == 1
    [update] = smtp.inbox.to("d@x.org")
    assert update["In-Reply-To"] == "<old@x.org>" and update["References"] == "<old@x.org>"


def test_story_takes_an_id_or_any_link_to_an_article_and_names_what_it_cannot_find(
    tmp_path, run_cli
):
    config = write_config(tmp_path, None)
    first = add(config, dev.FLASH)
    add(config, dev.STORY, first)
    for given in (str(first), f"https://en.yna.co.kr{dev.STORY.path}?input=rss#top"):
        shown = run_cli("story", given, config=config.path)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.startswith(f"story {first}: {dev.STORY.headline}\n2 versions on wire")
        assert f"   + {dev.P_START[:60]}" in shown.stdout, shown.stdout
    errors = {
        "99": "no stored article has id 99",
        "https://x.org/a": "no stored article at https://x.org/a",
        "AEN1": "'AEN1': expected an article id (a number) or its URL",
    }
    for given, error in errors.items():
        failed = run_cli("story", given, config=config.path)
        assert (failed.returncode, failed.stdout) == (2, "")
        assert failed.stderr == f"newswatch: error: {error}\n"


def test_rules_list_says_which_rules_follow_their_stories(tmp_path, run_cli):
    config = write_config(tmp_path, None, rules(
        "name: plant, query: plant, to: [d@x.org], updates: true, update_min_sentences: 3",
    ))  # fmt: skip
    listed = run_cli("rules", "list", config=config.path).stdout.splitlines()
    assert re.search(r"^deterrence .* after each crawl\s+-$", listed[1]), listed
    assert re.search(r"^plant .* after each crawl, updates \(≥ 3 new sentences\)\s+-$", listed[2])
