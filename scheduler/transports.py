"""Where a message goes: an SMTP server (starttls | ssl | none) or, without an smtp block,
a local Maildir. Both take the outbox's bytes as they are: the Maildir file is the message
the SMTP path would send (less the DKIM signature, which only the SMTP path adds).
"""

from __future__ import annotations

import contextlib
import mailbox
import smtplib
import ssl
from pathlib import Path
from typing import Protocol

from db import private_folder
from newswatch.configtypes import Config, Dkim, Smtp


class TemporaryFailure(Exception):
    """Worth trying again later (4xx, connection trouble, timeouts)."""


class PermanentFailure(Exception):
    """The server refused for good (5xx for this recipient)."""


class Transport(Protocol):
    def send(self, sender: str, recipient: str, message: bytes) -> str:
        """Deliver; returns what happened (the server's reply, or the file written)."""
        ...

    def close(self) -> None: ...


class MaildirTransport:
    """Writes each email into a Maildir (readable with `mutt -f PATH`), byte for byte."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Its folder exists beside an SQLite archive; beside a config naming a PostgreSQL
        # archive (data/), maybe not yet.
        private_folder(path.parent)
        self.box = mailbox.Maildir(path, create=True)

    def send(self, sender: str, recipient: str, message: bytes) -> str:
        try:
            key = self.box.add(message)  # bytes are written unchanged
        except OSError as exc:
            raise TemporaryFailure(f"cannot write to {self.path}: {exc.strerror}") from None
        return f"written to {self.path / 'new' / key}"

    def close(self) -> None:
        self.box.close()


def dkim_sign(message: bytes, settings: Dkim) -> bytes:
    """`message` with a DKIM-Signature header on top (relaxed/relaxed; From, To, Subject,
    Date, Message-ID, List-Id and the other one-only headers signed once more than they
    occur, so that none can be added on the way)."""
    import dkim

    signer = dkim.DKIM(message)
    signer.add_frozen((*dkim.DKIM.RFC5322_SINGLETON, b"subject", b"list-id"))
    try:
        signature = signer.sign(settings.selector.encode(), settings.domain.encode(),
                                settings.key, canonicalize=(b"relaxed", b"relaxed"))  # fmt: skip
    except dkim.DKIMException as exc:
        raise TemporaryFailure(f"DKIM signing failed: {exc}") from None
    return signature + message


class SmtpTransport:
    """One SMTP connection for a pass over the outbox, opened on first use."""

    def __init__(self, settings: Smtp) -> None:
        self.settings = settings
        self.conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                s.host, s.port, local_hostname=s.local_hostname, timeout=s.timeout,
                context=ssl.create_default_context(),
            )  # fmt: skip
        else:
            conn = smtplib.SMTP(s.host, s.port, local_hostname=s.local_hostname, timeout=s.timeout)
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

    def send(self, sender: str, recipient: str, message: bytes) -> str:
        if self.settings.dkim is not None:
            message = dkim_sign(message, self.settings.dkim)
        try:
            self.conn = self.conn or self._connect()
            return _transaction(self.conn, sender, recipient, message)
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


def _transaction(conn: smtplib.SMTP, sender: str, recipient: str, message: bytes) -> str:
    """MAIL, RCPT, DATA (as smtplib's sendmail, but keeping the server's final reply)."""
    code, reply = conn.mail(sender)
    if code != 250:
        _reset(conn)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    code, reply = conn.rcpt(recipient)
    if code not in (250, 251):
        _reset(conn)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    code, reply = conn.data(message)  # bytes go as they are, dot-stuffed
    if code != 250:
        _reset(conn)
        raise smtplib.SMTPDataError(code, reply)
    return f"{code} {' '.join(reply.decode('utf-8', 'replace').split())}"


def _reset(conn: smtplib.SMTP) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):  # the next command will tell
        conn.rset()


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


def envelope_sender(config: Config) -> str:
    """MAIL FROM: where bounces go."""
    smtp = config.alerts.smtp
    return smtp.bounce_address if smtp else config.alerts.sender.addr
