"""Shared fixtures: the bundled bank, and a fast copy of relu_backward with tight limits."""

from __future__ import annotations

import re
import shutil
import signal
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.catalog import Bank, Kata, default_bank_root, open_bank

ROOT = Path(__file__).resolve().parent.parent
CORRECT_RELU = ROOT / "solutions" / "relu_backward.py"


TEST_TIME_LIMIT_S = 180  # a hang fails its test fast instead of eating CI's limit


@pytest.fixture(autouse=True)
def _runner_in_a_process_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI tests must not turn the pytest process into a runner (a subreaper, memory-capped)."""
    monkeypatch.setenv("KATA_RUNNER", "subprocess")


@pytest.fixture(autouse=True)
def _history_of_this_test_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Checks and mocks go to a history of the test's own, never the user's."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "requires_landlock: needs a kernel with Landlock (skipped elsewhere)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    from grader.sandbox.confine import landlock_abi

    if landlock_abi() is None:
        skip = pytest.mark.skip(reason="Landlock is not available on this kernel")
        for item in items:
            if item.get_closest_marker("requires_landlock"):
                item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    """Fail a test that runs past TEST_TIME_LIMIT_S, with where it was."""

    def expired(_signal: int, _frame: object) -> None:
        raise TimeoutError(f"{item.nodeid} ran past {TEST_TIME_LIMIT_S} s")

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_TIME_LIMIT_S)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def bank() -> Bank:
    return open_bank()


def relu_bank(root: Path, limits: str) -> Bank:
    """A bank in ``root`` holding relu_backward with its ``[limits]`` table replaced."""
    source = default_bank_root()
    shutil.copytree(source / "katas" / "relu_backward", root / "katas" / "relu_backward")
    (root / "solutions").mkdir()
    shutil.copy(source / "solutions" / "relu_backward.py", root / "solutions")
    meta = root / "katas" / "relu_backward" / "kata.toml"
    meta.write_text(re.sub(r"\[limits\][^\[]*", f"[limits]\n{limits}\n\n", meta.read_text()))
    return open_bank(root)


@pytest.fixture(scope="session")
def fast_bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    """relu_backward with 1 s calls and a 10 s budget: hostile files are quick to test, and a
    correct file still loads and passes on a busy 2-core machine."""
    limits = "call_timeout_s = 1\nload_timeout_s = 10\nbudget_s = 10"
    return relu_bank(tmp_path_factory.mktemp("fast-bank"), limits)


@pytest.fixture(scope="session")
def relu(fast_bank: Bank) -> Kata:
    return fast_bank.get("relu_backward")


@pytest.fixture(scope="session")
def spin_relu(tmp_path_factory: pytest.TempPathFactory) -> Kata:
    """relu_backward that gives a file 3 s to load: for files that spin at import on purpose."""
    limits = "call_timeout_s = 1\nload_timeout_s = 3\nbudget_s = 10"
    return relu_bank(tmp_path_factory.mktemp("spin-bank"), limits).get("relu_backward")


@pytest.fixture
def learner_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write a learner's relu_backward.py from source text (dedented)."""

    def write(source: str, name: str = "relu_backward.py") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return path

    return write
