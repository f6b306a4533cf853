"""Heartbeats of the schedulers and workers, in Redis, for `newswatch status`.

Each process writes `newswatch:hb:<role>:<host>:<pid>` (a JSON object: host, pid, since,
seen_at and what the role adds) every BEAT_SECONDS. The key outlives the process by KEEP_SECONDS
so that status can still show a dead one's last heartbeat; a clean stop deletes it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import threading
from collections.abc import Callable
from typing import Any

import redis

from newswatch.clock import utc_now

log = logging.getLogger("newswatch")
BEAT_SECONDS = 5
SILENT_AFTER = 3 * BEAT_SECONDS  # status calls a process silent after this long
KEEP_SECONDS = 3600
PREFIX = "newswatch:hb:"


class Heart:
    """Beats for one process in a thread of its own; `state()` adds to each beat."""

    def __init__(self, client: redis.Redis, role: str, state: Callable[[], dict[str, Any]]) -> None:
        self.client = client
        self.role = role
        self.state = state
        self.key = f"{PREFIX}{role}:{socket.gethostname()}:{os.getpid()}"
        self.since = utc_now()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=f"heartbeat-{role}", daemon=True)

    def start(self) -> Heart:
        self.beat()
        self.thread.start()
        return self

    def beat(self) -> None:
        doc = {"host": socket.gethostname(), "pid": os.getpid(), "since": self.since,
               "seen_at": utc_now()} | self.state()  # fmt: skip
        try:
            self.client.set(self.key, json.dumps(doc), ex=KEEP_SECONDS)
        except redis.RedisError as exc:  # the next beat tries again; status shows the gap
            log.warning("heartbeat not written: %s", exc, extra={"source": "-", "run": "-"})

    def _loop(self) -> None:
        while not self.stopping.wait(BEAT_SECONDS):
            self.beat()

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(redis.RedisError):
            self.client.delete(self.key)


def heartbeats(client: redis.Redis) -> dict[str, list[dict[str, Any]]]:
    """{role: [beat, ...]}, each beat as written, oldest process first."""
    found: dict[str, list[dict[str, Any]]] = {}
    keys = sorted(client.scan_iter(match=PREFIX + "*", count=500))
    for key, value in zip(keys, client.mget(keys) if keys else [], strict=True):
        if value is None:
            continue
        role = key.decode()[len(PREFIX) :].split(":", 1)[0]
        found.setdefault(role, []).append(json.loads(value))
    for beats in found.values():
        beats.sort(key=lambda b: b.get("since", ""))
    return found
