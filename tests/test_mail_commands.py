"""`newswatch alerts test`, and the operator's health email, as the operator receives them."""

from __future__ import annotations

import mailbox
import re
from pathlib import Path

from support.alerts import add_article, parts
from support.mail import SMTP, config_file, read
from support.site import closed_port

import db
from newswatch.config import load_config
from scheduler.delivery import deliver_pending
from scheduler.health import check_sources


def test_alerts_test_sends_one_sample_now_and_prints_the_servers_answer(tmp_path, smtp, run_cli):
    path = config_file(tmp_path, SMTP | {"port": smtp.port})
    add_article(load_config(path), "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")

    result = run_cli("alerts", "test", "--to", "me@example.org", config=path)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"me@example.org: 250 OK (127.0.0.1:{smtp.port})", lines
    [message] = smtp.inbox.messages
    assert lines[1] == f"Message-ID {message['Message-ID']}"
    assert str(message["Subject"]) == "[newswatch] test alert from nw.example.org"
    assert smtp.inbox.envelopes == [("alerts@example.org", ["me@example.org"])]
    text = parts(message)["text/plain"]
    assert "Allies bolster deterrence" in text and "https://en.yna.co.kr/view/AEN1" in text, text
    assert read(smtp.inbox.raw[0])["To"] == "me@example.org"


def test_alerts_test_against_a_closed_port_exits_1_with_the_error(tmp_path, run_cli):
    with closed_port() as port:  # bound, never listening: refused at once
        path = config_file(tmp_path, SMTP | {"port": port})
        result = run_cli("alerts", "test", config=path)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"newswatch: error: sending to analyst@example.org through 127.0.0.1:{port} failed: "
        "ConnectionRefusedError: [Errno 111] Connection refused"
    ]
    assert result.stdout == ""


def test_alerts_test_without_smtp_says_which_file_it_wrote(tmp_path, run_cli):
    path = config_file(tmp_path, None)

    result = run_cli("alerts", "test", config=path)

    assert result.returncode == 0, result.stderr
    written = re.match(r"analyst@example\.org: written to (\S+)$", result.stdout.splitlines()[0])
    assert written, result.stdout
    message = read(Path(written.group(1)).read_bytes())
    assert str(message["Subject"]).startswith("[newswatch] test alert from ")
    assert "This is a test alert from newswatch" in parts(message)["text/plain"]


def test_alerts_test_refuses_a_bad_address(tmp_path, run_cli):
    result = run_cli("alerts", "test", "--to", "me@", config=config_file(tmp_path, None))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "newswatch: error: --to: expected an email address such as user@example.org, got 'me@'"
    ]


def _run(archive, source: str, status: str, error: str = "", pages: int = 0) -> None:
    run_id = db.start_run(archive, source, "2026-01-05T00:00:00Z")
    db.finish_run(archive, run_id, {"status": status, "pages": pages, "links_found": pages,
                                    "requests": max(pages, 1), "last_error": error,
                                    "finished_at": "2026-01-05T00:00:09Z"})  # fmt: skip


def health_emails(tmp_path, runs: list[tuple]) -> list:
    config = load_config(config_file(tmp_path, None))
    archive = db.open_db(config.database)
    try:
        for run in runs:
            _run(archive, "wire", *run)
            check_sources(archive, config, ["wire"])
        deliver_pending(archive, config, force=True)
    finally:
        archive.close()
    box = mailbox.Maildir(tmp_path / "maildir", create=False)
    emails = [read(box.get_bytes(key)) for key in box.iterkeys()]
    return sorted(emails, key=lambda m: m["Date"].datetime)


ERROR = "dns: DNS lookup failed: no results for hostname lookup: 127.0.0.1"


def test_a_source_that_never_worked_is_broken_having_never_completed_a_crawl(tmp_path):
    [email] = health_emails(tmp_path, [("failed", ERROR)])

    assert str(email["Subject"]) == "[newswatch] source wire: broken (has never completed a crawl)"
    text = parts(email)["text/plain"]
    assert text.startswith("Source wire is now broken (has never completed a crawl).\n"), text
    assert " ".join(text.split()).count(ERROR) == 1, text  # not again as "Last error:"
    assert "was ok" not in text


def test_a_source_that_worked_says_what_it_was(tmp_path):
    [email] = health_emails(tmp_path, [("ok", "", 3), ("failed", ERROR)])

    assert str(email["Subject"]) == "[newswatch] source wire: ok -> broken"
    text = parts(email)["text/plain"]
    assert text.startswith("Source wire is now broken (was ok).\n"), text
    assert " ".join(text.split()).count(ERROR) == 1, text
    assert all(len(line) <= 76 for line in text.splitlines()), text
