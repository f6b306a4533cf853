"""`newswatch demo`: the bundled sample site crawled once, offline, with an alert in a Maildir."""

from __future__ import annotations

import io
import mailbox
import re
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from types import SimpleNamespace

from crawler.progress import PLAIN_EVERY_SECONDS, Board
from newswatch.demo import site_file


def test_demo_crawls_the_sample_site_alerts_then_prints_the_update_of_a_2nd_ld(run_cli, workdir):
    result = run_cli("demo", "--dir", str(workdir / "demo"))  # run_cli's timeout bounds it

    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    # pages, 5 article pages: 5 new, 0 duplicates, 0 not articles, 0 failed, 0 undated
    assert re.search(r"^yonhap\s+ok\s+\d+\s+5\s+5\s+0\s+0\s+0\s+0\s+-\s+2$", out, re.M), out
    assert "emails: 2 sent, 0 to retry, 0 failed" in out
    assert "Subject: [newswatch] missiles: 1 new story" in out
    assert re.search(r"\*ballistic\s+missile\*", out), out  # the text part, the match marked
    maildir = Path(re.search(r"^  maildir\s+(\S+)", out, re.M).group(1))
    assert maildir == workdir / "demo" / "data" / "maildir"
    box = mailbox.Maildir(maildir, create=False)
    emails = [message_from_bytes(box.get_bytes(k), policy=default_policy) for k in box.iterkeys()]
    subjects = sorted(str(m["Subject"]) for m in emails)
    assert subjects == [
        "[newswatch] deterrence: 1 new story",
        "[newswatch] missiles: 1 new story",
        "[newswatch] missiles: update — N. Korea fires ballistic missile from submarine off "
        "Sinpo: JCS",
    ]
    assert "Traceback" not in result.stderr
    # then the site publishes a (2nd LD), and the update is printed after the alert
    first, second = out.split("the site now publishes", 1)
    assert "update missiles" not in first and "(2nd LD)" not in first, "published after crawl 1"
    assert re.search(r"^yonhap\s+ok\s+\d+\s+1\s+1\s+0\s+0\s+0\s+0\s+-\s+0$", second, re.M), out
    assert "update missiles: 1 version adding news\nemails: 1 sent" in second, out
    assert "2nd LD · 3 new sentences" in second
    assert "\nNEW  President Yoon Suk Yeol convened a meeting of the National Security\n" in second
    alert_id = next(m["Message-ID"] for m in emails if m["Subject"] == subjects[1])
    assert f"In-Reply-To: {alert_id}\n" in second, out
    assert re.search(r"story \d+$", out, re.M), "the way to see the story's versions"


def test_the_demo_refuses_a_folder_that_is_not_empty(run_cli, workdir):
    (workdir / "busy").mkdir()
    (workdir / "busy" / "notes.txt").write_text("mine")

    result = run_cli("demo", "--dir", str(workdir / "busy"))

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newswatch: error: {workdir / 'busy'}: not empty; the demo needs a new or empty folder"
    ]


def test_the_sample_site_serves_its_pages_and_nothing_outside_them():
    assert site_file("/news")[1].startswith("text/html")
    assert site_file("/RSS/news.xml")[1].startswith("text/xml")
    assert b"(LEAD)" in site_file("/view/AEN20240305000151315")[0]
    assert b"(2nd LD)" in site_file("/view/AEN20240305000152315")[0]
    assert site_file("/view/AEN20240228001100315") is None  # linked by a related box only
    assert site_file("/../pyproject.toml") is None
    assert site_file("/") is None


# -- what the demo's crawl shows while it runs: crawler/progress.py ---------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def crawler_at(pages: int, new: int) -> SimpleNamespace:
    """Stands in for a Scrapy crawler: only its live stats are read."""
    stats = {"response_received_count": pages, "newswatch/new_articles": new}
    return SimpleNamespace(stats=SimpleNamespace(get_value=lambda key, default=0: stats[key]))


def test_on_a_terminal_progress_rewrites_one_line_and_clears_it_at_the_end():
    screen = Terminal()
    board = Board(screen)
    board.crawlers = {"yonhap": crawler_at(3, 1), "partner": crawler_at(2, 0)}

    board.tick()
    board.finish("partner")
    board.tick()
    board.finish("yonhap")

    assert screen.getvalue() == (
        "\rcrawling: partner 2 pages, 0 new; yonhap 3 pages, 1 new\x1b[K"
        "\rcrawling: partner 2 pages, 0 new done; yonhap 3 pages, 1 new\x1b[K"
        "\r\x1b[K"
    )


def test_elsewhere_progress_is_a_plain_line_at_most_every_5_seconds():
    log = io.StringIO()
    board = Board(log)
    board.crawlers = {"yonhap": crawler_at(7, 4)}

    board.tick()  # a crawl shorter than 5 s prints nothing
    board.last_plain -= PLAIN_EVERY_SECONDS
    board.tick()
    board.tick()
    board.finish("yonhap")

    assert log.getvalue() == "crawling: yonhap 7 pages, 4 new\n"
