"""Mail on the wire: what a relay and a mail client receive, by SMTP and in the Maildir.

Messages go through the real test SMTP server (aiosmtpd) and real Maildirs, and are read back
with the email package's default policy. The bytes stored in the outbox are compared with the
bytes that arrived.
"""

from __future__ import annotations

import base64
import logging
import mailbox
import re
import sqlite3
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from support.alerts import BODY, add_article, alert_pass, parts
from support.mail import SMTP, config_file, read, stored

from newswatch.addresses import host_fqdn, public_name
from newswatch.config import ConfigError, load_config

KOREAN_RULE = "북한 탄도미사일 발사와 한미 확장억제 협의 " * 8  # makes a ~200-character subject


def test_a_korean_display_name_and_subject_arrive_intact_and_identical_by_smtp_and_maildir(
    tmp_path, smtp
):
    rule = {"name": KOREAN_RULE.strip(), "query": "deterrence", "to": ["analyst@example.org"]}
    config = load_config(config_file(tmp_path, SMTP | {"port": smtp.port}, [rule]))
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster extended deterrence")

    assert alert_pass(config)[1].sent == 1
    [row] = stored(config)
    [received] = smtp.inbox.raw

    assert isinstance(row["message"], bytes) and received == row["message"]
    message = read(received)
    subject = str(message["Subject"])
    assert 195 <= len(subject) <= 200 and subject.startswith("[newswatch] 북한 탄도미사일 발사와")
    assert subject.endswith("…: 1 new story"), "a long rule name is cut, never the count"
    assert subject == " ".join(subject.split()), "no space lost or added by folding"
    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("뉴스워치 알림", "alerts@example.org")
    assert all(len(line) <= 78 for line in received.split(b"\r\n")), "folded at 78"
    assert b"\n" not in received.replace(b"\r\n", b""), "CRLF line ends only"

    # The same outbox row once more, now through the Maildir transport (no smtp block).
    with sqlite3.connect(config.database) as conn:
        conn.execute("UPDATE outbox SET status = 'pending'")
    maildir_config = load_config(config_file(tmp_path, None, [rule]))
    assert alert_pass(maildir_config)[1].sent == 1
    box = mailbox.Maildir(tmp_path / "maildir", create=False)
    [key] = box.keys()
    on_disk = (tmp_path / "maildir" / "new" / key).read_bytes()
    assert on_disk == received, "the Maildir file is byte for byte the message sent"
    assert str(read(on_disk)["Subject"]) == subject


def test_identity_headers_date_list_id_envelope_and_ehlo(tmp_path, smtp):
    block = SMTP | {"port": smtp.port, "envelope_from": "bounces@example.org",
                    "reply_to": "Desk <desk@example.org>"}  # fmt: skip
    config = load_config(config_file(tmp_path, block))
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")

    alert_pass(config)
    [message] = smtp.inbox.messages

    assert re.fullmatch(r"\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0900", message["Date"])
    assert parsedate_to_datetime(message["Date"]).utcoffset().total_seconds() == 9 * 3600
    assert message["List-Id"] == "deterrence <deterrence.newswatch.nw.example.org>"
    assert message["Reply-To"].addresses[0].addr_spec == "desk@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    assert smtp.inbox.envelopes == [("bounces@example.org", ["analyst@example.org"])]
    assert smtp.inbox.helo == ["nw.example.org"]
    assert re.fullmatch(r"<\d{14}\.[0-9a-f]{12}\.[0-9a-f]{12}@example\.org>", message["Message-ID"])


def test_message_ids_are_unique_across_two_fresh_databases_crawling_the_same_site(
    write_config, run_cli, workdir
):
    alerts = {"rules": [{"name": "all", "query": "Korea OR 북한", "to": ["a@example.org"]}]}
    ids = []
    for name in ("first", "second"):  # as after `rm -r data/`, or on a second install
        path = write_config(f"{name}.yaml", database=f"{name}/news.db", alerts=alerts)
        result = run_cli("crawl", config=path)
        assert result.returncode == 0, result.stdout + result.stderr
        box = mailbox.Maildir(workdir / name / "maildir", create=False)
        ids += [str(read(box.get_bytes(k))["Message-ID"]) for k in box.iterkeys()]

    assert len(ids) >= 2 and len(set(ids)) == len(ids), ids
    installs = {re.match(r"<\d+\.\w+\.(\w+)@", i).group(1) for i in ids}
    assert len(installs) == 2, "each database has its own install id"


def test_a_retried_row_is_sent_with_the_bytes_and_message_id_it_was_queued_with(tmp_path, smtp):
    config = load_config(config_file(tmp_path, SMTP | {"port": smtp.port}))
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    smtp.inbox.refuse_data = "451 4.3.0 try later"
    assert alert_pass(config)[1].retrying == 1
    smtp.inbox.refuse_data = ""

    assert alert_pass(config)[1].sent == 1
    [row] = stored(config)
    assert smtp.inbox.raw == [row["message"]]
    assert smtp.inbox.messages[0]["Message-ID"] == row["message_id"]


def test_each_email_sent_or_given_up_is_one_log_line(tmp_path, smtp, caplog):
    rules = [{"name": "both", "query": "deterrence", "to": ["a@example.org", "b@example.org"]},
             {"name": "gone", "query": "deterrence", "to": ["gone@example.org"]}]  # fmt: skip
    config = load_config(config_file(tmp_path, SMTP | {"port": smtp.port}, rules))
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
    smtp.inbox.refuse_rcpt["gone@example.org"] = "550 5.1.1 no such user"

    with caplog.at_level(logging.INFO, logger="newswatch.mail"):
        alert_pass(config)

    ids = {row["rule"]: row["message_id"] for row in stored(config)}
    lines = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert lines == [
        ("INFO", f"email sent: rule both, 2 recipients, Message-ID {ids['both']}: 250 OK"),
        ("ERROR", f"email given up: rule gone, 1 recipient, Message-ID {ids['gone']}: "
                  "550 5.1.1 no such user"),
    ]  # fmt: skip


def _rsa_key(tmp_path: Path) -> tuple[Path, bytes]:
    """A fresh 2048-bit key in PEM, and its public half as a DKIM DNS record would hold it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "dkim.pem"
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return path, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_a_dkim_signed_message_verifies_on_the_received_bytes(tmp_path, smtp):
    import dkim

    key_file, record = _rsa_key(tmp_path)
    signing = {"domain": "example.org", "selector": "nw", "key_file": "dkim.pem"}
    block = SMTP | {"port": smtp.port, "dkim": signing}
    config = load_config(config_file(tmp_path, block))
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster 억제 deterrence")
    alert_pass(config)
    [received] = smtp.inbox.raw
    asked = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        asked.append(name)
        return record if name == b"nw._domainkey.example.org." else b""

    assert dkim.verify(received, dnsfunc=dns)
    assert asked == [b"nw._domainkey.example.org."]
    signature, _, rest = received.partition(b"\r\nFrom: ")
    assert signature.startswith(b"DKIM-Signature: ") and b"d=example.org" in signature
    assert b"From: " + rest == stored(config)[0]["message"], "signed: the stored bytes"
    tampered = received.replace(b"To: analyst@", b"To: mallory@")
    assert not dkim.verify(tampered, dnsfunc=dns), "the signature covers the headers"


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("from", "뉴스워치 <alerts@example.org> extra", "alerts.smtp.from"),
        ("from", "alerts@localhost", "alerts.smtp.from"),
        ("from", "alerts", "alerts.smtp.from"),
        ("envelope_from", "bounces", "alerts.smtp.envelope_from"),
        ("reply_to", "a@b@c.org", "alerts.smtp.reply_to"),
        ("local_hostname", "localhost", "alerts.smtp.local_hostname"),
        ("dkim", {"domain": "other.org", "selector": "s", "key_file": "k"},
         "alerts.smtp.dkim.domain"),
        ("dkim", {"domain": "example.org", "selector": "s", "key_file": "nope.pem"},
         "alerts.smtp.dkim.key_file"),
    ],
)  # fmt: skip
def test_bad_mail_settings_name_their_key(tmp_path, key, value, named):
    path = config_file(tmp_path, SMTP | {"host": "smtp.example.org", "port": 587, key: value})
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {named}") and "\n" not in message, message


def test_a_bad_recipient_exits_2_with_one_line(tmp_path, run_cli):
    rules = [{"name": "r", "query": "x", "to": ["analyst@example..org"]}]
    result = run_cli("status", config=config_file(tmp_path, None, rules))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"newswatch: error: {tmp_path / 'config.yaml'}: alerts.rules[0].to[0]: expected an email"
        " address such as user@example.org, got 'analyst@example..org'"
    ]


def test_the_default_sender_is_newswatch_at_this_hosts_name(tmp_path):
    fqdn = host_fqdn()
    assert load_config(config_file(tmp_path, None)).alerts.sender.addr == f"newswatch@{fqdn}"
    block = {k: v for k, v in SMTP.items() if k != "from"} | {"host": "smtp.example.org"}
    if public_name(fqdn):  # a host with a real name sends as newswatch@<it>
        assert load_config(config_file(tmp_path, block)).alerts.smtp.sender.addr.endswith(fqdn)
    else:  # here: no sender that a relay would take, so the smtp block must say one
        with pytest.raises(ConfigError, match=r"alerts\.smtp\.from: expected a sender address"):
            load_config(config_file(tmp_path, block))


def test_a_local_mta_may_take_a_local_sender_and_ehlo_name(tmp_path):
    """The local MTA (an smtp host on this machine) gives mail its public identity."""
    block = {"host": "127.0.0.1", "port": 25, "from": "newswatch@localhost",
             "local_hostname": "localhost"}  # fmt: skip
    smtp = load_config(config_file(tmp_path, block)).alerts.smtp
    assert (smtp.sender.addr, smtp.local_hostname) == ("newswatch@localhost", "localhost")
    with pytest.raises(ConfigError, match=r"alerts\.smtp\.from: expected a sender at a public"):
        load_config(config_file(tmp_path, block | {"host": "smtp.example.org"}))


def test_idn_domains_are_sent_in_their_ascii_form(tmp_path, smtp):
    rules = [{"name": "r", "query": "deterrence", "to": ["leser@bücher.example"]}]
    config = load_config(config_file(tmp_path, SMTP | {"port": smtp.port}, rules))
    add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence", BODY)
    alert_pass(config)
    assert smtp.inbox.envelopes[0][1] == ["leser@xn--bcher-kva.example"]
    assert parts(smtp.inbox.messages[0])["text/plain"].startswith("r: 1 new story\n")


def test_a_row_queued_as_text_before_the_upgrade_is_still_sent(tmp_path, smtp):
    """Outbox rows queued by an older newswatch hold the message as text with LF line ends."""
    import db
    from db import alerts as store

    config = load_config(config_file(tmp_path, SMTP | {"port": smtp.port}))
    legacy = (
        "Subject: [newswatch] deterrence: 1 new story\nFrom: nw@example.org\n"
        "To: analyst@example.org\nMessage-ID: <abc@newswatch>\nMIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="utf-8"\n\nAllies bolster deterrence.\n'
    )
    archive = db.open_db(config.database)
    store.add_outbox(archive, [{
        "rule": "deterrence", "recipient": "analyst@example.org", "message_id": "<abc@newswatch>",
        "subject": "[newswatch] deterrence: 1 new story", "message": legacy, "story_ids": [1],
        "status": "pending", "attempts": 0, "next_attempt_at": "2026-01-01T00:00:00Z",
        "last_error": "", "created_at": "2099-01-01T00:00:00Z", "sent_at": "",
    }])  # fmt: skip
    archive.close()

    assert alert_pass(config)[1].sent == 1
    assert smtp.inbox.raw == [legacy.replace("\n", "\r\n").encode()]
    assert read(smtp.inbox.raw[0])["Message-ID"] == "<abc@newswatch>"
