"""Testing the hidden suites themselves: ``kata validate``.

For each kata: the reference must pass every test, the stub must fail every
test, each buggy version ("mutant") must be caught by a test whose message
contains the mutant's expected text (or, when ``expect`` is a mistake id such as
``relu_backward/derivative-at-zero``, whose first failure carries that id), and each
correct variant must score 100. Each kata's declared mistake ids are listed.
Mutants are edits of the reference listed in ``<meta>/<kata>/mutants.toml``, or
whole files in ``<meta>/<kata>/mutants/`` (see ``grader.mutants``); variants are
whole files in ``<meta>/<kata>/variants/``. For the bundled bank ``<meta>`` is
the project's ``tests/bank``. Authoring faults (a test without one category
marker or a docstring, an unknown name in ``[weights]``; ``grader.suite_lint``)
are listed with what the kata still lacks.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import Bank, Kata
from grader.errors import BadBank
from grader.mistakes import load_declared
from grader.mutants import MUTANTS_FILE, build, load_mutants
from grader.pool import CheckTask, run_checks
from grader.results import CheckResult
from grader.scaffold import FOLLOWUPS, HINT_COUNT, MIN_MUTANTS, MIN_VARIANTS, placeholders
from grader.suite_lint import authoring_problems

VALIDATION_SEED = 20261125
MISTAKE_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Verdict:
    """One file of a kata's meta-check: what it is, whether it behaved, and why not."""

    kata: str
    role: str  # reference, stub, mutant, variant
    name: str  # the file, or mutants.toml:<name> for a mutant built from edits
    ok: bool
    detail: str
    score: float
    duration_s: float


@dataclass(frozen=True)
class KataValidation:
    kata: str
    verdicts: tuple[Verdict, ...]
    todo: tuple[str, ...] = ()  # what the kata still lacks, for its author
    mutants_listed: int = 0  # all of them, checked or not (see max_mutants)
    variants_listed: int = 0  # likewise (see max_variants)
    mistakes: tuple[str, ...] = ()  # the ids the kata declares

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
        return not self.todo and all(v.ok for v in self.verdicts)


@dataclass(frozen=True)
class Subject:
    """A file to check in a kata's meta-check, with what its check must show."""

    role: str  # reference, stub, mutant, variant
    path: Path  # for a mutant built from edits, the file built in a scratch folder
    label: str  # how reports name it
    expect: str = ""  # for a mutant: text a failure message must contain
    problem: str = ""  # the subject could not even be built (a stale edit, say)


def judge(kata: Kata, subject: Subject, result: CheckResult) -> Verdict:
    """Decide whether one file's check came out as its role requires."""
    role = subject.role
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
    elif not failures:
        ok, detail = False, "not caught: every test passes"
    elif names_a_mistake(subject.expect, kata.id):
        first = next((t.mistake for t in result.tests if not t.passed), None)
        named = first.id if first is not None and first.id else "no mistake id"
        ok = named == subject.expect
        detail = "" if ok else f"caught, but its first failure names {named}, not {subject.expect}"
    else:
        ok = any(subject.expect.lower() in message.lower() for message in failures)
        detail = "" if ok else f"caught, but no message mentions '{subject.expect}': {failures[0]}"
    return Verdict(kata.id, role, subject.label, ok, detail, result.score, result.duration_s)


def names_a_mistake(expect: str, kata_id: str) -> bool:
    """Whether a mutant's ``expect`` is a mistake id (``<kata>/<slug>``, ``common/<slug>``),
    not a piece of message text such as ``1/size``."""
    owner, _, slug = expect.partition("/")
    return owner in (kata_id, "common") and bool(MISTAKE_SLUG.match(slug))


def subjects(kata: Kata, meta_root: Path | None, scratch: Path) -> list[Subject]:
    """The reference, the stub, then the mutants (built into ``scratch``) and the variants."""
    found: list[Subject] = []
    if kata.solution:
        found.append(Subject("reference", kata.solution, kata.solution.name))
    found.append(Subject("stub", kata.stub_path, "stub.py"))
    if meta_root is None:
        return found
    folder = meta_root / kata.id
    built = scratch / kata.id
    built.mkdir(parents=True, exist_ok=True)
    try:
        mutants = load_mutants(folder)
    except BadBank as error:
        return [*found, Subject("mutant", folder / MUTANTS_FILE, MUTANTS_FILE, problem=str(error))]
    for mutant in mutants:
        try:
            path = build(mutant, kata.solution, built)
        except BadBank as error:
            found.append(Subject("mutant", mutant.source, mutant.label, problem=str(error)))
        else:
            found.append(Subject("mutant", path, mutant.label, mutant.expect))
    variants = folder / "variants"
    if variants.is_dir():
        found += [Subject("variant", path, path.name) for path in sorted(variants.glob("*.py"))]
    return found


def validate(
    bank: Bank,
    katas: Iterable[Kata],
    meta_root: Path | None,
    workers: int | None = None,
    max_mutants: int | None = None,
    max_variants: int | None = None,
) -> list[KataValidation]:
    """Meta-check every kata, with checks run by the pool of trusted workers.

    A mutant only has to be caught, so its suite stops at the first failure; when
    that failure's message is not the expected one, the mutant is run again in full.
    With ``max_mutants``, only each kata's first mutants (in listed order) are checked;
    every mutant is still built, so an edit that no longer applies is always reported.
    ``max_variants`` likewise keeps each kata's first correct variants.
    """
    katas = list(katas)
    with tempfile.TemporaryDirectory(prefix="kata-mutants-") as scratch:
        found = {kata.id: subjects(kata, meta_root, Path(scratch)) for kata in katas}
        listed = [
            (kata, subject)
            for kata in katas
            for subject in sampled(found[kata.id], max_mutants, max_variants)
        ]
        verdicts = {
            i: Verdict(kata.id, subject.role, subject.label, False, subject.problem, 0.0, 0.0)
            for i, (kata, subject) in enumerate(listed)
            if subject.problem
        }

        def run(indices: list[int], stop_early: bool) -> None:
            tasks = [
                CheckTask(
                    listed[i][0].id,
                    str(listed[i][1].path),
                    1 if stop_early and listed[i][1].role == "mutant" else None,
                )
                for i in indices
            ]

            def collect(
                position: int, _progress, result: CheckResult | None, error: str | None
            ) -> None:
                kata, subject = listed[indices[position]]
                verdicts[indices[position]] = (
                    judge(kata, subject, result)
                    if result is not None
                    else Verdict(
                        kata.id,
                        subject.role,
                        subject.label,
                        False,
                        f"the grader failed: {error}",
                        0.0,
                        0.0,
                    )
                )

            run_checks(bank, tasks, VALIDATION_SEED, workers or os.cpu_count() or 2, False, collect)

        run([i for i in range(len(listed)) if i not in verdicts], stop_early=True)
        misjudged = [
            i
            for i, v in verdicts.items()
            if v.role == "mutant" and v.detail.startswith("caught, but")
        ]
        if misjudged:
            run(misjudged, stop_early=False)
    results = []
    for kata in katas:
        mine = tuple(verdicts[i] for i in sorted(verdicts) if listed[i][0].id == kata.id)
        left = todo(bank, kata, found[kata.id], meta_root)
        roles = [subject.role for subject in found[kata.id]]
        results.append(
            KataValidation(
                kata.id,
                mine,
                tuple(left),
                roles.count("mutant"),
                roles.count("variant"),
                declared_ids(kata),
            )
        )
    return results


def declared_ids(kata: Kata) -> tuple[str, ...]:
    """The kata's mistake ids (a broken declaration is in its to-do list instead)."""
    try:
        return tuple(f"{kata.id}/{slug}" for slug in load_declared(kata.folder))
    except BadBank:
        return ()


def sampled(
    found: list[Subject], max_mutants: int | None, max_variants: int | None = None
) -> list[Subject]:
    """Every subject, but only the first ``max_mutants`` mutants that could be built,
    and the first ``max_variants`` variants."""
    limits = {"mutant": max_mutants, "variant": max_variants}
    kept, seen = [], dict.fromkeys(limits, 0)
    for subject in found:
        limit = limits.get(subject.role)
        if limit is not None and not subject.problem:
            seen[subject.role] += 1
            if seen[subject.role] > limit:
                continue
        kept.append(subject)
    return kept


def todo(bank: Bank, kata: Kata, found: list[Subject], meta_root: Path | None) -> list[str]:
    """What a kata lacks before it is done, beyond its files' verdicts: the author's list."""
    left = placeholders(bank, kata) + authoring_problems(kata)
    coaching = kata.coaching
    if len(coaching.hints) != HINT_COUNT or not (
        FOLLOWUPS[0] <= len(coaching.followups) <= FOLLOWUPS[1]
    ):
        left.append(
            f"katas/{kata.id}/hints.toml has {len(coaching.hints)} hints and "
            f"{len(coaching.followups)} follow-up questions: it needs {HINT_COUNT} hints "
            f"(a nudge, the key idea, the classic pitfall) and {FOLLOWUPS[0]} or "
            f"{FOLLOWUPS[1]} follow-ups"
        )
    if kata.solution is None:
        left.append(f"no reference: write solutions/{kata.id}.py")
    if meta_root is not None:
        mutants = sum(subject.role == "mutant" for subject in found)
        variants = sum(subject.role == "variant" for subject in found)
        where = meta_root / kata.id
        if mutants < MIN_MUTANTS:
            left.append(
                f"{mutants} mutants: list at least {MIN_MUTANTS} buggy versions in "
                f"{where / MUTANTS_FILE}"
            )
        if variants < MIN_VARIANTS:
            left.append(
                f"{variants} correct variants: add at least {MIN_VARIANTS} correct files "
                f"written in other styles to {where / 'variants'}"
            )
    return left


def default_meta_root(bank: Bank) -> Path | None:
    folder = bank.root / "tests" / "bank"
    return folder if folder.is_dir() else None
