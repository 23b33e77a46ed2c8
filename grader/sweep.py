"""The seed sweep, ``kata validate --seeds N``: correct files checked on many seeds.

A suite whose random inputs are now and then ill-chosen fails a correct file on some
seeds, or never returns (stable_softmax's seed 113 did, in a rejection loop). No single
check shows that; many seeds do. The sweep checks each kata's reference (and, if asked,
each correct variant) on seeds ``first .. first + N - 1`` and reports every seed on which
a test fails or the check does not finish within the kata's budget.

Checks run in-process in spawned worker processes that are trusted runners, as in
``kata validate`` and ``kata grade``: a worker saves a Python, pytest and NumPy start per
check, while the file under test still runs in its own confined child. A worker also
holds a watchdog per check, because a suite that loops for ever is exactly what the
sweep looks for: at the budget it stops the suite and records where it was stuck.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from grader.catalog import Bank, Kata, open_bank
from grader.engine import become_runner, check
from grader.pool import Progress


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


def correct_files(kata: Kata, meta_root: Path | None, variants: bool) -> list[tuple[str, Path]]:
    """The files that must pass on every seed: the reference, and the variants if asked."""
    found = [("reference", kata.solution)] if kata.solution else []
    folder = meta_root / kata.id / "variants" if meta_root is not None else None
    if variants and folder is not None and folder.is_dir():
        found += [("variant", path) for path in sorted(folder.glob("*.py"))]
    return found


# -- in a worker ------------------------------------------------------------------------

_bank: Bank | None = None
_stuck_in: str | None = None


def _start_worker(bank_root: str) -> None:
    """Make this worker a trusted runner (subreaper, no plugin autoload) and keep it quiet."""
    global _bank
    become_runner()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    _bank = open_bank(Path(bank_root))


def where_stuck(frame: FrameType | None, inside: Path) -> str:
    """The innermost frames of a stuck check, preferring the bank's own files (the suite)."""
    frames = traceback.extract_stack(frame)
    ours = [f for f in frames if Path(f.filename).is_relative_to(inside)] or frames
    return " < ".join(f"{Path(f.filename).name} line {f.lineno} ({f.name})" for f in ours[:-4:-1])


def _overtime(signum: int, frame: FrameType | None) -> None:
    """Stop the suite: pytest ends its session on ``pytest.exit``, and the check returns."""
    global _stuck_in
    import pytest

    if _stuck_in is None:
        _stuck_in = where_stuck(frame, _bank.root)
    pytest.exit("over the kata's budget", returncode=pytest.ExitCode.INTERNAL_ERROR)


def _check_seed(kata_id: str, role: str, path: str, seed: int) -> SeedRun:
    global _stuck_in
    kata = _bank.get(kata_id)
    _stuck_in = None
    previous = signal.signal(signal.SIGALRM, _overtime)
    # Fires at the budget, then every second, in case a suite swallowed the first stop.
    signal.setitimer(signal.ITIMER_REAL, kata.budget_s, 1.0)
    try:
        result = check(kata, Path(path), seed=seed, timing=False, in_process=True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if _stuck_in is not None:
        budget = f"did not finish within the kata's budget of {kata.budget_s:g} s"
        problems = [f"{budget}; stuck in {_stuck_in}"]
    else:
        problems = [f"{t.name} ({t.outcome}): {t.message}" for t in result.tests if not t.passed]
        if result.error is not None:
            problems.append(f"{result.error.kind}: {result.error.message}")
        elif result.duration_s > kata.budget_s:
            problems.append(
                f"took {result.duration_s:.1f} s, over the kata's budget of {kata.budget_s:g} s"
            )
    return SeedRun(kata_id, role, path, seed, tuple(problems), result.duration_s)


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
    runs: list[SeedRun] = []
    began = time.monotonic()
    # Workers live for the whole sweep (no max_tasks_per_child): their memory stays flat
    # over hundreds of checks, and Python 3.11's executor stops replacing retired workers
    # when every job is queued up front, so recycling them would hang the sweep.
    pool = ProcessPoolExecutor(
        max_workers=workers or os.cpu_count() or 2,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(str(bank.root),),
    )
    try:
        pending: dict[Future, tuple] = {pool.submit(_check_seed, *job): job for job in jobs}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                kata_id, role, path, seed = pending.pop(future)
                try:
                    runs.append(future.result())
                except Exception as error:  # noqa: BLE001 - the grader's own failure: report it
                    problem = f"the grader failed: {type(error).__name__}: {error}"
                    runs.append(SeedRun(kata_id, role, path, seed, (problem,), 0.0))
                if on_progress:
                    on_progress(Progress(len(runs), len(jobs), time.monotonic() - began))
    except BaseException:  # Ctrl-C: drop what has not started
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    order = {kata.id: index for index, kata in enumerate(katas)}
    runs.sort(key=lambda run: (order[run.kata], run.role != "reference", run.path, run.seed))
    return [
        KataSweep(kata.id, kata.budget_s, tuple(run for run in runs if run.kata == kata.id))
        for kata in katas
    ]
