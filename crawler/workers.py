"""What runs in the extraction workers (crawler.pool): parsing article pages."""

from __future__ import annotations

import os
import threading
import time

from crawler.extract import Extracted, extract_article
from crawler.pipelines import normalize_text
from crawler.profiles import get_profile
from crawler.similarity import Fingerprint, fingerprint
from newswatch.config import Source


def extract_page(html: str, url: str, source: Source) -> tuple[Extracted, Fingerprint]:
    """The page's fields (by the site profile's parser when the source names one, else by
    selectors or generically), and the fingerprint of its normalized text, so that this CPU
    work too is done in the worker (DeduplicatePipeline computes it otherwise)."""
    selectors, timezone = source.selectors, source.timezone
    if source.profile:
        profile = get_profile(source.profile)
        found = profile.extract(html, url, selectors=selectors, timezone=timezone)
    else:
        found = extract_article(html, url, selectors=selectors, timezone=timezone)
    title = " ".join(normalize_text(found.title).split())
    return found, fingerprint(f"{title}\n\n{normalize_text(found.body)}")


def ready() -> bool:
    """The trivial task that checks a new pool: its worker started and imported this module."""
    return True


def exit_with_crawl(crawl_pid: int) -> None:
    """A worker ends when its crawl does, even one killed with -9 (it would wait forever)."""
    threading.Thread(target=_watch, args=(crawl_pid,), daemon=True).start()


def _watch(crawl_pid: int) -> None:
    while True:
        time.sleep(1)
        if os.getppid() != crawl_pid:
            os._exit(0)
