"""The product contract's own smoke check (../shared/contract/smoke.py), run as users see it.

In a clone without ../shared it is skipped, and the skip reason is in pytest's summary
(`-rs` is in the pytest options). `.ci/run` sets NEWSWATCH_CONTRACT=required: a missing
contract then fails instead.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.cli import newswatch_command

SMOKE = Path(__file__).resolve().parents[2] / "shared" / "contract" / "smoke.py"


def test_contract_smoke_check_passes():
    if not SMOKE.exists():
        why = f"{SMOKE} is missing: the contract check needs ../shared beside this checkout"
        if os.environ.get("NEWSWATCH_CONTRACT") == "required":
            pytest.fail(why)
        pytest.skip(why)
    [exe] = newswatch_command()[:1]
    done = subprocess.run(
        [sys.executable, str(SMOKE), exe], capture_output=True, text=True, timeout=600
    )
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert lines[-1].endswith(" 0 failed"), lines[-1]
