"""Mail faults against real SMTP servers on loopback: nothing lost, nothing leaked."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

from aiosmtpd.smtp import AuthResult
from support.alerts import add_article, alert_pass, outbox, write_config
from support.smtp import Inbox, SmtpServer

import db
from scheduler.alerts import match_new_articles

SECRET = "hunter2-never-printed"


class DropInData(Inbox):
    """Closes the connection in the middle of DATA, `times` times."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        if self.times:
            self.times -= 1
            server.transport.close()
            return "421 closing"
        return await super().handle_DATA(server, session, envelope)


def test_connection_dropped_in_the_middle_of_data_is_retried(tmp_path):
    inbox = DropInData(times=1)
    with SmtpServer(inbox) as server:
        config = write_config(tmp_path, server.port)
        add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
        first = alert_pass(config)[1]
        assert (first.sent, first.retrying) == (0, 1), first
        assert alert_pass(config)[1].sent == 1
        assert len(inbox.messages) == 1


def test_starttls_required_but_not_offered_sends_nothing_in_clear(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port, security="starttls")
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    report = alert_pass(config)[1]
    assert report.retrying == 1 and "does not offer STARTTLS" in report.errors[0], report
    assert smtp.inbox.messages == []
    assert outbox(config) == [("analyst@example.org", "pending", 1)]


class RejectingAuth:
    def __call__(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001
        return AuthResult(success=False, handled=False)


def test_the_smtp_password_never_appears_in_errors_status_or_logs(tmp_path, monkeypatch):
    server = SmtpServer(authenticator=RejectingAuth(), auth_require_tls=False).start()
    try:
        monkeypatch.setenv("NW_PASSWORD", SECRET)
        config = write_config(
            tmp_path, server.port, smtp_extra=", username: nw, password_env: NW_PASSWORD"
        )
        add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
        env = os.environ | {"NW_PASSWORD": SECRET}
        crawl = run([sys.executable, "-m", "newswatch.cli", "-v", "--config", str(config.path),
                     "crawl", "wire"], env)  # fmt: skip
        status = run([sys.executable, "-m", "newswatch.cli", "--config", str(config.path),
                      "status", "--json"], env)  # fmt: skip
    finally:
        server.stop()
    archive = db.open_db(config.database)
    errors = [r[0] for r in archive.execute("SELECT last_error FROM outbox")]
    archive.close()
    assert errors and "535" in errors[0], errors
    everything = crawl.stdout + crawl.stderr + status.stdout + status.stderr + " ".join(errors)
    assert SECRET not in everything
    assert "535" in status.stdout, status.stdout


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


class SlowData(Inbox):
    """Takes the message, then takes its time to answer: a sender killed now is ambiguous."""

    def __init__(self) -> None:
        super().__init__()
        self.received = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        import asyncio

        reply = await super().handle_DATA(server, session, envelope)
        self.received.set()
        await asyncio.sleep(3)
        return reply


DELIVER = """
import sys
from newswatch.config import load_config
import db
from scheduler.delivery import deliver_pending
config = load_config(sys.argv[1])
deliver_pending(db.open_db(config.database), config, force=True)
"""


def test_kill_9_during_delivery_loses_nothing_and_duplicates_at_most_once(tmp_path):
    inbox = SlowData()
    with SmtpServer(inbox) as server:
        config = write_config(tmp_path, server.port)
        add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
        archive = db.open_db(config.database)
        match_new_articles(archive, config)
        archive.close()
        sender = subprocess.Popen([sys.executable, "-c", DELIVER, str(config.path)])
        assert inbox.received.wait(30), "the sender never reached DATA"
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(10)
        assert outbox(config)[0][1] == "sending", "the killed sender left its claim"
        time.sleep(3.5)
        report = alert_pass(config)[1]
        assert report.sent == 1, report
    subjects = [m["Message-ID"] for m in inbox.messages]
    assert len(subjects) == 2 and subjects[0] == subjects[1], "one resend, same Message-ID"
    assert outbox(config) == [("analyst@example.org", "sent", 1)]


def test_an_alert_of_200_stories_reaches_the_reader_in_parts_counting_all(tmp_path, smtp):
    """Issue 14, finding 9: 200 matched stories used to be one email of 30 and "and 170
    more" that no email ever listed."""
    config = write_config(tmp_path, smtp.port)
    archive = db.open_db(config.database)
    for i in range(200):
        row = {"url": f"https://en.yna.co.kr/view/AEN{i:04d}", "source": "wire",
               "title": f"Deterrence story {i}", "body": f"extended deterrence, item {i}.",
               "published_at": "2023-01-31T17:35:00Z"}  # fmt: skip
        db.insert_article(archive, row, [], None)
    archive.close()

    report = alert_pass(config)[1]

    emails = smtp.inbox.messages
    assert report.sent == len(emails) == 7, report
    assert [str(m["Subject"]) for m in emails] == [
        f"[newswatch] deterrence: 200 new stories ({n}/7)" for n in range(1, 8)
    ]
    listed = []
    for email in emails:
        text = email.get_body(preferencelist=("plain",)).get_content()
        html = email.get_body(preferencelist=("html",)).get_content()
        urls = re.findall(r"^ +(https://en\.yna\.co\.kr/view/AEN\d{4})\r?$", text, re.M)
        assert urls == re.findall(r'<h2[^>]*><a href="([^"]+)"', html), "both parts list them"
        listed += urls
    assert len(listed) == 200 and len(set(listed)) == 200, "each story in exactly one part"
    first = emails[0]["Message-ID"]
    assert all(m["In-Reply-To"] == first and m["References"] == first for m in emails[1:])
    assert "Part 2 of 7: stories 31–60 of 200." in emails[1].get_body(("plain",)).get_content()
