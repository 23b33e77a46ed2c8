"""Does every check end within its limit? Many checks of mixed bank files, two at a time.

Takes the bank's references, stubs, buggy versions (tests/bank/*/mutants) and
correct variants (tests/bank/*/variants), draws N of them with a fresh seed each,
and grades them with the pool of trusted workers (2 by default), speed timing on
for one check in four. Prints, side by side: how many checks ran, how many ended
as the grader's own failure (the limit exceeded, or anything else), and the
slowest checks against their hard limits. Target: no check over its limit.

    python bench/trusted_limits.py            # 1000 checks
    python bench/trusted_limits.py --checks 200 --workers 2
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from grader.catalog import open_bank
from grader.engine import hard_limit_s
from grader.pool import CheckTask, run_checks
from grader.validate import subjects as validation_subjects

ROOT = Path(__file__).resolve().parent.parent


def subjects(bank, scratch: Path) -> list[tuple[str, Path]]:
    """Every file ``kata validate`` checks: reference, stub, mutants (built) and variants."""
    meta = ROOT / "tests" / "bank"
    return [
        (kata.id, subject.path)
        for kata in bank.katas.values()
        for subject in validation_subjects(kata, meta, scratch)
        if not subject.problem
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20261127)
    options = parser.parse_args()
    bank = open_bank()
    rng = random.Random(options.seed)
    scratch = Path(tempfile.mkdtemp(prefix="kata-bench-"))
    pool = subjects(bank, scratch)
    tasks = []
    for _ in range(options.checks):
        kata, path = rng.choice(pool)
        tasks.append(
            CheckTask(kata, str(path), seed=rng.randrange(2**31), timing=rng.random() < 0.25)
        )
    durations: list[tuple[float, float, CheckTask]] = []
    failures: list[tuple[CheckTask, str]] = []

    def collect(index, progress, result, error) -> None:
        task = tasks[index]
        limit = hard_limit_s(bank.get(task.kata), bool(task.timing))
        if result is None:
            failures.append((task, error or "no result"))
        else:
            durations.append((result.duration_s, limit, task))
            if result.error is not None and result.error.kind == "internal":
                failures.append((task, result.error.message.splitlines()[0]))
        if progress.done % 100 == 0:
            print(
                f"  {progress.done}/{progress.total} checks, {progress.rate:.1f}/s", file=sys.stderr
            )

    began = time.monotonic()
    run_checks(bank, tasks, options.seed, options.workers, timing=False, on_done=collect)
    elapsed = time.monotonic() - began
    durations.sort(key=lambda item: item[0] / item[1], reverse=True)
    over = [d for d in durations if d[0] > d[1]]
    print(
        f"checks run                 {len(tasks)} in {elapsed:.0f} s ({options.workers} at a time)"
    )
    print(f"grader failures            {len(failures)}")
    print(f"over their hard limit      {len(over)}   (target: 0)")
    print("slowest against their limit:")
    for duration, limit, task in durations[:5]:
        name = (
            Path(task.file).relative_to(ROOT) if Path(task.file).is_relative_to(ROOT) else task.file
        )
        timing = "timed" if task.timing else "no timing"
        print(
            f"  {duration:6.2f} s of {limit:5.0f} s  {task.kata:16s} {name} (seed {task.seed}, {timing})"
        )
    for task, error in failures[:10]:
        print(f"  FAILED {task.kata} {task.file} seed {task.seed}: {error}")
    return 1 if failures or over else 0


if __name__ == "__main__":
    sys.exit(main())
