"""Render the README's pictures with headless Chromium (Debian's `chromium`).

    .venv/bin/python scripts/docs_images.py

Crawls the test suite's fixture sites (scripts/fixture_sites.py) into a temporary folder, then
docs/images/alert-email.png: the HTML part of a real alert, under the headers a mail client
shows. (The pictures of `newswatch serve` are scripts/archive_images.py's.)
Korean text needs a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import html
import mailbox
import subprocess
import sys
import tempfile
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
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
MAIL_FRAME = """<!doctype html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; font: 14px/1.45 "Noto Sans", "Noto Sans CJK KR", sans-serif; }}
body {{ background: #eef1f5; }}
.window {{ margin: 16px; background: #fff; border: 1px solid #c9d1db; border-radius: 6px; }}
.headers {{ padding: 14px 18px; border-bottom: 1px solid #dde3ea; background: #f7f9fb; }}
.subject {{ font-size: 18px; font-weight: 600; margin-bottom: 6px; }}
.headers div {{ color: #444; }} .headers b {{ display: inline-block; width: 4em; color: #666; }}
.body {{ padding: 8px 18px 18px; }}
</style></head><body><div class="window"><div class="headers">
<div class="subject">{subject}</div><div><b>From</b>{sender}</div><div><b>To</b>{to}</div>
<div><b>Date</b>{date}</div></div><div class="body">{body}</div></div></body></html>"""


def screenshot(url: str, out: Path, size: str, profile: Path) -> None:
    command = [*CHROME, f"--user-data-dir={profile}", f"--window-size={size}",
               f"--screenshot={out}", url]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    print(f"wrote {out}")


def alert_page(maildir: Path, out: Path) -> Path:
    """The alert as a mail client shows it: headers, then the HTML part unchanged."""
    box = mailbox.Maildir(maildir, create=False)
    message: EmailMessage = message_from_bytes(
        box.get_bytes(sorted(box.keys())[0]), policy=default_policy
    )  # type: ignore[assignment]
    part = message.get_body(preferencelist=("html",))
    fields = {k: html.escape(str(message[k])) for k in ("Subject", "From", "To", "Date")}
    page = MAIL_FRAME.format(
        subject=fields["Subject"], sender=fields["From"], to=fields["To"], date=fields["Date"],
        body=part.get_content(),
    )  # fmt: skip
    out.write_text(page, encoding="utf-8")
    return out


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="newswatch-docs-"))
    with FixtureSite("127.0.0.1") as site, FixtureSite("127.0.0.2") as partner:
        news_site.install_yonhap(site)
        news_site.install_partner(partner)
        config = write_config(folder, site.base, partner.base, RULES)
        subprocess.run([*NEWSWATCH, "--config", str(config), "crawl"], check=True)
    page = alert_page(folder / "data" / "maildir", folder / "alert.html")
    screenshot(page.as_uri(), IMAGES / "alert-email.png", "900,640", folder / "chrome")


if __name__ == "__main__":
    main()
