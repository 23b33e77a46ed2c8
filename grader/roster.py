"""Matching the people an LMS knows to the folder names students handed in.

A student's name in the gradebook is their folder's name. An LMS knows them by
login, e-mail, SIS id or "Last, First". Both sides are compared by a key that
ignores case, accents, Unicode normalisation (macOS writes NFD, people type NFC)
and the separators people put in folder names (``jose_garcia``, ``José García``,
``jose.garcia@uni.edu`` all meet). A key two people share matches neither of them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.errors import KataError

MAX_CSV_BYTES = 16 * 2**20  # a class list, not a data set
SEPARATORS = re.compile(r"[\s_.\-]+")


def name_key(text: str) -> str:
    """``text`` compared as a person would: no case, no accents, one space between words."""
    decomposed = unicodedata.normalize("NFD", text.strip().casefold())
    plain = "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))
    return SEPARATORS.sub(" ", unicodedata.normalize("NFC", plain)).strip()


def keys_of(values: Iterable[str]) -> set[str]:
    """Every key a person's identifiers give: each value, an e-mail's local part, "First Last"."""
    keys = set()
    for value in values:
        if not value.strip():
            continue
        keys.add(name_key(value))
        if "@" in value:
            keys.add(name_key(value.split("@", 1)[0]))
        if "," in value:  # Canvas's "Last, First"
            last, first = value.split(",", 1)
            keys.add(name_key(f"{first} {last}"))
    return keys


def read_table(path: Path, what: str) -> tuple[list[str], list[dict[str, str]]]:
    """A CSV's header and rows (a spreadsheet's BOM tolerated); a bad file is one clear line."""
    try:
        data = path.read_bytes()[: MAX_CSV_BYTES + 1]
    except OSError as error:
        raise KataError(f"{what} {path}: {error.strerror}") from None
    if len(data) > MAX_CSV_BYTES:
        raise KataError(f"{what} {path}: larger than {MAX_CSV_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KataError(f"{what} {path}: not UTF-8 text; save it as CSV UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        rows = [{(k or "").strip(): (v or "") for k, v in row.items()} for row in reader]
    except csv.Error as error:
        raise KataError(f"{what} {path}: not a readable CSV ({error})") from None
    return [name.strip() for name in reader.fieldnames or []], rows


def column(header: list[str], candidates: tuple[str, ...]) -> str | None:
    """The first header (case-insensitive) among ``candidates``."""
    by_key = {name.casefold(): name for name in header}
    return next((by_key[c] for c in candidates if c in by_key), None)


@dataclass(frozen=True)
class Match:
    """Which of ``people`` each student is; and who was left unmatched on either side."""

    found: dict[str, int]  # student -> index into people
    unmatched_students: list[str]
    unmatched_people: list[int]


def match(students: list[str], people: list[set[str]]) -> Match:
    """Pair each student with the one person whose keys hold their folder name's key."""
    owners: dict[str, set[int]] = {}
    for index, keys in enumerate(people):
        for key in keys:
            owners.setdefault(key, set()).add(index)
    found: dict[str, int] = {}
    for student in students:
        candidates = owners.get(name_key(student), set())
        if len(candidates) == 1:
            found[student] = next(iter(candidates))
    taken = set(found.values())
    return Match(
        found,
        [s for s in students if s not in found],
        [i for i in range(len(people)) if i not in taken],
    )


# A Canvas gradebook export: these five columns, then one per assignment.
CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


@dataclass(frozen=True)
class RosterEntry:
    """One student as Canvas lists them: the five columns its import matches on."""

    student: str  # "Last, First"
    id: str
    sis_user_id: str
    sis_login_id: str
    section: str

    def cells(self) -> list[str]:
        return [self.student, self.id, self.sis_user_id, self.sis_login_id, self.section]

    def keys(self) -> set[str]:
        return keys_of([self.student, self.sis_login_id, self.sis_user_id])


def read_roster(path: Path) -> tuple[list[RosterEntry], list[str]]:
    """A Canvas gradebook export's students and its assignment columns.

    The "Points Possible" row and rows without an ID (Canvas's own notes) are skipped.
    """
    header, rows = read_table(path, "--roster")
    absent = [name for name in ("Student", "ID") if name not in header]
    if absent:
        raise KataError(
            f"--roster {path}: no {' or '.join(absent)} column; export the gradebook from "
            "Canvas (Grades > Export > CSV) and give that file"
        )
    entries = [
        RosterEntry(*(row.get(name, "").strip() for name in CANVAS_IDENTITY))
        for row in rows
        if row.get("ID", "").strip() and "points possible" not in row["Student"].casefold()
    ]
    return entries, [name for name in header if name not in CANVAS_IDENTITY]
