"""Self-timed mock interviews: a workspace with a deadline, graded as it stood then.

Everything lives in the mock folder's workspace state (``.kata/state.json``,
key ``mock``): the plan, the deadline and every event. Each check copies the
file into ``.kata/snapshots/``, so ``finish`` can grade the last version saved
before the deadline even when the file changed afterwards. Nothing is kept in
memory between commands, so a mock interrupted in any way resumes from disk.
Grading goes through ``engine.check`` like every other caller. A history that
cannot be written does not lose the report: the report says why it was not
saved, and finishing again retries.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, TypedDict

from grader.catalog import Bank, Kata
from grader.engine import check
from grader.errors import HistoryError, KataError, WorkspaceError, os_reason
from grader.history import History, PastMock
from grader.results import CheckResult
from grader.schema import mismatch
from grader.workspace import Workspace

Clock = Callable[[], float]
DEFAULT_MINUTES = 45.0
MAX_MINUTES = 24 * 60.0  # a mock longer than a day is a typo, and its deadline would overflow


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
    hints: int = 0  # hints shown during the mock


@dataclass(frozen=True)
class Comparison:
    previous_mocks: int
    best: float | None
    last: float | None
    trend: str  # first mock, improving, steady, declining; unknown without a history


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
    history_error: str | None = None  # why the history could not record this mock


class Event(TypedDict):
    type: str  # start, check, finish
    at: float


class CheckEvent(Event):
    kata: str
    late: bool
    score: float
    passed: int
    total: int
    all_passed: bool
    snapshot: str  # relative to the mock folder


class LaterMockKeys(TypedDict, total=False):
    """Keys a mock's state gains as it goes (optional: a mock written earlier lacks them)."""

    followups_asked: bool  # `kata mock finish` asked its follow-up questions


class MockState(LaterMockKeys):
    """The mock's part of the workspace state (``state.json``, key ``mock``)."""

    id: str
    started_at: float
    deadline: float
    minutes: float
    seed: int
    katas: list[str]
    events: list[Event]
    report: MockReport | None


def state_problem(data: Any) -> str | None:
    """What makes a stored mock unusable (a key missing, a value of the wrong type), or None."""
    problem = mismatch(data, MockState, "mock")
    if problem:
        return problem
    if not data["katas"]:
        return "mock.katas is empty"
    for index, event in enumerate(data["events"]):
        if event["type"] == "check":
            problem = mismatch(event, CheckEvent, f"mock.events[{index}]")
            if problem:
                return problem
    return None


def check_minutes(minutes: float) -> None:
    if not 0 < minutes <= MAX_MINUTES:  # also refuses NaN, for which every comparison is false
        raise KataError(
            f"--minutes must be more than 0 and at most {MAX_MINUTES:g} (a day), not {minutes:g}"
        )


def choose_katas(
    bank: Bank,
    minutes: float,
    names: list[str] | None,
    count: int | None,
    seed: int,
    tracks: tuple[str, ...] = (),
) -> list[Kata]:
    """The katas of a mock: as named, K at random, or at random to fit the time budget.

    Random picks come from the whole bank, or from ``tracks`` only.
    """
    check_minutes(minutes)
    if names is not None and not names:
        raise KataError("--katas names no kata: give ids separated by commas")
    if names:
        chosen = [bank.get(name) for name in names]
        if len({k.id for k in chosen}) != len(chosen):
            raise KataError("a kata is named twice in --katas")
        return chosen
    pool = list(bank.katas.values())
    unknown = sorted(set(tracks) - {kata.track for kata in pool})
    if unknown:
        known = sorted({kata.track for kata in pool})
        raise KataError(f"no track named {', '.join(unknown)}; choose from {', '.join(known)}")
    if tracks:
        pool = [kata for kata in pool if kata.track in tracks]
    random.Random(seed).shuffle(pool)
    if count is not None:
        if not 1 <= count <= len(pool):
            where = "the chosen tracks" if tracks else "the bank"
            raise KataError(f"--count must be between 1 and {len(pool)} (the katas in {where})")
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
        mock = cls.find(Workspace(folder, clock))
        if mock is None:
            raise KataError(
                f"{folder.resolve()} is not a mock folder: run this inside the folder "
                "`kata mock start` made, or pass --dir"
            )
        return mock

    @classmethod
    def find(cls, workspace: Workspace) -> Mock | None:
        """The workspace's mock, None if it has none; a damaged one is a ``WorkspaceError``."""
        data = workspace.state.get("mock")
        if data is None:
            return None
        problem = state_problem(data)
        if problem:
            raise WorkspaceError(
                f"the mock in {workspace.state_path} is damaged ({problem}); "
                "start a new one with `kata mock start`"
            )
        return cls(workspace)

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
        snapshot = self.snapshot(file, f"{result.kata}-{len(self.data['events']):04d}.py")
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

    def snapshot(self, file: Path, name: str) -> Path:
        """Copy ``file`` into ``.kata/snapshots/`` as it is now."""
        snapshot = self.workspace.folder / ".kata" / "snapshots" / name
        try:
            snapshot.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, snapshot)
        except OSError as error:
            raise WorkspaceError(f"cannot keep a copy of {file}: {os_reason(error)}") from None
        return snapshot


def start_mock(
    bank: Bank,
    folder: Path,
    katas: list[Kata],
    minutes: float,
    seed: int,
    force: bool = False,
    clock: Clock = time.time,
) -> Mock:
    """Create the mock folder with stubs and prompts, and start the clock.

    Nothing is left behind when it fails: a folder it made is removed, files it
    added to an existing folder too.
    """
    check_minutes(minutes)
    workspace = Workspace(folder, clock)
    if workspace.state.get("mock") is not None and not force:
        raise KataError(
            f"{folder} already holds a mock; use another --dir, or --force to replace it"
        )
    clashing = [k.file_name for k in katas if workspace.file_for(k.id).exists()]
    if clashing and not force:
        raise KataError(f"{folder} already has {', '.join(clashing)}; use another --dir or --force")
    made_folder = not folder.exists()
    added: list[Path] = []
    try:
        _write_mock(workspace, katas, minutes, seed, added)
    except (OSError, WorkspaceError) as error:
        _remove([folder] if made_folder else added)
        reason = os_reason(error) if isinstance(error, OSError) else str(error)
        raise WorkspaceError(f"cannot start a mock in {folder}: {reason}") from None
    return Mock(workspace)


def _remove(paths: list[Path]) -> None:
    """Undo a failed start, as far as the system lets us (a folder, files, a state folder)."""
    for path in reversed(paths):
        with contextlib.suppress(OSError):
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def _write_mock(
    workspace: Workspace, katas: list[Kata], minutes: float, seed: int, added: list[Path]
) -> None:
    """Stubs, prompts and the state of a new mock; ``added`` collects what it creates."""
    folder = workspace.folder
    folder.mkdir(parents=True, exist_ok=True)
    for kata in katas:
        for source, target in (
            (kata.stub_path, workspace.file_for(kata.id)),
            (kata.prompt_path, folder / f"{kata.id}.md"),
        ):
            if not target.exists():
                added.append(target)
            shutil.copyfile(source, target)
    now = workspace.clock()
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
    state = workspace.state_path
    added += [] if state.parent.exists() else [state.parent]
    added += [] if state.exists() else [state]
    workspace.save()


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
    final = mock.snapshot(path, f"{kata.id}-final.py")
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
    """End the mock (early or after the deadline), grade it, store it in the history.

    Finishing a finished mock shows its report again, and retries the history if
    it could not be written the first time (``MockReport.history_error``).
    """
    if mock.finished:
        report = report_from_json(mock.data["report"])
        if report.history_error is None:
            return report
    else:
        now = mock.workspace.clock()
        results = tuple(
            replace(grade_kata(mock, bank.get(k), now), hints=mock.workspace.hints_used(k))
            for k in mock.katas
        )
        report = MockReport(
            id=mock.data["id"],
            folder=str(mock.workspace.folder.resolve()),
            started_at=mock.data["started_at"],
            deadline=mock.deadline,
            finished_at=now,
            finished_early=now < mock.deadline,
            katas=results,
            overall=round(sum(r.score for r in results) / len(results), 1),
            comparison=Comparison(0, None, None, "unknown"),
        )
        mock.data["events"].append({"type": "finish", "at": now})
    report = record_in_history(history, report, mock.data["minutes"])
    mock.data["report"] = report_to_json(report)
    mock.workspace.save()
    return report


def record_in_history(history: History, report: MockReport, minutes: float) -> MockReport:
    """The report, stored in the history and compared with earlier mocks when it can be."""
    past = PastMock(
        report.id, report.folder, report.started_at, report.finished_at, minutes, report.overall, {}
    )
    rows = [
        {
            "kata": r.kata,
            "score": r.score,
            "late_score": r.late_score,
            "time_to_pass_s": r.time_to_pass_s,
            "checks": r.checks,
            "speed_ratio": r.speed_ratio,
            "hints": r.hints,
        }
        for r in report.katas
    ]
    try:
        history.record(past, rows)
        comparison = compare(history, report.id, report.overall)
    except HistoryError as error:
        return replace(report, history_error=str(error))
    return replace(report, comparison=comparison, history_error=None)


def report_to_json(report: MockReport) -> dict[str, Any]:
    return asdict(report)


def report_from_json(data: dict[str, Any]) -> MockReport:
    """A stored report (its shape checked with the rest of the mock's state)."""
    return MockReport(
        **{
            **data,
            "katas": tuple(MockKataResult(**k) for k in data["katas"]),
            "comparison": Comparison(**data["comparison"]),
        }
    )
