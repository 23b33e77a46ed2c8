"""A learner's workspace: a folder with kata files and its state in ``.kata/state.json``.

The state records when each kata was started and how its checks went, so
``kata list`` can show progress and ``kata check`` the time since start. A
corrupt or unreadable state file is set aside (renamed ``state.json.corrupt``)
with a warning, never a crash: losing a start time is better than refusing to
grade. Values of the wrong type inside it (an entry that is not a table, a
start time that is text) are dropped with a warning, the rest is kept. A folder
that cannot be written is a ``WorkspaceError``.
"""

from __future__ import annotations

import json
import os
import time
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from grader.errors import WorkspaceError, os_reason
from grader.results import CheckResult
from grader.schema import mismatch

STATE_DIR = ".kata"
STATE_VERSION = 1


class LastCheck(TypedDict):
    at: float
    score: float
    passed: int
    total: int


class KataEntry(TypedDict, total=False):
    """One kata's state in ``state.json`` under ``katas``; every key is optional."""

    started_at: float  # the latest `kata start`
    checks: int  # since the latest start
    best_score: float  # over every start
    passed_after_s: float  # the shortest start-to-pass time, over every start
    passed: bool  # has ever passed every test
    last_check: LastCheck
    hints: int  # hints shown since the latest start


@dataclass(frozen=True)
class Progress:
    status: str  # not started, started, passed
    started_at: float | None
    checks: int
    best_score: float
    best_time_s: float | None  # the shortest time from a start to a check that passed everything
    hints: int = 0  # hints shown since the latest start


class Workspace:
    def __init__(self, folder: Path, clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.clock = clock
        self.warnings: list[str] = []
        self._state: dict[str, Any] | None = None

    @property
    def state_path(self) -> Path:
        return self.folder / STATE_DIR / "state.json"

    def file_for(self, kata_id: str) -> Path:
        return self.folder / f"{kata_id}.py"

    @property
    def state(self) -> dict[str, Any]:
        if self._state is None:
            self._state = self._load()
        return self._state

    def _load(self) -> dict[str, Any]:
        fresh: dict[str, Any] = {"version": STATE_VERSION, "katas": {}}
        path = self.state_path
        if not path.exists():
            return fresh
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("katas"), dict):
                raise ValueError("not a kata state object")
        except (OSError, ValueError) as error:
            corrupt = path.with_name(path.name + ".corrupt")
            try:
                os.replace(path, corrupt)
                kept = f"; the old file is kept as {corrupt}"
            except OSError:
                kept = ""
            self.warnings.append(
                f"the workspace state {path} was unreadable ({error}): starting afresh{kept}"
            )
            return fresh
        dropped = _drop_malformed(data["katas"])
        if dropped:
            self.warnings.append(
                f"the workspace state {path} held values of the wrong type, ignored: "
                + "; ".join(dropped)
            )
        return data

    def save(self) -> None:
        path = self.state_path
        temporary = path.with_name(path.name + ".tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(self.state, indent=2), encoding="utf-8")
            os.replace(temporary, path)
        except OSError as error:
            raise WorkspaceError(f"cannot write the workspace state: {os_reason(error)}") from None

    def write_file(self, path: Path, text: str) -> None:
        """Write a file of the workspace (a stub, a prompt), creating the folder if needed."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise WorkspaceError(f"cannot write {path}: {os_reason(error)}") from None

    def _entry(self, kata_id: str) -> dict[str, Any]:
        entry = self.state["katas"].get(kata_id)
        if not isinstance(entry, dict):
            entry = self.state["katas"][kata_id] = {}
        return entry

    def record_start(self, kata_id: str) -> None:
        """Start (or restart) the clock; the best score and best time outlive a restart."""
        entry = self._entry(kata_id)
        entry.update({"started_at": self.clock(), "checks": 0, "hints": 0})
        entry.setdefault("best_score", 0.0)
        self.save()

    def started_at(self, kata_id: str) -> float | None:
        entry = self.state["katas"].get(kata_id)
        value = entry.get("started_at") if isinstance(entry, dict) else None
        return float(value) if mismatch(value, float) is None else None

    def hints_used(self, kata_id: str) -> int:
        entry = self.state["katas"].get(kata_id)
        return int(entry.get("hints", 0)) if isinstance(entry, dict) else 0

    def record_hint(self, kata_id: str) -> int:
        """Count one more hint shown for the kata's current attempt; return the count."""
        entry = self._entry(kata_id)
        entry["hints"] = int(entry.get("hints", 0)) + 1
        self.save()
        return entry["hints"]

    def record_check(self, result: CheckResult) -> None:
        entry = self._entry(result.kata)
        entry["checks"] = int(entry.get("checks", 0)) + 1
        entry["best_score"] = max(float(entry.get("best_score", 0.0)), result.score)
        entry["last_check"] = {
            "at": self.clock(),
            "score": result.score,
            "passed": result.passed,
            "total": result.total,
        }
        if result.all_passed and result.elapsed_since_start_s is not None:
            best = entry.get("passed_after_s")
            if best is None or result.elapsed_since_start_s < best:
                entry["passed_after_s"] = result.elapsed_since_start_s
        if result.all_passed:
            entry["passed"] = True
        self.save()

    def progress(self, kata_id: str) -> Progress:
        entry = self.state["katas"].get(kata_id)
        if not isinstance(entry, dict):
            return Progress("not started", None, 0, 0.0, None)
        status = "passed" if entry.get("passed") else "started"
        return Progress(
            status,
            self.started_at(kata_id),
            int(entry.get("checks", 0)),
            float(entry.get("best_score", 0.0)),
            entry.get("passed_after_s"),
            int(entry.get("hints", 0)),
        )


def _drop_malformed(katas: dict[str, Any]) -> list[str]:
    """Remove the entries and values that do not fit ``KataEntry``; say which, for a warning."""
    dropped = []
    fields = typing.get_type_hints(KataEntry)
    for kata_id, entry in list(katas.items()):
        if not isinstance(entry, dict):
            del katas[kata_id]
            dropped.append(f"{kata_id} is {entry!r:.40}, not a table")
            continue
        for name, hint in fields.items():
            problem = (
                mismatch(entry.get(name), hint, f"{kata_id}.{name}") if name in entry else None
            )
            if problem:
                del entry[name]
                dropped.append(problem)
    return dropped
