"""Render the README's pictures of `newswatch serve` with headless Chromium (Debian's `chromium`).

    .venv/bin/python scripts/archive_images.py

Crawls the test suite's fixture sites (scripts/fixture_sites.py) into a temporary folder,
runs `newswatch serve` on it and writes docs/images/archive-*.png: the front page, a
search with its facets, an article with its story, a malformed query, and the front page
and an article at a phone's width. Korean text needs a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_sites import FixtureSite, news_site, write_config  # noqa: E402

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
NEWSWATCH = [sys.executable, "-m", "newswatch.cli"]
RULES_SHOWN = [
    {"name": "korea-defense", "query": 'drone* OR "reserve forces" OR 탄도미사일',
     "to": ["analyst@example.org"]},
    {"name": "drones", "query": "drone* NOT Japan", "to": ["analyst@example.org"]},
]  # fmt: skip
CHROME = [
    "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
]  # fmt: skip


def screenshot(url: str, out: Path, size: str, profile: Path) -> None:
    command = [*CHROME, f"--user-data-dir={profile}", f"--window-size={size}",
               f"--screenshot={out}", url]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    print(f"wrote {out}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def article_id(base: str, url: str) -> int:
    query = urllib.parse.urlencode({"url": url, "_shape": "arrayfirst", "_col": "id"})
    with urllib.request.urlopen(f"{base}/archive/articles.json?{query}", timeout=10) as answer:
        return int(answer.read().decode().strip("[]"))


def pictures(config: Path, yonhap: str, folder: Path) -> None:
    port = free_port()
    server = subprocess.Popen([*NEWSWATCH, "--config", str(config), "serve", "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/archive/stories", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        search = urllib.parse.urlencode({"_search": 'drone* OR "reserve forces" OR 탄도미사일'})
        lead = article_id(base, f"{yonhap}{news_site.LEAD_UPDATE.path}")
        copied = article_id(base, f"{yonhap}{news_site.SYNDICATED.path}")
        error = urllib.parse.urlencode({"_search": "(missile OR"})
        shots = {
            "archive-front.png": ("/", "1280,1300"),
            "archive-search.png": (f"/archive/articles?{search}", "1280,1150"),
            "archive-article.png": (f"/archive/articles/{lead}", "1280,1450"),
            "archive-search-error.png": (f"/archive/articles?{error}", "1000,420"),
            "archive-phone.png": ("/", "390,844"),
            "archive-phone-article.png": (f"/archive/articles/{copied}", "390,1600"),
        }
        for name, (path, size) in shots.items():
            screenshot(base + path, IMAGES / name, size, folder / "chrome")
    finally:
        server.terminate()
        server.wait(timeout=15)


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="newswatch-archive-"))
    with FixtureSite("127.0.0.1") as site, FixtureSite("127.0.0.2") as partner:
        news_site.install_yonhap(site)
        news_site.install_partner(partner)
        config = write_config(folder, site.base, partner.base, RULES_SHOWN)
        subprocess.run([*NEWSWATCH, "--config", str(config), "crawl"], check=True)
        yonhap = site.base
    pictures(config, yonhap, folder)


if __name__ == "__main__":
    main()
