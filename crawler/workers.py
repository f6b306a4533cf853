"""What runs in the extraction workers (crawler.pool): parsing article pages.

The crawl process imports this module too (to name these functions to its workers), but
not the extraction: crawler.extract (trafilatura, ...) is imported by the workers only, by
`ready()` when a worker starts.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import TYPE_CHECKING, Any

from crawler.encoding import body_text
from crawler.extracted import Extracted
from crawler.items import Article
from crawler.prepare import prepare
from crawler.profiles import get_profile

if TYPE_CHECKING:  # unpickling a Source imports its module; the worker needs no more
    from newswatch.configtypes import Source


def extract_page(
    page: bytes, encoding: str, url: str, source: Source, article_url: str = ""
) -> tuple[Article, dict[str, str]]:
    """The article at `article_url` (asked for; `url`: the page's, after redirects), from
    the page's bytes in `encoding` (decoded here, not in the crawl process), by the
    site profile's parser when the source names one, else by selectors or generically,
    prepared for the archive (crawler.prepare) so that this CPU work too is done in the
    worker; and how the configured selectors fared on it. Only these go back to the crawl
    process, not the parsed page."""
    profile = get_profile(source.profile) if source.profile else None
    html = body_text(page, encoding)
    selectors, timezone = source.selectors, source.timezone
    if profile:
        found = profile.extract(html, url, selectors=selectors, timezone=timezone)
    else:
        from crawler.extract import extract_article  # the worker's import (see above)

        found = extract_article(html, url, selectors=selectors, timezone=timezone)
    item = article_of(found, article_url or url, source.name)
    return prepare(item, profile), found.selector_report


def article_of(found: Extracted, url: str, source: str) -> Article:
    return Article(
        url=url, source=source, title=found.title, body=found.body,
        published_at=found.published_at, updated_at=found.updated_at, authors=found.authors,
        summary=found.summary, dateline=found.dateline, language=found.language,
        tags=found.tags, images=found.images, origins=found.origins,
        version=getattr(found, "version", ""),
    )  # fmt: skip


STARTED = -1  # the id of the answer a worker sends unasked once it has started


def serve(tasks: Connection, answers: Connection, crawl_pid: int) -> None:
    """A worker's life (crawler.channel): tasks in, answers out, until the crawl closes the
    pipe or ends. Ctrl-C reaches the whole process group: the crawl decides, not the worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_crawl(crawl_pid)
    try:
        answers.send_bytes(answer(STARTED, ready, ()))  # it imported what it needs
    except OSError:
        return
    while True:
        try:
            task_id, function, args = tasks.recv()
            answers.send_bytes(answer(task_id, function, args))
        except (EOFError, OSError):  # the crawl closed the pipes, or is gone
            return


def answer(task_id: int, function: Callable[..., Any], args: tuple[Any, ...]) -> memoryview:
    """(task_id, True, value) or (task_id, False, exception), pickled; an exception that
    cannot cross the pipe crosses as a RuntimeError naming it."""
    try:
        return ForkingPickler.dumps((task_id, True, function(*args)))
    except Exception as exc:
        error: BaseException = exc
    try:
        data = ForkingPickler.dumps((task_id, False, error))
        pickle.loads(data)
        return data
    except Exception:
        return ForkingPickler.dumps((task_id, False, RuntimeError(repr(error))))


def ready() -> bool:
    """Imports the extraction (before the first page, which would wait for it otherwise);
    a worker's first, unasked answer (`serve`) says it has done so."""
    import crawler.extract  # noqa: F401

    return True


def exit_with_crawl(crawl_pid: int) -> None:
    """A worker ends when its crawl does, even one killed with -9 (it would wait forever)."""
    threading.Thread(target=_watch, args=(crawl_pid,), daemon=True).start()


def _watch(crawl_pid: int) -> None:
    while True:
        time.sleep(1)
        if os.getppid() != crawl_pid:
            os._exit(0)
