"""A pool of trusted runner processes that run many ``engine.check`` jobs in parallel.

Workers are spawned Python processes, each a child subreaper with plugin
autoloading off; they run hidden suites in-process (``engine.become_runner``),
saving a Python and pytest start per job, while every learner file still runs
in a confined child of its own. Results come back to the caller's process,
which alone records them, as each job finishes.

Each worker has a pipe of its own and one job at a time, so the caller knows how
long every job has run: a job past its hard limit (the engine's own limit, which
a worker enforces itself, plus a grace for a worker stuck where it cannot) gets its
worker killed and replaced, the job reported as the grader's failure, and the rest
goes on. Workers die with the caller: killed with SIGKILL, it cannot shut the pool
down, so each worker asks the kernel for SIGKILL when its parent goes (PDEATHSIG).
That signal follows the parent *thread* that started the worker, so workers are
started by the thread that runs ``run_checks`` and lives until it returns; once the
workers are gone, multiprocessing's resource tracker reads end-of-file and exits
(``tests/test_grade_killed.py`` shows a busy worker and the tracker outliving a
``kill -9`` without it).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from grader.catalog import Bank, open_bank
from grader.engine import become_runner, check, hard_limit_s
from grader.results import CheckResult

JOBS_PER_WORKER_LIFE = 200  # recycle workers now and then, so no state can build up
PR_SET_PDEATHSIG = 1
GRACE_S = 30.0  # past the engine's own limit, before the caller kills a worker


@dataclass(frozen=True)
class CheckTask:
    """One check for a worker; ``seed`` and ``timing`` override the run's own when set."""

    kata: str
    file: str
    max_failures: int | None = None
    seed: int | None = None
    timing: bool | None = None


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


def _worker(connection: Connection, bank_root: str, parent: int) -> None:
    """A trusted runner that dies with ``parent``: subreaper, quiet, no plugins; one job at a time."""
    _die_with(parent)
    become_runner()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    bank = open_bank(Path(bank_root))
    while True:  # until the caller closes the pipe
        try:
            task, seed, timing = connection.recv()
        except EOFError:
            return
        seed = seed if task.seed is None else task.seed
        timing = timing if task.timing is None else task.timing
        try:
            kata = bank.get(task.kata)
            result = check(
                kata, Path(task.file), seed=seed, timing=timing, max_failures=task.max_failures
            )
            connection.send((result, None))
        except Exception as error:  # noqa: BLE001 - the grader's own failure: report it
            connection.send((None, "".join(traceback.format_exception(error)[-4:]).strip()))


def _die_with(parent: int) -> None:
    """Be killed when ``parent`` dies (Linux); its learner children follow by their own rule."""
    if sys.platform.startswith("linux"):
        refused = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0
        if refused:  # a worker that could outlive the grader must not work at all
            os._exit(1)
    if os.getppid() != parent:  # it died before we asked
        os._exit(1)


# Called with the task's index, the progress so far, and the result or the grader's own error.
OnDone = Callable[[int, Progress, CheckResult | None, str | None], None]


@dataclass
class _Busy:
    index: int
    started: float
    limit: float


class _Workers:
    """Worker processes, each with its own pipe, started and replaced on demand."""

    def __init__(self, bank: Bank) -> None:
        self.bank = bank
        self.context = multiprocessing.get_context("spawn")
        self.connections: dict[multiprocessing.Process, Connection] = {}
        self.jobs: dict[multiprocessing.Process, int] = {}

    def start(self) -> multiprocessing.Process:
        ours, theirs = self.context.Pipe()
        process = self.context.Process(
            target=_worker, args=(theirs, str(self.bank.root), os.getpid()), daemon=True
        )
        process.start()
        theirs.close()
        self.connections[process] = ours
        self.jobs[process] = 0
        return process

    def give(self, process: multiprocessing.Process, job: tuple) -> None:
        self.connections[process].send(job)
        self.jobs[process] += 1

    def renewed(self, process: multiprocessing.Process) -> multiprocessing.Process:
        """The same worker, or a fresh one once it has done its share (no state builds up)."""
        if self.jobs[process] < JOBS_PER_WORKER_LIFE:
            return process
        self.stop(process)
        return self.start()

    def stop(self, process: multiprocessing.Process, kill: bool = False) -> None:
        connection = self.connections.pop(process)
        self.jobs.pop(process, None)
        connection.close()
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
        process.join(timeout=None if kill else 10)
        if process.is_alive():
            process.kill()
            process.join()

    def stop_all(self, kill: bool = False) -> None:
        for process in list(self.connections):
            self.stop(process, kill)


def run_checks(
    bank: Bank, tasks: Sequence[CheckTask], seed: int, workers: int, timing: bool, on_done: OnDone
) -> None:
    """Run every task; ``on_done`` is called in this process as each one finishes."""
    if not tasks:
        return
    began = time.monotonic()
    pool = _Workers(bank)
    queue = list(range(len(tasks)))[::-1]
    idle = [pool.start() for _ in range(min(workers, len(tasks)))]
    busy: dict[multiprocessing.Process, _Busy] = {}
    done = 0

    def finish(process: multiprocessing.Process, result: CheckResult | None, error: str | None):
        nonlocal done
        job = busy.pop(process)
        done += 1
        on_done(job.index, Progress(done, len(tasks), time.monotonic() - began), result, error)

    try:
        while queue or busy:
            while queue and idle:
                process = idle.pop()
                index = queue.pop()
                task = tasks[index]
                pool.give(process, (task, seed, timing))
                timed = timing if task.timing is None else task.timing
                limit = hard_limit_s(bank.get(task.kata), timed) + GRACE_S
                busy[process] = _Busy(index, time.monotonic(), limit)
            waiting = {pool.connections[p]: p for p in busy}
            sentinels = {p.sentinel: p for p in busy}
            soonest = min(b.started + b.limit for b in busy.values()) - time.monotonic()
            for ready in wait([*waiting, *sentinels], timeout=max(0.0, soonest)):
                process = waiting.get(ready) or sentinels.get(ready)
                if process not in busy:
                    continue
                try:
                    result, error = pool.connections[process].recv()
                except (EOFError, OSError):
                    finish(process, None, f"the grader's worker died (status {process.exitcode})")
                    pool.stop(process, kill=True)
                    idle.append(pool.start())
                    continue
                finish(process, result, error)
                idle.append(pool.renewed(process))
            for process, job in list(busy.items()):
                if time.monotonic() - job.started > job.limit:
                    pool.stop(process, kill=True)
                    finish(process, None, f"the check ran past the hard limit of {job.limit:.0f} s")
                    idle.append(pool.start())
    except BaseException:  # Ctrl-C: finished jobs are already recorded
        pool.stop_all(kill=True)
        raise
    pool.stop_all()


class SingleRunner:
    """One warm runner process for a caller that runs one check at a time (a Dask worker).

    The same worker as the pool's, with the same hard limit, so a check graded on
    a cluster is graded exactly as a local one. A runner dies with the thread that
    started it (PDEATHSIG), so it is always started from one thread that lives as
    long as this process: callers may run checks from any thread.
    """

    def __init__(self, bank: Bank) -> None:
        self.workers = _Workers(bank)
        self.process: multiprocessing.Process | None = None
        self.starter = ThreadPoolExecutor(1, thread_name_prefix="kata-runner-starter")

    def run(
        self, task: CheckTask, seed: int, timing: bool
    ) -> tuple[CheckResult | None, str | None]:
        """The check's result, or the grader's own error (a dead or stuck runner)."""
        if self.process is None or not self.process.is_alive():
            if self.process is not None:
                self.workers.stop(self.process, kill=True)
            self.process = self.starter.submit(self.workers.start).result()
        process = self.process
        self.workers.give(process, (task, seed, timing))
        timed = timing if task.timing is None else task.timing
        limit = hard_limit_s(self.workers.bank.get(task.kata), timed) + GRACE_S
        connection = self.workers.connections[process]
        try:
            ready = connection.poll(limit)
            answer = connection.recv() if ready else None
        except (EOFError, OSError):
            answer, ready = None, True
        if answer is None:
            self.workers.stop(process, kill=True)
            self.process = None
            if not ready:
                return None, f"the check ran past the hard limit of {limit:.0f} s"
            return None, f"the grader's worker died (status {process.exitcode})"
        self.process = self.starter.submit(self.workers.renewed, process).result()
        return answer
