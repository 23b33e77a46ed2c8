"""Gradescope done right: a bundle's run_autograder in a fake /autograder root."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.gradescope import grade_submission

BUGGY = "x >= 0"


@pytest.fixture
def autograder(tmp_path, fast_bank) -> Path:
    """A fake /autograder: run_autograder from a bundle, this venv as the one setup.sh makes."""
    bundle = tmp_path / "autograder.zip"
    made = CliRunner().invoke(
        main,
        ["gradescope-bundle", str(bundle), "--bank", str(fast_bank.root), "--points", "20"],
    )
    assert made.exit_code == 0, made.output
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "kata-venv").symlink_to(sys.prefix)
    script = zipfile.ZipFile(bundle).read("run_autograder").decode()
    assert "root=/autograder\n" in script
    (root / "run_autograder").write_text(script.replace("root=/autograder\n", f"root={root}\n"))
    return root


def run_autograder(root: Path, fast_bank) -> tuple[int, dict]:
    """One Gradescope run: its exit status and the results.json it left."""
    results = root / "results" / "results.json"
    results.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "KATA_RUNNER"}
    env["KATA_BANK"] = str(fast_bank.root)
    done = subprocess.run(
        ["bash", str(root / "run_autograder")], env=env, capture_output=True, timeout=120
    )
    return done.returncode, json.loads(results.read_text())


def test_the_same_file_scores_the_same_in_five_runs_with_the_seed_shown(autograder, fast_bank):
    solution = (fast_bank.root / "solutions" / "relu_backward.py").read_text()
    (autograder / "submission" / "relu_backward.py").write_text(solution.replace("x > 0", BUGGY))
    runs = [run_autograder(autograder, fast_bank) for _ in range(5)]
    assert {status for status, _ in runs} == {0}
    assert len({results["score"] for _, results in runs}) == 1
    assert 0 < runs[0][1]["score"] < 20
    seeds = {results["extra_data"]["seed"] for _, results in runs}
    assert len(seeds) == 1 and f"seed {seeds.pop()}" in runs[0][1]["output"]
    assert runs[0][1]["extra_data"]["feedback"] == "titles"  # the bundle's default
    assert len(runs[0][1]["tests"]) <= 5  # one entry per category, not one per test


def test_a_directory_named_like_the_kata_file_still_gives_results(autograder, fast_bank):
    (autograder / "submission" / "relu_backward.py").mkdir()
    status, results = run_autograder(autograder, fast_bank)
    assert status == 0 and results["score"] == 0
    assert results["tests"][0]["name"] == "relu_backward: file missing"


@pytest.mark.parametrize(
    "hand_in",
    [
        pytest.param(lambda folder: None, id="empty"),
        pytest.param(lambda folder: folder.rmdir(), id="no-submission-folder"),
        pytest.param(
            lambda folder: (folder / "hw.zip").write_bytes(b"PK\x03\x04not a zip"), id="bad-zip"
        ),
        pytest.param(
            lambda folder: (folder / "relu_backward.py").write_text("import os\nos._exit(9)\n"),
            id="kills-its-child",
        ),
    ],
)
def test_any_submission_yields_results_json(tmp_path, fast_bank, hand_in):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    hand_in(root / "submission")
    results = grade_submission([fast_bank.get("relu_backward")], root, 3, timing=False)
    assert json.loads((root / "results" / "results.json").read_text()) == results
    assert results["score"] == 0 and results["extra_data"]["seed"] == 3
    assert str(tmp_path) not in json.dumps(results)


def test_a_grader_failure_still_leaves_results_json_and_is_raised(tmp_path, fast_bank, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug in the grader")

    monkeypatch.setattr("grader.gradescope.discover_one", broken)
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with pytest.raises(RuntimeError):
        grade_submission([fast_bank.get("relu_backward")], root, 3)
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "autograder itself failed" in results["output"]
