"""When an alert that could not be sent is tried again, and when it is given up.

The server is down (a bound port that never listens: refused at once). Each pass records the
next try in the outbox, as `newswatch status` shows it: a minute after the first failure,
doubling, never more than an hour apart; after three days of failures the alert is given up.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

from support.alerts import add_article, alert_pass, outbox, write_config
from support.site import closed_port

SLACK = timedelta(seconds=30)  # between the pass's clock and ours, on a loaded machine


def next_try(config) -> tuple[datetime, str]:
    """(next_attempt_at, last_error) of the one outbox row."""
    with closing(sqlite3.connect(config.database)) as conn:
        [(when, error)] = conn.execute("SELECT next_attempt_at, last_error FROM outbox").fetchall()
    return datetime.fromisoformat(when.replace("Z", "+00:00")), error


def test_retries_wait_a_minute_then_double_up_to_an_hour(tmp_path):
    with closed_port() as port:
        config = write_config(tmp_path, port)
        add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
        waits = []
        for _ in range(9):
            before = datetime.now(UTC)
            report = alert_pass(config, force=True)[1]  # force: try now, whatever is due
            assert report.retrying == 1, report
            when, error = next_try(config)
            waits.append(when - before)
    assert error == "ConnectionRefusedError: [Errno 111] Connection refused", "not given up"
    expected = [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]
    for attempt, (waited, wanted) in enumerate(zip(waits, expected, strict=True), 1):
        assert wanted - SLACK <= waited <= wanted + SLACK, f"attempt {attempt}: next in {waited}"
    assert outbox(config) == [("analyst@example.org", "pending", 9)]


def test_a_due_retry_is_not_sent_before_its_time(tmp_path):
    with closed_port() as port:
        config = write_config(tmp_path, port)
        add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
        alert_pass(config)
        assert alert_pass(config, force=False)[1].retrying == 0, "tried again within the minute"
    assert outbox(config) == [("analyst@example.org", "pending", 1)]


def backdate(config, age: timedelta) -> None:
    created = (datetime.now(UTC) - age).strftime("%Y-%m-%dT%H:%M:%SZ")
    with closing(sqlite3.connect(config.database)) as conn, conn:
        conn.execute("UPDATE outbox SET created_at = ?", [created])


def test_an_alert_failing_for_three_days_is_given_up_and_shown(tmp_path, run_cli):
    with closed_port() as port:
        config = write_config(tmp_path, port)
        add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
        alert_pass(config)
        backdate(config, timedelta(days=2, hours=23))
        assert alert_pass(config)[1].retrying == 1, "under three days: still tried"
        assert outbox(config) == [("analyst@example.org", "pending", 2)]
        backdate(config, timedelta(days=3, minutes=5))
        report = alert_pass(config)[1]
        status = run_cli("status", config=config.path)

    assert (report.retrying, report.failed) == (0, 1), report
    assert outbox(config) == [("analyst@example.org", "failed", 3)]
    assert next_try(config)[1].endswith("(gave up)")
    assert alert_pass(config)[1].failed == 0, "a given-up alert is not tried again"
    assert status.returncode == 0, status.stderr
    failed = [line for line in status.stdout.splitlines() if line.startswith("  failed:")]
    assert len(failed) == 1 and "analyst@example.org" in failed[0], status.stdout
    assert failed[0].endswith("Connection refused (gave up)"), failed[0]
