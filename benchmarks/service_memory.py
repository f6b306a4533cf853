"""Service footprint: RSS of `newswatch run` before and after many scheduled crawls.

Serves the test suite's Yonhap-like fixture site on 127.0.0.1, starts the service with a
1 s schedule on a few sources (each a view of the same site), and samples the service
process's own RSS (VmRSS in /proc; crawls run in child processes, which are not counted)
after the first 10 runs and after --runs runs, plus the CPU time and RSS of an idle service
over --idle seconds (schedule 1 h, nothing due). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]

from fixtures import news_site  # noqa: E402
from support.site import FixtureSite  # noqa: E402

NEWSWATCH = [sys.executable, "-m", "newswatch.cli"]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def runs_done(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return conn.execute("SELECT COUNT(*) FROM crawl_runs WHERE finished_at").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def write_config(folder: Path, base: str, sources: int, schedule: str) -> Path:
    entries = [
        news_site.yonhap_source(base, name=f"site{i}", schedule=schedule, max_list_pages=1)
        for i in range(sources)
    ]
    config = news_site.config_dict(entries, crawl={"time_limit": 60})
    return news_site.write_config(folder / "config.yaml", config)


def start(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*NEWSWATCH, "--config", str(config), "run"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(30)


def wait_runs(db: Path, target: int, proc: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    while runs_done(db) < target:
        if proc.poll() is not None:
            raise SystemExit(f"the service exited early with {proc.returncode}")
        time.sleep(0.5)
    return time.monotonic() - started


def busy(base: str, runs: int, sources: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), base, sources, "every 1s")
        db = Path(tmp) / "news.db"
        proc = start(config)
        wait_runs(db, 10, proc)
        before = rss_mb(proc.pid)
        seconds = wait_runs(db, runs, proc)
        after = rss_mb(proc.pid)
        done = runs_done(db)
        code = stop(proc)
    print(f"busy: {done} scheduled crawls ({sources} sources, every 1 s) in {seconds:.0f} s")
    print(f"  service RSS after 10 runs: {before:.1f} MB; after {done} runs: {after:.1f} MB")
    print(f"  ratio after/before: {after / before:.3f}; exit code on SIGTERM: {code}")


def idle(base: str, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(Path(tmp), base, 1, "every 1h")
        db = Path(tmp) / "news.db"
        proc = start(config)
        wait_runs(db, 1, proc)  # the first run happens at start-up
        time.sleep(2)
        cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
        time.sleep(seconds)
        cpu = cpu_seconds(proc.pid) - cpu0
        share = cpu / (time.monotonic() - t0) * 100
        print(
            f"idle: RSS {rss_mb(proc.pid):.1f} MB, CPU {cpu:.2f} s over {seconds:.0f} s ({share:.2f}%)"
        )
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--sources", type=int, default=3)
    parser.add_argument("--idle", type=float, default=30.0)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    with FixtureSite("127.0.0.1") as site:
        news_site.install_yonhap(site)
        idle(site.base, args.idle)
        busy(site.base, args.runs, args.sources)


if __name__ == "__main__":
    main()
