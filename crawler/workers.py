"""Extraction off the reactor: a process pool that parses article pages.

Scrapy's downloads and our pipelines share one thread; parsing HTML is the heaviest CPU work
of a crawl, so it runs in worker processes and the reactor keeps the network busy.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor

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


def extraction_pool(workers: int) -> Executor | None:
    if workers <= 0:
        return None
    # forkserver: workers are not forked from a process running a reactor and threads.
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)
