"""Alerts end to end: a real archive, a real SMTP server on loopback, the Maildir default."""

from __future__ import annotations

import mailbox
import re

from support.alerts import BODY, add_article, alert_pass, outbox, parts, unwrapped, write_config
from support.smtp import SmtpServer

import db
from scheduler.alerts import queue_digest


def test_one_email_per_rule_with_text_and_html(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster extended deterrence")
    add_article(config, "https://en.yna.co.kr/view/AEN2", "Seoul stocks open higher", "Stocks.")
    matched, sent = alert_pass(config)
    assert matched.alerts == {"deterrence": 1} and sent.sent == 1
    [message] = smtp.inbox.messages
    assert message["Subject"] == "[newswatch] deterrence: 1 new story"
    assert message["To"] == "analyst@example.org"
    assert message["Message-ID"].endswith("@example.org>")
    body = parts(message)
    assert set(body) == {"text/plain", "text/html"}
    text = body["text/plain"]
    assert "https://en.yna.co.kr/view/AEN1" in text
    assert "\n   https://en.yna.co.kr/view/AEN1\n" in text, text
    assert "wire · 2023-02-01 02:35 KST" in text, text
    assert "bolster *extended deterrence* against" in unwrapped(text), text
    assert re.search(r"<mark[^>]*>extended deterrence</mark>", body["text/html"])
    assert 'href="https://en.yna.co.kr/view/AEN1"' in body["text/html"]


def test_a_story_alerts_once_across_updates_copies_reruns_and_restarts(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port)
    first = add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    alert_pass(config)
    add_article(config, "https://en.yna.co.kr/view/AEN1-51", "(LEAD) Allies bolster deterrence",
                BODY + "\n\nAn added paragraph.", story_id=first)  # fmt: skip
    add_article(config, "http://127.0.0.2/article/1", "Allies bolster deterrence", BODY,
                source="partner", story_id=first)  # fmt: skip
    matched, sent = alert_pass(config)
    assert matched.alerts == {} and sent.sent == 0
    config = write_config(tmp_path, smtp.port)  # as after a restart
    assert alert_pass(config)[0].alerts == {}
    assert len(smtp.inbox.messages) == 1


def test_also_carried_by_lists_the_syndicated_copy(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port)
    first = add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    add_article(config, "http://127.0.0.2/article/1", "Allies bolster deterrence", BODY,
                source="partner", story_id=first)  # fmt: skip
    alert_pass(config)
    text = parts(smtp.inbox.messages[0])["text/plain"]
    assert "Also carried by partner:\n   http://127.0.0.2/article/1\n" in text, text
    html = parts(smtp.inbox.messages[0])["text/html"]
    assert 'Also carried by <a href="http://127.0.0.2/article/1"' in html, html


def test_server_down_then_up_loses_nothing_and_sends_once(tmp_path):
    server = SmtpServer()  # not started: connection refused
    config = write_config(tmp_path, server.port)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    matched, report = alert_pass(config)
    assert (report.sent, report.retrying) == (0, 1), report
    assert outbox(config) == [("analyst@example.org", "pending", 1)]
    assert alert_pass(config, force=False)[1].retrying == 0, "backoff: not retried at once"
    server.start()
    try:
        assert alert_pass(config)[1].sent == 1
        assert alert_pass(config)[1].sent == 0
        assert len(server.inbox.messages) == 1
        assert outbox(config) == [("analyst@example.org", "sent", 2)]
    finally:
        server.stop()


def test_temporary_rejection_is_retried(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    smtp.inbox.refuse_data = "451 4.3.0 mailbox busy, try later"
    report = alert_pass(config)[1]
    assert report.retrying == 1 and "451" in report.errors[0]
    smtp.inbox.refuse_data = ""
    assert alert_pass(config)[1].sent == 1
    assert len(smtp.inbox.messages) == 1


def test_permanent_rejection_of_one_recipient_is_recorded_not_retried(tmp_path, smtp):
    rule = "    - {name: both, query: deterrence, to: [a@example.org, gone@example.org]}\n"
    config = write_config(tmp_path, smtp.port, rule)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    smtp.inbox.refuse_rcpt["gone@example.org"] = "550 5.1.1 no such user"
    report = alert_pass(config)[1]
    assert (report.sent, report.failed) == (2, 1), report
    assert len(smtp.inbox.to("a@example.org")) == 1
    assert ("gone@example.org", "failed", 1) in outbox(config)
    assert alert_pass(config)[1].failed == 0, "a permanent failure is not retried"
    archive = db.open_db(config.database)
    failed = db.status_snapshot(archive, config)["outbox"]["failed"]
    assert failed[0]["recipient"] == "gone@example.org" and "550" in failed[0]["last_error"]


def test_hostile_titles_stay_inert_and_out_of_headers(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port)
    title = 'Deterrence <script>alert(1)</script><img src=x onerror="alert(2)">\r\nBcc: x@evil.org'
    add_article(config, "https://en.yna.co.kr/view/AEN1", title)
    alert_pass(config)
    [message] = smtp.inbox.messages
    assert message["Bcc"] is None and smtp.inbox.envelopes[0][1] == ["analyst@example.org"]
    html = parts(message)["text/html"]
    assert "<script" not in html and "<img" not in html, html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert all("\n" not in str(v) and "\r" not in str(v) for v in message.values())


def test_maildir_is_the_default_without_smtp(tmp_path):
    config = write_config(tmp_path, None)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    assert alert_pass(config)[1].sent == 1
    box = mailbox.Maildir(tmp_path / "maildir", create=False)
    [message] = list(box)
    assert message["Subject"] == "[newswatch] deterrence: 1 new story"
    assert {p.get_content_type() for p in message.walk()} >= {"text/plain", "text/html"}


def test_a_digest_rule_waits_for_its_digest_and_lists_every_story(tmp_path, smtp):
    rule = "    - {name: daily, query: tabletop, to: [d@example.org], digest: '0 8 * * *'}\n"
    config = write_config(tmp_path, smtp.port, rule)
    for i in range(32):
        add_article(config, f"https://en.yna.co.kr/view/AEN{i}", f"Story {i}", f"tabletop {i} " * 9)
    matched, _ = alert_pass(config)
    assert "daily" not in matched.alerts and smtp.inbox.to("d@example.org") == []
    archive = db.open_db(config.database)
    assert queue_digest(archive, config, "daily") == 32
    assert queue_digest(archive, config, "daily") == 0
    archive.close()
    alert_pass(config)
    first, second = smtp.inbox.to("d@example.org")
    assert first["Subject"] == "[newswatch] daily: 32 new stories (1/2)"
    assert second["Subject"] == "[newswatch] daily: 32 new stories (2/2)"
    texts = [parts(m)["text/plain"] for m in (first, second)]
    assert texts[0].startswith("daily: 32 new stories\nStories mentioning “tabletop”.\n"
                               "Digest of the stories matched up to "), texts[0]  # fmt: skip
    listed = [re.findall(r"^\d+\. Story (\d+)$", t, re.M) for t in texts]
    assert [len(n) for n in listed] == [30, 2]
    assert sorted(int(n) for n in listed[0] + listed[1]) == list(range(32))
