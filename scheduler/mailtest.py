"""`newswatch alerts test`: one sample alert through the configured SMTP server or Maildir,
now, built exactly as real alerts are (same headers, parts, signature); not queued.
"""

from __future__ import annotations

from datetime import UTC, datetime

import db
from db import alerts as store
from newswatch.addresses import AddressError, parse_mailbox
from newswatch.configtypes import Config
from newswatch.query import parse_query
from newswatch.querytext import describe
from scheduler.alert_email import AlertView, StoryView, render_text
from scheduler.alert_html import render_html
from scheduler.email import mime_body
from scheduler.health import operator_addresses
from scheduler.outgoing import Outgoing, addressed, new_id
from scheduler.transports import (
    PermanentFailure,
    TemporaryFailure,
    envelope_sender,
    transport_for,
)

SAMPLE = StoryView(
    0, "This is a test alert from newswatch", "", "newswatch", "",
    "newswatch will send alerts like this one when a story matches one of your rules.",
)  # fmt: skip


class MailTestError(Exception):
    """The test alert could not be sent; the message says why, in one line."""


class BadRecipient(ValueError):
    """--to is no email address."""


def _recipients(config: Config, to: str | None) -> tuple[str, ...]:
    if to is None:
        return operator_addresses(config)
    try:
        return (parse_mailbox(to, display_name=False).addr,)
    except AddressError as exc:
        why = f" ({exc})" if str(exc) else ""
        raise BadRecipient(f"--to: expected an email address such as user@example.org{why},"
                           f" got {to!r}") from None  # fmt: skip


def _sample(config: Config) -> tuple[AlertView, str]:
    """The alert to send: the first rule's newest matching story (else the newest article,
    else a made-up story), as that rule would send it."""
    rule = config.alerts.rules[0] if config.alerts.rules else None
    query = rule.parsed if rule else parse_query("test")
    archive = db.open_db(config.database)
    try:
        found = db.search_articles(archive, query.fts(), 1, rule.sources) if rule else []
        newest = found[0] if found else store.newest_article(archive)
        message_id = new_id(archive, config, datetime.now(UTC))
    finally:
        archive.close()
    story = SAMPLE
    if newest:
        story = StoryView(
            newest["story_id"] or 0, newest["title"], newest["url"], newest["source"],
            newest["published_at"] or "", newest["body"] or "",
        )  # fmt: skip
    alert = AlertView(
        rule.name if rule else "test", query.text, describe(query), [story], query.terms(),
        config.timezone, datetime.now(UTC), config.alerts.hostname, str(config.path.resolve()),
        kind="test",
    )  # fmt: skip
    return alert, message_id


def send_test_alert(config: Config, to: str | None) -> list[str]:
    """Send the sample to `to` (default: the operator); one line per recipient saying
    what the server answered or where the file went. MailTestError on failure."""
    recipients = _recipients(config, to)
    if not recipients:
        raise MailTestError("nobody to send to: give --to ADDRESS (or set alerts.operator)")
    alert, message_id = _sample(config)
    subject = f"[newswatch] test alert from {config.alerts.hostname}"
    mail = Outgoing("test", subject, render_text(alert), render_html(alert), recipients)
    body = mime_body(mail.text, mail.html)
    when = datetime.now(UTC)
    transport = transport_for(config)
    where = f"{config.alerts.smtp.host}:{config.alerts.smtp.port}" if config.alerts.smtp else ""
    lines = []
    try:
        for recipient in recipients:
            message = addressed(config, mail, recipient, message_id, when, body)
            try:
                reply = transport.send(envelope_sender(config), recipient, message)
            except (TemporaryFailure, PermanentFailure) as exc:
                via = f" through {where}" if where else ""
                raise MailTestError(f"sending to {recipient}{via} failed: {exc}") from None
            lines.append(f"{recipient}: {reply}" + (f" ({where})" if where else ""))
    finally:
        transport.close()
    return lines + [f"Message-ID {message_id}"]
