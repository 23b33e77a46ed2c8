"""Testing the hidden suites themselves: ``kata validate``.

For each kata: the reference must pass every test, the stub must fail every
test, each buggy version ("mutant") must be caught by a test whose message
contains the mutant's ``# expect:`` text, and each correct variant must score
100. Mutants and variants live in ``<meta>/<kata>/mutants/*.py`` and
``<meta>/<kata>/variants/*.py``; for the bundled bank ``<meta>`` is the
project's ``tests/bank``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Bank, Kata
from grader.pool import CheckTask, run_checks
from grader.results import CheckResult

EXPECT_LINE = re.compile(r"^#\s*expect:\s*(.+?)\s*$", re.MULTILINE)
VALIDATION_SEED = 20261125


@dataclass(frozen=True)
class Verdict:
    """One file of a kata's meta-check: what it is, whether it behaved, and why not."""

    kata: str
    role: str  # reference, stub, mutant, variant
    path: str
    ok: bool
    detail: str
    score: float
    duration_s: float


@dataclass(frozen=True)
class KataValidation:
    kata: str
    verdicts: tuple[Verdict, ...]

    def of_role(self, role: str) -> list[Verdict]:
        return [v for v in self.verdicts if v.role == role]

    def count(self, role: str) -> tuple[int, int]:
        verdicts = self.of_role(role)
        return sum(v.ok for v in verdicts), len(verdicts)

    @property
    def suite_time_s(self) -> float:
        reference = self.of_role("reference")
        return reference[0].duration_s if reference else 0.0

    @property
    def ok(self) -> bool:
        has_mutants = bool(self.of_role("mutant"))
        return has_mutants and all(v.ok for v in self.verdicts)


def judge(kata: Kata, role: str, path: Path, result: CheckResult) -> Verdict:
    """Decide whether one file's check came out as its role requires."""
    failures = [t.message for t in result.tests if not t.passed]
    if result.error:
        failures.append(result.error.message)
    if role == "reference" or role == "variant":
        ok = result.all_passed
        detail = "" if ok else (failures[0] if failures else "no tests ran")
        if ok and result.output:
            detail = "passes, but prints output"
    elif role == "stub":
        ok = result.error is None and result.total > 0 and result.passed == 0
        passed = [t.name for t in result.tests if t.passed]
        detail = (
            ""
            if ok
            else (result.error.message if result.error else f"the stub passes {', '.join(passed)}")
        )
    else:
        match = EXPECT_LINE.search(path.read_text(encoding="utf-8"))
        if not failures:
            ok, detail = False, "not caught: every test passes"
        elif match is None:
            ok, detail = (
                False,
                "caught, but the file has no '# expect: ...' line to check the message",
            )
        else:
            wanted = match.group(1).lower()
            ok = any(wanted in message.lower() for message in failures)
            detail = (
                "" if ok else f"caught, but no message mentions '{match.group(1)}': {failures[0]}"
            )
    return Verdict(kata.id, role, str(path), ok, detail, result.score, result.duration_s)


def subjects(kata: Kata, meta_root: Path | None) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    if kata.solution:
        found.append(("reference", kata.solution))
    found.append(("stub", kata.stub_path))
    if meta_root is not None:
        for role in ("mutant", "variant"):
            folder = meta_root / kata.id / f"{role}s"
            if folder.is_dir():
                found += [(role, path) for path in sorted(folder.glob("*.py"))]
    return found


def validate(
    bank: Bank,
    katas: Iterable[Kata],
    meta_root: Path | None,
    workers: int | None = None,
) -> list[KataValidation]:
    """Meta-check every kata, with checks run by the pool of trusted workers.

    A mutant only has to be caught, so its suite stops at the first failure; when
    that failure's message is not the expected one, the mutant is run again in full.
    """
    katas = list(katas)
    subjects_ = [(kata, role, path) for kata in katas for role, path in subjects(kata, meta_root)]
    verdicts: dict[int, Verdict] = {}

    def run(indices: list[int], stop_early: bool) -> None:
        tasks = [
            CheckTask(
                subjects_[i][0].id,
                str(subjects_[i][2]),
                1 if stop_early and subjects_[i][1] == "mutant" else None,
            )
            for i in indices
        ]

        def collect(
            position: int, _progress, result: CheckResult | None, error: str | None
        ) -> None:
            kata, role, path = subjects_[indices[position]]
            if result is None:
                verdicts[indices[position]] = Verdict(
                    kata.id, role, str(path), False, f"the grader failed: {error}", 0.0, 0.0
                )
            else:
                verdicts[indices[position]] = judge(kata, role, path, result)

        run_checks(bank, tasks, VALIDATION_SEED, workers or os.cpu_count() or 2, False, collect)

    run(list(range(len(subjects_))), stop_early=True)
    misjudged = [
        i for i, v in verdicts.items() if v.role == "mutant" and v.detail.startswith("caught, but")
    ]
    if misjudged:
        run(misjudged, stop_early=False)
    return [
        KataValidation(
            kata.id, tuple(verdicts[i] for i in sorted(verdicts) if subjects_[i][0].id == kata.id)
        )
        for kata in katas
    ]


def default_meta_root(bank: Bank) -> Path | None:
    folder = bank.root / "tests" / "bank"
    return folder if folder.is_dir() else None
