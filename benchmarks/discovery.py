"""Discovery benchmark: `sources add` on sites of other builds, and commands against hostile sites.

    .venv/bin/python benchmarks/discovery.py

1. For each fixture site of tests/fixtures/varied_sites.py (paging, korean, offsets, sitemap,
   feed): `newswatch sources add NAME URL --write`, then `newswatch crawl NAME`. Prints articles
   stored / articles on the site, non-article pages stored, list pages fetched (from the server's
   own request log) and the wall time of `sources add` (process start to exit, imports included).
2. Against a hostile site (issue 14), with `sources check` on a small healthy site as the
   baseline in the same run:
     - peak RSS of `sources check` on a 1 GB gzip bomb served without Content-Encoding
       (a sitemap and a feed), against the baseline's peak RSS;
     - wall time of `sources check` on a page dripping one byte a second, `crawl.timeout: 3`,
       `retries: 2` (the default), against the baseline's wall time;
     - sitemap requests of `crawl` on an index listing 2,000 nested indexes, against the
       1 + max_sitemaps it is allowed.
It prints figures and asserts nothing about time.
"""

from __future__ import annotations

import gzip
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fixtures import news_site, varied_sites  # noqa: E402
from support.hostile import drip, page  # noqa: E402
from support.site import FixtureSite, send  # noqa: E402

NEWSWATCH = str(ROOT / ".venv" / "bin" / "newswatch")
CONFIG = """database: news.db
crawl: {download_delay: 0, autothrottle: false, timeout: 10}
sources:
  - name: placeholder
    feeds: ["http://127.0.0.1:9/feed.xml"]
    article_url_pattern: '/x/'
"""


def run(*args: str, config: Path) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """(result, wall seconds, peak RSS MB of the child) of one newswatch command."""
    probe = ("import resource, subprocess, sys, time; t = time.monotonic(); "
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "w = time.monotonic() - t; sys.stderr.write(r.stdout + r.stderr); "
             "print(w, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); "
             "sys.exit(r.returncode)")  # fmt: skip
    command = [sys.executable, "-c", probe, NEWSWATCH, "--config", str(config), *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    wall, peak = (float(x) for x in result.stdout.split())
    return result, wall, peak


def stored_paths(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        urls = [u for (u,) in conn.execute("SELECT url FROM articles")]
    return {urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "") for u in urls}


def fixture_sites(folder: Path) -> None:
    print("site      stored/on site  non-articles stored  list pages fetched  sources add")
    for name, install in varied_sites.SITES.items():
        work = folder / name
        work.mkdir()
        config = work / "config.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        with FixtureSite("127.0.0.1") as site:
            spec = install(site)
            added, wall, _ = run("sources", "add", name, site.url(spec.start), "--write",
                                 config=config)  # fmt: skip
            site.clear_log()
            crawled, _, _ = run("crawl", name, config=config)
            lists = [p for p in site.requests if p in spec.lists]
        if added.returncode or crawled.returncode:
            print(f"{name}: failed\n{added.stderr[-2000:]}\n{crawled.stderr[-2000:]}")
            continue
        stored, articles = stored_paths(work / "news.db"), set(spec.articles)
        print(f"{name:<9} {len(stored & articles):>5} / {len(articles):<8} "
              f"{len(stored - articles):>19}  {len(lists):>18}  {wall:>9.1f} s")  # fmt: skip


def nested_index(h) -> None:  # noqa: ANN001 - a request handler
    base = f"http://{h.headers['Host']}"
    rows = [f"<sitemap><loc>{base}/sitemaps/news.xml</loc><lastmod>2023-03-01</lastmod></sitemap>"]
    rows += [f"<sitemap><loc>{base}/sitemap.xml?n={i}</loc></sitemap>" for i in range(2000)]
    send(
        h,
        f"<sitemapindex>{''.join(rows)}</sitemapindex>".encode(),
        headers={"Content-Type": "text/xml"},
    )


def write(folder: Path, name: str, site: FixtureSite, crawl: dict, **urls: list[str]) -> Path:
    source = {"name": "s", "article_url_pattern": r"/view/\w+"} | urls
    config = news_site.config_dict([source], crawl={"retries": 1} | crawl)
    (folder / name).mkdir()
    return news_site.write_config(folder / name / "config.yaml", config)


def hostile(folder: Path) -> None:
    with FixtureSite("127.0.0.1") as good, FixtureSite("127.0.0.1") as bad:
        links = "".join(f'<a href="/view/{i}">story {i}</a>' for i in range(3))
        good.set("/news", f"<html><body>{links}</body></html>")
        for i in range(3):
            good.set(f"/view/{i}", page(f"Story {i}", f"The story number {i} is told here."))
        base_config = write(folder, "baseline", good, {"timeout": 3},
                            start_urls=[good.url("/news")])  # fmt: skip
        base, base_wall, base_rss = run("sources", "check", "s", config=base_config)

        bomb = gzip.compress(bytes(1 << 20), 9) * 1000  # 1 GB inflated, 1 MB on the wire
        bad.set("/sitemap.xml", bomb, content_type="text/xml")
        bad.set("/feed.xml", bomb, content_type="text/xml")
        bomb_config = write(folder, "bomb", bad, {}, sitemaps=[bad.url("/sitemap.xml")],
                            feeds=[bad.url("/feed.xml")])  # fmt: skip
        bombed, _, bomb_rss = run("sources", "check", "s", config=bomb_config)

        bad.handle("/news", drip)
        drip_config = write(folder, "drip", bad, {"timeout": 3, "retries": 2},  # retries: the default
                            start_urls=[bad.url("/news")])  # fmt: skip
        dripped, drip_wall, _ = run("sources", "check", "s", config=drip_config)

        bad.handle("/sitemap.xml", nested_index)
        bad.set("/sitemaps/news.xml", f"<urlset><url><loc>{bad.url('/view/n')}</loc></url></urlset>",
                content_type="text/xml")  # fmt: skip
        bad.set("/view/n", page("Nested", "Found in the news sitemap of a runaway index."))
        bad.clear_log()
        nest_config = write(folder, "nested", bad, {"timeout": 10},
                            sitemaps=[bad.url("/sitemap.xml")])  # fmt: skip
        nested, nest_wall, _ = run("crawl", config=nest_config)
        sitemaps = sum(1 for p in bad.requests if p.startswith(("/sitemap", "/sitemaps")))
    print(f"\nbaseline `sources check` (3 articles): {base_wall:.1f} s, peak RSS {base_rss:.1f} MB,"
          f" exit {base.returncode}")  # fmt: skip
    too_large = bombed.stderr.count("too_large")
    print(f"gzip bomb (1 GB, no Content-Encoding): peak RSS {bomb_rss:.1f} MB "
          f"(x{bomb_rss / base_rss:.2f} the baseline), {too_large} lines too_large, exit {bombed.returncode}")  # fmt: skip
    timed_out = "timeout" in dripped.stderr
    print(f"drip, timeout 3 s, 2 retries: {drip_wall:.1f} s (x{drip_wall / base_wall:.2f} the "
          f"baseline; the drip lasts 60 s), timeout reported: {timed_out}, exit {dripped.returncode}")  # fmt: skip
    with sqlite3.connect(folder / "nested" / "news.db") as conn:
        stored = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    print(
        f"2,000 nested sitemap indexes: {sitemaps} sitemap requests (allowed 1 + 20), "
        f"{nest_wall:.1f} s, {stored} article stored, exit {nested.returncode}"
    )


def main() -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="newswatch-discovery-") as tmp:
        fixture_sites(Path(tmp))
        hostile(Path(tmp))
    print(f"\n(benchmark ran {time.monotonic() - started:.0f} s; "
          f"this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")  # fmt: skip


if __name__ == "__main__":
    main()
