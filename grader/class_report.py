"""What a class got wrong, per kata, computed from the gradebook alone.

``class_report`` reads the gradebook's grades (``grades_of``: the same numbers as
grades.csv) and each latest attempt's result JSON, and gathers per kata what an
instructor asks first: the score distribution, the named mistakes ranked by how
many students made them, the most-failed tests, slow and flagged files, missing
and rejected files, and copies. ``report_html`` renders it; nothing here formats.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from grader.gradebook import Gradebook
from grader.grades import StudentGrade, grades_of
from grader.similarity import FileToCompare, SimilarPair, similar_pairs

SLOW_RATIO = 3.0  # a file this many times slower than the reference is listed as slow
BINS = 11  # 0-9, 10-19, ..., 90-99, and 100 on its own: full marks stand out


@dataclass(frozen=True)
class Mistake:
    """A named mistake a suite recognised; ``id`` is None in results graded before ids."""

    id: str | None
    text: str

    @property
    def key(self) -> str:
        return self.id or self.text


def mistake_of(test: dict[str, Any]) -> Mistake | None:
    """The named mistake of a test's JSON entry, in either form the gradebook may hold.

    ``{"id": ..., "text": ...}`` now; a bare string (its text) in results graded before
    mistakes had ids; None or absent when the failure named no mistake.
    """
    found = test.get("mistake")
    if isinstance(found, dict) and (found.get("id") or found.get("text")):
        return Mistake(found.get("id") or None, str(found.get("text") or ""))
    if isinstance(found, str) and found.strip():
        return Mistake(None, found.strip())
    return None


@dataclass(frozen=True)
class MistakeCount:
    mistake: Mistake
    students: tuple[str, ...]  # each student once, however many tests named it


@dataclass(frozen=True)
class TestCount:
    __test__ = False  # not a pytest test class, despite the name

    name: str
    title: str
    students: tuple[str, ...]  # whose latest attempt failed it


@dataclass(frozen=True)
class FileNote:
    """A student's file an instructor should look at, and why."""

    student: str
    note: str


@dataclass(frozen=True)
class KataReport:
    kata: str
    scores: tuple[float, ...]  # every student's final score, roster order
    histogram: tuple[int, ...]  # students per bin of ``BINS``
    full_marks: int
    mean: float
    mistakes: tuple[MistakeCount, ...]  # most students first
    failed_tests: tuple[TestCount, ...]  # most students first, only tests someone failed
    slow: tuple[FileNote, ...]  # slowest first
    flagged: tuple[FileNote, ...]
    missing: tuple[str, ...]
    rejected: tuple[FileNote, ...]
    copies: tuple[SimilarPair, ...]


@dataclass(frozen=True)
class ClassReport:
    katas: tuple[KataReport, ...]
    grades: tuple[StudentGrade, ...]
    made_at: float


def histogram(scores: list[float]) -> tuple[int, ...]:
    """Students per score bin: 0-9, ..., 90-99, 100."""
    counts = [0] * BINS
    for score in scores:
        counts[min(int(score // 10), BINS - 1)] += 1
    return tuple(counts)


def _ranked(found: dict[str, set[str]]) -> list[tuple[str, tuple[str, ...]]]:
    return sorted(
        ((key, tuple(sorted(students))) for key, students in found.items()),
        key=lambda item: (-len(item[1]), item[0]),
    )


def kata_report(kata: str, grades: list[StudentGrade], copies: list[SimilarPair]) -> KataReport:
    mistakes: dict[str, set[str]] = {}
    named: dict[str, Mistake] = {}
    failed: dict[str, set[str]] = {}
    titles: dict[str, str] = {}
    slow: list[tuple[float, str]] = []
    flagged: list[FileNote] = []
    rejected: list[FileNote] = []
    missing: list[str] = []
    for grade in grades:
        of = grade.katas[kata]
        if of.status == "missing":
            missing.append(grade.student)
        elif of.status == "rejected":
            rejected.append(FileNote(grade.student, of.reason))
        attempt = of.attempt
        if attempt is None or of.status != "scored":
            continue
        error = attempt.result.get("error")
        if error:
            rejected.append(FileNote(grade.student, f"{error['kind']}: {error['message']}"))
        flagged += [FileNote(grade.student, flag) for flag in attempt.flags]
        if attempt.speed_ratio is not None and attempt.speed_ratio >= SLOW_RATIO:
            slow.append((attempt.speed_ratio, grade.student))
        for test in attempt.result.get("tests", []):
            if test.get("outcome") == "passed":
                continue
            failed.setdefault(test["name"], set()).add(grade.student)
            titles[test["name"]] = test.get("title") or test["name"]
            mistake = mistake_of(test)
            if mistake:
                mistakes.setdefault(mistake.key, set()).add(grade.student)
                named.setdefault(mistake.key, mistake)
    scores = [grade.katas[kata].final for grade in grades]
    return KataReport(
        kata=kata,
        scores=tuple(scores),
        histogram=histogram(scores),
        full_marks=sum(score >= 100 for score in scores),
        mean=round(sum(scores) / len(scores), 1) if scores else 0.0,
        mistakes=tuple(MistakeCount(named[key], who) for key, who in _ranked(mistakes)),
        failed_tests=tuple(TestCount(name, titles[name], who) for name, who in _ranked(failed)),
        slow=tuple(FileNote(who, f"{ratio:.1f}x") for ratio, who in sorted(slow, reverse=True)),
        flagged=tuple(flagged),
        missing=tuple(missing),
        rejected=tuple(rejected),
        copies=tuple(pair for pair in copies if pair.kata == kata),
    )


def files_to_compare(book: Gradebook) -> list[FileToCompare]:
    """Every latest attempt's file, with its bytes where the gradebook kept them."""
    sources = book.sources()
    return [
        FileToCompare(
            row.student,
            row.kata,
            row.file_hash,
            sources[row.file_hash].decode("utf-8", "replace") if row.file_hash in sources else None,
        )
        for row in book.rows()
    ]


def class_report(book: Gradebook, clock=time.time) -> ClassReport:
    """The report of everything in ``book`` (overrides and late penalties included)."""
    grades = grades_of(book)
    copies = similar_pairs(files_to_compare(book))
    return ClassReport(
        tuple(kata_report(kata, grades, copies) for kata in book.katas()),
        tuple(grades),
        clock(),
    )
