"""The candidate's history: every check of a workspace file, and every finished mock.

Lives in SQLite (standard library) at ``$XDG_DATA_HOME/kata/history.sqlite3`` (default
``~/.local/share/kata``), so progress shows across weeks and workspaces, and what to
practise next (``grader.practice``) can be worked out from it. Each finished mock is
written in one transaction; writing the same mock twice replaces it (finishing is
idempotent).
A database that cannot be opened, read or written, or whose rows are not what
this module writes, is a ``HistoryError``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import HistoryError, os_reason
from grader.schema import mismatch

SCHEMA = """
CREATE TABLE IF NOT EXISTS mocks (
    id TEXT PRIMARY KEY,
    folder TEXT NOT NULL,
    started_at REAL NOT NULL,
    finished_at REAL NOT NULL,
    minutes REAL NOT NULL,
    overall REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS mock_katas (
    mock_id TEXT NOT NULL REFERENCES mocks(id) ON DELETE CASCADE,
    kata TEXT NOT NULL,
    score REAL NOT NULL,
    late_score REAL,
    time_to_pass_s REAL,
    checks INTEGER NOT NULL,
    speed_ratio REAL,
    hints INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (mock_id, kata)
);
CREATE TABLE IF NOT EXISTS checks (
    kata TEXT NOT NULL,
    at REAL NOT NULL,
    score REAL NOT NULL,
    passed INTEGER NOT NULL,
    since_start_s REAL,
    hints INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS checks_by_time ON checks (at);
CREATE TABLE IF NOT EXISTS followups (
    mock_id TEXT NOT NULL,
    kata TEXT NOT NULL,
    question TEXT NOT NULL,
    got_it INTEGER NOT NULL
);
"""


# Columns added after the first release, with their definition: a history written by an
# older kata gains them (with their default) when it is next opened.
ADDED_COLUMNS = {("mock_katas", "hints"): "INTEGER NOT NULL DEFAULT 0"}


def _add_missing_columns(connection: sqlite3.Connection) -> None:
    for (table, column), definition in ADDED_COLUMNS.items():
        present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        if column not in present:
            connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


def default_history_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kata" / "history.sqlite3"


@dataclass(frozen=True)
class PastMock:
    id: str
    folder: str
    started_at: float
    finished_at: float
    minutes: float | None  # None where an older kata stored a budget that is not a number
    overall: float
    katas: dict[str, float]
    hints: dict[str, int] = field(default_factory=dict)  # katas for which hints were shown


@dataclass(frozen=True)
class KataBest:
    kata: str
    best_score: float
    best_time_to_pass_s: float | None
    attempts: int


@dataclass(frozen=True)
class PastCheck:
    """One check of a workspace file, as practice history."""

    kata: str
    at: float
    score: float
    passed: bool  # every test passed
    since_start_s: float | None  # since the kata's latest `kata start`
    hints: int  # hints shown for this kata before this check


class History:
    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else default_history_path()

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=30)) as connection:
                connection.execute("PRAGMA foreign_keys = ON")
                connection.executescript(SCHEMA)
                _add_missing_columns(connection)
                with connection:  # one transaction
                    yield connection
        except (OSError, sqlite3.Error) as error:
            reason = os_reason(error) if isinstance(error, OSError) else str(error)
            raise HistoryError(
                f"the practice history {self.path} cannot be used ({reason}); "
                "set XDG_DATA_HOME to a folder you can write, or move the file aside"
            ) from None

    def record(self, mock: PastMock, rows: list[dict]) -> None:
        """Store a finished mock and its per-kata rows (replacing an earlier record of it)."""
        with self._connect() as db:
            db.execute("DELETE FROM mocks WHERE id = ?", (mock.id,))
            db.execute(
                "INSERT INTO mocks VALUES (?, ?, ?, ?, ?, ?)",
                (
                    mock.id,
                    mock.folder,
                    mock.started_at,
                    mock.finished_at,
                    mock.minutes,
                    mock.overall,
                ),
            )
            db.executemany(
                "INSERT INTO mock_katas (mock_id, kata, score, late_score, time_to_pass_s,"
                " checks, speed_ratio, hints) VALUES (:mock_id, :kata, :score, :late_score,"
                " :time_to_pass_s, :checks, :speed_ratio, :hints)",
                [{**row, "mock_id": mock.id} for row in rows],
            )

    def record_check(self, check: PastCheck) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO checks VALUES (?, ?, ?, ?, ?, ?)",
                (
                    check.kata,
                    check.at,
                    check.score,
                    int(check.passed),
                    check.since_start_s,
                    check.hints,
                ),
            )

    def record_followups(self, mock_id: str, marks: list[tuple[str, str, bool]]) -> None:
        """The candidate's own marks on a mock's follow-up questions (kata, question, got it)."""
        with self._connect() as db:
            db.execute("DELETE FROM followups WHERE mock_id = ?", (mock_id,))
            db.executemany(
                "INSERT INTO followups VALUES (?, ?, ?, ?)",
                [(mock_id, kata, question, int(got)) for kata, question, got in marks],
            )

    def followup_marks(self) -> list[tuple[str, str, str, bool]]:
        """Every recorded mark: (mock id, kata, question, got it), in the order asked."""
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute("SELECT mock_id, kata, question, got_it FROM followups").fetchall()
        return [(mock, kata, question, bool(got)) for mock, kata, question, got in rows]

    def checks(self) -> list[PastCheck]:
        """Every recorded check, oldest first."""
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                "SELECT kata, at, score, passed, since_start_s, hints FROM checks ORDER BY at"
            ).fetchall()
        # SQLite keeps a bool as 0 or 1; anything else is left as it is, for _checked to refuse.
        return [
            self._checked(PastCheck(k, at, score, bool(ok) if ok in (0, 1) else ok, since, hints))
            for k, at, score, ok, since, hints in rows
        ]

    def mocks(self) -> list[PastMock]:
        """Every finished mock, oldest first."""
        if not self.path.exists():
            return []
        with self._connect() as db:
            found = db.execute(
                "SELECT id, folder, started_at, finished_at, minutes, overall FROM mocks"
                " ORDER BY finished_at, id"
            ).fetchall()
            scores = db.execute("SELECT mock_id, kata, score, hints FROM mock_katas").fetchall()
        by_mock: dict[Any, dict[Any, Any]] = {}
        hints_of: dict[Any, dict[Any, Any]] = {}
        for mock_id, kata, score, hints in scores:
            by_mock.setdefault(mock_id, {})[kata] = score
            if hints:
                hints_of.setdefault(mock_id, {})[kata] = hints
        mocks = []
        for row in found:
            minutes = row[4] if mismatch(row[4], float) is None else None  # an old `inf`
            mock = PastMock(
                *row[:4],
                minutes,
                row[5],
                katas=by_mock.get(row[0], {}),
                hints=hints_of.get(row[0], {}),
            )
            mocks.append(self._checked(mock))
        return mocks

    def bests(self) -> list[KataBest]:
        if not self.path.exists():
            return []
        with self._connect() as db:
            rows = db.execute(
                "SELECT kata, MAX(score), MIN(time_to_pass_s), COUNT(*) FROM mock_katas"
                " GROUP BY kata ORDER BY kata"
            ).fetchall()
        return [self._checked(KataBest(*row)) for row in rows]

    def _checked(self, row: Any) -> Any:
        """A row as read, if it has the types this module writes (SQLite does not insist)."""
        problem = mismatch(asdict(row), type(row), f"a row of {type(row).__name__}")
        if problem:
            raise HistoryError(
                f"the practice history {self.path} is damaged ({problem}); move it aside to start anew"
            )
        return row
