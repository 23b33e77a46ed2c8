"""The pytest plugin the trusted runner loads: fixtures for suites, and verdict data.

It only collects. Fixtures hand a suite the learner's code as a proxy (``impl``)
and seeded randomness (``seed``, ``rng``); a metadata hook records each test's
category, title and learner-facing message into the pytest-json-report output,
and ``read_report`` (the one reader of that report) turns it into ``TestResult``s.
"""

from __future__ import annotations

import importlib.util
import zlib
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from grader.mistakes import error_mistake, identify
from grader.results import Figure, NamedMistake, TestResult, split_hint
from grader.sandbox.parent import (
    LearnerFailure,
    LearnerRaised,
    LearnerTimeout,
    RemoteModule,
    Sandbox,
)
from grader.suite import LIKELY, Mistake

CATEGORIES = {
    "values": "numeric values against an independent oracle",
    "shapes": "shapes and dtypes of results",
    "gradients": "analytic gradients against finite differences",
    "stability": "extreme inputs: finite results, no floating-point warnings",
    "contract": "the kata's conventions: inputs untouched, determinism, return types",
}


def failure_message(error: BaseException) -> tuple[str, str]:
    """The outcome kind and the one-line, source-free message for a failed test."""
    if isinstance(error, LearnerTimeout):
        return "timeout", str(error)
    if isinstance(error, LearnerFailure):
        return "error", str(error)
    if isinstance(error, Mistake):
        return "failed", str(error)
    if type(error) is AssertionError:
        return "failed", str(error).split("\n")[0] or "a check failed"
    return "error", f"the suite could not judge the result ({type(error).__name__}: {error})"


class KataPlugin:
    def __init__(self, sandbox: Sandbox, seed: int, reference_path: str | None = None) -> None:
        # Underscored: pytest reads a plugin's public attributes as fixture definitions.
        self._sandbox = sandbox
        self._seed = seed
        self._reference_path = reference_path
        self.final_report: dict[str, Any] | None = None
        self._figures: list[Figure] = []

    def pytest_configure(self, config: pytest.Config) -> None:
        for name, meaning in CATEGORIES.items():
            config.addinivalue_line("markers", f"{name}: test category: {meaning}")

    @pytest.fixture(scope="session")
    def impl(self) -> RemoteModule:
        """The learner's module; every call runs in the untrusted child."""
        return RemoteModule(self._sandbox)

    @pytest.fixture(scope="session")
    def seed(self) -> int:
        return self._seed

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        """A generator per test, from the recorded seed and the test's id (reproducible)."""
        return np.random.default_rng([self._seed, zlib.crc32(request.node.nodeid.encode())])

    @pytest.fixture(scope="session")
    def figures(self) -> list[Figure]:
        """Where a suite puts pictures for the learner (``grader.results.Figure``); unscored."""
        return self._figures

    def figures_drawn(self) -> list[Figure]:
        return [figure for figure in self._figures if isinstance(figure, Figure)]

    @pytest.fixture(scope="session")
    def reference(self) -> ModuleType:
        """The reference solution, imported here (it is trusted), for suites that need it."""
        if not self._reference_path:
            pytest.skip("this bank has no reference solution for the kata")
        spec = importlib.util.spec_from_file_location("kata_reference", self._reference_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    @pytest.hookimpl(optionalhook=True)
    def pytest_json_modifyreport(self, json_report: dict[str, Any]) -> None:
        """Keep the report in memory: a file on disk could be rewritten by learner processes."""
        self.final_report = json_report

    @pytest.hookimpl(optionalhook=True)
    def pytest_json_runtest_metadata(
        self, item: pytest.Item, call: pytest.CallInfo
    ) -> dict[str, Any]:
        categories = [mark.name for mark in item.iter_markers() if mark.name in CATEGORIES]
        doc = (getattr(item, "function", None).__doc__ or "").strip().split("\n")[0]
        meta: dict[str, Any] = {"category": categories[0] if categories else "values", "title": doc}
        if call.excinfo is not None and not call.excinfo.errisinstance(pytest.skip.Exception):
            kind, message = failure_message(call.excinfo.value)
            hint = getattr(call.excinfo.value, "hint", None)
            if isinstance(call.excinfo.value, LearnerRaised) and hint is None:
                hint = error_mistake(call.excinfo.value.error)
                message = f"{message} {LIKELY}: {hint}" if hint else message
            meta.update({"kind": kind, "message": message[:1500]})
            if isinstance(call.excinfo.value, (Mistake, LearnerRaised)) and isinstance(hint, str):
                # the check's own structured part, with its id when the suite named one
                meta["mistake"] = (
                    {"id": getattr(hint, "id", None), "text": hint[:500]} if hint else ""
                )
            flag = getattr(call.excinfo.value, "flag", None)
            if isinstance(call.excinfo.value, LearnerFailure) and flag:
                meta["flag"] = flag
        return meta


class ReportProblem(Exception):
    """The suite's report is missing, incomplete or self-contradictory: score nothing."""


def read_report(
    report: dict[str, Any] | None,
    exit_status: int,
    weight: Callable[[str], float],
    partial: bool = False,
    known: Mapping[str, str] | None = None,
) -> tuple[list[TestResult], list[str]]:
    """The tests of a finished suite, and the review flags their failures raised.

    Fails closed: anything short of a complete report raises ``ReportProblem``.
    ``partial`` accepts a report cut short by ``--maxfail`` (meta-checks only).
    ``known`` maps the kata's declared mistake texts to their ids
    (``grader.mistakes.by_text``), for mistakes a suite named in words only.
    """
    if exit_status not in (0, 1) or not isinstance(report, dict):
        raise ReportProblem(
            f"the hidden suite did not run to completion (pytest status {exit_status})"
        )
    entries = report.get("tests") or []
    collected = (report.get("summary") or {}).get("collected")
    complete = collected == len(entries) or (partial and len(entries) <= (collected or 0))
    if not entries or not complete:
        raise ReportProblem("the hidden suite's report is incomplete")
    tests, flags = [], []
    for entry in entries:
        meta = entry.get("metadata") or {}
        passed = (
            entry.get("outcome") == "passed" and entry.get("call", {}).get("outcome") == "passed"
        )
        duration = sum(
            entry.get(stage, {}).get("duration", 0.0) for stage in ("setup", "call", "teardown")
        )
        name = entry["nodeid"].split("::", 1)[-1]
        message = "" if passed else meta.get("message", "the test did not pass")
        mistake = None if passed else _mistake_of(meta, message, known or {})
        tests.append(
            TestResult(
                name=name,
                title=meta.get("title") or name,
                category=meta.get("category", "values"),
                outcome="passed" if passed else meta.get("kind", "failed"),
                message=message,
                duration_s=round(duration, 4),
                weight=weight(name),
                mistake=mistake,
            )
        )
        if not passed and meta.get("flag"):
            flags.append(meta["flag"])
    if exit_status == 0 and not all(test.passed for test in tests):
        raise ReportProblem("the hidden suite's report contradicts its exit status")
    return tests, list(dict.fromkeys(flags))


def _mistake_of(
    meta: dict[str, Any], message: str, known: Mapping[str, str]
) -> NamedMistake | None:
    """A failed test's named mistake: the check's own, else the one ending its message."""
    # A helper's Mistake names its mistake apart; otherwise it ends the message.
    found = meta["mistake"] if "mistake" in meta else split_hint(message)[1]
    if not found:
        return None
    if isinstance(found, dict) and found.get("id"):
        return NamedMistake(str(found["id"]), str(found["text"]))
    return identify(found["text"] if isinstance(found, dict) else found, known)
