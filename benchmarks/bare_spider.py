"""The baseline for benchmarks/crawl_site.py: a bare Scrapy spider over the same site.

    python benchmarks/bare_spider.py BASE_URL MAX_LIST_PAGES [SETTINGS_JSON]

It follows the list pages from BASE_URL/news/1 through their "Next" links (at most
MAX_LIST_PAGES of them), requests every article linked by a list item
(`div.smain-list-type01 ul li article h2.tit a`) and yields only the article's URL: no
extraction, no pipelines, no database. SETTINGS_JSON, if given, is a JSON object of Scrapy
settings (crawl_site.py passes newswatch's own, minus its pipelines and extensions), so the
two crawls differ only in what newswatch does per page. Prints one JSON line of stats.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response

DEFAULT_SETTINGS: dict[str, Any] = {
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "WARNING",
}


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base: str, max_pages: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = base.rstrip("/")
        self.max_pages = max_pages

    async def start(self) -> Any:
        yield self.list_request(f"{self.base}/news/1", page=1)

    def list_request(self, url: str, page: int) -> scrapy.Request:
        # Priority 10 as newswatch gives its list pages: pagination runs ahead of articles.
        return scrapy.Request(url, callback=self.parse_list, meta={"page": page}, priority=10)

    def parse_list(self, response: Response) -> Iterable[scrapy.Request]:
        links = response.css("div.smain-list-type01 ul li article h2.tit a::attr(href)")
        for href in links.getall():
            # As newswatch asks (crawler/spider.py): article pages are fetched once, never
            # written to the HTTP cache (which only revalidates list pages). Cached, the
            # baseline wrote 2,000 pages to disk and its time grew run after run (7 -> 16 s).
            yield response.follow(href, callback=self.parse_article, meta={"dont_cache": True})
        page = response.meta["page"]
        next_href = response.css("div.paging a.next::attr(href)").get()
        if next_href and page < self.max_pages:
            yield self.list_request(response.urljoin(next_href), page=page + 1)

    def parse_article(self, response: Response) -> Iterable[dict[str, str]]:
        yield {"url": response.url}


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    settings = dict(DEFAULT_SETTINGS)
    if len(argv) == 4:
        settings.update(json.loads(argv[3]))
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, base=argv[1], max_pages=int(argv[2]))
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    wanted = ("response_received_count", "item_scraped_count", "finish_reason")
    print(json.dumps({key: stats.get(key) for key in wanted}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
