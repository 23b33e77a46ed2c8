"""The naive grader the benchmarks compare with: a hidden suite run by plain pytest.

The learner's file is imported in-process by a throwaway conftest (no isolation,
no child process), as most autograders do.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CONFTEST = """
import importlib.util, pytest, numpy as np, zlib

def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

@pytest.fixture(scope="session")
def impl():
    return _load("learner", {learner!r})

@pytest.fixture(scope="session")
def reference():
    return _load("reference", {reference!r})

@pytest.fixture
def rng(request):
    return np.random.default_rng([1, zlib.crc32(request.node.nodeid.encode())])

def pytest_configure(config):
    for name in ("values", "shapes", "gradients", "stability", "contract"):
        config.addinivalue_line("markers", name)
"""


def write_naive_suite(folder: Path, kata, learner: Path) -> Path:
    """A folder that `python -m pytest FOLDER` grades ``learner`` in, the naive way."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(kata.suite_path, folder / "test_suite.py")
    (folder / "conftest.py").write_text(
        CONFTEST.format(learner=str(learner), reference=str(kata.solution))
    )
    (folder / "pytest.ini").write_text("[pytest]\n")
    return folder
