"""``overrides.csv``: the instructor's scores, in a file they can edit by hand.

The file (``student,kata,score,reason``) under ``--out`` is the list of overrides:
read at every run and every export, and mirrored into the gradebook, which logs
each change. ``kata grade override`` edits this same file, so the command and a
hand edit never disagree: whatever the file says last wins, and deleting a row
clears that override.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from grader.errors import KataError
from grader.exports import FORMULA_STARTS, csv_text
from grader.gradebook import Gradebook, Override
from grader.roster import read_table

FILE = "overrides.csv"
HEADER = ("student", "kata", "score", "reason")


def read_overrides(path: Path, katas: list[str]) -> list[Override]:
    """The file's overrides; a row that cannot be one is a clear error naming its line."""
    if not path.exists():
        return []
    header, rows = read_table(path, "overrides")
    absent = [name for name in HEADER if name not in header]
    if absent:
        raise KataError(f"{path}: no {', '.join(absent)} column; the header is {','.join(HEADER)}")
    found: dict[tuple[str, str], Override] = {}
    for line, row in enumerate(rows, start=2):
        where = f"{path} line {line}"
        student, kata, reason = cell_text(row["student"]), row["kata"].strip(), row["reason"]
        if kata not in katas:
            raise KataError(f"{where}: no kata '{kata}' in this gradebook ({', '.join(katas)})")
        if not reason.strip():
            raise KataError(f"{where}: give a reason, for the student's record")
        score = parse_score(row["score"], where)
        found[(student, kata)] = Override(student, kata, score, cell_text(reason.strip()))
    return list(found.values())


def cell_text(text: str) -> str:
    """A cell as ``csv_text`` wrote it, back to the text (a name may begin with "=")."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def parse_score(text: str, where: str) -> float:
    try:
        score = float(text)
    except ValueError:
        score = -1.0
    if not 0 <= score <= 100:
        raise KataError(f"{where}: score '{text}' is not a number from 0 to 100")
    return score


def write_overrides(path: Path, overrides: list[Override]) -> None:
    """Replace the file at once (a crash leaves the old one or the new one, never half)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for o in sorted(overrides, key=lambda o: (o.student, o.kata)):
            writer.writerow([csv_text(o.student), o.kata, f"{o.score:g}", csv_text(o.reason)])
    os.replace(partial, path)


def sync_overrides(book: Gradebook, out: Path) -> None:
    """Make the gradebook's overrides what ``overrides.csv`` says."""
    book.replace_overrides(read_overrides(out / FILE, book.katas()))


def set_override(book: Gradebook, out: Path, change: Override, clear: bool) -> None:
    """Set (or clear) one override in ``overrides.csv``, then mirror the file."""
    if change.student not in book.students():
        raise KataError(
            f"no student '{change.student}' in {book.path}; a student is named as in grades.csv"
        )
    if change.kata not in book.katas():
        raise KataError(f"no kata '{change.kata}' in {book.path} ({', '.join(book.katas())})")
    kept = [
        o
        for o in read_overrides(out / FILE, book.katas())
        if (o.student, o.kata) != (change.student, change.kata)
    ]
    write_overrides(out / FILE, kept if clear else [*kept, change])
    sync_overrides(book, out)
