"""The mail keys of config.yaml (`alerts.smtp`, `alerts.operator`, rule recipients).

Read by load_config (newswatch.config) through its reader, so every mistake is one line
naming the key. Senders are held to what relays accept: a real domain, never `localhost`.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newswatch.addresses import (
    AddressError,
    Mailbox,
    host_fqdn,
    parse_mailbox,
    public_name,
    valid_domain,
)
from newswatch.configtypes import Dkim, Smtp

if TYPE_CHECKING:
    from newswatch.config import _Reader

SMTP_KEYS = {
    "host", "port", "security", "username", "password_env", "from", "timeout", "envelope_from",
    "reply_to", "local_hostname", "dkim",
}  # fmt: skip
DKIM_KEYS = {"domain", "selector", "key_file"}


def mailbox(reader: _Reader, key: str, value: Any, *, name: bool = False,
            sender: bool = False) -> Mailbox:  # fmt: skip
    """One address (`Name <addr>` too when `name`); a sender must be at a public domain."""
    expected = "an email address such as " + ("'Name <user@example.org>'" if name
                                              else "user@example.org")  # fmt: skip
    text = reader.string(key, value)
    try:
        box = parse_mailbox(text, display_name=name)
    except AddressError as exc:
        raise reader.fail(key, f"{expected} ({exc})" if str(exc) else expected, value) from None
    if sender and not public_name(box.domain):
        expected = "a sender at a public domain (relays refuse localhost and one-word names)"
        raise reader.fail(key, expected, value)
    return box


def recipient(reader: _Reader, key: str, value: Any) -> str:
    return mailbox(reader, key, value).addr


def sender_identity(reader: _Reader, smtp: Smtp | None) -> tuple[Mailbox, str]:
    """(From, host name) of this install: the smtp block's, else newswatch@<FQDN> for the
    Maildir, where a local name is fine."""
    if smtp is not None:
        return smtp.sender, smtp.local_hostname
    fqdn = host_fqdn()
    return Mailbox(f"newswatch@{fqdn if valid_domain(fqdn) else 'localhost'}"), fqdn


def smtp(reader: _Reader, raw: Any) -> Smtp:
    raw = reader.mapping("alerts.smtp", raw, SMTP_KEYS)
    if raw.get("dkim") is not None:  # unknown keys first, whatever else is missing
        reader.mapping("alerts.smtp.dkim", raw["dkim"], DKIM_KEYS)
    login = _login(reader, raw)
    host = reader.string("alerts.smtp.host", raw.get("host"))
    # A server on this machine is the local MTA: it gives mail its public identity, so a
    # local sender and EHLO name are fine there; anywhere else relays refuse them.
    public = not _this_machine(host)
    fqdn = host_fqdn()
    sender = _sender(reader, raw, fqdn, public)
    reply_to = raw.get("reply_to")
    return Smtp(
        host=host,
        port=reader.number("alerts.smtp.port", raw.get("port", 587), int, 1),
        sender=sender,
        timeout=reader.number("alerts.smtp.timeout", raw.get("timeout", 30), float, 1),
        envelope_from=_optional(reader, raw, "envelope_from", sender=public),
        reply_to=mailbox(reader, "alerts.smtp.reply_to", reply_to, name=True)
        if reply_to is not None
        else None,
        local_hostname=_hostname(reader, raw.get("local_hostname"), fqdn, public),
        dkim=dkim(reader, raw["dkim"], sender) if raw.get("dkim") is not None else None,
        **login,
    )


def _login(reader: _Reader, raw: dict[str, Any]) -> dict[str, str]:
    """security, username and password_env (the password itself stays in the environment)."""
    security = raw.get("security", "starttls")
    if security not in ("starttls", "ssl", "none"):
        raise reader.fail("alerts.smtp.security", "starttls, ssl or none", security)
    password_env = raw.get("password_env", "")
    if password_env:
        reader.string("alerts.smtp.password_env", password_env, r"[A-Za-z_][A-Za-z0-9_]*")
    username = raw.get("username")
    username = reader.string("alerts.smtp.username", username) if username else ""
    return {"security": security, "username": username, "password_env": password_env}


def _optional(reader: _Reader, raw: dict[str, Any], name: str, sender: bool) -> str:
    if raw.get(name) is None:
        return ""
    return mailbox(reader, f"alerts.smtp.{name}", raw[name], sender=sender).addr


def _this_machine(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower().rstrip(".") in ("localhost", "localhost.localdomain")


def _sender(reader: _Reader, raw: dict[str, Any], fqdn: str, public: bool) -> Mailbox:
    if raw.get("from") is not None:
        return mailbox(reader, "alerts.smtp.from", raw["from"], name=True, sender=public)
    if public and not public_name(fqdn):
        expected = f"a sender address (the default newswatch@{fqdn} is no public address)"
        raise reader.fail("alerts.smtp.from", expected, None)
    return Mailbox(f"newswatch@{fqdn if valid_domain(fqdn) else 'localhost'}")


def _hostname(reader: _Reader, value: Any, fqdn: str, public: bool) -> str:
    key = "alerts.smtp.local_hostname"
    if value is None:
        if public and not public_name(fqdn):
            expected = f"this host's public name for EHLO (its FQDN, {fqdn!r}, is not one)"
            raise reader.fail(key, expected, None)
        return fqdn if valid_domain(fqdn) else "localhost"
    name = reader.string(key, value)
    if not (public_name(name) or (not public and valid_domain(name))):
        raise reader.fail(key, "a fully qualified host name, not localhost or one word", value)
    return name.lower().rstrip(".")


def dkim(reader: _Reader, raw: Any, sender: Mailbox) -> Dkim:
    raw = reader.mapping("alerts.smtp.dkim", raw, DKIM_KEYS)
    domain = reader.string("alerts.smtp.dkim.domain", raw.get("domain")).lower().rstrip(".")
    if not (sender.domain == domain or sender.domain.endswith("." + domain)):
        expected = f"the From domain {sender.domain} or a parent of it (DMARC alignment)"
        raise reader.fail("alerts.smtp.dkim.domain", expected, domain)
    selector = reader.string("alerts.smtp.dkim.selector", raw.get("selector"), r"[\w.-]+")
    path = Path(reader.string("alerts.smtp.dkim.key_file", raw.get("key_file")))
    if not path.is_absolute():
        path = reader.file.resolve().parent / path
    key = _private_key(reader, path)
    return Dkim(domain=domain, selector=selector, key_file=path, key=key)


def _private_key(reader: _Reader, path: Path) -> bytes:
    import dkim  # lazily: only installs that sign need it loaded

    key = "alerts.smtp.dkim.key_file"
    try:
        data = path.read_bytes()
        dkim.crypto.parse_pem_private_key(data)
    except OSError as exc:
        raise reader.fail(key, f"a readable file ({exc.strerror})", str(path)) from None
    except (dkim.crypto.UnparsableKeyError, ValueError, IndexError):
        raise reader.fail(key, "an RSA private key in PEM", str(path)) from None
    return data
