"""Files an instructor's course already uses, rewritten from the whole gradebook.

- ``grades.csv``: one row per student ever graded, whatever this run's arguments;
  per kata ``<kata>`` (the latest attempt's raw score 0-100), ``<kata>_status``
  (``scored``, ``rejected``, ``missing`` or ``ungraded``) and ``<kata>_override``
  (the instructor's score, empty if none); then ``submitted_at``, ``late_penalty``
  (percent), ``raw_total``, ``total`` (the final grade) and ``flags``;
- the same columns chosen by name (``--format csv --columns``), and Canvas's
  gradebook import (``--format canvas``);
- ``students/<student>.json``: every detail of every job;
- ``gradescope/<student>/results.json``: Gradescope's autograder results format.

A student's name is whatever their folder was called, so it is escaped where it
becomes a file name (``submissions.file_name_of``) and neutralised where it
becomes a spreadsheet cell (``csv_text``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from grader.errors import KataError
from grader.gradebook import JobRow
from grader.grades import StudentGrade
from grader.reports import test_label
from grader.roster import RosterEntry, match
from grader.submissions import file_name_of

EXPORT_VERSION = 1
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
    grade: StudentGrade, graded: dict[str, JobRow], katas: list[str]
) -> dict[str, Any]:
    return {
        "version": EXPORT_VERSION,
        "student": grade.student,
        "total": grade.total,
        "raw_total": grade.raw_total,
        "late_penalty": grade.late_penalty,
        "flags": grade.flags,
        "katas": {
            kata: (
                {"missing": True, "score": 0.0, **kata_record(grade, kata)}
                if kata not in graded
                else {
                    "missing": False,
                    "file_hash": graded[kata].file_hash,
                    "graded_at": graded[kata].graded_at,
                    **graded[kata].result,
                    **kata_record(grade, kata),
                }
            )
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


def gradescope_results(
    graded: dict[str, dict[str, Any]],
    katas: list[str],
    execution_time: float,
    ignored: list[str] | None = None,
) -> dict[str, Any]:
    """Gradescope's results.json: kata scores as test points summing to 100 per student.

    ``ignored`` (what in the submission was not graded, and why) becomes the
    top-level ``output`` the student sees.
    """
    per_kata = 100.0 / len(katas)
    tests: list[dict[str, Any]] = []
    for kata in katas:
        result = graded.get(kata)
        if result is None:
            tests.append(
                _gs_test(f"{kata}: file missing", 0.0, per_kata, f"No {kata}.py was submitted.")
            )
            continue
        if result.get("error"):
            message = f"{result['error']['kind']}: {result['error']['message']}"
            tests.append(_gs_test(f"{kata}: file rejected", 0.0, per_kata, message))
            continue
        weight_total = sum(t["weight"] for t in result["tests"]) or 1.0
        for test in result["tests"]:
            points = per_kata * test["weight"] / weight_total
            tests.append(
                _gs_test(
                    f"{kata} [{test['category']}] {test_label(test['name'], test['title'])}",
                    points if test["outcome"] == "passed" else 0.0,
                    points,
                    test["message"],
                )
            )
    score = sum(t["score"] for t in tests)
    results = {
        "score": round(score, 2),
        "execution_time": round(execution_time, 2),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    if ignored:
        results["output"] = f"Not graded: {'; '.join(ignored)}"
    return results


def _gs_test(name: str, score: float, max_score: float, output: str) -> dict[str, Any]:
    return {
        "name": name,
        "score": round(score, 4),
        "max_score": round(max_score, 4),
        "output": output,
        "visibility": "visible",
    }


def write_exports(out: Path, grades: list[StudentGrade], katas: list[str]) -> None:
    write_columns(out / "grades.csv", grades, grades_columns(katas))
    for grade in grades:
        graded = {
            k: g.attempt for k, g in grade.katas.items() if g.attempt and g.status == "scored"
        }
        folder = out / "students"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{file_name_of(grade.student)}.json").write_text(
            json.dumps(student_json(grade, graded, katas), indent=2)
        )
        results = gradescope_results(
            {kata: row.result for kata, row in graded.items()},
            katas,
            sum(r.duration_s for r in graded.values()),
        )
        target = out / "gradescope" / file_name_of(grade.student)
        target.mkdir(parents=True, exist_ok=True)
        (target / "results.json").write_text(json.dumps(results, indent=2))
