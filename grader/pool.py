"""A pool of trusted runner processes that run many ``engine.check`` jobs in parallel.

Workers are spawned Python processes, each a child subreaper with plugin
autoloading off; they run hidden suites in-process (``engine.become_runner``),
saving a Python and pytest start per job, while every learner file still runs
in a confined child of its own. Results come back to the caller's process,
which alone records them, as each job finishes. Workers die with the caller:
killed with SIGKILL, it cannot shut the pool down, and a worker blocked on the
pool's queue would otherwise live on (and keep the resource tracker alive).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Bank, open_bank
from grader.engine import become_runner, check
from grader.results import CheckResult

JOBS_PER_WORKER_LIFE = 200  # recycle workers now and then, so no state can build up
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class CheckTask:
    kata: str
    file: str
    max_failures: int | None = None


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    elapsed_s: float

    @property
    def rate(self) -> float:
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate > 0 else None


_worker_bank: Bank | None = None


def _start_worker(bank_root: str, parent: int) -> None:
    """Make this worker a trusted runner that dies with ``parent``: subreaper, quiet, no plugins."""
    global _worker_bank
    _die_with(parent)
    become_runner()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    _worker_bank = open_bank(Path(bank_root))


def _die_with(parent: int) -> None:
    """Be killed when ``parent`` dies (Linux); its learner children follow by their own rule."""
    # The signal comes when the *thread* that started us ends: the pool's threads (the
    # caller's and the executor's manager) live until run_checks shuts the pool down.
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before we asked
        os._exit(1)


def _run(task: CheckTask, seed: int, timing: bool) -> CheckResult:
    kata = _worker_bank.get(task.kata)
    return check(
        kata,
        Path(task.file),
        seed=seed,
        timing=timing,
        max_failures=task.max_failures,
    )


# Called with the task's index, the progress so far, and the result or the grader's own error.
OnDone = Callable[[int, Progress, CheckResult | None, str | None], None]


def run_checks(
    bank: Bank, tasks: Sequence[CheckTask], seed: int, workers: int, timing: bool, on_done: OnDone
) -> None:
    """Run every task; ``on_done`` is called in this process as each one finishes."""
    if not tasks:
        return
    began = time.monotonic()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(str(bank.root), os.getpid()),
        max_tasks_per_child=JOBS_PER_WORKER_LIFE,
    )
    try:
        pending: dict[Future, int] = {
            pool.submit(_run, task, seed, timing): index for index, task in enumerate(tasks)
        }
        done = 0
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                index = pending.pop(future)
                done += 1
                progress = Progress(done, len(tasks), time.monotonic() - began)
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - the grader's own failure: report it
                    on_done(index, progress, None, f"{type(error).__name__}: {error}")
                else:
                    on_done(index, progress, result, None)
    except BaseException:  # Ctrl-C: drop what has not started; finished jobs are already recorded
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
