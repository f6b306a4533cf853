"""The config's value checks: strings, numbers, URLs, time zones, schedules, regexes.

newswatch.config reads the sections with them; every failure names the file and the key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newswatch.configtypes import ConfigError
from newswatch.schedule import Schedule, parse_schedule


class Reader:
    """The value checks every section of the config uses: each names the key, what was
    expected and what came (as ConfigError, one line)."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, key: str, expected: str, got: Any) -> ConfigError:
        shown = repr(got) if len(repr(got)) <= 80 else repr(got)[:77] + "..."
        return ConfigError(f"{self.file}: {key}: expected {expected}, got {shown}")

    def mapping(self, key: str, value: Any, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key or "top level", "a mapping", value)
        for name in value:
            if name not in allowed:
                where = f"{key}.{name}" if key else str(name)
                raise self.fail(where, "one of " + ", ".join(sorted(allowed)), "unknown key")
        return value

    def string(self, key: str, value: Any, pattern: str = "") -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "a non-empty string", value)
        if pattern and not re.fullmatch(pattern, value):
            raise self.fail(key, f"a string matching {pattern}", value)
        return value.strip()

    def number(self, key: str, value: Any, kind: type, minimum: float) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"a number >= {minimum}", value)
        if kind is int and not isinstance(value, int):
            raise self.fail(key, f"a whole number >= {minimum}", value)
        if value < minimum:
            raise self.fail(key, f"a number >= {minimum}", value)
        return kind(value)

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, "true or false", value)
        return value

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.fail(key, "a list of strings", value)
        return tuple(self.string(f"{key}[{i}]", v) for i, v in enumerate(value))

    def urls(self, key: str, value: Any) -> tuple[str, ...]:
        urls = self.strings(key, value)
        for i, url in enumerate(urls):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise self.fail(f"{key}[{i}]", "an http(s) URL", url)
        return urls

    def timezone(self, key: str, value: Any) -> str:
        name = self.string(key, value)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(key, "an IANA time zone such as Asia/Seoul", value) from None
        return name

    def schedule(self, key: str, value: Any, timezone: str) -> Schedule:
        text = self.string(key, value)
        try:
            return parse_schedule(text, timezone)
        except ValueError as exc:
            expected = f'"every N[s|m|h]" or a 5-field cron expression ({exc})'
            raise self.fail(key, expected, value) from None

    def regex(self, key: str, value: Any) -> str:
        text = self.string(key, value)
        try:
            re.compile(text)
        except re.error as exc:
            raise self.fail(key, f"a regular expression ({exc})", value) from None
        return text
