"""Self-timed mock interviews: a workspace with a deadline, graded as it stood then.

Everything lives in the mock folder's workspace state (``.kata/state.json``,
key ``mock``): the plan, the deadline and every event. Each check copies the
file into ``.kata/snapshots/``, so ``finish`` can grade the last version saved
before the deadline even when the file changed afterwards. Nothing is kept in
memory between commands, so a mock interrupted in any way resumes from disk.
Grading goes through ``engine.check`` like every other caller.
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from grader.catalog import Bank, Kata
from grader.engine import check
from grader.errors import KataError
from grader.history import History, PastMock
from grader.results import CheckResult
from grader.workspace import Workspace

Clock = Callable[[], float]
DEFAULT_MINUTES = 45.0


@dataclass(frozen=True)
class MockKataResult:
    kata: str
    score: float
    late: bool
    late_score: float | None
    time_to_pass_s: float | None
    checks: int
    speed_ratio: float | None
    note: str = ""


@dataclass(frozen=True)
class Comparison:
    previous_mocks: int
    best: float | None
    last: float | None
    trend: str  # first mock, improving, steady, declining


@dataclass(frozen=True)
class MockReport:
    id: str
    folder: str
    started_at: float
    deadline: float
    finished_at: float
    finished_early: bool
    katas: tuple[MockKataResult, ...]
    overall: float
    comparison: Comparison


def choose_katas(bank: Bank, minutes: float, names: list[str] | None, count: int | None,
                 seed: int) -> list[Kata]:  # fmt: skip
    """The katas of a mock: as named, K at random, or at random to fit the time budget."""
    if minutes <= 0:
        raise KataError("--minutes must be more than 0")
    if names:
        chosen = [bank.get(name) for name in names]
        if len({k.id for k in chosen}) != len(chosen):
            raise KataError("a kata is named twice in --katas")
        return chosen
    pool = list(bank.katas.values())
    random.Random(seed).shuffle(pool)
    if count is not None:
        if not 1 <= count <= len(pool):
            raise KataError(f"--count must be between 1 and {len(pool)} (the katas in the bank)")
        return pool[:count]
    chosen, total = [], 0.0
    for kata in pool:
        if total + kata.minutes <= minutes:
            chosen.append(kata)
            total += kata.minutes
    if not chosen:
        shortest = min(pool, key=lambda k: k.minutes)
        raise KataError(
            f"no kata fits in {minutes:g} minutes (the shortest, {shortest.id}, takes "
            f"{shortest.minutes}); give more --minutes or name katas with --katas"
        )
    return chosen


class Mock:
    """A mock interview's state, read from and written to its workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    @classmethod
    def open(cls, folder: Path, clock: Clock = time.time) -> Mock:
        workspace = Workspace(folder, clock)
        if not isinstance(workspace.state.get("mock"), dict):
            raise KataError(
                f"{folder.resolve()} is not a mock folder: run this inside the folder "
                "`kata mock start` made, or pass --dir"
            )
        return cls(workspace)

    @classmethod
    def find(cls, workspace: Workspace) -> Mock | None:
        return cls(workspace) if isinstance(workspace.state.get("mock"), dict) else None

    @property
    def data(self) -> dict[str, Any]:
        return self.workspace.state["mock"]

    @property
    def katas(self) -> list[str]:
        return list(self.data["katas"])

    @property
    def deadline(self) -> float:
        return float(self.data["deadline"])

    @property
    def finished(self) -> bool:
        return self.data.get("report") is not None

    def time_left(self) -> float:
        return self.deadline - self.workspace.clock()

    def checks_of(self, kata_id: str) -> list[dict[str, Any]]:
        return [
            e for e in self.data["events"] if e.get("type") == "check" and e.get("kata") == kata_id
        ]

    def record_check(self, result: CheckResult, file: Path) -> dict[str, Any]:
        """Store a check as an event, with a copy of the file as it was checked."""
        now = self.workspace.clock()
        snapshots = self.workspace.folder / ".kata" / "snapshots"
        snapshots.mkdir(parents=True, exist_ok=True)
        snapshot = snapshots / f"{result.kata}-{len(self.data['events']):04d}.py"
        shutil.copyfile(file, snapshot)
        event = {
            "type": "check",
            "kata": result.kata,
            "at": now,
            "late": now > self.deadline,
            "score": result.score,
            "passed": result.passed,
            "total": result.total,
            "all_passed": result.all_passed,
            "snapshot": str(snapshot.relative_to(self.workspace.folder)),
        }
        self.data["events"].append(event)
        self.workspace.save()
        return event


def start_mock(bank: Bank, folder: Path, katas: list[Kata], minutes: float, seed: int,
               force: bool = False, clock: Clock = time.time) -> Mock:  # fmt: skip
    """Create the mock folder with stubs and prompts, and start the clock."""
    workspace = Workspace(folder, clock)
    if isinstance(workspace.state.get("mock"), dict) and not force:
        raise KataError(
            f"{folder} already holds a mock; use another --dir, or --force to replace it"
        )
    clashing = [k.file_name for k in katas if workspace.file_for(k.id).exists()]
    if clashing and not force:
        raise KataError(f"{folder} already has {', '.join(clashing)}; use another --dir or --force")
    folder.mkdir(parents=True, exist_ok=True)
    for kata in katas:
        shutil.copyfile(kata.stub_path, workspace.file_for(kata.id))
        shutil.copyfile(kata.prompt_path, folder / f"{kata.id}.md")
    now = clock()
    workspace.state["katas"] = {
        k.id: {"started_at": now, "checks": 0, "best_score": 0.0} for k in katas
    }
    workspace.state["mock"] = {
        "id": f"mock-{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}-{seed % 10000:04d}",
        "started_at": now,
        "deadline": now + minutes * 60,
        "minutes": minutes,
        "seed": seed,
        "katas": [k.id for k in katas],
        "events": [{"type": "start", "at": now}],
        "report": None,
    }
    workspace.save()
    return Mock(workspace)


def grade_kata(mock: Mock, kata: Kata, now: float) -> MockKataResult:
    """Grade one kata as it stood at the deadline (or now, when finishing early)."""
    folder = mock.workspace.folder
    path = mock.workspace.file_for(kata.id)
    seed = int(mock.data["seed"])
    checks = mock.checks_of(kata.id)
    on_time_passes = [e for e in checks if e["all_passed"] and not e["late"]]
    time_to_pass = on_time_passes[0]["at"] - mock.data["started_at"] if on_time_passes else None
    if not path.exists():
        return MockKataResult(
            kata.id, 0.0, False, None, time_to_pass, len(checks), None, "file missing"
        )
    saved_late = now > mock.deadline and path.stat().st_mtime > mock.deadline
    final = folder / ".kata" / "snapshots" / f"{kata.id}-final.py"
    final.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, final)
    if not saved_late:
        result = check(kata, final, seed=seed)
        ratio = result.speed.ratio if result.speed else None
        return MockKataResult(kata.id, result.score, False, None, time_to_pass, len(checks), ratio)
    late_score = check(kata, final, seed=seed, timing=False).score
    on_time = [e for e in checks if not e["late"]]
    if not on_time:
        note = "saved after the deadline, and no earlier version was checked in time"
        return MockKataResult(kata.id, 0.0, True, late_score, time_to_pass, len(checks), None, note)
    result = check(kata, folder / on_time[-1]["snapshot"], seed=seed)
    ratio = result.speed.ratio if result.speed else None
    note = "saved after the deadline: graded the last version checked before it"
    return MockKataResult(
        kata.id, result.score, True, late_score, time_to_pass, len(checks), ratio, note
    )


def compare(history: History, mock_id: str, overall: float) -> Comparison:
    previous = [m for m in history.mocks() if m.id != mock_id]
    if not previous:
        return Comparison(0, None, None, "first mock")
    recent = [m.overall for m in previous[-3:]]
    change = overall - sum(recent) / len(recent)
    trend = "improving" if change > 2 else ("declining" if change < -2 else "steady")
    return Comparison(len(previous), max(m.overall for m in previous), previous[-1].overall, trend)


def finish_mock(bank: Bank, mock: Mock, history: History) -> MockReport:
    """End the mock (early or after the deadline), grade it, store it in the history."""
    if mock.finished:
        return report_from_json(mock.data["report"])
    now = mock.workspace.clock()
    results = tuple(grade_kata(mock, bank.get(kata_id), now) for kata_id in mock.katas)
    overall = round(sum(r.score for r in results) / len(results), 1)
    data = mock.data
    history.record(
        PastMock(data["id"], str(mock.workspace.folder.resolve()), data["started_at"], now,
                 data["minutes"], overall, {}),
        [{"kata": r.kata, "score": r.score, "late_score": r.late_score,
          "time_to_pass_s": r.time_to_pass_s, "checks": r.checks, "speed_ratio": r.speed_ratio}
         for r in results],
    )  # fmt: skip
    report = MockReport(
        id=data["id"],
        folder=str(mock.workspace.folder.resolve()),
        started_at=data["started_at"],
        deadline=mock.deadline,
        finished_at=now,
        finished_early=now < mock.deadline,
        katas=results,
        overall=overall,
        comparison=compare(history, data["id"], overall),
    )
    data["events"].append({"type": "finish", "at": now})
    data["report"] = report_to_json(report)
    mock.workspace.save()
    return report


def report_to_json(report: MockReport) -> dict[str, Any]:
    return asdict(report)


def report_from_json(data: dict[str, Any]) -> MockReport:
    return MockReport(
        **{
            **data,
            "katas": tuple(MockKataResult(**k) for k in data["katas"]),
            "comparison": Comparison(**data["comparison"]),
        }
    )
