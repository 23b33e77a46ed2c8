"""Files an instructor's course already uses, rewritten from the gradebook after each run.

- ``grades.csv``: student, one column per kata (score 0-100, a missing file is 0),
  ``total`` (mean of the kata scores) and ``flags``;
- ``students/<student>.json`` and ``feedback/<student>.md``: what the student may
  see of each job, as the feedback policy says (``grader.feedback``);
- ``gradescope/<student>/results.json``: Gradescope's autograder results format.

A student's name is whatever their folder was called, so it is escaped where it
becomes a file name (``submissions.file_name_of``) and neutralised where it
becomes a spreadsheet cell (``csv_text``).
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

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
from grader.reports import printable
from grader.submissions import file_name_of

EXPORT_VERSION = 2  # 2: katas as feedback.KataView, under a feedback policy
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


def student_json(
    student: str, graded: dict[str, JobRow], katas: list[str], policy: FeedbackPolicy = FULL
) -> dict[str, Any]:
    """A student's record as the policy lets them see it (``feedback.KataView`` per kata)."""
    views = {kata: _view(kata, graded, policy) for kata in katas}
    return {
        "version": EXPORT_VERSION,
        "student": student,
        "total": total_of(graded, katas),
        "flags": flags_of(graded),
        "feedback": policy.spec,
        "katas": {
            kata: {
                "missing": kata not in graded,
                **(_record(graded[kata]) if kata in graded else {}),
                **asdict(view),
            }
            for kata, view in views.items()
        },
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
    ``visibility``. ``notes`` (what in the submission was not graded, and why) join the
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
        lines += ["", "Not graded:", *(f"- {printable(note)}" for note in notes)]
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
    out: Path,
    rows: list[JobRow],
    students: list[str],
    katas: list[str],
    policy: FeedbackPolicy = FULL,
) -> None:
    """grades.csv, then per student: JSON and Markdown feedback, and Gradescope's results."""
    table = student_table(rows, students, katas)
    write_csv(out / "grades.csv", table, katas)
    for folder in ("students", "feedback"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    for student, graded in table.items():
        name = file_name_of(student)
        (out / "students" / f"{name}.json").write_text(
            json.dumps(student_json(student, graded, katas, policy), indent=2)
        )
        views = [_view(kata, graded, policy) for kata in katas]
        (out / "feedback" / f"{name}.md").write_text(
            student_markdown(student, total_of(graded, katas), views), encoding="utf-8"
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
