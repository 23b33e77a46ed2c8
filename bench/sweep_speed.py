"""Checks per second of the seed sweep (`kata validate --seeds N`), per kata and overall.

Sweeps every kata's reference over a few seeds with the given workers and prints, side
by side, each kata's mean and slowest check, the overall rate, and what that rate means
for the full sweep (200 seeds, references only and with every variant) and for the
share of it that the project's tests run (tests/test_seed_sweep.py, CI_SEEDS).
CI's budget for its share is about 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from grader.catalog import open_bank
from grader.sweep import correct_files, sweep
from grader.validate import default_meta_root

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_seed_sweep import CI_SEEDS  # noqa: E402 - the project's tests decide CI's share


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds per kata (default 10)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    bank = open_bank()
    katas = list(bank.katas.values())
    began = time.perf_counter()
    results = sweep(bank, katas, range(args.seeds), workers=args.workers)
    elapsed = time.perf_counter() - began
    checks = sum(len(item.runs) for item in results)
    print(
        f"{checks} checks with {args.workers} workers in {elapsed:.1f} s: {checks / elapsed:.2f} checks/s"
    )
    print(f"{'KATA':16}{'MEAN':>8}{'SLOWEST':>9}{'BAD':>5}")
    mean_of = {}
    for item in results:
        mean_of[item.kata] = sum(run.duration_s for run in item.runs) / len(item.runs)
        slowest = item.slowest.duration_s if item.slowest else 0.0
        print(f"{item.kata:16}{mean_of[item.kata]:7.2f}s{slowest:8.2f}s{len(item.bad):5}")
    per_seed = elapsed / args.seeds  # wall time of one seed of every kata, at this rate
    meta = default_meta_root(bank)
    files = sum(len(correct_files(kata, meta, variants=True)) for kata in katas)
    variant_share = sum(
        mean_of[kata.id] * len(correct_files(kata, meta, variants=True)) for kata in katas
    ) / sum(mean_of.values())
    print(
        f"projected: 200 seeds of the references {200 * per_seed / 60:.1f} min; "
        f"with every variant ({files} files) {200 * per_seed * variant_share / 60:.1f} min; "
        f"CI's share ({len(CI_SEEDS)} seeds) {len(CI_SEEDS) * per_seed:.0f} s"
    )


if __name__ == "__main__":
    main()
