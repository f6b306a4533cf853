"""Mail tests' helpers: a config file with any `alerts.smtp` block, the outbox rows as
stored, and a received message read with the default policy, defects refused."""

from __future__ import annotations

import sqlite3
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import yaml

from newswatch.config import Config

SMTP = {
    "host": "127.0.0.1",
    "security": "none",
    "timeout": 5,
    "from": "뉴스워치 알림 <alerts@example.org>",
    "local_hostname": "nw.example.org",
}


def config_file(tmp_path: Path, smtp: dict[str, Any] | None,
                rules: list[dict[str, Any]] | None = None) -> Path:  # fmt: skip
    """config.yaml with one source `wire`, the given rules (default: `deterrence` to
    analyst@example.org) and `smtp` as alerts.smtp (None: the Maildir)."""
    raw: dict[str, Any] = {
        "database": "news.db",
        "timezone": "Asia/Seoul",
        "sources": [{"name": "wire", "start_urls": ["http://127.0.0.1:9/news"],
                     "article_url_pattern": "v"}],
        "alerts": {"rules": rules or [{"name": "deterrence", "query": "deterrence",
                                       "to": ["analyst@example.org"]}]},
    }  # fmt: skip
    if smtp is not None:
        raw["alerts"]["smtp"] = smtp
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def stored(config: Config) -> list[dict[str, Any]]:
    """Every outbox row, oldest first."""
    with sqlite3.connect(config.database) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM outbox ORDER BY id")]


def read(raw: bytes) -> EmailMessage:
    """`raw` parsed as a mail client would (default policy); a defect fails the test."""
    message = message_from_bytes(raw, policy=policy.default)
    assert not message.defects and all(not p.defects for p in message.walk()), raw[:2000]
    return message  # type: ignore[return-value]
