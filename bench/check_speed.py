"""How long one `kata check` takes, beside a bare pytest run of the same hidden suite.

Prints medians over repeated runs, measured side by side in one go:
  - `kata check KATA --file <reference> --no-timing --json` (target: <= 0.5 s for relu_backward)
  - a bare `python -m pytest` of the same suite with autoload off, learner code imported
    in-process by a throwaway conftest (what a naive autograder does; no isolation)
  - the same check with speed timing on
and the speed ratios the engine reports for the reference and for a loop-per-element
version (target: >= 10x, or capped).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from naive import write_naive_suite

from grader.catalog import open_bank
from grader.engine import check

ROOT = Path(__file__).resolve().parent.parent


def wall(command: list[str], env: dict, cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - start


def speed_text(speed) -> str:
    if speed is None:
        return "not measured"
    return speed.note if speed.capped else f"{speed.ratio:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kata", default="relu_backward")
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    kata = open_bank().get(args.kata)
    # `python -m grader` is the installed `kata` script minus any shim (pyenv's adds ~0.1 s).
    kata_cli = [sys.executable, "-m", "grader"]
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    reference = str(kata.solution)
    with tempfile.TemporaryDirectory() as tmp:
        naive = Path(tmp)
        write_naive_suite(naive, kata, kata.solution)
        commands = {
            "kata check --no-timing": [
                *kata_cli,
                "check",
                kata.id,
                "--file",
                reference,
                "--no-timing",
                "--json",
            ],
            "bare pytest (no isolation)": [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                str(naive),
            ],
            "kata check (with speed timing)": [
                *kata_cli,
                "check",
                kata.id,
                "--file",
                reference,
                "--json",
            ],
            "python -c pass": [sys.executable, "-c", "pass"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeats):  # interleaved, so load on the machine hits all alike
            for name, command in commands.items():
                times[name].append(wall(command, env, naive))
    print(f"kata: {kata.id}, {args.repeats} runs each, median wall time")
    for name, values in times.items():
        print(f"  {name:32s} {statistics.median(values):6.3f} s   (min {min(values):.3f})")
    target = statistics.median(times["kata check --no-timing"])
    print(f"  kata check --no-timing target <= 0.5 s: {'met' if target <= 0.5 else 'NOT met'}")
    ratio = target / statistics.median(times["bare pytest (no isolation)"])
    print(f"  kata check / bare pytest: {ratio:.2f}x (target <= 1.25x)")

    print("\nspeed ratio the engine reports (learner time / reference time):")
    slow = ROOT / "tests" / "bank" / kata.id / "variants" / "slow_loop.py"
    for label, path, runs in (
        ("reference vs itself", kata.solution, 5),
        ("loop per element", slow, 1),
    ):
        if path.exists():
            shown = [speed_text(check(kata, path, seed=seed).speed) for seed in range(1, runs + 1)]
            print(f"  {label:32s} {', '.join(shown)}")
    print("  reference vs itself target: every run within 0.85x-1.15x")
    print(json.dumps({name: round(statistics.median(v), 4) for name, v in times.items()}))


if __name__ == "__main__":
    main()
