"""Mutation score per module from mutmut's results (make mutate writes them under mutants/).

    python benchmarks/mutation_scores.py [--survivors]

Killed: a test failed (or timed out) with the mutant in place. Survived: every selected test
passed. No tests: no selected in-process test runs that function. Not run: not yet checked.
The score is killed / (killed + survived); functions no selected test reaches are counted
apart, not as survivors (they are the subprocess-only paths, see docs/testing.md).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KILLED, SURVIVED, NO_TESTS = (1, 3), (0,), (33,)  # 3: a test errored; 36 / -24: timeouts
TIMEOUTS = (36, -24, 24, -9)


def outcome(code: int | None) -> str:
    if code is None:
        return "not run"
    if code in KILLED or code in TIMEOUTS:
        return "killed"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    return f"other ({code})"


def results(root: Path = Path("mutants")) -> dict[str, dict[str, str]]:
    """module -> {mutant name: outcome}."""
    out: dict[str, dict[str, str]] = {}
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        module = str(meta.relative_to(root))[: -len(".meta")]
        out[module] = {name: outcome(code) for name, code in codes.items()}
    return out


def main(show_survivors: bool) -> None:
    print(f"{'module':<24}{'mutants':>8}{'killed':>8}{'survived':>9}{'no tests':>9}"
          f"{'not run':>8}{'score':>8}")  # fmt: skip
    for module, outcomes in results().items():
        n = Counter(outcomes.values())
        checked = n["killed"] + n["survived"]
        score = f"{100 * n['killed'] / checked:.1f}%" if checked else "-"
        print(f"{module:<24}{len(outcomes):>8}{n['killed']:>8}{n['survived']:>9}"
              f"{n['no tests']:>9}{n['not run']:>8}{score:>8}")  # fmt: skip
        if show_survivors:
            for name, result in outcomes.items():
                if result in ("survived", "no tests") or result.startswith("other"):
                    print(f"    {result}: {name}")


if __name__ == "__main__":
    main("--survivors" in sys.argv)
