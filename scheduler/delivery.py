"""Sending the outbox through the configured transport (scheduler.transports).

Delivery is at least once: a row is marked sent only after the server accepted it, so a
crash between the two sends that one message again (same bytes, same Message-ID) on the
next pass. Each email sent or given up is one log line: rule, recipients, Message-ID.
"""

from __future__ import annotations

import logging
import os
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from db import alerts as store
from newswatch.clock import iso_utc
from newswatch.configtypes import Config
from scheduler.email import wire_bytes
from scheduler.transports import (
    PermanentFailure,
    TemporaryFailure,
    Transport,
    envelope_sender,
    transport_for,
)

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=3)
LEASE = timedelta(minutes=10)  # longer than any pass over the outbox takes
log = logging.getLogger("newswatch.mail")


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        if outcome.status != "sent":
            self.errors.append(f"{outcome.recipient}: {outcome.detail}")


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
    outcomes: dict[str, list[Outcome]] = defaultdict(list)
    try:
        for row in rows:
            lease = iso_utc(datetime.now(UTC) + LEASE)
            if not store.renew_lease(archive, row["id"], _me(), lease):  # another has it
                continue
            outcome = _deliver_one(archive, transport, envelope_sender(config), row, now)
            outcomes[row["message_id"]].append(outcome)
            report.count(outcome)
    finally:
        transport.close()
    for message_id, results in outcomes.items():
        _log_email(message_id, results)
    return report


@dataclass(frozen=True)
class Outcome:
    rule: str
    recipient: str
    status: str  # sent | retrying | failed
    detail: str  # the server's reply, where the file went, or the error


def _deliver_one(archive: Database, transport: Transport, sender: str, row: dict[str, Any],
                 now: datetime) -> Outcome:  # fmt: skip
    attempts = row["attempts"] + 1
    done = lambda status, detail: Outcome(row["rule"], row["recipient"], status, detail)  # noqa: E731
    try:
        reply = transport.send(sender, row["recipient"], wire_bytes(row["message"]))
    except PermanentFailure as exc:
        store.mark_outbox(archive, row["id"], status="failed", attempts=attempts,
                          last_error=str(exc))  # fmt: skip
        return done("failed", str(exc))
    except TemporaryFailure as exc:
        created = datetime.fromisoformat(row["created_at"].replace("Z", "+00:00"))
        gave_up = now - created > GIVE_UP_AFTER
        error = str(exc) + (" (gave up)" if gave_up else "")
        store.mark_outbox(
            archive, row["id"], status="failed" if gave_up else "pending", attempts=attempts,
            last_error=error, next_attempt_at=iso_utc(now + backoff(attempts)),
        )  # fmt: skip
        return done("failed" if gave_up else "retrying", error)
    store.mark_outbox(archive, row["id"], status="sent", attempts=attempts, last_error="",
                      sent_at=iso_utc())  # fmt: skip
    return done("sent", reply)


def _log_email(message_id: str, results: list[Outcome]) -> None:
    """One line per email and outcome: INFO sent, WARNING to retry, ERROR given up."""
    extra = {"source": "-", "run": "outbox"}
    rule = results[0].rule
    for status, level, verb in (("sent", logging.INFO, "sent"),
                                ("retrying", logging.WARNING, "not sent yet, will retry"),
                                ("failed", logging.ERROR, "given up")):  # fmt: skip
        these = [r for r in results if r.status == status]
        if these:
            n = len(these)
            log.log(level, "email %s: rule %s, %d recipient%s, Message-ID %s: %s", verb, rule, n,
                    "" if n == 1 else "s", message_id, these[-1].detail, extra=extra)  # fmt: skip
