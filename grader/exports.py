"""Files an instructor's course already uses, rewritten from the gradebook after each run.

- ``grades.csv``: student, one column per kata (score 0-100, a missing file is 0),
  ``total`` (mean of the kata scores) and ``flags``;
- ``students/<student>.json``: every detail of every job;
- ``gradescope/<student>/results.json``: Gradescope's autograder results format.

A student's name is whatever their folder was called, so it is escaped where it
becomes a file name (``submissions.file_name_of``) and neutralised where it
becomes a spreadsheet cell (``csv_text``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from grader.gradebook import JobRow
from grader.reports import test_label
from grader.submissions import file_name_of

EXPORT_VERSION = 1
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def student_table(
    rows: list[JobRow], students: list[str], katas: list[str]
) -> dict[str, dict[str, JobRow]]:
    table: dict[str, dict[str, JobRow]] = {student: {} for student in students}
    for row in rows:
        if row.student in table and row.kata in katas:
            table[row.student][row.kata] = row
    return table


def total_of(graded: dict[str, JobRow], katas: list[str]) -> float:
    return round(sum(graded[k].score if k in graded else 0.0 for k in katas) / len(katas), 1)


def flags_of(graded: dict[str, JobRow]) -> list[str]:
    return [f"{kata}: {flag}" for kata, row in sorted(graded.items()) for flag in row.flags]


def csv_text(text: str) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula (OWASP's CSV rule)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def write_csv(path: Path, table: dict[str, dict[str, JobRow]], katas: list[str]) -> None:
    """Text cells neutralised; scores written as plain numbers, which need no quote."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([csv_text(name) for name in ("student", *katas, "total", "flags")])
        for student, graded in table.items():
            scores = [f"{graded[k].score:g}" if k in graded else "0" for k in katas]
            flags = "; ".join(flags_of(graded))
            writer.writerow(
                [csv_text(student), *scores, f"{total_of(graded, katas):g}", csv_text(flags)]
            )


def student_json(student: str, graded: dict[str, JobRow], katas: list[str]) -> dict[str, Any]:
    return {
        "version": EXPORT_VERSION,
        "student": student,
        "total": total_of(graded, katas),
        "flags": flags_of(graded),
        "katas": {
            kata: (
                {"missing": True, "score": 0.0}
                if kata not in graded
                else {
                    "missing": False,
                    "file_hash": graded[kata].file_hash,
                    "graded_at": graded[kata].graded_at,
                    **graded[kata].result,
                }
            )
            for kata in katas
        },
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


def write_exports(out: Path, rows: list[JobRow], students: list[str], katas: list[str]) -> None:
    table = student_table(rows, students, katas)
    write_csv(out / "grades.csv", table, katas)
    for student, graded in table.items():
        folder = out / "students"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{file_name_of(student)}.json").write_text(
            json.dumps(student_json(student, graded, katas), indent=2)
        )
        results = gradescope_results(
            {kata: row.result for kata, row in graded.items()},
            katas,
            sum(r.duration_s for r in graded.values()),
        )
        target = out / "gradescope" / file_name_of(student)
        target.mkdir(parents=True, exist_ok=True)
        (target / "results.json").write_text(json.dumps(results, indent=2))
