"""Running the real `newswatch` command from tests."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def newswatch_command() -> list[str]:
    """The newswatch console script next to this Python (the venv's), else `python -m`."""
    script = Path(sys.executable).parent / "newswatch"
    if script.exists():
        return [str(script)]
    found = shutil.which("newswatch")
    return [found] if found else [sys.executable, "-m", "newswatch.cli"]
