"""What a student sees of a check: the instructor's feedback policy, and the student's view.

A policy gives each test category (the suites' markers) one level:

- ``full``: test titles, outcomes and every message, with expected values;
- ``titles``: test titles, outcomes and the named likely mistake, no numbers;
- ``summary``: the category's counts only;
- ``after-due``: nothing until the due date, then full (Gradescope's
  ``after_due_date``; local files, handed out by hand, show nothing of it);
- ``hidden``: never shown to the student (Gradescope's ``hidden``).

``parse_policy("titles,gradients=full")`` reads the one-line syntax of ``--feedback``.
``kata_view`` applies a policy to one check's JSON (``CheckResult.to_json``); the
students' JSON, their Markdown feedback files and Gradescope's results.json are
all rendered from that one ``KataView``, so no view can show more than the policy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.errors import KataError
from grader.plugin import CATEGORIES
from grader.reports import printable, speed_text
from grader.results import NamedMistake, Speed

LEVELS = ("full", "titles", "summary", "after-due", "hidden")
SHOWN_NOW = ("full", "titles", "summary")  # levels a student sees before the due date
GRADESCOPE_VISIBILITY = {"after-due": "after_due_date", "hidden": "hidden"}  # else visible


@dataclass(frozen=True)
class FeedbackPolicy:
    """A level for each category: ``default`` unless ``categories`` names another."""

    default: str = "full"
    categories: tuple[tuple[str, str], ...] = ()

    def level(self, category: str) -> str:
        return dict(self.categories).get(category, self.default)

    @property
    def spec(self) -> str:
        """The policy in ``--feedback`` syntax (what ``parse_policy`` reads back)."""
        return ",".join([self.default, *(f"{c}={level}" for c, level in self.categories)])


FULL = FeedbackPolicy()


def parse_policy(spec: str) -> FeedbackPolicy:
    """``LEVEL`` and/or ``CATEGORY=LEVEL``, comma-separated: ``titles,gradients=full``.

    Raises ``KataError`` with one line naming what is wrong.
    """
    levels, categories = ", ".join(LEVELS), ", ".join(CATEGORIES)
    default: str | None = None
    chosen: dict[str, str] = {}
    for item in (part.strip() for part in spec.split(",")):
        category, equals, level = item.rpartition("=")
        category, level = category.strip(), level.strip()
        if level not in LEVELS:
            raise KataError(f"--feedback: unknown level {level!r} in {spec!r} (levels: {levels})")
        if not equals:
            if default is not None:
                raise KataError(
                    f"--feedback: two default levels in {spec!r}; give one, then CATEGORY=LEVEL"
                )
            default = level
        elif category not in CATEGORIES:
            raise KataError(
                f"--feedback: unknown category {category!r} in {spec!r} (categories: {categories})"
            )
        elif category in chosen:
            raise KataError(f"--feedback: {category} is given twice in {spec!r}")
        else:
            chosen[category] = level
    return FeedbackPolicy(default or "full", tuple(chosen.items()))


@dataclass(frozen=True)
class TestView:
    __test__ = False  # not a pytest test class, despite the name

    title: str
    case: str  # a parametrised test's case, "[2x3]", or ""
    outcome: str  # passed, failed, error, timeout
    mistake: str | None = None  # the named likely mistake: titles and full
    message: str | None = None  # the whole message, values included: full only


@dataclass(frozen=True)
class CategoryView:
    """One category of one kata: its counts, its share of the kata's points, its tests."""

    category: str
    level: str
    passed: int
    total: int
    weight_passed: float
    weight_total: float
    tests: tuple[TestView, ...] = ()  # empty unless the level shows titles


@dataclass(frozen=True)
class KataView:
    """What a student may see of one kata's check under a policy."""

    kata: str
    status: str  # scored, missing, rejected
    score: float
    passed: int = 0
    total: int = 0
    seed: int | None = None
    problem: str = ""  # why a file was rejected (its own syntax error, say)
    speed: str = ""
    categories: tuple[CategoryView, ...] = field(default_factory=tuple)


def missing_view(kata: str) -> KataView:
    return KataView(kata, "missing", 0.0, problem=f"no {kata}.py was handed in")


def kata_view(
    kata: str, result: dict[str, Any] | None, policy: FeedbackPolicy, *, deferred: bool = False
) -> KataView:
    """The policy applied to one check's JSON (``None``: the file was not handed in).

    ``deferred`` keeps the full detail of ``after-due`` and ``hidden`` categories, for a
    platform that withholds them itself (Gradescope's visibility); files handed out
    as they are must never have it.
    """
    if result is None:
        return missing_view(kata)
    seed = result.get("seed")
    if result.get("error"):
        error = result["error"]
        problem = printable(f"{error['kind']}: {error['message']}")
        return KataView(kata, "rejected", 0.0, seed=seed, problem=problem)
    tests = result["tests"]
    speed = Speed(**result["speed"]) if result.get("speed") else None
    all_passed = bool(tests) and all(t["outcome"] == "passed" for t in tests)
    categories = []
    for category in dict.fromkeys(t["category"] for t in tests):
        mine = [t for t in tests if t["category"] == category]
        level = policy.level(category)
        categories.append(
            CategoryView(
                category,
                level,
                sum(t["outcome"] == "passed" for t in mine),
                len(mine),
                sum(t["weight"] for t in mine if t["outcome"] == "passed"),
                sum(t["weight"] for t in mine),
                tuple(_test_view(t, level) for t in mine)
                if level in ("full", "titles") or (deferred and level not in SHOWN_NOW)
                else (),
            )
        )
    return KataView(
        kata,
        "scored",
        result["score"],
        result["passed"],
        result["total"],
        seed,
        speed=speed_text(speed, all_passed),
        categories=tuple(categories),
    )


def _test_view(test: dict[str, Any], level: str) -> TestView:
    name = test["name"]
    title, case = (
        printable(test["title"]),
        printable(name[name.index("[") :] if "[" in name else ""),
    )
    if test["outcome"] == "passed":
        return TestView(title, case, "passed")
    named = NamedMistake.from_json(test["mistake"]) if test.get("mistake") else None
    mistake = printable(named.text) if named else None
    message = printable(test["message"]) if level not in ("titles", "summary") else None
    return TestView(title, case, test["outcome"], mistake, message)


OUTCOME_WORDS = {"failed": "failed", "error": "raised an error", "timeout": "timed out"}


def category_markdown(category: CategoryView) -> list[str]:
    """A category as Markdown lines: counts, then each test at the level's detail."""
    lines = [f"Passed {category.passed} of {category.total}."]
    passing: dict[str, int] = {}  # a parametrised test's passing cases make one line
    for test in category.tests:
        if test.outcome == "passed":
            passing[test.title] = passing.get(test.title, 0) + 1
    lines += [f"- ✓ {title}" + (f" ({n} cases)" if n > 1 else "") for title, n in passing.items()]
    for test in category.tests:
        if test.outcome == "passed":
            continue
        label = f"{test.title} {test.case}".rstrip()
        line = f"- ✗ {label}: {OUTCOME_WORDS.get(test.outcome, test.outcome)}"
        if test.mistake and not test.message:  # a full message names it already
            line += f". Likely mistake: {test.mistake}"
        lines.append(line)
        if test.message:
            lines.append(indented_block(test.message))
    return lines


def indented_block(text: str) -> str:
    """``text`` as a Markdown code block inside a list item: shown as it is, never as markup."""
    return "\n".join(["", *(f"      {line}" for line in text.splitlines() or [""]), ""])


def kata_markdown(view: KataView) -> list[str]:
    """A kata's section of a student's feedback: score, speed, then categories shown now."""
    lines = [f"## {view.kata}: {view.score:g} / 100", ""]
    if view.status != "scored":
        return [*lines, f"Not graded: {view.problem}.", ""]
    lines += [f"Passed {view.passed} of {view.total} tests. Speed: {view.speed}.", ""]
    for category in view.categories:
        if category.level not in SHOWN_NOW:
            continue
        lines += [f"### {category.category}", "", *category_markdown(category), ""]
    later = [c.category for c in view.categories if c.level == "after-due"]
    if later:
        lines += [f"Details of {', '.join(later)} are released after the due date.", ""]
    return lines


def student_markdown(student: str, total: float, views: list[KataView]) -> str:
    """A student's feedback file: no file paths, no hidden test source, only what the policy shows."""
    seeds = sorted({v.seed for v in views if v.seed is not None})
    lines = [f"# Feedback for {printable(student)}", "", f"Total: {total:g} / 100"]
    if seeds:
        lines[-1] += f" (random inputs drawn with seed {', '.join(map(str, seeds))})"
    lines.append("")
    for view in views:
        lines += kata_markdown(view)
    return "\n".join(lines).rstrip() + "\n"
