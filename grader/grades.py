"""Each student's grade, computed in one place from the whole gradebook.

Every export (grades.csv, a chosen-columns CSV, Canvas's CSV, the summary) reads
these records, so they can never disagree. Per kata: the latest attempt's raw
score, the status from the latest discovery (a rejected or missing file scores 0),
and an override if the instructor set one. The late penalty (a percentage) comes
off every kata's score that is not overridden: an override is the instructor's
final word on that kata. ``total`` is the mean over every kata of the assignment.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.gradebook import Gradebook, JobRow, Override, Status
from grader.late import LatePolicy, policy_from


@dataclass(frozen=True)
class KataGrade:
    kata: str
    status: str  # scored, rejected, missing, or ungraded (found, the grader failed on it)
    reason: str  # why a file was rejected
    raw: float  # the latest attempt's score; 0 when rejected or missing
    override: Override | None
    final: float  # after the late penalty, or the override
    attempt: JobRow | None  # the latest attempt, if the file was graded


@dataclass(frozen=True)
class StudentGrade:
    student: str
    katas: dict[str, KataGrade]
    submitted_at: float | None  # from the submission times the instructor gave
    late_penalty: float  # percent taken off, 0 when on time or no rule
    raw_total: float
    total: float

    @property
    def flags(self) -> list[str]:
        """Everything a reader should look at: graded flags, rejections, overrides."""
        found = []
        for kata, grade in self.katas.items():
            if grade.status == "rejected":
                found.append(f"{kata}: rejected ({grade.reason})")
            if grade.override:
                found.append(f"{kata}: override {grade.override.score:g} ({grade.override.reason})")
            if grade.attempt and grade.status == "scored":
                found += [f"{kata}: {flag}" for flag in grade.attempt.flags]
        return found


def mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 1) if values else 0.0


def kata_grade(
    kata: str,
    attempt: JobRow | None,
    status: Status | None,
    override: Override | None,
    penalty: float,
) -> KataGrade:
    if status is None:  # graded before statuses were kept, or by hand through the engine
        status = Status("scored" if attempt else "missing")
    name = status.status
    if name == "scored" and attempt is None:
        name = "ungraded"
    raw = attempt.score if attempt and name == "scored" else 0.0
    final = override.score if override else round(raw * (1 - penalty / 100), 2)
    return KataGrade(kata, name, status.reason, raw, override, final, attempt)


def grades_of(book: Gradebook) -> list[StudentGrade]:
    """Every student on the roster, with every kata of the assignment."""
    katas = book.katas()
    latest = {(row.student, row.kata): row for row in book.rows()}
    statuses, overrides = book.statuses(), book.overrides()
    times = book.submission_times()
    policy: LatePolicy | None = policy_from(book.setting("late_policy"))
    grades = []
    for student in book.students():
        submitted = times.get(student)
        penalty = policy.penalty_pct(submitted) if policy else 0.0
        per_kata = {
            kata: kata_grade(
                kata,
                latest.get((student, kata)),
                statuses.get((student, kata)),
                overrides.get((student, kata)),
                penalty,
            )
            for kata in katas
        }
        grades.append(
            StudentGrade(
                student,
                per_kata,
                submitted,
                penalty,
                mean([g.raw for g in per_kata.values()]),
                mean([g.final for g in per_kata.values()]),
            )
        )
    return grades
