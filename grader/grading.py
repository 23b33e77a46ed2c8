"""Grading a class: every (student, kata) is one ``engine.check`` job, run by a worker pool.

Workers are trusted runner processes (each a child subreaper): they run the
hidden suites in-process, saving a Python and pytest start per job, while each
learner file still runs in a child of its own with the usual limits. Results
come back to the parent, which alone writes the gradebook, one transaction per
job, so an interrupted run loses nothing finished.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Bank, Kata, open_bank
from grader.engine import check
from grader.gradebook import Gradebook
from grader.results import CheckResult
from grader.submissions import Discovery, file_hash

JOBS_PER_WORKER_LIFE = 200  # recycle workers now and then, so no state can build up


@dataclass(frozen=True)
class Job:
    student: str
    kata: str
    file: str
    file_hash: str


@dataclass(frozen=True)
class Plan:
    todo: list[Job]
    done_already: int
    missing: list[tuple[str, str]]  # (student, kata) with no file


def plan_jobs(discovery: Discovery, katas: list[Kata], book: Gradebook, seed: int,
              regrade: bool) -> Plan:  # fmt: skip
    """Jobs still to grade: new ones, changed files, a changed seed, or all with ``regrade``."""
    finished = book.hashes()
    todo, done, missing = [], 0, []
    for submission in discovery.submissions:
        for kata in katas:
            path = submission.files.get(kata.id)
            if path is None:
                missing.append((submission.student, kata.id))
                continue
            digest = file_hash(path)
            if not regrade and finished.get((submission.student, kata.id)) == (digest, seed):
                done += 1
                continue
            todo.append(Job(submission.student, kata.id, str(path), digest))
    return Plan(todo, done, missing)


_worker_bank: Bank | None = None


def _start_worker(bank_root: str) -> None:
    """Make this worker a trusted runner: subreaper, quiet, plugin autoload off."""
    from grader.reaper import become_subreaper

    global _worker_bank
    become_subreaper()
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    _worker_bank = open_bank(Path(bank_root))


def _grade(job: Job, seed: int, timing: bool) -> CheckResult:
    kata = _worker_bank.get(job.kata)
    return check(kata, Path(job.file), seed=seed, timing=timing, in_process=True)


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


def run_jobs(
    bank: Bank,
    jobs: list[Job],
    book: Gradebook,
    seed: int,
    workers: int,
    timing: bool = True,
    on_progress: Callable[[Progress, Job, CheckResult | None], None] | None = None,
) -> list[tuple[Job, str]]:
    """Grade ``jobs``, recording each as it finishes; returns jobs the grader itself failed."""
    failures: list[tuple[Job, str]] = []
    if not jobs:
        return failures
    began = time.monotonic()
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(str(bank.root),),
        max_tasks_per_child=JOBS_PER_WORKER_LIFE,
    )
    try:
        pending: dict[Future, Job] = {pool.submit(_grade, job, seed, timing): job for job in jobs}
        done = 0
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                job = pending.pop(future)
                done += 1
                result = None
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - a grader failure: report, regrade next run
                    failures.append((job, f"{type(error).__name__}: {error}"))
                else:
                    book.record(job.student, job.file_hash, result)
                if on_progress:
                    on_progress(Progress(done, len(jobs), time.monotonic() - began), job, result)
    except BaseException:  # Ctrl-C: drop what has not started; finished jobs are already saved
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return failures
