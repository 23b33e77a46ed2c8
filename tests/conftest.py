"""Shared fixtures: the bundled bank, and a fast copy of relu_backward with tight limits."""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.catalog import Bank, Kata, default_bank_root, open_bank

ROOT = Path(__file__).resolve().parent.parent
CORRECT_RELU = ROOT / "solutions" / "relu_backward.py"


@pytest.fixture(scope="session")
def bank() -> Bank:
    return open_bank()


@pytest.fixture(scope="session")
def fast_bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    """relu_backward with 1 s calls and a 6 s budget, so hostile files are quick to test."""
    root = tmp_path_factory.mktemp("fast-bank")
    source = default_bank_root()
    shutil.copytree(source / "katas" / "relu_backward", root / "katas" / "relu_backward")
    (root / "solutions").mkdir()
    shutil.copy(source / "solutions" / "relu_backward.py", root / "solutions")
    meta = root / "katas" / "relu_backward" / "kata.toml"
    text = re.sub(
        r"\[limits\][^\[]*",
        "[limits]\ncall_timeout_s = 1\nload_timeout_s = 5\nbudget_s = 6\n\n",
        meta.read_text(),
    )
    meta.write_text(text)
    return open_bank(root)


@pytest.fixture(scope="session")
def relu(fast_bank: Bank) -> Kata:
    return fast_bank.get("relu_backward")


@pytest.fixture
def learner_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write a learner's relu_backward.py from source text (dedented)."""

    def write(source: str, name: str = "relu_backward.py") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return path

    return write
