"""Delivery over TLS against a real aiosmtpd: STARTTLS with a login, and implicit TLS (ssl).

The server's certificate is made here, self-signed for 127.0.0.1; newswatch trusts it only
because SSL_CERT_FILE names it (as an operator would point at a private CA). Without that,
the certificate is refused and nothing is sent.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

import pytest
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from support.alerts import add_article, alert_pass, outbox
from support.alerts import write_config as alert_config
from support.mail import SMTP, config_file
from support.smtp import Inbox, SmtpServer

PASSWORD = "s3cret-Pa55"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) PEM files for 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "newswatch test SMTP")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class TlsInbox(Inbox):
    """Also records, for each message, whether its session was encrypted."""

    encrypted: list[bool]

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        tls = server.transport.get_extra_info("ssl_object") is not None
        self.encrypted = [*getattr(self, "encrypted", []), tls]
        return await super().handle_DATA(server, session, envelope)


class Accounts:
    """aiosmtpd authenticator: user `nw` with PASSWORD, logins recorded."""

    def __init__(self) -> None:
        self.logins: list[str] = []

    def __call__(self, server, session, envelope, mechanism, auth_data):  # noqa: ANN001
        ok = auth_data.login == b"nw" and auth_data.password == PASSWORD.encode()
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


@pytest.fixture
def tls(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, cert


def test_starttls_with_login_sends_encrypted(tmp_path, tls, run_cli, monkeypatch):
    context, cert = tls
    accounts, inbox = Accounts(), TlsInbox()
    with SmtpServer(inbox, tls_context=context, require_starttls=True, auth_require_tls=True,
                    authenticator=accounts) as server:  # fmt: skip
        smtp = SMTP | {"port": server.port, "security": "starttls", "username": "nw",
                       "password_env": "NW_SMTP_PASSWORD"}  # fmt: skip
        monkeypatch.setenv("NW_SMTP_PASSWORD", PASSWORD)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        result = run_cli("alerts", "test", "--to", "me@example.org",
                         config=config_file(tmp_path, smtp))  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"me@example.org: 250 OK (127.0.0.1:{server.port})")
    assert len(inbox.messages) == 1 and inbox.encrypted == [True]
    assert accounts.logins == ["nw"]


def test_implicit_tls_delivers_the_outbox(tmp_path, tls, monkeypatch):
    context, cert = tls
    inbox = TlsInbox()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with SmtpServer(inbox, ssl_context=context) as server:
        config = alert_config(tmp_path, server.port, security="ssl")
        add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
        report = alert_pass(config)[1]

    assert (report.sent, report.retrying) == (1, 0), report.errors
    assert inbox.encrypted == [True]
    assert inbox.envelopes[0][1] == ["analyst@example.org"]
    assert outbox(config) == [("analyst@example.org", "sent", 1)]


def test_an_untrusted_certificate_sends_nothing_and_is_retried(tmp_path, tls, run_cli,
                                                               monkeypatch):  # fmt: skip
    context, _ = tls
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    inbox = TlsInbox()
    with SmtpServer(inbox, ssl_context=context) as server:
        config = alert_config(tmp_path, server.port, security="ssl")
        add_article(config, "https://en.yna.co.kr/view/AEN1", "Allies bolster deterrence")
        report = alert_pass(config)[1]
        smtp = SMTP | {"port": server.port, "security": "starttls"}
        with SmtpServer(tls_context=context) as starttls:
            smtp["port"] = starttls.port
            result = run_cli("alerts", "test", config=config_file(tmp_path, smtp))

    assert report.retrying == 1 and "CERTIFICATE_VERIFY_FAILED" in report.errors[0], report
    assert outbox(config) == [("analyst@example.org", "pending", 1)]
    assert inbox.messages == []
    assert result.returncode == 1
    assert "CERTIFICATE_VERIFY_FAILED" in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
