"""The one test SMTP server: aiosmtpd on loopback, which can be told to refuse.

The port is bound (port 0) when the SmtpServer is made and held from then on: before start()
the socket is bound but not listening, so a client is refused at once (a server that is down),
and no other process can take the port meanwhile. start() listens on that socket.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass
class Inbox:
    """Accepts mail, except what it is told to refuse. Subclass it to misbehave."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)  # address -> SMTP reply
    refuse_data: str = ""  # e.g. "451 4.3.0 try later"
    raw: list[bytes] = field(default_factory=list)  # each message's bytes as received
    helo: list[str] = field(default_factory=list)  # the EHLO name of each message's session

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:  # fmt: skip  # noqa: N802
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse_data:
            return self.refuse_data
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.raw.append(envelope.original_content)
        self.helo.append(session.host_name)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [
            m
            for m, (_, rcpts) in zip(self.messages, self.envelopes, strict=True)
            if address in rcpts
        ]


def _bound(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    return sock


class _Controller(Controller):
    """aiosmtpd's threaded controller, listening on a socket it is given."""

    def __init__(self, handler: Any, sock: socket.socket, **kwargs: Any) -> None:
        super().__init__(handler, hostname=HOST, port=sock.getsockname()[1], **kwargs)
        self._sock = sock

    def _create_server(self) -> Any:
        return self.loop.create_server(self._factory_invoker, sock=self._sock,
                                       ssl=self.ssl_context)  # fmt: skip


class SmtpServer:
    """SmtpServer(inbox, **aiosmtpd_options).start(); `.port`, `.inbox`; stop() and start()
    again serve the same port. Options: authenticator, auth_require_tls, tls_context (STARTTLS),
    require_starttls, ssl_context (implicit TLS) and the rest of aiosmtpd's."""

    def __init__(self, inbox: Inbox | None = None, **options: Any) -> None:
        self.inbox = inbox if inbox is not None else Inbox()
        self.options = options
        self._sock: socket.socket | None = _bound()
        self.port: int = self._sock.getsockname()[1]
        self.controller: _Controller | None = None

    def start(self) -> SmtpServer:
        sock, self._sock = self._sock or _bound(self.port), None
        self.controller = _Controller(self.inbox, sock, **self.options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
        if self._sock is not None:  # never started
            self._sock.close()
            self._sock = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
