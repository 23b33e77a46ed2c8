"""Grading a class: every (student, kata) with a file is one job of the check pool.

The parent alone writes the gradebook, one transaction per finished job, so an
interrupted run loses nothing finished and a rerun grades only what is left.
Before grading, what discovery found joins the course's record: the students and
katas join the roster, and each (student, kata) gets its status.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from grader.catalog import Bank, Kata
from grader.gradebook import Gradebook, Status
from grader.pool import CheckTask, OnDone, Progress, run_checks
from grader.results import CheckResult
from grader.submissions import Discovery, Submission

# Runs checks and calls back as each finishes: ``pool.run_checks`` or a cluster's.
Executor = Callable[[Bank, Sequence[CheckTask], int, int, bool, OnDone], None]


@dataclass(frozen=True)
class Job:
    student: str
    kata: str
    file: str  # the private copy that is graded
    file_hash: str  # of that copy's bytes, read once
    origin: str  # where the student handed it in, for the records


@dataclass(frozen=True)
class Plan:
    todo: list[Job]
    done_already: int
    missing: list[tuple[str, str]]  # (student, kata) with no file


def record_discovery(discovery: Discovery, katas: list[Kata], book: Gradebook) -> None:
    """Enrol everyone found, keep their files' bytes, and note per kata what was found."""
    book.enrol([s.student for s in discovery.submissions], [k.id for k in katas])
    graded = {k.id for k in katas}
    book.keep_sources(
        {
            staged.sha256: staged.path.read_bytes()
            for submission in discovery.submissions
            for kata, staged in submission.files.items()
            if kata in graded
        }
    )
    for submission in discovery.submissions:
        for kata in katas:
            book.note_status(submission.student, kata.id, status_of(submission, kata.id))


def status_of(submission: Submission, kata: str) -> Status:
    if kata in submission.files:
        return Status("scored")
    if kata in submission.rejected:
        return Status("rejected", submission.rejected[kata])
    return Status("missing")


def plan_jobs(
    discovery: Discovery, katas: list[Kata], book: Gradebook, seed: int, regrade: bool
) -> Plan:
    """Jobs still to grade: new ones, changed files, a changed seed, or all with ``regrade``."""
    finished = book.hashes()
    todo, done, missing = [], 0, []
    for submission in discovery.submissions:
        for kata in katas:
            staged = submission.files.get(kata.id)
            if staged is None:
                missing.append((submission.student, kata.id))
                continue
            key = (submission.student, kata.id)
            if not regrade and finished.get(key) == (staged.sha256, seed):
                done += 1
                continue
            todo.append(
                Job(submission.student, kata.id, str(staged.path), staged.sha256, staged.origin)
            )
    return Plan(todo, done, missing)


def run_jobs(
    bank: Bank,
    jobs: list[Job],
    book: Gradebook,
    seed: int,
    workers: int,
    timing: bool = True,
    on_progress: Callable[[Progress, Job, CheckResult | None], None] | None = None,
    executor: Executor = run_checks,
) -> list[tuple[Job, str]]:
    """Grade ``jobs``, recording each as it finishes; returns jobs the grader itself failed.

    ``executor`` runs the checks: the local pool, or a cluster with the same signature.
    """
    failures: list[tuple[Job, str]] = []

    def record(
        index: int, progress: Progress, result: CheckResult | None, error: str | None
    ) -> None:
        job = jobs[index]
        if result is None:
            failures.append((job, error or "unknown error"))  # not recorded: regraded next run
        else:
            book.record(job.student, job.file_hash, replace(result, file=job.origin))
        if on_progress:
            on_progress(progress, job, result)

    tasks = [CheckTask(job.kata, job.file) for job in jobs]
    executor(bank, tasks, seed, workers, timing, record)
    return failures
