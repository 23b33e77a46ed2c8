"""The instructor's gradebook: SQLite (standard library), one transaction per finished job.

Every job row holds the score, every test's outcome and message (the check's
full JSON), speed, flags, the seed, timings and the graded file's hash, so an
interrupted run resumes without regrading what is done, and a changed file is
regraded. The exports (CSV, per-student JSON, Gradescope results) are rewritten
from here at the end of each run.
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

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
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
    result TEXT NOT NULL,
    PRIMARY KEY (student, kata)
);
"""


@dataclass(frozen=True)
class JobRow:
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


class Gradebook:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(path, timeout=60)
            self.db.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
            self.db.execute("PRAGMA synchronous = FULL")  # a committed job survives power loss
            self.db.executescript(SCHEMA)
        except sqlite3.Error as error:  # not a database, or one this version cannot use
            raise KataError(
                f"the gradebook {path} cannot be used ({error}); give another --out, "
                "or move the file aside"
            ) from None

    def close(self) -> None:
        self.db.close()

    def seed(self, wanted: int | None, fresh: int) -> int:
        """The gradebook's seed: fixed at its first run so every student gets the same inputs."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'seed'").fetchone()
        if wanted is not None or row is None:
            seed = wanted if wanted is not None else fresh
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO meta VALUES ('seed', ?)", (str(seed),))
            return seed
        return int(row[0])

    def hashes(self) -> dict[tuple[str, str], tuple[str, int]]:
        """(student, kata) -> (file hash, seed) of every finished job.

        A job the grader itself failed (error kind ``internal``) is not finished: the
        next run grades it again.
        """
        rows = self.db.execute(
            "SELECT student, kata, file_hash, seed FROM jobs WHERE error_kind IS NOT 'internal'"
        )
        return {(s, k): (h, seed) for s, k, h, seed in rows}

    def record(self, student: str, file_hash: str, result: CheckResult) -> None:
        data = result.to_json()
        with self.db:  # one transaction per job
            self.db.execute(
                "INSERT OR REPLACE INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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

    def rows(self) -> list[JobRow]:
        found = self.db.execute("SELECT * FROM jobs ORDER BY student, kata").fetchall()
        return [
            JobRow(*row[:7], json.loads(row[7]), *row[8:12], json.loads(row[12])) for row in found
        ]
