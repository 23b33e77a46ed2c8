"""How often a buggy file's first failure names its mistake, over the bank's mutants.

Each mutant of ``tests/bank/<kata>/`` (listed edits and whole files) is built and
checked with the suite stopping at its first failure, as ``kata validate`` does.
A first failure is *labelled* when it carries a mistake id, *named* when it names a
mistake in words only (the JSON of older versions, where ``mistake`` was the text).
Prints one line per kata and the overall shares; ``--unlabelled`` lists the mutants
whose first failure has no id, with that failure's message, for suite authors.

    python bench/mistake_coverage.py [KATA ...] [--workers 2] [--unlabelled] [--per-kata N]

``--per-kata N`` checks only each kata's first N mutants (a quicker sample).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from grader.catalog import open_bank
from grader.mutants import build, load_mutants
from grader.pool import CheckTask, run_checks
from grader.results import CheckResult

SEED = 20261125  # kata validate's seed: the same first failures


def first_failure_label(result: CheckResult | None) -> tuple[str, str]:
    """("id", id), ("named", text) or ("none", message) for a check's first failure."""
    if result is None:
        return "none", "the grader failed"
    failed = [test for test in result.tests if not test.passed]
    if not failed:
        return "none", result.error.message if result.error else "not caught"
    mistake = failed[0].mistake
    if mistake is None:
        return "none", failed[0].message
    if isinstance(mistake, str):  # before mistake ids
        return "named", mistake
    return "id", mistake.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("katas", nargs="*")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--unlabelled", action="store_true")
    parser.add_argument("--per-kata", type=int, default=None)
    args = parser.parse_args()
    bank = open_bank()
    meta = bank.root / "tests" / "bank"
    katas = args.katas or sorted(bank.katas)
    with tempfile.TemporaryDirectory(prefix="kata-coverage-") as scratch:
        tasks, names = [], []
        for kata_id in katas:
            kata = bank.get(kata_id)
            folder = Path(scratch) / kata_id
            folder.mkdir()
            for mutant in load_mutants(meta / kata_id)[: args.per_kata]:
                tasks.append(CheckTask(kata_id, str(build(mutant, kata.solution, folder)), 1))
                names.append((kata_id, mutant.label))
        found: dict[int, tuple[str, str]] = {}

        def collect(index: int, _progress, result: CheckResult | None, _error: str | None) -> None:
            found[index] = first_failure_label(result)

        run_checks(bank, tasks, SEED, args.workers, False, collect)
    totals = {"id": 0, "named": 0, "none": 0}
    print(f"{'kata':24} {'mutants':>7} {'id':>5} {'named':>5} {'none':>5} {'id %':>6}")
    for kata_id in katas:
        mine = [found[i] for i, (k, _) in enumerate(names) if k == kata_id]
        counts = {kind: sum(label[0] == kind for label in mine) for kind in totals}
        for kind in totals:
            totals[kind] += counts[kind]
        share = 100 * counts["id"] / len(mine) if mine else 0.0
        print(
            f"{kata_id:24} {len(mine):7} {counts['id']:5} {counts['named']:5} "
            f"{counts['none']:5} {share:5.0f}%"
        )
    total = sum(totals.values())
    print(
        f"{'all':24} {total:7} {totals['id']:5} {totals['named']:5} {totals['none']:5} "
        f"{100 * totals['id'] / max(total, 1):5.0f}%"
    )
    print(f"named in any form: {100 * (totals['id'] + totals['named']) / max(total, 1):.0f}%")
    if args.unlabelled:
        for index, (kata_id, label) in enumerate(names):
            kind, detail = found[index]
            if kind != "id":
                print(f"{kata_id} {label} [{kind}]: {detail[:300]}")


if __name__ == "__main__":
    main()
