"""load_config(): typed values from config.yaml, one clear line for every mistake."""

from pathlib import Path

import pytest

from newswatch.config import ConfigError, load_config

GOOD = """\
database: data/news.db
timezone: Asia/Seoul
sources:
  - name: yonhap
    start_urls: ["https://en.yna.co.kr/news/1"]
    feeds: ["https://en.yna.co.kr/RSS/news.xml"]
    article_url_pattern: '/view/AEN\\d+'
    schedule: "every 10m"
alerts:
  rules:
    - {name: deterrence, query: '"extended deterrence"', to: [a@example.org], sources: [yonhap]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads():
    config = load_config(Path(__file__).parent.parent / "config.yaml")
    assert [s.name for s in config.sources] == ["yonhap", "yonhap-nk"]
    assert config.alerts.smtp is None, "the shipped config must deliver to the local Maildir"
    assert config.sources[0].selectors.body == "article.story-news > p"


def test_paths_are_relative_to_the_config_file(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.database == tmp_path / "data" / "news.db"
    assert config.sources[0].domains == ("en.yna.co.kr",)
    assert config.sources[0].schedule.interval_seconds == 600
    assert config.sources[0].timezone == "Asia/Seoul", "a source inherits the global timezone"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('schedule: "every 10m"', 'schedule: "sometimes"', "sources[0].schedule"),
        ('schedule: "every 10m"', 'schedule: "0 99 * * *"', "sources[0].schedule"),
        ("timezone: Asia/Seoul", "timezone: Mars/Olympus", "timezone"),
        ("'/view/AEN\\d+'", "'/view/(AEN'", "sources[0].article_url_pattern"),
        ('schedule: "every 10m"', 'max_list_pages: "x"', "sources[0].max_list_pages"),
        ('["https://en.yna.co.kr/news/1"]', '["ftp://x"]', "sources[0].start_urls[0]"),
        ("sources: [yonhap]", "sources: [kbs]", "alerts.rules[0].sources[0]"),
        ("to: [a@example.org]", "to: [nobody]", "alerts.rules[0].to[0]"),
        (
            "database: data/news.db",
            "database: data/news.db\ncrawl: {timeout: fast}",
            "crawl.timeout",
        ),
        (
            "database: data/news.db",
            "database: data/news.db\ncrawl: {obey_robots: no}",
            "crawl.obey",
        ),
        ("alerts:", "alerts:\n  smtp: {host: h, security: tls}", "alerts.smtp.security"),
        ("sources: [yonhap]", "updates: 1", "alerts.rules[0].updates"),
        ("sources: [yonhap]", "update_min_sentences: 0", "alerts.rules[0].update_min_sentences"),
    ],
)
def test_bad_values_name_their_key(tmp_path, old, new, key):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message and key in message, message
    assert "\n" not in message


def test_missing_file_and_broken_yaml(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="invalid YAML at line 3"):
        load_config(write(tmp_path, "sources:\n  - [unclosed\n"))


def test_smtp_password_comes_from_the_environment(tmp_path, monkeypatch):
    text = GOOD.replace(
        "alerts:\n",
        "alerts:\n  smtp: {host: mail.example.org, password_env: NW_TEST_PW, from: a@example.org,"
        " local_hostname: nw.example.org}\n",
    )
    monkeypatch.setenv("NW_TEST_PW", "s3cret")
    smtp = load_config(write(tmp_path, text)).alerts.smtp
    assert smtp.password == "s3cret"
    assert "s3cret" not in repr(smtp)


def test_a_malformed_rule_query_names_the_rule_and_the_position(tmp_path):
    path = write(
        tmp_path, GOOD.replace("""query: '"extended deterrence"'""", "query: '(missile OR'")
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "alerts.rules[0].query" in message and "'deterrence'" in message, message
    assert "position 12" in message, message


@pytest.mark.parametrize(
    ("crawl", "message"),
    [
        ("{batch_size: 0}", "crawl.batch_size: expected a number >= 1, got 0"),
        ("{max_batches: 2.5}", "crawl.max_batches: expected a whole number >= 1, got 2.5"),
        ("{max_requests: many}", "crawl.max_requests: expected a number >= 1, got 'many'"),
        (
            "{max_batches: 4, max_requests: 3}",
            "crawl.max_requests: expected at least crawl.max_batches (4), one per batch, got 3",
        ),
    ],
)
def test_bad_batch_settings_are_one_line_naming_the_key(tmp_path, crawl, message):
    path = write(
        tmp_path, GOOD.replace("database: data/news.db", f"database: x.db\ncrawl: {crawl}")
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: {message}"


def test_batch_defaults_suit_a_small_box(tmp_path):
    crawl = load_config(write(tmp_path, GOOD)).crawl
    assert (crawl.batch_size, crawl.max_batches, crawl.max_requests) == (50, 2, 64)
    assert crawl.requests_per_batch == 32


FULL = {
    "database": "news.db",
    "timezone": "Asia/Seoul",
    "queue": "redis://redis.example:6379/3",
    "crawl": {
        "user_agent": "ua", "obey_robots_txt": False, "concurrency_per_domain": 2,
        "download_delay": 0.5, "autothrottle": False, "timeout": 10, "max_page_bytes": 1000,
        "retries": 1, "max_attempts": 3, "time_limit": 60,
    },
    "sources": [{
        "name": "yonhap", "start_urls": ["https://en.yna.co.kr/news/1"],
        "feeds": ["https://en.yna.co.kr/RSS/news.xml"], "sitemaps": ["https://en.yna.co.kr/s.xml"],
        "article_url_pattern": "/view/AEN", "max_list_pages": 2, "timezone": "UTC",
        "schedule": "every 5m", "next_page": "a.next::attr(href)", "max_sitemaps": 5,
        "selectors": {"title": "h1", "body": "p", "published": "time", "authors": ".by",
                      "exclude": [".ad"]},
    }],
    "alerts": {
        "smtp": {"host": "mail", "port": 25, "security": "none", "username": "u",
                 "password_env": "PW", "from": "News <a@b.c>", "timeout": 5,
                 "envelope_from": "bounces@b.c", "reply_to": "Desk <desk@b.c>",
                 "local_hostname": "nw.b.c"},
        "operator": "ops@example.org",
        "rules": [{"name": "r", "query": "missile", "to": ["a@example.org"], "sources": ["yonhap"],
                   "digest": "0 8 * * *", "updates": True, "update_min_sentences": 3}],
    },
}  # fmt: skip


def _paths(value, path=""):
    """Every key path of a config, with its value."""
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _paths(sub, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for i, sub in enumerate(value):
            yield from _paths(sub, f"{path}[{i}]")
    if path:
        yield path, value


def _wrong(value):
    if isinstance(value, bool):
        return "maybe"
    if isinstance(value, (int, float)):
        return "many"
    if isinstance(value, dict):
        return "not a mapping"
    return 12345  # for a string, and for a list (a lone string is a list of one)


def _replaced(config, path, new):
    import copy

    config = copy.deepcopy(config)
    target, parts = config, path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(parts[-1]) if parts[-1].isdigit() else parts[-1]] = new
    return config


def _loaded(config, path: str):
    """The loaded value of a key path of config.yaml, as it would be written there."""
    value = config
    for part in path.replace("]", "").replace("[", ".").split("."):
        part = {"from": "sender"}.get(part, part)
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    if isinstance(value, Path):
        return value.name
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "addr"):  # a Mailbox
        return f"{value.name} <{value.addr}>" if value.name else value.addr
    return value.cron or str(value) if hasattr(value, "cron") else value


def _scalars(config):
    return [(p, v) for p, v in _paths(config) if not isinstance(v, dict)
            and not (isinstance(v, list) and v and isinstance(v[0], dict))]  # fmt: skip


def test_the_full_config_loads_every_key_as_written(tmp_path):
    import yaml

    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(FULL))
    config = load_config(path)
    wrong = {p: (v, _loaded(config, p)) for p, v in _scalars(FULL) if _loaded(config, p) != v}
    assert not wrong, f"key: (written, loaded) {wrong}"


def test_no_key_of_the_full_config_is_its_default(tmp_path):
    """Else the test above could not tell a key that is read from one that is ignored."""
    import yaml

    path = tmp_path / "config.yaml"
    same = []
    for key, value in _scalars(FULL):
        parent, _, leaf = key.rpartition(".")
        if not parent or "[" in leaf:
            continue  # database, timezone: required
        config = _replaced(FULL, parent, {k: v for k, v in dict(_paths(FULL))[parent].items()
                                         if k != leaf})  # fmt: skip
        path.write_text(yaml.safe_dump(config))
        try:
            default = _loaded(load_config(path), key)
        except ConfigError:
            continue  # required: no default
        if default == value:
            same.append(key)
    assert not same, f"these keys are set to their defaults in FULL: {same}"


@pytest.mark.parametrize("path", [p for p, _ in _paths(FULL)])
def test_every_key_rejects_a_wrong_type(tmp_path, path):
    import yaml

    value = dict(_paths(FULL))[path]
    file = tmp_path / "config.yaml"
    file.write_text(yaml.safe_dump(_replaced(FULL, path, _wrong(value))))
    with pytest.raises(ConfigError) as caught:
        load_config(file)
    message = str(caught.value)
    assert path in message or path.rsplit(".", 1)[0] in message, message
    assert str(file) in message and "\n" not in message


@pytest.mark.parametrize("queue", ["amqp://host/", "redis://", "redis://[::1/0", "127.0.0.1:6379"])
def test_a_queue_that_is_no_redis_url_is_one_line_naming_the_key(tmp_path, queue):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, GOOD + f"queue: '{queue}'\n"))
    message = str(caught.value)
    assert "queue: expected a Redis URL such as redis://127.0.0.1:6379/0" in message, message
    assert "\n" not in message


def test_without_a_queue_run_runs_the_crawls_itself(tmp_path):
    assert load_config(write(tmp_path, GOOD)).queue == ""
    queued = load_config(write(tmp_path, GOOD + "queue: redis://10.0.0.5:6379/1\n"))
    assert queued.queue == "redis://10.0.0.5:6379/1"
