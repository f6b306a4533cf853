"""The service's jobs other than crawling: the digest a rule owes, and the periodic outbox pass
that retries what could not be sent and matches what no crawl matched.

`newswatch run` runs as a subprocess; its two sources point at a closed port (their crawls
fail at once and say nothing to these rules' readers), so what arrives comes from the jobs.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from support.alerts import add_article, alert_pass, outbox, write_config
from support.service import Service, wait_for
from support.smtp import SmtpServer

import db
from db import alerts as state

TABLETOP = "The allies will hold a tabletop exercise next month, the defense ministry said."
# 08:00 on February 29: never due during a test, unless owed from 2024
DIGEST = "    - {name: daily, query: tabletop, to: [d@example.org], digest: '0 8 29 2 *'}\n"


def test_a_digest_that_fell_due_while_the_service_was_down_is_sent_at_start(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port, DIGEST)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies plan a tabletop", TABLETOP)
    alert_pass(config)  # the story waits for the digest
    assert smtp.inbox.to("d@example.org") == []
    archive = db.open_db(config.database)
    last = datetime(2024, 2, 28, tzinfo=UTC)  # the service was down on 2024-02-29 08:00
    state.set_state(archive, "digest_at:daily", last.isoformat())
    archive.close()

    service = Service(config.path)
    try:
        wait_for(lambda: smtp.inbox.to("d@example.org"), 60, "the owed digest")
    finally:
        code, err, _ = service.stop()

    assert code == 0, err[-2000:]
    [digest] = smtp.inbox.to("d@example.org")
    assert digest["Subject"] == "[newswatch] daily: 1 new story"
    assert "digest daily: 1 stories, 1 emails sent" in err, err[-2000:]


def test_a_digest_not_yet_due_is_not_sent_at_start(tmp_path, smtp):
    config = write_config(tmp_path, smtp.port, DIGEST)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies plan a tabletop", TABLETOP)
    alert_pass(config)
    archive = db.open_db(config.database)
    state.set_state(archive, "digest_at:daily", datetime.now(UTC).isoformat())
    archive.close()

    service = Service(config.path)
    try:  # the start-up crawls have run (and failed) by the time an alert would be out
        wait_for(lambda: len(smtp.inbox.to("analyst@example.org")) >= 1, 60, "a health email")
    finally:
        code, err, _ = service.stop()
    assert code == 0, err[-2000:]
    assert smtp.inbox.to("d@example.org") == [], "the digest is due on February 29, not now"


def alerts(server: SmtpServer) -> list:
    """The rule's alerts (the operator's health emails go to the same reader)."""
    return [m for m in server.inbox.messages if "deterrence:" in str(m["Subject"])]


@pytest.mark.slow
def test_the_outbox_job_retries_and_matches_without_a_crawl(tmp_path):
    """The server is down for the first alert; the outbox job (every 60 s) sends it once the
    server is up, and matches an article stored after start, which no crawl will match."""
    server = SmtpServer()  # bound, not listening
    config = write_config(tmp_path, server.port)
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    assert alert_pass(config, force=False)[1].retrying == 1
    service = Service(config.path)
    try:
        server.start()
        add_article(config, "https://en.yna.co.kr/view/AEN2", "Deterrence, again",
                    "Officials spoke of extended deterrence once more on Friday.")  # fmt: skip
        wait_for(lambda: len(alerts(server)) >= 2, 200, "both alerts")
    finally:
        code, err, _ = service.stop()
        server.stop()
    assert code == 0, err[-2000:]
    assert len(alerts(server)) == 2, [str(m["Subject"]) for m in server.inbox.messages]
    assert [row for row in outbox(config) if row[1] != "sent"] == []
