"""Small article sites for crawl tests: pages, a list page linking them, a config crawling them,
and reading the archive a crawl left."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from fixtures import news_site

from support.site import FixtureSite


def article(title: str, paragraphs: int = 5, text: str = "") -> bytes:
    """An article page: the headline in <h1> and <title>, `paragraphs` paragraphs of `text`."""
    text = text or f"Officials said {title.lower()} on Tuesday, in a statement to reporters."
    body = "".join(f"<p>{text} Paragraph {i} adds detail number {i * 7}.</p>"
                   for i in range(paragraphs))  # fmt: skip
    return (f"<html><head><title>{title}</title></head><body><nav>Menu</nav>"
            f"<article><h1>{title}</h1>{body}</article></body></html>").encode()  # fmt: skip


def serve(site: FixtureSite, pages: dict[str, bytes]) -> None:
    """`pages` (path -> HTML) and /news, the list page linking them."""
    for path, body in pages.items():
        site.set(path, body)
    links = "".join(f'<a href="{path}">{path}</a>' for path in pages)
    site.set("/news", f"<html><body>{links}</body></html>")


def config_for(workdir: Path, site: FixtureSite, database: str = "news.db", **top: Any) -> Path:
    """workdir/config.yaml with one source, s3: /news of `site`, articles at /view/N."""
    source = {"name": "s3", "start_urls": [site.url("/news")], "article_url_pattern": r"/view/\d+",
              "max_list_pages": 1, "schedule": "every 1h"}  # fmt: skip
    config = news_site.config_dict([source], database=database, **top)
    return news_site.write_config(workdir / "config.yaml", config)


def query(database: Path, sql: str, *params: Any) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(database)) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute(sql, params)]


def last_run(database: Path) -> dict[str, Any]:
    return query(database, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
