"""Every `$ newswatch ...` example in README.md runs as printed, with the output printed.

The examples were made against the fixture sites (scripts/fixture_sites.py, on 127.0.0.1:8801
and 127.0.0.2:8802 in /tmp/readme). Here the same sites and config run on free ports in a
temporary folder, `newswatch` is on PATH as `make install` puts it, and each command runs
through the shell in README order. Only what cannot repeat is normalised: ports and the folder,
clock times and durations, Message-IDs, Maildir file names, and article ids (in the order a
crawl stored them). `smtp.yaml` points at a test SMTP server, `closed.yaml` at a closed port.
`serve` runs until Ctrl-C and is left out.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fixtures import news_site, varied_sites
from support.cli import newswatch_command
from support.site import FixtureSite, closed_port
from support.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import fixture_sites  # noqa: E402

SKIP = re.compile(r"^newswatch (\S+ )*serve\b")
TIME = re.compile(r"\d{4}-\d\d-\d\d( |T)\d\d:\d\d(:\d\d)?( [A-Z]{2,5}|Z)")
DURATION = re.compile(r"(?<= )\d+s(?= )|(?<=\"seconds\": )[\d.]+")
MESSAGE_ID = re.compile(r"<\d{14}\.[0-9a-f]{12}\.[0-9a-f]{12}@[^>\s]+>")  # random by design
MAILDIR_FILE = re.compile(r"/maildir/new/\S+")
ARTICLE_ID = re.compile(r"(?<=^story )\d+|(?<=\(article )\d+(?=\))", re.M)  # in crawl order


def examples(readme: str) -> Iterator[tuple[str, str]]:
    """(command, expected output) for every `$ newswatch` line of every code block."""
    # ```transcript blocks show a run on another setup, named in the text around them.
    for info, block in re.findall(r"^```([^\n]*)\n(.*?)^```", readme, re.S | re.M):
        if info.strip() == "transcript":  # fences pair up in order: skip it whole
            continue
        command, output = None, []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command:
                    yield command, "\n".join(output).strip()
                command, output = line[2:], []
                if not command.startswith("newswatch ") or SKIP.match(command):
                    command = None
            elif command:
                output.append(line)
        if command:
            yield command, "\n".join(output).strip()


def normal(text: str) -> str:
    text = DURATION.sub("N", TIME.sub("TIME", text))
    text = MESSAGE_ID.sub("<MESSAGE-ID>", MAILDIR_FILE.sub("/maildir/new/FILE", text))
    text = ARTICLE_ID.sub("N", text)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


@pytest.fixture
def readme_dir(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """The README's /tmp/readme: fixture sites, config.yaml, and the files the text names."""
    with (FixtureSite("127.0.0.1") as site, FixtureSite("127.0.0.2") as partner,
          contextlib.ExitStack() as stack):  # fmt: skip
        news_site.install_yonhap(site)
        news_site.install_partner(partner)
        config = fixture_sites.write_config(tmp_path, site.base, partner.base)
        raw = yaml.safe_load(config.read_text())
        variants = {"wrong.yaml": ("article_url_pattern", r"/story/\d+"),
                    "wrong-title.yaml": ("selectors", {"title": "h1.headline"})}  # fmt: skip
        for name, (key, value) in variants.items():
            changed = yaml.safe_load(config.read_text())
            source = changed["sources"][0]
            source[key] = {**source.get(key, {}), **value} if isinstance(value, dict) else value
            (tmp_path / name).write_text(yaml.safe_dump(changed))
        raw["sources"][0]["schedule"] = "sometimes"
        (tmp_path / "bad.yaml").write_text(yaml.safe_dump(raw))
        ports = _smtp_configs(stack, tmp_path, yaml.safe_load(config.read_text()))
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / "newswatch").symlink_to(newswatch_command()[0])
        swaps = {"http://127.0.0.1:8801": site.base, "http://127.0.0.2:8802": partner.base,
                 "/tmp/readme": str(tmp_path), "PATH": str(bin_dir), **ports}  # fmt: skip
        for i, install in enumerate(varied_sites.SITES.values()):
            other = stack.enter_context(FixtureSite("127.0.0.1"))
            install(other)  # sites for `sources add`, on PORT+10.. as fixture_sites.py has them
            swaps[f"http://127.0.0.1:{8811 + i}"] = other.base
        yield tmp_path, swaps


def _smtp_configs(stack: contextlib.ExitStack, folder: Path, raw: dict) -> dict[str, str]:
    """smtp.yaml (the README's smtp block, at a test SMTP server) and closed.yaml (the same
    at a port nothing listens on); returns the README's ports -> these."""
    server = stack.enter_context(SmtpServer())
    closed = stack.enter_context(closed_port())
    smtp = {"host": "127.0.0.1", "port": server.port, "security": "none",
            "from": "뉴스워치 <alerts@example.org>", "reply_to": "desk@example.org",
            "local_hostname": "newswatch.example.org"}  # fmt: skip
    for name, port in (("smtp.yaml", server.port), ("closed.yaml", closed)):
        config = {**raw, "alerts": {**raw["alerts"], "smtp": {**smtp, "port": port}}}
        (folder / name).write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return {"127.0.0.1:8025": f"127.0.0.1:{server.port}", "127.0.0.1:8026": f"127.0.0.1:{closed}"}


@pytest.mark.skipif(Path(newswatch_command()[0]).name != "newswatch", reason="no script")
def test_every_readme_example_runs_as_printed(readme_dir):
    folder, swaps = readme_dir
    env = {k: v for k, v in os.environ.items() if k != "NEWSWATCH_CONFIG"}
    env |= {"PATH": f"{swaps.pop('PATH')}:{env['PATH']}", "PYTHONIOENCODING": "utf-8"}
    ran, wrong = 0, []
    for command, expected in examples((ROOT / "README.md").read_text(encoding="utf-8")):
        for old, new in swaps.items():  # ports: in a command (a site's URL) and its output
            expected, command = expected.replace(old, new), command.replace(old, new)
        done = subprocess.run(
            ["sh", "-c", command], cwd=folder, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120,
        )  # fmt: skip
        shown = "\n".join(x for x in done.stdout.splitlines() if not x.startswith("crawling: "))
        ran += 1
        if normal(shown) != normal(expected):
            wrong.append(f"$ {command}\n--- README\n{expected}\n--- got\n{shown}")
    assert ran >= 11, f"only {ran} examples found: has the README's format changed?"
    assert not wrong, "\n\n".join(wrong)
