"""One extraction worker and the two pipes through which the reactor talks to it.

Tasks go down one pipe, answers come back up the other; the reactor writes a task when it
is submitted and reads answers when the loop says they are there, so no thread of the crawl
process stands between it and the worker. A task is written only while the pipe has room for
it (the reactor never waits on a full pipe), and the pipes are grown where Linux allows, so
that the worker finds its next pages waiting. A worker that dies closes its end: the pages
it held fail with BrokenProcessPool (crawler.pool replaces it and sends them again).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import itertools
import logging
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext, SpawnProcess
from multiprocessing.reduction import ForkingPickler
from typing import Any

from crawler.workers import STARTED

log = logging.getLogger(__name__)

PIPE_BYTES = 1 << 20  # Linux's limit for a pipe's buffer without privileges (pipe-max-size)
HEADER_BYTES = 16  # what Connection.send_bytes writes before a message, at most
JOIN_SECONDS = 10.0  # a worker asked to end that has not within this is killed


class Channel:
    """A worker process, its task and answer pipes, and the tasks it holds."""

    def __init__(self, process: SpawnProcess, tasks: Connection, answers: Connection) -> None:
        self.process, self.tasks, self.answers = process, tasks, answers
        self.capacity = _pipe_size(tasks)
        self.ids = itertools.count()
        self.waiting: dict[int, tuple[asyncio.Future[Any], int]] = {}  # sent or queued
        self.queued: deque[tuple[int, memoryview]] = deque()  # not sent yet: no room
        self.in_pipe = 0  # bytes of tasks sent and not answered (the pipe holds at most that)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.broken = False
        self.started: asyncio.Future[Any] | None = None  # the worker's first, unasked answer

    @classmethod
    def spawn(cls, context: SpawnContext, target: Callable[..., None], crawl_pid: int) -> Channel:
        """A started worker running `target(tasks, answers, crawl_pid)`."""
        task_reader, task_writer = context.Pipe(duplex=False)
        answer_reader, answer_writer = context.Pipe(duplex=False)
        for end in (task_writer, answer_writer):
            _grow(end)
        process = context.Process(
            target=target, args=(task_reader, answer_writer, crawl_pid),
            name="newswatch-extraction", daemon=True,
        )  # fmt: skip
        with _ctrl_c_ignored():
            process.start()
        # The worker's ends, closed here: when it dies, reading its answers meets the end.
        task_reader.close()
        answer_writer.close()
        return cls(process, task_writer, answer_reader)

    def load(self) -> int:
        return len(self.waiting)

    def start_answer(self) -> asyncio.Future[Any]:
        """Settled when the worker says it has started (crawler.workers.serve), which it does
        unasked: by the first page it usually has."""
        loop = asyncio.get_running_loop()
        if self.started is None or self.started.get_loop() is not loop:
            self.started = loop.create_future()
            if self.broken:
                self.started.set_exception(BrokenProcessPool("the extraction worker died"))
        self._watch(loop)
        self._answered()  # it may be in the pipe already
        return self.started

    def submit(self, function: Callable[..., Any], args: tuple[Any, ...]) -> asyncio.Future[Any]:
        """`function(*args)` in the worker; the future has its value or its exception."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if self.broken:
            future.set_exception(BrokenProcessPool("the extraction worker died"))
            return future
        self._watch(loop)
        task_id = next(self.ids)
        data = ForkingPickler.dumps((task_id, function, args))
        self.waiting[task_id] = (future, len(data) + HEADER_BYTES)
        self.queued.append((task_id, data))
        self._send()
        return future

    def _send(self) -> None:
        """Queued tasks into the pipe while it has room for them; a task larger than the
        pipe goes alone, when the worker holds nothing else (it reads it as it is written)."""
        while self.queued and not self.broken:
            task_id, data = self.queued[0]
            size = self.waiting[task_id][1]
            if self.in_pipe and self.in_pipe + size > self.capacity:
                return
            self.queued.popleft()
            try:
                self.tasks.send_bytes(data)
            except OSError:  # BrokenPipeError: the worker is gone
                self._broke()
                return
            self.in_pipe += size

    def _answered(self) -> None:
        """The loop's reader: every answer that has arrived settles its task's future."""
        try:
            while not self.broken and self.answers.poll():
                task_id, ok, value = self.answers.recv()
                if task_id == STARTED:
                    self._settle_started(ok, value)
                    continue
                future, size = self.waiting.pop(task_id)
                self.in_pipe -= size
                if not future.done():
                    future.set_result(value) if ok else future.set_exception(value)
        except (EOFError, OSError):  # the worker died (or closed its end)
            self._broke()
            return
        self._send()

    def _settle_started(self, ok: bool, value: Any) -> None:
        self.started = self.started or asyncio.get_running_loop().create_future()
        if not self.started.done():
            self.started.set_result(value) if ok else self.started.set_exception(value)

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.loop is not loop:
            self._unwatch()
            loop.add_reader(self.answers.fileno(), self._answered)
            self.loop = loop

    def _unwatch(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            self.loop.remove_reader(self.answers.fileno())
        self.loop = None

    def _broke(self) -> None:
        self.broken = True
        self._unwatch()
        error = BrokenProcessPool("the extraction worker died")
        if self.started is not None and not self.started.done():
            self.started.set_exception(error)
        self._settle(error)

    def _settle(self, error: BaseException | None) -> None:
        """Every task still held ends: with `error`, or cancelled when the crawl is ending."""
        waiting, self.waiting = self.waiting, {}
        self.queued.clear()
        self.in_pipe = 0
        for future, _ in waiting.values():
            if not future.done():
                future.set_exception(error) if error else future.cancel()

    def close(self, wait: bool = True) -> None:
        """The worker ends (its task pipe closes); with `wait`, once it has exited."""
        self._unwatch()
        self._settle(None)
        for end in (self.tasks, self.answers):
            end.close()
        if not wait:
            self.process.join(0)  # reaped if it is dead already
            return
        self.process.join(JOIN_SECONDS)
        if self.process.is_alive():
            log.warning("an extraction worker did not end; killed")
            self.process.kill()
            self.process.join()


@contextlib.contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """SIGINT ignored while a worker is spawned: a Python started with it ignored keeps it so,
    and a terminal's Ctrl-C reaches the whole process group, a worker still importing
    included (it would die with a traceback). The crawl handles Ctrl-C and closes the pipes."""
    previous = signal.getsignal(signal.SIGINT)
    if previous is None or threading.current_thread() is not threading.main_thread():
        yield  # a handler set outside Python, or not the main thread: the worker sets it
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _grow(end: Connection) -> None:
    # Not on Linux, or over the user's quota: the pipe keeps its 64 KB (about 3 pages).
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(end.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _pipe_size(end: Connection) -> int:
    try:
        return int(fcntl.fcntl(end.fileno(), fcntl.F_GETPIPE_SZ))
    except (AttributeError, OSError):
        return 1 << 16
