"""Render the README's pictures with headless Chromium (Debian's `chromium`).

    .venv/bin/python scripts/docs_images.py

Crawls the test suite's fixture sites (scripts/fixture_sites.py) into a temporary folder, then
docs/images/archive.png: `newswatch serve` with a search in the archive. (The alert email's
pictures come from scripts/email_images.py.) Korean text needs a CJK font (fonts-noto-cjk).
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

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
NEWSWATCH = [sys.executable, "-m", "newswatch.cli"]
RULES = [
    {"name": "korea-defense", "query": 'drone* OR "reserve forces" OR 탄도미사일',
     "to": ["analyst@example.org"]},
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


def archive_picture(config: Path, out: Path, profile: Path) -> None:
    port = free_port()
    server = subprocess.Popen([*NEWSWATCH, "--config", str(config), "serve", "--port", str(port)])
    try:
        base = f"http://127.0.0.1:{port}/newswatch/articles"
        for _ in range(100):
            try:
                urllib.request.urlopen(base, timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        query = urllib.parse.urlencode({"_search": '"reserve forces" OR drone* OR 탄도미사일'})
        screenshot(f"{base}?{query}", out, "1400,1000", profile)
    finally:
        server.terminate()
        server.wait(timeout=15)


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="newswatch-docs-"))
    with FixtureSite("127.0.0.1") as site, FixtureSite("127.0.0.2") as partner:
        news_site.install_yonhap(site)
        news_site.install_partner(partner)
        config = write_config(folder, site.base, partner.base, RULES)
        subprocess.run([*NEWSWATCH, "--config", str(config), "crawl"], check=True)
    archive_picture(config, IMAGES / "archive.png", folder / "chrome")


if __name__ == "__main__":
    main()
