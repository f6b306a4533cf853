"""Email addresses and host names as a mail server checks them (the stdlib's header registry).

Parsing goes through `email.headerregistry` (the RFC 5322 address parser) and formatting
through `email.utils.formataddr`, so a display name in any script becomes an encoded word
*beside* the address, never around it.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from email import errors
from email.header import Header
from email.policy import default as default_policy
from email.utils import formataddr

_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_LOCAL_NAMES = ("localhost", "localdomain", "local")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class AddressError(ValueError):
    """Not one valid address; the message says what is wrong in plain words, if more can
    be said than that."""


@dataclass(frozen=True)
class Mailbox:
    """One address, with an optional display name (any script)."""

    addr: str  # the addr-spec, ASCII: user@example.org
    name: str = ""

    @property
    def domain(self) -> str:
        return self.addr.rpartition("@")[2]

    def header(self) -> str:
        """For a From/To/Reply-To header: `=?utf-8?b?...?= <user@example.org>`."""
        return with_phrase(self.name, self.addr)

    def __str__(self) -> str:
        return f"{self.name} <{self.addr}>" if self.name else self.addr


def with_phrase(name: str, addr: str) -> str:
    """`name <addr>` for a header: an ASCII name quoted as needed (formataddr), any other
    as RFC 2047 encoded words, folded so that no line runs over 78 characters."""
    if not name or name.isascii():
        return formataddr((name, addr))
    words = Header(name, "utf-8", maxlinelen=76, header_name="Reply-To").encode(linesep="\r\n")
    last = len(words.rsplit("\r\n", 1)[-1])
    return words + ("\r\n " if last + len(addr) + 3 > 78 else " ") + f"<{addr}>"


def _ascii_domains(text: str) -> str:
    """IDN domains in their ASCII (punycode) form, as SMTP without SMTPUTF8 needs them."""

    def encode(m: re.Match[str]) -> str:
        try:
            return "@" + m.group(1).encode("idna").decode("ascii")
        except UnicodeError:
            return m.group(0)

    return re.sub(r"@([^\s<>@,;\"()\[\]]*[^\x00-\x7f][^\s<>@,;\"()\[\]]*)", encode, text)


def valid_domain(domain: str) -> bool:
    labels = domain.rstrip(".").split(".")
    return len(domain) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def public_name(name: str) -> bool:
    """A fully qualified name that relays accept in HELO or a sender: not localhost, not
    a single label (`vm`, a container id)."""
    name = name.lower().rstrip(".")
    labels = name.split(".")
    return len(labels) > 1 and valid_domain(name) and labels[-1] not in _LOCAL_NAMES


def parse_mailbox(text: str, display_name: bool = True) -> Mailbox:
    """`user@example.org` or `Name <user@example.org>` as one Mailbox, or AddressError."""
    if not isinstance(text, str) or not text.strip():
        raise AddressError("empty")
    if _INVISIBLE.search(text):
        raise AddressError("control or text-direction characters")
    try:
        header = default_policy.header_factory("To", _ascii_domains(text.strip()))
        found = list(header.addresses)
        bad = [d for d in header.defects if not isinstance(d, errors.ObsoleteHeaderDefect)]
    except (errors.HeaderDefect, UnicodeError, IndexError, ValueError):
        raise AddressError("") from None
    if len(found) > 1:
        raise AddressError(f"{len(found)} addresses, not one")
    if bad or not found:
        raise AddressError("")
    address = found[0]
    if not address.username or not address.domain:
        raise AddressError("no user or no domain")
    if not address.addr_spec.isascii():
        raise AddressError("a non-ASCII user part (needs SMTPUTF8, which is not used)")
    if not valid_domain(address.domain):
        raise AddressError(f"{address.domain!r} is not a domain name")
    if address.display_name and not display_name:
        raise AddressError("a display name where only an address fits")
    return Mailbox(address.addr_spec, address.display_name)


def host_fqdn() -> str:
    """This host's fully qualified name, as the resolver gives it (often `localhost`)."""
    return socket.getfqdn().lower().rstrip(".")
