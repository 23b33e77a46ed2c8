"""How many tests a kata's hidden suite holds, found by collecting it with pytest.

A rejected file runs no test, yet its report should say how many the kata has
("none of the kata's 25 tests ran") rather than "0 of 0". Collecting imports
only the suite, which is trusted; no learner code runs and no test is called.
It costs about as much as pytest's start, so it is done only for such reports.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import TYPE_CHECKING

from grader.catalog import Kata

if TYPE_CHECKING:
    import pytest


class _Counter:
    """A pytest plugin that only remembers how many tests were collected."""

    def __init__(self) -> None:
        self.count: int | None = None

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.count = len(session.items)


def count_tests(kata: Kata) -> int | None:
    """The number of tests in ``kata``'s suite, or None if it cannot be collected."""
    import pytest  # only reports of rejected files pay for importing it

    counter = _Counter()
    args = [
        str(kata.suite_path),
        "--collect-only",
        "-q",
        "-c",
        os.devnull,
        # As the runner does, so the suite is imported under the same module name.
        "--rootdir",
        str(kata.folder.parent),
        "--confcutdir",
        str(kata.folder),
        "--import-mode=importlib",
        "--assert=plain",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore",  # the suites' category markers are registered by the runner's plugin
    ]
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        status = pytest.main(args, plugins=[counter])
    return counter.count if status == pytest.ExitCode.OK else None
