"""The instructor's gradebook: SQLite (standard library), the course's record.

It keeps the roster (every student ever seen, every kata ever graded), every
graded attempt (a regrade adds one; the latest counts) with the named mistakes its
failed tests carry (table ``mistakes``, one row per test by mistake id), each (student, kata)'s
status from the latest discovery that looked for it, the overrides with a log of
every change, the late-work rule, the submission times and the bytes of every graded file
(by hash, for the similarity check). Each finished job is
one transaction, so an interrupted run resumes without regrading what is done.
Exports are built from all of it, never from one run's arguments.

A gradebook written before this schema (one ``jobs`` table, one row per job) is
migrated in place the first time it is opened: its rows become attempts and its
students and katas the roster.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import KataError
from grader.results import CheckResult

SCHEMA_VERSION = 3
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS students (student TEXT PRIMARY KEY, first_seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS katas (kata TEXT PRIMARY KEY, first_seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (
    attempt INTEGER PRIMARY KEY AUTOINCREMENT,
    student TEXT NOT NULL,
    kata TEXT NOT NULL,
    file_hash TEXT NOT NULL,
    seed INTEGER NOT NULL,
    score REAL NOT NULL,
    passed INTEGER NOT NULL,
    total INTEGER NOT NULL,
    flags TEXT NOT NULL,
    error_kind TEXT,
    speed_ratio REAL,
    duration_s REAL NOT NULL,
    graded_at REAL NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_of ON attempts (student, kata, attempt);
CREATE VIEW IF NOT EXISTS latest AS
    SELECT * FROM attempts WHERE attempt IN (SELECT max(attempt) FROM attempts GROUP BY student, kata);
CREATE TABLE IF NOT EXISTS status (
    student TEXT NOT NULL,
    kata TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scored', 'rejected', 'missing')),
    reason TEXT NOT NULL,
    seen_at REAL NOT NULL,
    PRIMARY KEY (student, kata)
);
CREATE TABLE IF NOT EXISTS overrides (
    student TEXT NOT NULL,
    kata TEXT NOT NULL,
    score REAL NOT NULL,
    reason TEXT NOT NULL,
    set_at REAL NOT NULL,
    PRIMARY KEY (student, kata)
);
CREATE TABLE IF NOT EXISTS override_log (
    student TEXT NOT NULL,
    kata TEXT NOT NULL,
    score REAL,
    reason TEXT NOT NULL,
    changed_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS mistakes (
    attempt INTEGER NOT NULL REFERENCES attempts (attempt),
    student TEXT NOT NULL,
    kata TEXT NOT NULL,
    test TEXT NOT NULL,
    mistake TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mistakes_of ON mistakes (kata, mistake);
CREATE TABLE IF NOT EXISTS sources (file_hash TEXT PRIMARY KEY, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS submission_times (
    student TEXT PRIMARY KEY,
    submitted_at REAL NOT NULL,
    source TEXT NOT NULL
);
"""
ATTEMPT_COLUMNS = (
    "student, kata, file_hash, seed, score, passed, total, flags, error_kind, speed_ratio, "
    "duration_s, graded_at, result"
)
STATUSES = ("scored", "rejected", "missing")


@dataclass(frozen=True)
class JobRow:
    """One graded attempt of one (student, kata)."""

    student: str
    kata: str
    file_hash: str
    seed: int
    score: float
    passed: int
    total: int
    flags: list[str]
    error_kind: str | None
    speed_ratio: float | None
    duration_s: float
    graded_at: float
    result: dict[str, Any]


@dataclass(frozen=True)
class Status:
    """What the latest discovery found for a (student, kata): scored, rejected or missing."""

    status: str
    reason: str = ""  # why a file was rejected


@dataclass(frozen=True)
class Override:
    """The instructor's score for a (student, kata), which replaces the graded one."""

    student: str
    kata: str
    score: float
    reason: str


class Gradebook:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, timeout=60)
            self.db.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
            self.db.execute("PRAGMA synchronous = FULL")  # a committed job survives power loss
            with self.db:
                self.db.executescript(SCHEMA)
                _migrate(self.db)
        except sqlite3.Error as error:  # not a database, or one this version cannot use
            raise KataError(
                f"the gradebook {path} cannot be used ({error}); give another --out, "
                "or move the file aside"
            ) from None

    def close(self) -> None:
        self.db.close()

    def setting(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def seed(self, wanted: int | None, fresh: int) -> int:
        """The gradebook's seed: fixed at its first run so every student gets the same inputs."""
        stored = self.setting("seed")
        if wanted is not None or stored is None:
            seed = wanted if wanted is not None else fresh
            self.set_setting("seed", str(seed))
            return seed
        return int(stored)

    def hashes(self) -> dict[tuple[str, str], tuple[str, int]]:
        """(student, kata) -> (file hash, seed) of the latest finished attempt.

        A job the grader itself failed (error kind ``internal``) is not finished: the
        next run grades it again.
        """
        rows = self.db.execute(
            "SELECT student, kata, file_hash, seed FROM latest WHERE error_kind IS NOT 'internal'"
        )
        return {(s, k): (h, seed) for s, k, h, seed in rows}

    def record(self, student: str, file_hash: str, result: CheckResult) -> None:
        """Add an attempt; earlier attempts of the same (student, kata) stay as history."""
        data = result.to_json()
        with self.db:  # one transaction per job
            cursor = self.db.execute(
                f"INSERT INTO attempts ({ATTEMPT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    student,
                    result.kata,
                    file_hash,
                    result.seed,
                    result.score,
                    result.passed,
                    result.total,
                    json.dumps(list(result.flags)),
                    result.error.kind if result.error else None,
                    result.speed.ratio if result.speed else None,
                    result.duration_s,
                    time.time(),
                    json.dumps(data),
                ),
            )
            self.db.executemany(
                "INSERT INTO mistakes VALUES (?, ?, ?, ?, ?)",
                [
                    (cursor.lastrowid, student, result.kata, test.name, test.mistake.id)
                    for test in result.tests
                    if test.mistake is not None and test.mistake.id
                ],
            )

    def mistakes(self) -> list[tuple[str, str, str, str]]:
        """(student, kata, test, mistake id) of every latest attempt: the ones that count."""
        return self.db.execute(
            "SELECT student, kata, test, mistake FROM mistakes "
            "WHERE attempt IN (SELECT attempt FROM latest) ORDER BY kata, mistake, student, test"
        ).fetchall()

    def rows(self) -> list[JobRow]:
        """The latest attempt of every (student, kata): the one that counts."""
        return self._attempts("SELECT {} FROM latest ORDER BY student, kata", ())

    def history(self, student: str, kata: str | None = None) -> list[JobRow]:
        """Every attempt of ``student`` (at ``kata``), oldest first."""
        if kata is None:
            return self._attempts(
                "SELECT {} FROM attempts WHERE student = ? ORDER BY attempt", (student,)
            )
        return self._attempts(
            "SELECT {} FROM attempts WHERE student = ? AND kata = ? ORDER BY attempt",
            (student, kata),
        )

    def _attempts(self, query: str, args: tuple) -> list[JobRow]:
        found = self.db.execute(query.format(ATTEMPT_COLUMNS), args).fetchall()
        return [
            JobRow(*row[:7], json.loads(row[7]), *row[8:12], json.loads(row[12])) for row in found
        ]

    def enrol(self, students: list[str], katas: list[str]) -> None:
        """Add to the roster; nobody and nothing is ever removed from it."""
        now = time.time()
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO students VALUES (?, ?)", [(s, now) for s in students]
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO katas VALUES (?, ?)", [(k, now) for k in katas]
            )

    def students(self) -> list[str]:
        return [s for (s,) in self.db.execute("SELECT student FROM students ORDER BY student")]

    def katas(self) -> list[str]:
        """Every kata of the assignment, in the order first graded."""
        return [k for (k,) in self.db.execute("SELECT kata FROM katas ORDER BY first_seen, kata")]

    def note_status(self, student: str, kata: str, status: Status) -> None:
        """Record what the latest discovery found.

        A later run that finds no file keeps what an earlier run found (a ``late/``
        folder may hold only the file handed in again); a file found or rejected
        replaces it.
        """
        verb = "INSERT OR IGNORE" if status.status == "missing" else "INSERT OR REPLACE"
        with self.db:
            self.db.execute(
                f"{verb} INTO status VALUES (?, ?, ?, ?, ?)",
                (student, kata, status.status, status.reason, time.time()),
            )

    def statuses(self) -> dict[tuple[str, str], Status]:
        rows = self.db.execute("SELECT student, kata, status, reason FROM status")
        return {(s, k): Status(status, reason) for s, k, status, reason in rows}

    def overrides(self) -> dict[tuple[str, str], Override]:
        rows = self.db.execute("SELECT student, kata, score, reason FROM overrides")
        return {(s, k): Override(s, k, score, reason) for s, k, score, reason in rows}

    def replace_overrides(self, wanted: list[Override]) -> None:
        """Make the overrides exactly ``wanted``, logging each one set, changed or cleared."""
        now = time.time()
        before = self.overrides()
        after = {(o.student, o.kata): o for o in wanted}
        with self.db:
            for key in before.keys() - after.keys():
                self.db.execute("DELETE FROM overrides WHERE student = ? AND kata = ?", key)
                self.db.execute(
                    "INSERT INTO override_log VALUES (?, ?, NULL, 'cleared', ?)", (*key, now)
                )
            for key, new in after.items():
                if before.get(key) == new:
                    continue
                self.db.execute(
                    "INSERT OR REPLACE INTO overrides VALUES (?, ?, ?, ?, ?)",
                    (*key, new.score, new.reason, now),
                )
                self.db.execute(
                    "INSERT INTO override_log VALUES (?, ?, ?, ?, ?)",
                    (*key, new.score, new.reason, now),
                )

    def override_log(self, student: str) -> list[tuple[str, float | None, str, float]]:
        """(kata, score or None when cleared, reason, when) of every change, oldest first."""
        return self.db.execute(
            "SELECT kata, score, reason, changed_at FROM override_log WHERE student = ? "
            "ORDER BY rowid",
            (student,),
        ).fetchall()

    def set_submission_times(self, times: dict[str, float], source: str) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO submission_times VALUES (?, ?, ?)",
                [(student, when, source) for student, when in times.items()],
            )

    def keep_sources(self, files: dict[str, bytes]) -> None:
        """Keep each graded file's bytes by hash: the similarity check reads them later."""
        with self.db:
            self.db.executemany("INSERT OR IGNORE INTO sources VALUES (?, ?)", list(files.items()))

    def sources(self) -> dict[str, bytes]:
        """file hash -> bytes of the latest attempts' files (absent if graded before kept)."""
        rows = self.db.execute(
            "SELECT file_hash, content FROM sources WHERE file_hash IN (SELECT file_hash FROM latest)"
        )
        return {file_hash: bytes(content) for file_hash, content in rows}

    def submission_times(self) -> dict[str, float]:
        return dict(self.db.execute("SELECT student, submitted_at FROM submission_times"))


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a gradebook of the first schema (a ``jobs`` table) to this one, in place."""
    old = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'jobs'")
    if old.fetchone():
        db.execute(
            f"INSERT INTO attempts ({ATTEMPT_COLUMNS}) SELECT {ATTEMPT_COLUMNS} FROM jobs "
            "ORDER BY graded_at"
        )
        db.execute(
            "INSERT OR IGNORE INTO students SELECT student, min(graded_at) FROM jobs GROUP BY student"
        )
        db.execute(
            "INSERT OR IGNORE INTO katas SELECT kata, min(graded_at) FROM jobs GROUP BY kata"
        )
        db.execute(
            "INSERT OR IGNORE INTO status SELECT student, kata, 'scored', '', graded_at FROM jobs"
        )
        db.execute("DROP TABLE jobs")
    db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
