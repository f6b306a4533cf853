"""The product contract's own smoke check (../shared/contract/smoke.py), run as users see it."""

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import newswatch_command

SMOKE = Path(__file__).resolve().parents[2] / "shared" / "contract" / "smoke.py"


@pytest.mark.skipif(not SMOKE.exists(), reason=f"{SMOKE} is not beside this checkout")
def test_contract_smoke_check_passes():
    [exe] = newswatch_command()[:1]
    done = subprocess.run(
        [sys.executable, str(SMOKE), exe], capture_output=True, text=True, timeout=600
    )
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    assert lines[-1].endswith(" 0 failed"), lines[-1]
