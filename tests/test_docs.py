"""The README documents every config key the loader accepts, and every command has help.

The accepted keys are not listed here: they are read off the loader itself. Each mapping of a
valid config gets an unknown key, and the loader's error ("expected one of a, b, c") names the
keys that mapping accepts; a key whose value, made a mapping (or a list of one) with an
unknown key, gets such an error in turn is a mapping itself and is explored the same way.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from newswatch.cli import main
from newswatch.config import ConfigError, load_config

README = Path(__file__).resolve().parents[1] / "README.md"
UNKNOWN = "zz_not_a_key"
BASE: dict[str, Any] = {
    "sources": [{"name": "s", "start_urls": ["http://127.0.0.1/"], "article_url_pattern": "x"}],
    "alerts": {"rules": [{"name": "r", "query": "x", "to": ["a@example.org"]}]},
}


def loader_error(tmp_path: Path, raw: dict[str, Any]) -> str:
    path = tmp_path / "probe.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    try:
        load_config(path)
    except ConfigError as exc:
        return str(exc)
    return ""


def with_value(raw: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of `raw` with the dotted `key` ("sources[].selectors") set to `value`."""
    probe = copy.deepcopy(raw)
    node: Any = probe
    parts = key.split(".")
    for part in parts[:-1]:
        name = part.removesuffix("[]")
        node = node.setdefault(name, [{}] if part.endswith("[]") else {})
        node = node[0] if part.endswith("[]") else node
    node[parts[-1]] = value
    return probe


def accepted(tmp_path: Path, raw: dict[str, Any], key: str) -> list[str] | None:
    """The keys the mapping at `key` accepts, or None if it is no mapping."""
    for shape, suffix in ((lambda m: m, ""), (lambda m: [m], "[]")):
        probe = with_value(raw, key, shape({UNKNOWN: 1})) if key else {**raw, UNKNOWN: 1}
        error = loader_error(tmp_path, probe)
        found = re.search(rf"{re.escape(UNKNOWN)}: expected one of ([\w, ]+), got", error)
        if found:
            return [f"{key}{suffix}.{k}".lstrip(".") for k in found.group(1).split(", ")]
    return None


def config_keys(tmp_path: Path) -> Iterator[str]:
    """Every leaf key the loader accepts, as the README writes them: `sources[].name`."""
    pending = accepted(tmp_path, BASE, "") or []
    while pending:
        key = pending.pop()
        children = accepted(tmp_path, BASE, key)
        if children is None:
            yield key
        else:
            pending.extend(children)


def documented_keys(readme: str) -> set[str]:
    """Keys named in the README's configuration table: `a.b`, `.c` (sibling), `a.x/y/z`."""
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    keys: set[str] = set()
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        parent = ""
        for name in re.findall(r"`([^`]+)`", line.split("|")[1]):
            full = parent + name if name.startswith(".") else name
            stem, _, last = full.rpartition(".")
            keys.update(f"{stem}.{alt}".lstrip(".") for alt in last.split("/"))
            parent = stem
    return keys


def test_the_readme_documents_every_config_key(tmp_path):
    keys = set(config_keys(tmp_path))
    assert {"database", "crawl.timeout", "sources[].selectors.exclude", "alerts.smtp.from",
            "alerts.rules[].digest"} <= keys, "the probe no longer reads the loader"  # fmt: skip

    missing = keys - documented_keys(README.read_text(encoding="utf-8"))

    assert not missing, f"config keys missing from README.md's Configuration table: {missing}"


def commands(group: click.Command, path: str = "newswatch") -> Iterator[tuple[str, click.Command]]:
    yield path, group
    if isinstance(group, click.Group):
        for name, command in group.commands.items():
            yield from commands(command, f"{path} {name}")


@pytest.mark.parametrize("path, command", list(commands(main)), ids=lambda v: str(v))
def test_every_command_and_option_has_help(path, command):
    assert (command.help or "").strip(), f"`{path}` has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert (param.help or "").strip(), f"`{path} {param.opts[0]}` has no help text"
