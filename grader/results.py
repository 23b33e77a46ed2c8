"""The verdict as data: what a check found, and its stable JSON form.

``CheckResult.to_json`` is the one place the JSON interface is produced; the
README documents it and scripts, mock interviews and the gradebook read it.
``CheckJob`` (engine to runner) and ``RunRecord`` (runner to engine) are the one
typed definition of what crosses between the engine and the trusted runner, in
whichever process the runner works.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

JSON_VERSION = 1
HINT = "Likely mistake: "  # how the suites' helpers name a mistake, last in a message


def split_hint(message: str) -> tuple[str, str | None]:
    """A failure message without its closing "Likely mistake: ...", and that mistake.

    The suite's helpers append the hint last, so the last one is the suite's own
    (a learner's exception message quoted earlier cannot take its place).
    """
    head, found, hint = message.rpartition(HINT)
    if not found or not hint.strip():
        return message, None
    return head.rstrip(), hint.strip()


OUTCOMES = ("passed", "failed", "error", "timeout")


@dataclass(frozen=True)
class NamedMistake:
    """The classic mistake a failure's signature matches: its stable id and learner text.

    ``id`` is ``<kata>/<slug>`` (or ``common/<slug>``) as declared in the kata's
    ``mistakes.toml`` (``grader.mistakes``); ``None`` for a mistake named in words
    only (results recorded before ids, or a bank that declares none).
    """

    id: str | None
    text: str

    @classmethod
    def from_json(cls, data: dict[str, Any] | str) -> NamedMistake:
        """The JSON form, or the bare text that older results hold."""
        if isinstance(data, str):
            return cls(None, data)
        return cls(data.get("id"), data["text"])


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest test class, despite the name

    name: str
    title: str
    category: str
    outcome: str
    message: str
    duration_s: float
    weight: float = 1.0
    mistake: NamedMistake | None = None  # the likely mistake the message names, if any

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TestResult:
        """A test as ``asdict`` wrote it, then or in older versions (mistake as text)."""
        mistake = data.get("mistake")
        return cls(**{**data, "mistake": NamedMistake.from_json(mistake) if mistake else None})


@dataclass(frozen=True)
class Speed:
    learner_s: float | None
    reference_s: float
    ratio: float | None
    capped: bool = False
    note: str = ""


@dataclass(frozen=True)
class Figure:
    """A picture a suite draws for the learner from data it already has; never scored.

    ``curves``: one list of values per named series (a loss per epoch: the learner's
    and the reference's). ``regions``: the class predicted on each cell of a grid over
    the unit square, rows from y = 1 down to y = 0, columns from x = 0 to x = 1.
    """

    kind: str  # curves, regions
    title: str
    series: dict[str, list[float]] = field(default_factory=dict)
    grid: list[list[int]] = field(default_factory=list)


@dataclass(frozen=True)
class CheckError:
    """Why a file was rejected before or instead of running its tests."""

    kind: str  # syntax, encoding, forbidden_import, load, missing_definition, internal
    message: str


@dataclass(frozen=True)
class CheckResult:
    kata: str
    file: str
    seed: int
    tests: tuple[TestResult, ...] = ()
    error: CheckError | None = None
    speed: Speed | None = None
    elapsed_since_start_s: float | None = None
    flags: tuple[str, ...] = ()
    output: str = ""
    duration_s: float = 0.0
    confinement: str | None = None  # what confined the learner's child, as it reported
    figures: tuple[Figure, ...] = ()

    @property
    def passed(self) -> int:
        return sum(test.passed for test in self.tests)

    @property
    def failed(self) -> int:
        return len(self.tests) - self.passed

    @property
    def total(self) -> int:
        return len(self.tests)

    @property
    def score(self) -> float:
        """Correctness only: 100 x passed weight / total weight (0 for a rejected file)."""
        total = sum(test.weight for test in self.tests)
        if self.error is not None or total == 0:
            return 0.0
        return round(100.0 * sum(t.weight for t in self.tests if t.passed) / total, 1)

    @property
    def all_passed(self) -> bool:
        return self.error is None and self.total > 0 and self.failed == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "version": JSON_VERSION,
            "kata": self.kata,
            "file": self.file,
            "seed": self.seed,
            "score": self.score,
            "passed": self.passed,
            "failed": self.failed,
            "total": self.total,
            "tests": [asdict(test) for test in self.tests],
            "speed": asdict(self.speed) if self.speed else None,
            "elapsed_since_start_s": self.elapsed_since_start_s,
            "error": asdict(self.error) if self.error else None,
            "flags": list(self.flags),
            "output": self.output,
            "duration_s": round(self.duration_s, 3),
            "confinement": self.confinement,
            "figures": [asdict(figure) for figure in self.figures],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        """The result ``to_json`` gave (its derived counts and score are recomputed)."""
        return cls(
            kata=data["kata"],
            file=data["file"],
            seed=int(data["seed"]),
            tests=tuple(TestResult.from_json(test) for test in data["tests"]),
            error=CheckError(**data["error"]) if data["error"] else None,
            speed=Speed(**data["speed"]) if data["speed"] else None,
            elapsed_since_start_s=data["elapsed_since_start_s"],
            flags=tuple(data["flags"]),
            output=data["output"],
            duration_s=float(data["duration_s"]),
            confinement=data["confinement"],
            figures=tuple(Figure(**figure) for figure in data["figures"]),
        )


@dataclass(frozen=True)
class CheckJob:
    """What the engine asks of the trusted runner: one file, one kata, one seed."""

    kata_folder: str
    solutions: str
    file: str  # the grader's private copy of the learner's file
    shown_name: str  # the learner's own file name, for messages
    seed: int
    timing: bool
    out: str  # a folder of the engine's, which learner code never writes
    max_failures: int | None = None


@dataclass(frozen=True)
class RunRecord:
    """What the runner found; the engine adds the static scan and the timing."""

    tests: tuple[TestResult, ...] = ()
    error: CheckError | None = None
    speed: Speed | None = None
    flags: tuple[str, ...] = ()
    confinement: str | None = None
    output: str = ""
    leftover_processes: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)
    figures: tuple[Figure, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunRecord:
        return cls(
            tests=tuple(TestResult.from_json(test) for test in data["tests"]),
            error=CheckError(**data["error"]) if data["error"] else None,
            speed=Speed(**data["speed"]) if data["speed"] else None,
            flags=tuple(data["flags"]),
            confinement=data["confinement"],
            output=data["output"],
            leftover_processes=int(data["leftover_processes"]),
            notes=tuple(data["notes"]),
            figures=tuple(Figure(**figure) for figure in data.get("figures", [])),
        )
