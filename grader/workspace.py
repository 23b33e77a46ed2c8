"""A learner's workspace: a folder with kata files and its state in ``.kata/state.json``.

The state records when each kata was started and how its checks went, so
``kata list`` can show progress and ``kata check`` the time since start. A
corrupt or unreadable state file is set aside (renamed ``state.json.corrupt``)
with a warning, never a crash: losing a start time is better than refusing to
grade.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.results import CheckResult

STATE_DIR = ".kata"
STATE_VERSION = 1


@dataclass(frozen=True)
class Progress:
    status: str  # not started, started, passed
    started_at: float | None
    checks: int
    best_score: float
    best_time_s: float | None  # from start to the first check that passed everything


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
            return data
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

    def save(self) -> None:
        path = self.state_path
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(self.state, indent=2), encoding="utf-8")
        os.replace(temporary, path)

    def _entry(self, kata_id: str) -> dict[str, Any]:
        entry = self.state["katas"].setdefault(kata_id, {})
        return entry if isinstance(entry, dict) else self.state["katas"].setdefault(kata_id, {})

    def record_start(self, kata_id: str) -> None:
        entry = self._entry(kata_id)
        entry.update({"started_at": self.clock(), "checks": 0, "best_score": 0.0})
        entry.pop("passed_after_s", None)
        self.save()

    def started_at(self, kata_id: str) -> float | None:
        value = self.state["katas"].get(kata_id, {}).get("started_at")
        return float(value) if isinstance(value, (int, float)) else None

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
        )
