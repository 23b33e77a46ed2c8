"""Files an instructor's course already uses, rewritten from the whole gradebook.

- ``grades.csv``: one row per student ever graded, whatever this run's arguments;
  per kata ``<kata>`` (the latest attempt's raw score 0-100), ``<kata>_status``
  (``scored``, ``rejected``, ``missing`` or ``ungraded``) and ``<kata>_override``
  (the instructor's score, empty if none); then ``submitted_at``, ``late_penalty``
  (percent), ``raw_total``, ``total`` (the final grade) and ``flags``;
- the same columns chosen by name (``--format csv --columns``), and Canvas's
  gradebook import (``--format canvas``);
- ``students/<student>.json`` and ``feedback/<student>.md``: what the student may
  see of each job, as the feedback policy says (``grader.feedback``), with the
  course's record of it (status, override, final score);
- ``gradescope/<student>/results.json``: Gradescope's autograder results format.

A student's name is whatever their folder was called, so it is escaped where it
becomes a file name (``submissions.file_name_of``) and neutralised where it
becomes a spreadsheet cell (``csv_text``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from grader.errors import KataError
from grader.feedback import (
    FULL,
    GRADESCOPE_VISIBILITY,
    FeedbackPolicy,
    KataView,
    category_markdown,
    kata_view,
    student_markdown,
)
from grader.gradebook import JobRow
from grader.grades import StudentGrade
from grader.reports import printable
from grader.roster import RosterEntry, match
from grader.submissions import file_name_of

EXPORT_VERSION = 2  # 2: katas as feedback.KataView, under a feedback policy
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PER_KATA = ("", "_status", "_override", "_final")  # suffixes of a kata's columns


def csv_text(text: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula (OWASP's CSV rule)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def number(value: float) -> str:
    """A score as a plain number, which needs no quote."""
    return f"{value:g}"


def when_text(timestamp: float | None) -> str:
    return "" if timestamp is None else datetime.fromtimestamp(timestamp).astimezone().isoformat()


STUDENT_COLUMNS: dict[str, Callable[[StudentGrade], str]] = {
    "student": lambda g: csv_text(g.student),
    "submitted_at": lambda g: when_text(g.submitted_at),
    "late_penalty": lambda g: number(g.late_penalty),
    "raw_total": lambda g: number(g.raw_total),
    "total": lambda g: number(g.total),
    "flags": lambda g: csv_text("; ".join(g.flags)),
}


def cell(grade: StudentGrade, name: str) -> str:
    """The cell of ``name`` (a column of ``STUDENT_COLUMNS`` or ``<kata>[_suffix]``)."""
    if name in STUDENT_COLUMNS:
        return STUDENT_COLUMNS[name](grade)
    for suffix in PER_KATA[::-1]:  # longest first: "_final" before ""
        kata = name.removesuffix(suffix) if suffix else name
        if (suffix == "" or name.endswith(suffix)) and kata in grade.katas:
            of = grade.katas[kata]
            return {
                "": number(of.raw),
                "_status": of.status,
                "_override": number(of.override.score) if of.override else "",
                "_final": number(of.final),
            }[suffix]
    raise KeyError(name)


def grades_columns(katas: list[str]) -> list[str]:
    """grades.csv's columns: every kata's raw score, status and override, then the totals."""
    per_kata = [f"{kata}{suffix}" for kata in katas for suffix in PER_KATA[:3]]
    return ["student", *per_kata, "submitted_at", "late_penalty", "raw_total", "total", "flags"]


def chosen_columns(text: str, katas: list[str]) -> list[str]:
    """``--columns student,total,...`` checked against the columns there are."""
    known = [*STUDENT_COLUMNS, *(f"{kata}{suffix}" for kata in katas for suffix in PER_KATA)]
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        raise KataError(
            f"--columns: no column {', '.join(unknown) or '(none given)'}; choose from "
            f"{', '.join(known)}"
        )
    return chosen


def write_columns(path: Path, grades: list[StudentGrade], columns: list[str]) -> None:
    """A CSV of the chosen columns, one row per student; headers are kata ids, never formulas."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for grade in grades:
            writer.writerow([cell(grade, name) for name in columns])


@dataclass(frozen=True)
class CanvasExport:
    """What a Canvas export wrote, and who could not be matched (to tell the instructor)."""

    written: int
    unmatched_students: list[str]  # graded, but in no roster row
    unmatched_roster: list[RosterEntry]  # on the roster, never graded


def write_canvas(
    path: Path,
    grades: list[StudentGrade],
    roster: list[RosterEntry],
    assignment: str,
    points: float,
) -> CanvasExport:
    """Canvas's gradebook import: the roster's five columns, then the assignment's score.

    The total (0-100) is scaled to ``points``; the second row is Canvas's
    "Points Possible". Only matched students get a row, so an import never
    touches anyone else's grade.
    """
    by_student = {grade.student: grade for grade in grades}
    found = match(list(by_student), [entry.keys() for entry in roster])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment])
        writer.writerow(["Points Possible", "", "", "", "", number(points)])
        for student, index in sorted(found.found.items(), key=lambda pair: pair[1]):
            score = round(by_student[student].total * points / 100, 2)
            writer.writerow([*(csv_text(c) for c in roster[index].cells()), number(score)])
    return CanvasExport(
        len(found.found), found.unmatched_students, [roster[i] for i in found.unmatched_people]
    )


def student_json(
    grade: StudentGrade, graded: dict[str, JobRow], katas: list[str], policy: FeedbackPolicy = FULL
) -> dict[str, Any]:
    """A student's record as the policy lets them see it (``feedback.KataView`` per kata)."""
    return {
        "version": EXPORT_VERSION,
        "student": grade.student,
        "total": grade.total,
        "raw_total": grade.raw_total,
        "late_penalty": grade.late_penalty,
        "flags": grade.flags,
        "feedback": policy.spec,
        "katas": {
            kata: {
                "missing": kata not in graded,
                **(_record(graded[kata]) if kata in graded else {}),
                **asdict(_view(kata, graded, policy)),
                **kata_record(grade, kata),
            }
            for kata in katas
        },
    }


def kata_record(grade: StudentGrade, kata: str) -> dict[str, Any]:
    """A kata's status, override and final score, as the course's record has them."""
    of = grade.katas[kata]
    override = of.override
    return {
        "status": of.status,
        "rejected_because": of.reason or None,
        "override": {"score": override.score, "reason": override.reason} if override else None,
        "final": of.final,
    }


def _record(row: JobRow) -> dict[str, Any]:
    """What the gradebook knows of a job beside its verdict: which file, when, how confined."""
    return {
        "file_hash": row.file_hash,
        "graded_at": row.graded_at,
        "confinement": row.result.get("confinement"),
    }


def _view(
    kata: str, graded: dict[str, JobRow], policy: FeedbackPolicy, deferred: bool = False
) -> KataView:
    return kata_view(
        kata, graded[kata].result if kata in graded else None, policy, deferred=deferred
    )


def gradescope_results(
    views: list[KataView],
    execution_time: float,
    *,
    points: float = 100.0,
    seed: int | None = None,
    policy: FeedbackPolicy = FULL,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """Gradescope's results.json: one test per kata and category, ``points`` in all.

    ``views`` must be built with ``deferred=True``: a category the policy keeps from the
    student until the due date (or for ever) is then Gradescope's to withhold, by its
    ``visibility``. ``notes`` (discovery's: what was not graded and why, how files were found) join the
    top-level ``output``, after each kata's score, counts and speed.
    """
    per_kata = points / len(views)
    tests = [entry for view in views for entry in _gradescope_tests(view, per_kata)]
    lines = ["| kata | score | checks passed | speed |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {v.kata} | {v.score:g} / 100 | "
        + (f"{v.passed} of {v.total} | {v.speed} |" if v.status == "scored" else f"{v.problem} | |")
        for v in views
    ]
    if seed is not None:
        lines += [
            "",
            f"Random inputs were drawn with seed {seed}; the same file with the same seed always gets the same score.",
        ]
    if notes:
        lines += ["", "How your files were found:", *(f"- {printable(note)}" for note in notes)]
    return {
        "score": round(sum(t["score"] for t in tests), 2),
        "execution_time": round(execution_time, 2),
        "output": "\n".join(lines),
        "output_format": "md",
        "test_output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"seed": seed, "feedback": policy.spec, "points": points},
        "tests": tests,
    }


def _gradescope_tests(view: KataView, per_kata: float) -> list[dict[str, Any]]:
    if view.status != "scored":
        what = "file missing" if view.status == "missing" else "file rejected"
        return [_gs_test(f"{view.kata}: {what}", 0.0, per_kata, f"{view.problem}.", "failed")]
    weight_total = sum(c.weight_total for c in view.categories) or 1.0
    return [
        _gs_test(
            f"{view.kata}: {category.category}",
            per_kata * category.weight_passed / weight_total,
            per_kata * category.weight_total / weight_total,
            "\n".join(category_markdown(category)),
            "passed" if category.passed == category.total else "failed",
            GRADESCOPE_VISIBILITY.get(category.level, "visible"),
        )
        for category in view.categories
    ]


def _gs_test(
    name: str, score: float, max_score: float, output: str, status: str, visibility: str = "visible"
) -> dict[str, Any]:
    return {
        "name": name,
        "score": round(score, 4),
        "max_score": round(max_score, 4),
        "status": status,
        "output": output,
        "visibility": visibility,
    }


def write_exports(
    out: Path, grades: list[StudentGrade], katas: list[str], policy: FeedbackPolicy = FULL
) -> None:
    """grades.csv, then per student: JSON and Markdown feedback, and Gradescope's results."""
    write_columns(out / "grades.csv", grades, grades_columns(katas))
    for folder in ("students", "feedback"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for grade in grades:
        graded = {
            k: g.attempt for k, g in grade.katas.items() if g.attempt and g.status == "scored"
        }
        name = file_name_of(grade.student)
        (out / "students" / f"{name}.json").write_text(
            json.dumps(student_json(grade, graded, katas, policy), indent=2)
        )
        views = [_view(kata, graded, policy) for kata in katas]
        (out / "feedback" / f"{name}.md").write_text(
            student_markdown(grade.student, grade.total, views), encoding="utf-8"
        )
        results = gradescope_results(
            [_view(kata, graded, policy, deferred=True) for kata in katas],
            sum(r.duration_s for r in graded.values()),
            seed=next((row.result.get("seed") for row in graded.values()), None),
            policy=policy,
        )
        target = out / "gradescope" / name
        target.mkdir(parents=True, exist_ok=True)
        (target / "results.json").write_text(json.dumps(results, indent=2))
