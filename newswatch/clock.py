"""Timestamps as stored everywhere in the archive: UTC, ISO 8601, whole seconds, 'Z'."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_utc(moment: datetime | None = None) -> str:
    """`moment` (default: now) as '2023-01-31T17:35:00Z'."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> str:
    return iso_utc()
