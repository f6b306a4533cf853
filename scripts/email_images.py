"""Render a real alert email's HTML part for the README, with headless Chromium (Selenium).

    .venv/bin/python scripts/email_images.py

Crawls the test suite's fixture sites (scripts/fixture_sites.py) into a temporary folder with
one rule, takes its alert from the Maildir and writes docs/images/alert-email-390.png (a
phone, mobile emulation), alert-email-1024.png (a desktop) and alert-email-390-dark.png
(Chromium's forced dark mode, as mail apps recolour). Korean needs a CJK font (Debian:
fonts-noto-cjk); Debian's chromium and chromium-driver drive it.
"""

from __future__ import annotations

import base64
import mailbox
import subprocess
import sys
import tempfile
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_sites import FixtureSite, news_site, write_config  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
RULES = [
    {"name": "korea-defense", "query": 'drone* OR "reserve forces" OR 탄도미사일',
     "to": ["analyst@example.org"]},
]  # fmt: skip


def alert_html(folder: Path) -> Path:
    with FixtureSite("127.0.0.1") as site, FixtureSite("127.0.0.2") as partner:
        news_site.install_yonhap(site)
        news_site.install_partner(partner)
        config = write_config(folder, site.base, partner.base, RULES)
        newswatch = [sys.executable, "-m", "newswatch.cli", "--config", str(config), "crawl"]
        subprocess.run(newswatch, check=True, capture_output=True)
    box = mailbox.Maildir(folder / "data" / "maildir", create=False)
    [key] = box.keys()
    message = message_from_bytes(box.get_bytes(key), policy=default_policy)
    page = folder / "alert.html"
    page.write_text(message.get_body(preferencelist=("html",)).get_content(), encoding="utf-8")
    return page


def screenshot(page: Path, out: Path, width: int, dark: bool = False) -> None:
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--window-size={width},900"):  # fmt: skip
        options.add_argument(flag)
    if dark:
        options.add_argument("--enable-features=WebContentsForceDark")
    if width < 600:
        metrics = {"width": width, "height": 844, "pixelRatio": 2.0}
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": metrics})
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService("/usr/bin/chromedriver"))  # fmt: skip
    try:
        driver.get(page.as_uri())
        height = driver.execute_script("return document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}
        shot = driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"captureBeyondViewport": True, "clip": clip}
        )
    finally:
        driver.quit()
    out.write_bytes(base64.b64decode(shot["data"]))
    print(f"wrote {out}")


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    page = alert_html(Path(tempfile.mkdtemp(prefix="newswatch-email-")))
    screenshot(page, IMAGES / "alert-email-390.png", 390)
    screenshot(page, IMAGES / "alert-email-1024.png", 1024)
    screenshot(page, IMAGES / "alert-email-390-dark.png", 390, dark=True)


if __name__ == "__main__":
    main()
