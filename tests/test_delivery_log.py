"""The one log line per email and outcome that an operator reads in the journal: INFO sent,
WARNING not sent yet, ERROR given up; each with the rule, the count of recipients, the
Message-ID and the server's answer, under run=outbox (test_logs.py checks the formatting
of the service's own output; these check what each delivery pass says)."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

from support.alerts import add_article, alert_pass, write_config

RULES = "    - {name: both, query: deterrence, to: [a@example.org, b@example.org]}\n"


def lines(caplog) -> list[tuple[str, str, str, str]]:
    """(level, source, run, message) of each newswatch.mail record."""
    return [(r.levelname, r.source, r.run, r.getMessage())
            for r in caplog.records if r.name == "newswatch.mail"]  # fmt: skip


def message_ids(config) -> dict[str, str]:
    with closing(sqlite3.connect(config.database)) as conn:
        return dict(conn.execute("SELECT rule, message_id FROM outbox").fetchall())


def test_each_email_is_one_line_per_outcome(tmp_path, smtp, caplog):
    caplog.set_level(logging.INFO, logger="newswatch.mail")
    config = write_config(tmp_path, smtp.port, RULES)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    smtp.inbox.refuse_rcpt["b@example.org"] = "451 4.2.1 try later"
    alert_pass(config)
    ids = message_ids(config)

    assert sorted(lines(caplog)) == sorted([
        ("INFO", "-", "outbox", f"email sent: rule deterrence, 1 recipient, Message-ID "
                                f"{ids['deterrence']}: 250 OK"),
        ("INFO", "-", "outbox", f"email sent: rule both, 1 recipient, Message-ID {ids['both']}:"
                                " 250 OK"),
        ("WARNING", "-", "outbox", "email not sent yet, will retry: rule both, 1 recipient, "
                                   f"Message-ID {ids['both']}: 451 4.2.1 try later"),
    ])  # fmt: skip


def test_an_email_given_up_is_an_error_line_naming_every_recipient(tmp_path, smtp, caplog):
    config = write_config(tmp_path, smtp.port, RULES)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    smtp.inbox.refuse_data = "451 4.3.0 mailbox busy"
    alert_pass(config)
    created = (datetime.now(UTC) - timedelta(days=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with closing(sqlite3.connect(config.database)) as conn, conn:
        conn.execute("UPDATE outbox SET created_at = ?", [created])
    caplog.clear()
    caplog.set_level(logging.INFO, logger="newswatch.mail")
    alert_pass(config)
    ids = message_ids(config)

    assert sorted(lines(caplog)) == sorted([
        ("ERROR", "-", "outbox", "email given up: rule deterrence, 1 recipient, Message-ID "
                                 f"{ids['deterrence']}: 451 4.3.0 mailbox busy (gave up)"),
        ("ERROR", "-", "outbox", f"email given up: rule both, 2 recipients, Message-ID "
                                 f"{ids['both']}: 451 4.3.0 mailbox busy (gave up)"),
    ])  # fmt: skip
