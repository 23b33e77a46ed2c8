"""Which tests a text report shows: ``kata check -k PATTERN`` and ``--failed-only``.

A selection filters what is shown, never what runs: every test of the hidden
suite still runs and counts in the score, so a verdict read through a selection
is the same verdict. ``PATTERN`` uses pytest's ``-k`` syntax: words joined with
``and``, ``or``, ``not`` and parentheses, each word matching a test when it is
part of the test's name, title or category (case-insensitive).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from grader.results import TestResult

Matcher = Callable[[str], bool]  # the test's name, title and category, lower-cased
TOKEN = re.compile(r"\(|\)|[^\s()]+")
OPERATORS = ("and", "or", "not")


def parse_pattern(pattern: str) -> Matcher:
    """Compile a ``-k`` pattern; raises ``ValueError`` saying what is wrong with it."""
    tokens = TOKEN.findall(pattern)
    if not tokens:
        raise ValueError("the pattern is empty")
    parser = _Parser(tokens)
    matcher = parser.either()
    if parser.position < len(tokens):
        raise ValueError(f"unexpected {tokens[parser.position]!r} in {pattern!r}")
    return matcher


class _Parser:
    """Recursive descent: either := both ('or' both)*; both := single ('and' single)*."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0

    def _take(self, token: str) -> bool:
        if self.position < len(self.tokens) and self.tokens[self.position] == token:
            self.position += 1
            return True
        return False

    def either(self) -> Matcher:
        left = self.both()
        while self._take("or"):
            left = _any_of(left, self.both())
        return left

    def both(self) -> Matcher:
        left = self.single()
        while self._take("and"):
            left = _all_of(left, self.single())
        return left

    def single(self) -> Matcher:
        if self._take("not"):
            inner = self.single()
            return lambda text: not inner(text)
        if self._take("("):
            inner = self.either()
            if not self._take(")"):
                raise ValueError("a '(' is not closed")
            return inner
        if self.position == len(self.tokens):
            raise ValueError("the pattern ends where a word was expected")
        word = self.tokens[self.position]
        if word in OPERATORS or word == ")":
            raise ValueError(f"unexpected {word!r} where a word was expected")
        self.position += 1
        return lambda text: word.lower() in text


def _any_of(left: Matcher, right: Matcher) -> Matcher:
    return lambda text: left(text) or right(text)


def _all_of(left: Matcher, right: Matcher) -> Matcher:
    return lambda text: left(text) and right(text)


@dataclass(frozen=True)
class Selection:
    pattern: str | None = None
    failed_only: bool = False
    _matcher: Matcher | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.pattern is not None:  # a bad pattern fails here, not while rendering
            object.__setattr__(self, "_matcher", parse_pattern(self.pattern))

    @property
    def active(self) -> bool:
        return self.pattern is not None or self.failed_only

    def shows(self, test: TestResult) -> bool:
        if self.failed_only and test.passed:
            return False
        if self._matcher is None:
            return True
        return self._matcher("\n".join((test.name, test.title, test.category)).lower())

    def describe(self) -> str:
        """E.g. "failing tests matching -k 'grad and not shape'"."""
        which = "failing tests" if self.failed_only else "tests"
        return which + (f" matching -k {self.pattern!r}" if self.pattern is not None else "")
