"""deploy/: the systemd unit and the install script agree, and systemd accepts the unit.

The unit names paths (ExecStart, the config, the state directory, the environment file) and a
user; install.sh creates them. A rename on one side only would give a service that cannot
start (status 226/NAMESPACE, 203/EXEC), so every one is checked against the script's lines.
Where `systemd-analyze` exists (Debian's `systemd` package), it verifies the unit and rates its
exposure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from newswatch.config import load_config

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "deploy" / "newswatch.service"
SCRIPT = ROOT / "deploy" / "install.sh"
ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")


def unit_settings() -> dict[str, list[str]]:
    """Key -> values (systemd allows a key more than once) of the unit's [Service] etc."""
    settings: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def one(settings: dict[str, list[str]], key: str) -> str:
    assert len(settings.get(key, [])) == 1, f"{key} is set {len(settings.get(key, []))} times"
    return settings[key][0]


def script_lines() -> list[str]:
    """The script's commands with its variables expanded, one per line (continuations joined)."""
    text = SCRIPT.read_text().replace("\\\n", " ")
    variables = dict(re.findall(r"^(\w+)=([^\s$(]+)$", text, re.M))
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            for name, value in variables.items():
                line = line.replace(f"${name}", value)
            lines.append(line.replace('"', ""))
    return lines


def creating(lines: list[str], path: str) -> list[str]:
    return [line for line in lines if path in line]


def test_the_unit_starts_from_a_clean_install():
    unit, lines = unit_settings(), script_lines()
    user = one(unit, "User")
    assert one(unit, "Group") == user
    assert any(line.startswith("id -u newswatch") and "useradd" in line and f" {user}" in line
               for line in lines), "install.sh creates the unit's user"  # fmt: skip

    binary, *args = one(unit, "ExecStart").split()
    venv = binary.removesuffix("/bin/newswatch")
    assert any(line.endswith(f" -m venv --clear {venv}") for line in lines), f"no venv {venv}"
    code = venv.removesuffix("/.venv")
    assert any(line.startswith(f"{venv}/bin/pip install") and line.endswith(code) for line in lines)
    assert args[0] == "--config" and args[2] == "run", args
    config = args[1]
    assert creating(lines, f"> {config}"), f"install.sh writes {config}"

    state = one(unit, "StateDirectory")
    data = f"/var/lib/{state}"
    assert one(unit, "WorkingDirectory") == data
    assert f"install -d -o {user} -g {user} -m 0700 {data}" in lines
    assert one(unit, "StateDirectoryMode") == "0700"
    env_file = one(unit, "EnvironmentFile").lstrip("-")
    assert creating(lines, f"> {env_file}"), f"install.sh creates {env_file}"


def test_code_is_roots_and_the_config_readable_by_the_service_only():
    user, lines = one(unit_settings(), "User"), script_lines()
    binary = one(unit_settings(), "ExecStart").split()[0]
    code = binary.removesuffix("/.venv/bin/newswatch")
    config = one(unit_settings(), "ExecStart").split()[2]
    assert f"chown -R root:root {code}" in lines
    assert f"chmod -R u+rwX,go+rX,go-w {code}" in lines
    assert f"chown root:{user} {config}" in lines and f"chmod 0640 {config}" in lines
    assert one(unit_settings(), "ProtectSystem") == "strict", "code and config are read-only"


def test_the_installed_config_keeps_the_archive_in_the_state_directory(tmp_path):
    """The script's own sed line, run on the shipped config, gives a config that loads."""
    lines = script_lines()
    state = f"/var/lib/{one(unit_settings(), 'StateDirectory')}"
    (sed,) = [line for line in lines if line.startswith("sed ")]
    pattern, replacement = re.search(r"s#(.+?)#(.+?)#", sed).groups()
    shipped = (ROOT / "config.yaml").read_text()
    installed = re.sub(pattern, replacement, shipped, flags=re.M)
    (tmp_path / "config.yaml").write_text(installed)
    assert yaml.safe_load(installed)["database"] == f"{state}/newswatch.db"
    assert load_config(tmp_path / "config.yaml").database == Path(f"{state}/newswatch.db")


def test_restarts_never_loop_on_a_config_error_and_files_are_private():
    unit = unit_settings()
    assert one(unit, "Restart") == "on-failure"
    assert "2" in one(unit, "RestartPreventExitStatus").split()
    assert one(unit, "UMask") == "0077"
    assert one(unit, "KillSignal") == "SIGTERM"


def test_the_readme_installs_with_the_script():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running as a service", 1)[1].split("\n## ", 1)[0]
    assert "sudo deploy/install.sh" in section
    assert "chown -R newswatch" not in section, "the service must not own its code"


@needs_analyze
def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    """Verified in a root of its own: systemd's units, the unit, and its ExecStart binary."""
    shutil.copytree("/usr/lib/systemd/system", tmp_path / "usr/lib/systemd/system", symlinks=True)
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    shutil.copy(UNIT, tmp_path / "etc/systemd/system/newswatch.service")
    binary = tmp_path / one(unit_settings(), "ExecStart").split()[0].lstrip("/")
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    done = subprocess.run([ANALYZE, "verify", f"--root={tmp_path}", "newswatch.service"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


@needs_analyze
def test_systemd_analyze_security_rates_the_unit_ok(tmp_path):
    done = subprocess.run(
        [ANALYZE, "security", "--offline=true", "--threshold=25", "--no-pager", str(UNIT)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={**os.environ, "SYSTEMD_COLORS": "0"},
    )  # fmt: skip
    level = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", done.stdout)
    assert level, done.stdout[-500:] + done.stderr
    assert done.returncode == 0, done.stdout[-2000:]
    assert float(level.group(1)) <= 2.5 and level.group(2) == "OK", level.group(0)
