"""The seed sweep, ``kata validate --seeds N``: correct files checked on many seeds.

A suite whose random inputs are now and then ill-chosen fails a correct file on some
seeds, or never returns (stable_softmax's seed 113 did, in a rejection loop). No single
check shows that; many seeds do. The sweep checks each kata's reference (and, if asked,
each correct variant) on seeds ``first .. first + N - 1`` and reports every seed on which
a test fails or the check does not finish within the kata's budget.

Checks run in the pool of trusted workers (``grader.pool``), as in ``kata validate`` and
``kata grade``, each seed a task of its own; a suite that loops for ever, exactly what the
sweep looks for, is stopped at the check's hard limit and reported with where it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Bank, Kata
from grader.pool import CheckTask, Progress, run_checks
from grader.results import CheckResult


@dataclass(frozen=True)
class SeedRun:
    """One check of a correct file on one seed, and what went wrong, if anything."""

    kata: str
    role: str  # reference or variant
    path: str
    seed: int
    problems: tuple[str, ...]  # "test name (outcome): message", or why the check overran
    duration_s: float

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class KataSweep:
    kata: str
    budget_s: float
    runs: tuple[SeedRun, ...]

    @property
    def bad(self) -> list[SeedRun]:
        return [run for run in self.runs if not run.ok]

    @property
    def slowest(self) -> SeedRun | None:
        return max(self.runs, key=lambda run: run.duration_s, default=None)


def _problems(kata: Kata, result: CheckResult | None, error: str | None) -> list[str]:
    """What went wrong with a check of a correct file: failed tests, errors, overtime."""
    if result is None:
        return [f"the grader failed: {error}"]
    problems = [f"{t.name} ({t.outcome}): {t.message}" for t in result.tests if not t.passed]
    if result.error is not None:
        problems.append(f"{result.error.kind}: {result.error.message}")
    elif result.duration_s > kata.budget_s:
        problems.append(
            f"took {result.duration_s:.1f} s, over the kata's budget of {kata.budget_s:g} s"
        )
    return problems


def correct_files(kata: Kata, meta_root: Path | None, variants: bool) -> list[tuple[str, Path]]:
    """The files that must pass on every seed: the reference, and the variants if asked."""
    found = [("reference", kata.solution)] if kata.solution else []
    folder = meta_root / kata.id / "variants" if meta_root is not None else None
    if variants and folder is not None and folder.is_dir():
        found += [("variant", path) for path in sorted(folder.glob("*.py"))]
    return found


# -- in the caller ----------------------------------------------------------------------

OnProgress = Callable[[Progress], None]


def sweep(
    bank: Bank,
    katas: Iterable[Kata],
    seeds: range,
    meta_root: Path | None = None,
    *,
    variants: bool = False,
    workers: int | None = None,
    on_progress: OnProgress | None = None,
) -> list[KataSweep]:
    """Check every correct file of every kata on every seed, in parallel.

    Jobs of the slowest katas (by budget) are queued first, so that no long check starts last.
    """
    katas = list(katas)
    jobs = [
        (kata.id, role, str(path), seed)
        for kata in sorted(katas, key=lambda kata: -kata.budget_s)
        for role, path in correct_files(kata, meta_root, variants)
        for seed in seeds
    ]
    tasks = [CheckTask(kata_id, path, seed=seed, timing=False) for kata_id, _, path, seed in jobs]
    runs: list[SeedRun] = []

    def record(index: int, progress: Progress, result: CheckResult | None, error: str | None):
        kata_id, role, path, seed = jobs[index]
        problems = _problems(bank.get(kata_id), result, error)
        duration = result.duration_s if result is not None else 0.0
        runs.append(SeedRun(kata_id, role, path, seed, tuple(problems), duration))
        if on_progress:
            on_progress(progress)

    run_checks(bank, tasks, seeds.start, workers or os.cpu_count() or 2, False, record)
    order = {kata.id: index for index, kata in enumerate(katas)}
    runs.sort(key=lambda run: (order[run.kata], run.role != "reference", run.path, run.seed))
    return [
        KataSweep(kata.id, kata.budget_s, tuple(run for run in runs if run.kata == kata.id))
        for kata in katas
    ]
