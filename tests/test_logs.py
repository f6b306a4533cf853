"""The service's log, as an operator filters it (issue 15).

Under systemd stderr is journald's stream and JOURNAL_STREAM names it (device:inode): every
line then starts with its syslog priority, so `journalctl -p warning` works. A failed or
partial crawl is a WARNING naming the source and the cause; a health change is a WARNING
(to broken or degraded) or INFO (back to ok).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess

from fixtures import news_site
from support.cli import newswatch_command
from support.service import wait_for


def test_journald_lines_carry_priorities_crawl_failures_and_health_changes(site, workdir):
    site.update("/news/1", status=500)
    source = news_site.yonhap_source(site.base, schedule="every 1s", feeds=[], sitemaps=[])
    raw = news_site.config_dict([source], crawl={"retries": 0})
    config = news_site.write_config(workdir / "config.yaml", raw)
    log = workdir / "journal.log"
    with log.open("w") as stream:
        stat = os.fstat(stream.fileno())
        env = {**os.environ, "JOURNAL_STREAM": f"{stat.st_dev}:{stat.st_ino}"}
        proc = subprocess.Popen([*newswatch_command(), "--config", str(config), "run"],
                                stdout=subprocess.DEVNULL, stderr=stream, env=env)  # fmt: skip
        try:
            wait_for(lambda: "health broken" in log.read_text(), 60, "the source to break")
            site.update("/news/1", status=200)
            wait_for(lambda: "broken -> ok" in log.read_text(), 60, "the source to recover")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
    lines = log.read_text().splitlines()
    assert proc.returncode == 0, lines[-20:]
    assert lines and all(re.match(r"<[2-7]>", line) for line in lines), lines
    failed = [x for x in lines if re.match(r"<4>WARNING .*source=yonhap .*crawl of yonhap "
                                           r"(failed|partial) after", x)]  # fmt: skip
    assert failed and "http_500 1" in failed[0], lines
    broke = [x for x in lines if "health broken (has never completed a crawl)" in x]
    assert broke and broke[0].startswith("<4>WARNING"), broke
    assert "no article links found" in broke[0], broke
    healed = [x for x in lines if "health broken -> ok" in x]
    assert healed and healed[0].startswith("<6>INFO"), healed
    assert any(x.startswith("<6>INFO") and "crawl ok in" in x for x in lines), lines


def test_plain_text_when_stderr_is_not_the_journal(tmp_path):
    """JOURNAL_STREAM inherited by a process whose stderr went elsewhere: no prefixes."""
    from io import StringIO

    from newswatch.logs import choose_format

    other = tmp_path / "other.log"
    with other.open("w") as stream, (tmp_path / "journal").open("w") as journal:
        stat = os.fstat(journal.fileno())
        env = {"JOURNAL_STREAM": f"{stat.st_dev}:{stat.st_ino}"}
        assert choose_format(None, env, stream) == "text"
        assert choose_format(None, env, journal) == "journal"
        assert choose_format("json", env, journal) == "json"
        assert choose_format(None, {}, StringIO()) == "text"
