"""Every email newswatch sends (alerts, health notices, the test alert) is made here once:
one Message-ID for all its recipients, then one outbox row per recipient holding the exact
bytes that will be signed and sent (or written to the Maildir).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from db import alerts as store
from newswatch.clock import iso_utc
from newswatch.configtypes import Config
from scheduler.email import Headers, build_message, clean_line, list_id, mime_body, new_message_id


@dataclass(frozen=True)
class Outgoing:
    """One email, before it is addressed to each recipient."""

    label: str  # the outbox's `rule`: the rule's name, or "health:SOURCE"
    subject: str
    text: str
    html: str | None = None
    recipients: tuple[str, ...] = ()
    story_ids: tuple[int, ...] = ()
    rule: str = ""  # an alert's rule: List-Id and X-Newswatch-Rule
    thread: tuple[str, ...] = ()  # Message-IDs this one follows, oldest first


def addressed(config: Config, mail: Outgoing, to: str, message_id: str, when: datetime,
              body: bytes) -> bytes:  # fmt: skip
    """The message bytes for recipient `to` (`body`: mime_body of the mail's parts)."""
    alerts = config.alerts
    headers = Headers(
        subject=mail.subject, sender=alerts.sender, to=to, message_id=message_id,
        date=when.astimezone(ZoneInfo(config.timezone)),  # the reader's zone, RFC 5322 offset
        reply_to=alerts.smtp.reply_to if alerts.smtp else None,
        list_id=list_id(mail.rule, alerts.hostname) if mail.rule else "",
        thread=mail.thread,
        extra=(("X-Newswatch-Rule", mail.rule),) if mail.rule else (),
    )  # fmt: skip
    return build_message(headers, body)


def new_id(archive: Database, config: Config, when: datetime) -> str:
    return new_message_id(store.install_id(archive), config.alerts.sender.domain, when)


def queue_email(archive: Database, config: Config, mail: Outgoing,
                when: datetime | None = None) -> str:  # fmt: skip
    """Put `mail` in the outbox, one row per recipient; returns its Message-ID."""
    when = when or datetime.now(UTC)
    message_id = new_id(archive, config, when)
    body = mime_body(mail.text, mail.html)
    stamp = iso_utc(when)
    rows = [
        {"rule": mail.label, "recipient": to, "message_id": message_id,
         "subject": clean_line(mail.subject, 200),
         "message": addressed(config, mail, to, message_id, when, body),
         "story_ids": list(mail.story_ids), "status": "pending", "attempts": 0,
         "next_attempt_at": stamp, "last_error": "", "created_at": stamp, "sent_at": ""}
        for to in mail.recipients
    ]  # fmt: skip
    store.add_outbox(archive, rows)
    return message_id
