"""The outbox pass as the service runs it (no force): what is due goes, what is not waits, and
rows another sender was sending are taken over only when that sender is dead.

A row being sent is 'sending' with a lease and its sender's host:pid. A pass releases the rows
of a sender on this host whose process is gone (a crash mid-send), sends them at once; a live
sender's rows, and those of a sender on another host (whose processes it cannot see), wait
for their lease to end.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta

from support.alerts import add_article, outbox, write_config
from support.smtp import SmtpServer

import db
from scheduler.alerts import match_new_articles
from scheduler.delivery import deliver_pending


def service_pass(config):
    """One delivery pass as the service makes it: only the rows that are due."""
    archive = db.open_db(config.database)
    try:
        match_new_articles(archive, config)
        return deliver_pending(archive, config)
    finally:
        archive.close()


def queue(config) -> None:
    """Match, queue and send nothing (as a crawl's pass that died before delivering)."""
    archive = db.open_db(config.database)
    try:
        match_new_articles(archive, config)
    finally:
        archive.close()


def update_outbox(config, **values) -> None:
    columns = ", ".join(f"{k} = ?" for k in values)
    with closing(sqlite3.connect(config.database)) as conn, conn:
        conn.execute(f"UPDATE outbox SET {columns}", list(values.values()))


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_new_alert_goes_at_once_and_a_failed_one_waits_for_its_time(tmp_path):
    server = SmtpServer()  # bound, not listening: refused
    try:
        config = write_config(tmp_path, server.port)
        add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
        first = service_pass(config)
        assert (first.sent, first.retrying) == (0, 1), "a new alert is due at once"
        server.start()
        assert service_pass(config).sent == 0, "a failed alert waits for its next try"
        update_outbox(config, next_attempt_at=iso(datetime.now(UTC) - timedelta(seconds=1)))
        report = service_pass(config)
        assert (report.sent, report.errors) == (1, []), report
        assert outbox(config) == [("analyst@example.org", "sent", 2)]
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()


def exited_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def sending(config, owner: str) -> None:
    """The one row as a sender `owner` left it mid-send, its lease ten minutes long."""
    lease = iso(datetime.now(UTC) + timedelta(minutes=10))
    update_outbox(config, status="sending", lease_owner=owner, lease_until=lease)


def test_a_dead_senders_rows_are_sent_at_once(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    queue(config)
    sending(config, f"{socket.gethostname()}:{exited_pid()}")

    report = service_pass(config)
    assert report.sent == 1, report
    assert len(smtp.inbox.messages) == 1


def test_a_live_or_unknown_senders_rows_wait_for_the_lease(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    queue(config)
    for owner in (f"{socket.gethostname()}:{os.getpid()}",  # this process: alive
                  f"another-host.example:{exited_pid()}"):  # fmt: skip
        sending(config, owner)
        assert service_pass(config).sent == 0, f"{owner} may still be sending it"
    assert smtp.inbox.messages == []
    update_outbox(config, lease_until=iso(datetime.now(UTC) - timedelta(seconds=1)))
    assert service_pass(config).sent == 1, "its lease over, the row is due again"
    assert len(smtp.inbox.messages) == 1
