"""A matching pass that fails half way leaves nothing half done: no story claimed without its
email queued, the next pass starts where the failed one did, and the alert goes out once.

The fault is the database's own: a trigger makes the outbox refuse inserts, as a full disk or
a broken file would, after the pass has already claimed the story in the same transaction.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest
from support.alerts import add_article, alert_pass, outbox, write_config

REFUSE = (
    "CREATE TRIGGER refuse BEFORE INSERT ON outbox"
    " BEGIN SELECT RAISE(ABORT, 'outbox refused the row'); END"
)


def sql(config, statement: str) -> list[tuple]:
    with closing(sqlite3.connect(config.database)) as conn, conn:
        return conn.execute(statement).fetchall()


def test_a_failed_pass_claims_nothing_and_the_next_sends_once(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    alert_pass(config)  # AEN1: claimed, queued and sent
    assert len(smtp.inbox.messages) == 1
    add_article(config, "https://en.yna.co.kr/view/AEN2", "More on deterrence",
                "The allies agreed on extended deterrence again, officials said.")  # fmt: skip
    cursor = sql(config, "SELECT value FROM state WHERE key = 'matched_upto'")
    sql(config, REFUSE)

    with pytest.raises(sqlite3.IntegrityError, match="outbox refused the row"):
        alert_pass(config)

    assert sql(config, "SELECT value FROM state WHERE key = 'matched_upto'") == cursor
    assert sql(config, "SELECT COUNT(*) FROM alert_matches") == [(1,)], "AEN2 claimed, no email"
    assert len(outbox(config)) == 1
    sql(config, "DROP TRIGGER refuse")
    matched, sent = alert_pass(config)
    assert matched.alerts == {"deterrence": 1} and sent.sent == 1
    assert alert_pass(config)[0].alerts == {}
    assert len(smtp.inbox.messages) == 2
    assert "AEN2" in smtp.inbox.messages[1].get_body(("plain",)).get_content()
