"""What ``kata validate`` checks in a suite's source before running it: its authoring rules.

Each hidden test needs exactly one category marker (the feedback policy and the
per-category scores rest on it) and a docstring (its first line is the title a
learner sees); every name in ``kata.toml``'s ``[weights]`` must be a test of the
suite, or a typo silently weighs nothing; every ``named("<id>")`` must be a mistake
the kata declares (``mistakes.toml``) or a common one, and every declared mistake
should be used. Read from the source with ``ast``, so a broken suite is reported here
too, and nothing of it is imported or run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from grader.catalog import Kata
from grader.errors import BadBank
from grader.mistakes import COMMON, COMMON_TEXTS, DECLARATION, load_declared
from grader.plugin import CATEGORIES


@dataclass(frozen=True)
class SuiteTest:
    """One test function as written in a suite: its name, markers and docstring."""

    name: str
    categories: tuple[str, ...]
    docstring: str


def suite_tests(source: str) -> list[SuiteTest]:
    """The ``test_*`` functions of a suite (module level and in ``Test*`` classes)."""
    tree = ast.parse(source)
    module_marks = _marks_of_assignment(tree.body)
    found = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            class_marks = _decorator_marks(node) + _marks_of_assignment(node.body)
            functions = [n for n in node.body if _is_test(n)]
        else:
            class_marks, functions = [], [node] if _is_test(node) else []
        for function in functions:
            marks = module_marks + class_marks + _decorator_marks(function)
            found.append(
                SuiteTest(
                    function.name,
                    tuple(mark for mark in marks if mark in CATEGORIES),
                    ast.get_docstring(function) or "",
                )
            )
    return found


def _is_test(node: ast.stmt) -> bool:
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
        "test"
    )


def _mark_name(expression: ast.expr) -> str | None:
    """``X`` of ``pytest.mark.X``, ``mark.X`` or either called with arguments."""
    if isinstance(expression, ast.Call):
        expression = expression.func
    if isinstance(expression, ast.Attribute):
        owner = expression.value
        if (isinstance(owner, ast.Attribute) and owner.attr == "mark") or (
            isinstance(owner, ast.Name) and owner.id == "mark"
        ):
            return expression.attr
    return None


def _decorator_marks(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[str]:
    return [name for d in node.decorator_list if (name := _mark_name(d))]


def _marks_of_assignment(body: list[ast.stmt]) -> list[str]:
    """Marks given to every test by ``pytestmark = pytest.mark.X`` (or a list of them)."""
    marks: list[str] = []
    for node in body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets
        ):
            values = (
                node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
            )
            marks += [name for value in values if (name := _mark_name(value))]
    return marks


def authoring_problems(kata: Kata) -> list[str]:
    """One line per authoring fault of the kata's suite and weights, each naming the test."""
    source = kata.suite_path.read_text(encoding="utf-8")
    where = f"katas/{kata.id}/suite.py"
    try:
        tests = suite_tests(source)
    except SyntaxError as error:
        return [f"{where} does not parse (line {error.lineno}): {error.msg}"]
    problems = []
    listed = ", ".join(CATEGORIES)
    for test in tests:
        if len(test.categories) != 1:
            have = f"has {', '.join(test.categories)}" if test.categories else "has none"
            problems.append(
                f"{where}: {test.name} needs exactly one category marker ({listed}); it {have}"
            )
        if not test.docstring.strip():
            problems.append(
                f"{where}: {test.name} has no docstring; its first line is the title learners see"
            )
    problems += mistake_problems(kata, ast.parse(source))
    names = {test.name for test in tests}
    for weighted in kata.weights:
        if weighted not in names:
            problems.append(
                f"katas/{kata.id}/kata.toml: [weights] names {weighted}, which is not a test "
                f"of {where} (a typo weighs nothing)"
            )
    return problems


def named_in(tree: ast.Module) -> tuple[list[str], set[str]]:
    """The ids a suite names with ``named("...")``, and those it names but never uses.

    A module-level ``X = named("id")`` is used when ``X`` is read somewhere; a
    ``named("id")`` written anywhere else is a use in itself.
    """
    constants: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and (slug := _named_id(node.value))
        ):
            constants[node.targets[0].id] = slug
    ids = [slug for node in ast.walk(tree) if (slug := _named_id(node))]
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    inline = len(ids) - len(constants)
    unused = {slug for name, slug in constants.items() if name not in read}
    if inline:  # a constant's id may be named again inline: that is a use too
        unused -= {slug for slug in ids if ids.count(slug) > 1}
    return ids, unused


def _named_id(node: ast.AST) -> str | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "named"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def mistake_problems(kata: Kata, tree: ast.Module) -> list[str]:
    """Named mistakes the declaration lacks, and declared ones no test names, one line each."""
    where = f"katas/{kata.id}/{DECLARATION}"
    try:
        declared = load_declared(kata.folder)
    except BadBank as error:
        return [str(error)]
    ids, unused = named_in(tree)
    problems = [
        f"katas/{kata.id}/suite.py names the mistake '{slug}', which {where} does not declare"
        for slug in dict.fromkeys(ids)
        if slug not in declared and not _is_common(slug)
    ]
    problems += [
        f"{where} declares '{slug}', which no test of the suite uses"
        for slug in declared
        if slug not in ids or slug in unused
    ]
    return problems


def _is_common(slug: str) -> bool:
    prefix = f"{COMMON}/"
    return slug.startswith(prefix) and slug[len(prefix) :] in COMMON_TEXTS
