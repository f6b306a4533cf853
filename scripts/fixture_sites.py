"""Serve the test suite's fixture news sites until Ctrl-C, for trying commands by hand.

    .venv/bin/python scripts/fixture_sites.py /tmp/readme [PORT]
    newswatch --config /tmp/readme/config.yaml crawl

The Yonhap-like site listens on 127.0.0.1:PORT (default 8801, as in the README's examples) and
the partner paper on 127.0.0.2:PORT+1; DIR/config.yaml crawls both and has two rules that
alert into DIR/data/maildir.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))

from fixtures import news_site  # noqa: E402
from support.site import FixtureSite  # noqa: E402

RULES = [
    {"name": "deterrence", "query": '"extended deterrence" OR ("North Korea" AND deterrence)',
     "to": ["analyst@example.org"]},
    {"name": "drones", "query": "drone* NOT Japan", "to": ["analyst@example.org"]},
]  # fmt: skip


def write_config(
    folder: Path, yonhap: str, partner: str, rules: list[dict[str, Any]] | None = None
) -> Path:
    config = news_site.config_dict(
        [news_site.yonhap_source(yonhap), news_site.partner_source(partner)],
        database="data/newswatch.db",
        alerts={"rules": RULES if rules is None else rules},
    )
    folder.mkdir(parents=True, exist_ok=True)
    return news_site.write_config(folder / "config.yaml", config)


def main(folder: str, port: int) -> None:
    with FixtureSite("127.0.0.1", port) as site, FixtureSite("127.0.0.2", port + 1) as partner:
        news_site.install_yonhap(site)
        news_site.install_partner(partner)
        path = write_config(Path(folder), site.base, partner.base)
        print(f"serving {site.base} and {partner.base}; config {path}; Ctrl-C stops", flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args else "/tmp/readme", int(args[1]) if len(args) > 1 else 8801)
