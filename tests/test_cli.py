"""Command-line conventions: what a user types and sees (issue 15).

search takes the rest of the line; an unknown --source or `-n 0` is one line and exit 2;
--config works after the command too; Ctrl-C prints the summary and exits 130; a crawl whose
every source is busy says so and exits 75; `sources list`, `rules list`; `status` in the
configured timezone, `status --json` with real JSON types and the keys the README documents.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
from pathlib import Path

from fixtures import news_site
from support.cli import newswatch_command
from support.service import slow_articles, wait_for

from crawler.locks import try_lock

README = Path(__file__).resolve().parents[1] / "README.md"


def test_search_takes_the_rest_of_the_line(site, write_config, run_cli):
    config = write_config()
    assert run_cli("crawl", config=config).returncode == 0
    both = run_cli("search", "drone", "defense", "-n", "5", config=config)
    assert both.returncode == 0, both.stderr
    assert "2 articles" in both.stdout and "*drone*-*defense*" in both.stdout, both.stdout
    negated = run_cli("search", "missile", "-Japan", config=config)
    assert negated.returncode == 0, negated.stderr
    assert "deterrence" in negated.stdout and "Japan" not in negated.stdout, negated.stdout


def test_bad_search_options_are_one_line_and_exit_2(site, write_config, run_cli):
    config = write_config()
    unknown = run_cli("search", "missile", "--source", "nope", config=config)
    assert unknown.returncode == 2
    assert unknown.stderr.strip().splitlines() == [
        f"newswatch: error: {config}: unknown source 'nope' (configured: yonhap)"
    ]
    for args in (["search", "missile", "-n", "0"], ["rules", "test", "x", "-n", "0"]):
        zero = run_cli(*args, config=config)
        assert zero.returncode == 2, zero.stderr
        (line,) = zero.stderr.strip().splitlines()
        assert "-n" in line and "0 is not in the range" in line, line


def test_config_is_accepted_after_the_command(site, write_config, workdir):
    config = write_config(filename="elsewhere.yaml")
    env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_CONFIG"}
    for args in (["status", "--config", str(config)], ["sources", "list", "--config", str(config)]):
        done = subprocess.run([*newswatch_command(), *args], cwd=workdir, env=env,
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "yonhap" in done.stdout, done.stdout


def test_ctrl_c_prints_the_summary_and_exits_130(site, write_config):
    slow_articles(site, 1.0)
    config = write_config(crawl={"concurrency_per_domain": 1})
    crawl = subprocess.Popen([*newswatch_command(), "--config", str(config), "crawl"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    views = [path for path in site.routes if path.startswith("/view/")]
    wait_for(lambda: sum(site.count(p) for p in views) >= 2, 60, "article pages requested")
    crawl.send_signal(signal.SIGINT)
    out, err = crawl.communicate(timeout=60)
    assert crawl.returncode == 130, out + err
    assert re.search(r"^yonhap\s+interrupted\s+\d+", out, re.M), out
    assert sum(site.count(p) for p in views) < len(views), "it stopped before the end"
    assert "Traceback" not in err, err


def test_ctrl_c_at_the_terminal_stops_the_crawl_and_its_workers(site, write_config):
    # A terminal sends SIGINT to the whole foreground process group: the crawl, its
    # extraction worker and multiprocessing's resource tracker. The crawl decides.
    slow_articles(site, 1.0)
    config = write_config(crawl={"concurrency_per_domain": 1})
    crawl = subprocess.Popen([*newswatch_command(), "--config", str(config), "crawl"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)  # fmt: skip
    views = [path for path in site.routes if path.startswith("/view/")]
    wait_for(lambda: sum(site.count(p) for p in views) >= 2, 60, "article pages requested")
    os.killpg(crawl.pid, signal.SIGINT)
    out, err = crawl.communicate(timeout=60)
    assert crawl.returncode == 130, out + err
    assert re.search(r"^yonhap\s+interrupted\s+\d+", out, re.M), out
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    wait_for(lambda: not group_members(crawl.pid), 10, "the crawl's processes to end")


def group_members(group: int) -> list[int]:
    """Processes still alive (not zombies) in process group `group`."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def test_a_crawl_with_every_source_busy_says_so_and_exits_75(site, write_config, run_cli):
    config = write_config()
    held = try_lock(config.parent / "news.db", "yonhap")
    try:
        done = run_cli("crawl", config=config)
    finally:
        os.close(held)
    assert done.returncode == 75, done.stdout + done.stderr
    assert f"yonhap: another crawl of this source is running (pid {os.getpid()})" in done.stdout
    assert "nothing crawled: every source was busy" in done.stderr
    assert site.count("/news/1") == 0


def test_a_crawl_with_every_source_busy_starts_no_extraction_worker(site, write_config):
    """The worker is spawned once a source is locked, not before: spawned for nothing, it
    cost a process and about 0.3 s of the exit 75. A worker that ran would show in the CPU
    time of this process's reaped children (the crawl shuts its workers down and waits)."""
    import resource

    from newswatch.config import load_config
    from newswatch.crawling import crawl_command

    config = load_config(write_config())
    held = try_lock(config.database, "yonhap")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        assert crawl_command(config, config.sources, "WARNING") == 75
    finally:
        os.close(held)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert spent == 0, f"a child process ran for {spent:.2f} s: a worker was spawned"
    assert site.count("/news/1") == 0


def test_sources_list_and_rules_list(site, workdir, run_cli):
    rules = [{"name": "now", "query": "missile", "to": ["a@example.org"]},
             {"name": "daily", "query": '"human rights"', "to": ["a@example.org", "b@example.org"],
              "sources": ["yonhap"], "digest": "0 8 * * *"}]  # fmt: skip
    config = news_site.write_config(workdir / "config.yaml", news_site.config_dict(
        [news_site.yonhap_source(site.base)], alerts={"rules": rules}))  # fmt: skip
    listed = run_cli("sources", "list", config=config)
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^yonhap\s+every 10m\s+1\s+1\s+1\s+selectors\s+/view/AEN", listed.stdout,
                     re.M), listed.stdout  # fmt: skip
    ruled = run_cli("rules", "list", config=config)
    assert ruled.returncode == 0, ruled.stderr
    lines = ruled.stdout.splitlines()
    assert re.match(r"now\s+missile\s+a@example.org\s+all\s+after each crawl\s+-$", lines[1])
    # the digest's next time, in the configured zone (Asia/Seoul): 08:00 KST
    digest = (
        r'daily\s+"human rights"\s+a@example.org, b@example.org\s+yonhap\s+'
        r"digest 0 8 \* \* \*\s+\d{4}-\d\d-\d\d 08:00 KST$"
    )
    assert re.match(digest, lines[2]), lines


def documented_status_keys(conditional: bool = False) -> set[str]:
    """The keys the README's table documents; `conditional`: only those of rows present "only
    with" some config key (such as `queue`), else the others."""
    section = README.read_text(encoding="utf-8").split("`newswatch status --json` prints", 1)[1]
    keys = set()
    for line in section.split("\n\n", 2)[1].splitlines()[2:]:
        if ("only with `" in line) != conditional:
            continue
        parent = ""
        for name in re.findall(r"`([^`]+)`", line.split("|")[1]):
            full = parent + name if name.startswith(".") else name
            keys.add(full)
            parent = full.rpartition(".")[0]
    return keys


def json_keys(value: object, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        found = set()
        for key, child in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found |= {path} | (
                json_keys(child, path) if key not in ("failed", "retrying") else set()
            )
        return found
    if isinstance(value, list):
        return set().union(*(json_keys(v, prefix + "[]") for v in value)) if value else set()
    return set()


def test_status_json_has_real_types_and_documented_keys(site, write_config, run_cli):
    config = write_config()
    before = json.loads(run_cli("status", "--json", config=config).stdout)
    (never,) = before["sources"]
    assert never["last_run"] is None and never["next_run"] is None, never
    assert never["health"] == "unknown" and never["health_reason"] is None, never
    assert before["outbox"]["counts"] == {"pending": 0, "sending": 0, "sent": 0, "failed": 0}

    assert run_cli("crawl", config=config).returncode == 0
    after = json.loads(run_cli("status", "--json", config=config).stdout)
    run = after["sources"][0]["last_run"]
    assert run["status"] == "ok" and run["errors"] == {} and isinstance(run["errors"], dict)
    assert isinstance(run["seconds"], float) and isinstance(run["pages"], int), run
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", run["started_at"]), run
    assert after["sources"][0]["articles"] == len(news_site.STORIES)
    documented = documented_status_keys()
    assert json_keys(after) <= documented, json_keys(after) - documented
    assert documented - json_keys(after) == set(), documented - json_keys(after)
    assert documented_status_keys(conditional=True) == {"queue"}  # no `queue:` here


def test_status_shows_times_in_the_configured_timezone(site, write_config, run_cli):
    config = write_config()  # timezone: Asia/Seoul
    assert run_cli("crawl", config=config).returncode == 0
    text = run_cli("status", config=config).stdout
    shown = r"^yonhap\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d KST\s+-\s+\d+s\s+ok"  # late: '-' (by hand)
    assert re.search(shown, text, re.M), text
    assert "Z " not in text, text
