"""Coverage per package from a `coverage json` report (make coverage writes it).

    python benchmarks/coverage_packages.py .coverage-data/coverage.json

Prints statements, missed and per cent for each top-level package and the total, and the
least covered modules (where a new test would earn most).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path


def by_package(report: dict) -> dict[str, tuple[int, int]]:
    """package -> (statements, missed)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for path, data in report["files"].items():
        package = Path(path).parts[0]
        summary = data["summary"]
        totals[package][0] += summary["num_statements"]
        totals[package][1] += summary["missing_lines"]
    return {k: (v[0], v[1]) for k, v in sorted(totals.items())}


def main(path: str) -> None:
    report = json.loads(Path(path).read_text(encoding="utf-8"))
    print(f"{'package':<12}{'statements':>11}{'missed':>8}{'covered':>9}")
    for package, (statements, missed) in by_package(report).items():
        print(f"{package:<12}{statements:>11}{missed:>8}{100 * (1 - missed / statements):>8.1f}%")
    total = report["totals"]
    print(f"{'total':<12}{total['num_statements']:>11}{total['missing_lines']:>8}"
          f"{total['percent_covered']:>8.1f}%")  # fmt: skip
    worst = sorted(report["files"].items(), key=lambda kv: kv[1]["summary"]["percent_covered"])
    print("\nleast covered modules:")
    for path, data in worst[:8]:
        summary = data["summary"]
        print(
            f"  {path:<34}{summary['percent_covered']:>6.1f}%  ({summary['missing_lines']} lines)"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".coverage-data/coverage.json")
