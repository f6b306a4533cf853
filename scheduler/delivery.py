"""Sending the outbox: SMTP (starttls | ssl | none) or, without an smtp block, a local Maildir.

Delivery is at least once: a row is marked sent only after the server accepted it, so a
crash between the two sends that one message again (same Message-ID) on the next pass.
"""

from __future__ import annotations

import mailbox
import os
import re
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Any, Protocol

from sqlite_utils import Database

from db import alerts as store
from newswatch.clock import iso_utc
from newswatch.config import Config, Smtp

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=3)
LEASE = timedelta(minutes=10)  # longer than any pass over the outbox takes


class TemporaryFailure(Exception):
    """Worth trying again later (4xx, connection trouble, timeouts)."""


class PermanentFailure(Exception):
    """The server refused for good (5xx for this recipient)."""


class Transport(Protocol):
    def send(self, sender: str, recipient: str, message: str) -> None: ...
    def close(self) -> None: ...


class MaildirTransport:
    """Writes each email into a Maildir (readable with `mutt -f PATH`)."""

    def __init__(self, path: Path) -> None:
        self.box = mailbox.Maildir(path, create=True)

    def send(self, sender: str, recipient: str, message: str) -> None:
        self.box.add(message_from_string(message, policy=SMTP_POLICY))

    def close(self) -> None:
        self.box.close()


class SmtpTransport:
    """One SMTP connection for a pass over the outbox, opened on first use."""

    def __init__(self, settings: Smtp) -> None:
        self.settings = settings
        self.conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        conn.ehlo()
        if s.security == "starttls":
            if not conn.has_extn("starttls"):
                conn.close()  # never fall back to sending the password in clear
                raise TemporaryFailure(f"{s.host}:{s.port} does not offer STARTTLS")
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        if s.username:
            conn.login(s.username, s.password)
        return conn

    def send(self, sender: str, recipient: str, message: str) -> None:
        try:
            self.conn = self.conn or self._connect()
            # SMTP lines end in CRLF; smtplib leaves bytes as they are.
            wire = re.sub(r"\r\n|\r|\n", "\r\n", message.rstrip("\r\n")) + "\r\n"
            self.conn.sendmail(sender, [recipient], wire.encode("utf-8"))
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients.get(recipient, (450, b"refused"))
            raise _by_code(code, reply) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            self.close()
            raise _by_code(exc.smtp_code, exc.smtp_error) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TemporaryFailure(_describe(exc)) from None

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (smtplib.SMTPException, OSError):
                self.conn.close()
            self.conn = None


def _by_code(code: int, reply: bytes | str) -> Exception:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    message = f"{code} {' '.join(text.split())}"
    return PermanentFailure(message) if 500 <= code < 600 else TemporaryFailure(message)


def _describe(exc: BaseException) -> str:
    # Never echo credentials: SMTP errors carry only the server's reply.
    return f"{type(exc).__name__}: {exc}"[:300]


def transport_for(config: Config) -> Transport:
    if config.alerts.smtp is None:
        return MaildirTransport(config.maildir)
    return SmtpTransport(config.alerts.smtp)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(owner: str) -> bool:
    """Whether the process that claimed rows still runs (unknown hosts: assume it does)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return bool(owner)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _release_dead_senders(archive: Database) -> None:
    """A sender killed mid-send left rows 'sending': they are due again now, not in 10 min."""
    for owner in store.sending_owners(archive):
        if not _alive(owner):
            store.release_owner(archive, owner)


def deliver_pending(archive: Database, config: Config, force: bool = False) -> DeliveryReport:
    """Send every due outbox row (all pending ones with `force`), recording each outcome."""
    report = DeliveryReport()
    now = datetime.now(UTC)
    _release_dead_senders(archive)
    rows = store.claim_due_outbox(archive, iso_utc(now), iso_utc(now + LEASE), _me(), force)
    if not rows:
        return report
    transport = transport_for(config)
    sender = config.alerts.smtp.sender if config.alerts.smtp else "newswatch@localhost"
    try:
        for row in rows:
            lease = iso_utc(datetime.now(UTC) + LEASE)
            if store.renew_lease(archive, row["id"], _me(), lease):  # else: another has it
                _deliver_one(archive, transport, sender, row, now, report)
    finally:
        transport.close()
    return report


def _deliver_one(archive: Database, transport: Transport, sender: str, row: dict[str, Any],
                 now: datetime, report: DeliveryReport) -> None:  # fmt: skip
    attempts = row["attempts"] + 1
    try:
        transport.send(sender, row["recipient"], row["message"])
    except PermanentFailure as exc:
        store.mark_outbox(archive, row["id"], status="failed", attempts=attempts,
                          last_error=str(exc))  # fmt: skip
        report.failed += 1
        report.errors.append(f"{row['recipient']}: {exc}")
        return
    except TemporaryFailure as exc:
        created = datetime.fromisoformat(row["created_at"].replace("Z", "+00:00"))
        gave_up = now - created > GIVE_UP_AFTER
        store.mark_outbox(
            archive, row["id"], status="failed" if gave_up else "pending", attempts=attempts,
            last_error=str(exc) + (" (gave up)" if gave_up else ""),
            next_attempt_at=iso_utc(now + backoff(attempts)),
        )  # fmt: skip
        report.failed += gave_up
        report.retrying += not gave_up
        report.errors.append(f"{row['recipient']}: {exc}")
        return
    store.mark_outbox(archive, row["id"], status="sent", attempts=attempts, last_error="",
                      sent_at=iso_utc())  # fmt: skip
    report.sent += 1
