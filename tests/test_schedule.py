"""Service start-up: schedules resume where they left off, and a digest missed while the
service was down is sent at start, not forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import db
from newswatch.config import load_config
from newswatch.schedule import Schedule
from scheduler import digests
from scheduler.service import Service, trigger_for


def config(tmp_path, sources: int = 3):
    lines = ["database: news.db", "timezone: Asia/Seoul", "sources:"]
    for i in range(sources):
        lines.append(
            f"  - {{name: s{i}, start_urls: ['http://127.0.0.1:9/{i}'],"
            " article_url_pattern: x, schedule: 'every 10m'}"
        )
    digest = "    - {name: daily, query: x, to: [a@example.org], digest: '0 8 * * *'}"
    lines += ["alerts:", "  rules:", digest]
    path = tmp_path / "config.yaml"
    path.write_text("\n".join(lines) + "\n")
    return load_config(path)


def test_sources_due_at_start_are_staggered_and_recent_ones_wait(tmp_path):
    cfg = config(tmp_path)
    service = Service(cfg)
    now = datetime.now(UTC)
    recent = {"started_at": (now - timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    first = [service._first_run(s, None, i, 3) for i, s in enumerate(cfg.sources)]
    gaps = [(b - a).total_seconds() for a, b in zip(first, first[1:], strict=False)]
    assert all(gap >= 0.9 for gap in gaps), f"never all at once: {gaps}"
    resumed = service._first_run(cfg.sources[0], recent, 0, 3)
    assert timedelta(minutes=6) < resumed - now <= timedelta(minutes=7), resumed - now


def test_many_sources_due_at_start_are_spread_over_most_of_their_interval(tmp_path):
    cfg = config(tmp_path, sources=2000)
    service = Service(cfg)
    now = datetime.now(UTC)
    first = [service._first_run(s, None, i, 2000) for i, s in enumerate(cfg.sources)]
    assert first[0] - now < timedelta(seconds=1), first[0] - now
    last = first[-1] - now
    assert timedelta(minutes=7) < last <= timedelta(minutes=8, seconds=1), last


def test_intervals_of_a_minute_or_more_get_jitter():
    assert trigger_for(Schedule(interval_seconds=600)).jitter == 60
    assert trigger_for(Schedule(interval_seconds=2)).jitter is None


def test_a_digest_missed_while_down_is_due_at_start(tmp_path):
    cfg = config(tmp_path, 1)
    rule = cfg.alerts.rules[0]
    archive = db.open_db(cfg.database)
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)  # 21:00 in Seoul
    assert digests.due_at_start(archive, rule, now) is None, "first start: nothing owed"
    two_days_later = now + timedelta(days=2)
    assert digests.due_at_start(archive, rule, two_days_later) == two_days_later
    digests.send_digest(archive, cfg, rule.name, two_days_later)
    assert digests.due_at_start(archive, rule, two_days_later + timedelta(hours=1)) is None
    archive.close()
