"""Instructor grading end to end on a small synthetic class."""

from __future__ import annotations

import csv
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.gradebook import Gradebook
from grader.grading import plan_jobs, run_jobs
from grader.submissions import discover

BUGGY = "x >= 0"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def klass(tmp_path, fast_bank) -> Path:
    """Five students: correct, buggy, forbidden import, a zip, and one with nothing."""
    solution = (fast_bank.root / "solutions" / "relu_backward.py").read_text()
    folder = tmp_path / "submissions"
    for student, source in (
        ("ada", solution),
        ("bob", solution.replace("x > 0", BUGGY)),
        ("cy", "import torch\n"),
    ):
        (folder / student).mkdir(parents=True)
        (folder / student / "relu_backward.py").write_text(source)
    (folder / "dee").mkdir()
    (folder / "dee" / "notes.md").write_text("my notes")
    with zipfile.ZipFile(folder / "eve.zip", "w") as zipped:
        zipped.writestr("eve/relu_backward.py", solution)
        zipped.writestr("../../escape.py", "print('no')")
    (folder / "README.txt").write_text("class list")
    return folder


def read_grades(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "grades.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def grade(fast_bank, klass: Path, out: Path, *extra: str):
    args = [
        "--bank",
        str(fast_bank.root),
        "grade",
        str(klass),
        "--out",
        str(out),
        "--workers",
        "2",
        "--no-timing",
        *extra,
    ]
    return CliRunner().invoke(main, args)


def test_a_small_class_is_graded_into_csv_json_and_gradescope(fast_bank, klass, tmp_path):
    out = tmp_path / "gb"
    result = grade(fast_bank, klass, out)
    assert result.exit_code == 0, result.output
    rows = read_grades(out)
    assert set(rows) == {"ada", "bob", "cy", "dee", "eve"}
    assert rows["ada"]["relu_backward"] == "100" and rows["eve"]["relu_backward"] == "100"
    assert 0 < float(rows["bob"]["relu_backward"]) < 100
    assert rows["cy"]["relu_backward"] == "0" and "forbidden_import" in rows["cy"]["flags"]
    assert rows["dee"]["relu_backward"] == "0" and rows["dee"]["total"] == "0"
    detail = json.loads((out / "students" / "bob.json").read_text())
    failing = [
        t
        for category in detail["katas"]["relu_backward"]["categories"]
        for t in category["tests"]
        if t["outcome"] != "passed"
    ]
    assert any("derivative at exactly 0" in t["message"] for t in failing)
    assert json.loads((out / "students" / "dee.json").read_text())["katas"]["relu_backward"][
        "missing"
    ]
    gradescope = json.loads((out / "gradescope" / "bob" / "results.json").read_text())
    assert {"score", "execution_time", "tests"} <= set(gradescope)
    assert {"name", "score", "max_score", "output", "visibility"} <= set(gradescope["tests"][0])
    assert sum(t["max_score"] for t in gradescope["tests"]) == pytest.approx(100, abs=0.01)
    assert gradescope["score"] == pytest.approx(float(rows["bob"]["relu_backward"]), abs=0.1)
    page = (out / "report.html").read_text()
    assert "report.html" in result.output and 'href="feedback/bob.md"' in page
    assert 'class="sortable mistakes"' in page and "<tr data-mistake=" in page  # bob's
    assert "same file" in page  # eve's zip holds ada's file


def test_ignored_items_are_listed_once_and_zips_cannot_escape(fast_bank, klass, tmp_path):
    result = grade(fast_bank, klass, tmp_path / "gb")
    assert "README.txt" in result.output and "dee/notes.md" in result.output
    assert "escape.py" in result.output
    assert not (tmp_path / "escape.py").exists()


def test_a_resumed_run_regrades_nothing_finished_and_a_changed_file_only(
    fast_bank, klass, tmp_path
):
    out = tmp_path / "gb"
    grade(fast_bank, klass, out)
    graded_at = dict(
        sqlite3.connect(out / "gradebook.sqlite3").execute("SELECT student, graded_at FROM latest")
    )
    (klass / "bob" / "relu_backward.py").write_text(
        (klass / "ada" / "relu_backward.py").read_text()
    )
    again = grade(fast_bank, klass, out)
    assert "1 jobs to grade, 3 already graded" in again.output
    after = dict(
        sqlite3.connect(out / "gradebook.sqlite3").execute("SELECT student, graded_at FROM latest")
    )
    assert after["ada"] == graded_at["ada"] and after["bob"] != graded_at["bob"]
    assert read_grades(out)["bob"]["total"] == "100"
    assert "4 jobs to grade" in grade(fast_bank, klass, out, "--regrade").output


def test_an_interrupted_run_keeps_what_finished(fast_bank, klass, tmp_path):
    """Simulate a kill mid-run: only some jobs reach the gradebook; the next run does the rest."""
    book = Gradebook(tmp_path / "gb" / "gradebook.sqlite3")
    seed = book.seed(7, 0)
    katas = [fast_bank.get("relu_backward")]
    discovery = discover(klass, {"relu_backward"}, tmp_path / "unzipped")
    plan = plan_jobs(discovery, katas, book, seed, regrade=False)
    run_jobs(fast_bank, plan.todo[:2], book, seed, workers=1, timing=False)
    book.close()
    result = grade(fast_bank, klass, tmp_path / "gb")
    assert "2 jobs to grade, 2 already graded" in result.output
    assert len(Gradebook(tmp_path / "gb" / "gradebook.sqlite3").rows()) == 4


def test_one_hostile_student_does_not_disturb_the_others(fast_bank, klass, tmp_path):
    (klass / "mal").mkdir()
    (klass / "mal" / "relu_backward.py").write_text(
        "import os\ndef relu_forward(x):\n    os._exit(3)\ndef relu_backward(g, x):\n    while True: pass\n"
    )
    out = tmp_path / "gb"
    result = grade(fast_bank, klass, out)
    assert result.exit_code == 0, result.output
    rows = read_grades(out)
    assert rows["mal"]["relu_backward"] == "0"
    assert "timeout" in rows["mal"]["flags"] and "crash" in rows["mal"]["flags"]
    assert rows["ada"]["relu_backward"] == "100"


def test_gradescope_mode_and_bundle(fast_bank, tmp_path):
    root = tmp_path / "autograder"
    (root / "submission" / "nested").mkdir(parents=True)
    solution = (fast_bank.root / "solutions" / "relu_backward.py").read_text()
    (root / "submission" / "nested" / "relu_backward.py").write_text(solution)
    result = CliRunner().invoke(
        main,
        ["--bank", str(fast_bank.root), "grade", "--gradescope", "--gradescope-root", str(root)],
    )
    assert result.exit_code == 0, result.output
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == pytest.approx(100)
    bundle = tmp_path / "autograder.zip"
    made = CliRunner().invoke(
        main, ["--bank", str(fast_bank.root), "gradescope-bundle", str(bundle)]
    )
    assert made.exit_code == 0, made.output
    names = zipfile.ZipFile(bundle).namelist()
    assert {
        "setup.sh",
        "run_autograder",
        "kata-src/pyproject.toml",
        "kata-src/grader/cli.py",
        "kata-src/grader/bank/katas/relu_backward/suite.py",
        "kata-src/grader/bank/solutions/relu_backward.py",
    } <= set(names)


def test_grading_needs_a_folder_of_students(fast_bank, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = grade(fast_bank, empty, tmp_path / "gb")
    assert result.exit_code == 2 and "holds no student folders" in result.output


ATTACK = """
import numpy as np

def attack():
{body}

def relu_forward(x):
    try:
        attack()
    except OSError:
        return np.maximum(x, 0)  # the attack failed, as it must: full marks
    raise RuntimeError("the attack worked")

def relu_backward(grad_output, x):
    return grad_output * (x > 0)
"""


@pytest.mark.requires_landlock
def test_confined_students_reach_nothing_that_is_not_theirs(fast_bank, klass, tmp_path):
    out = tmp_path / "gb"
    reference = fast_bank.root / "solutions" / "relu_backward.py"
    attacks = {
        "reads_peer": f"    open({str(klass / 'ada' / 'relu_backward.py')!r}).read()",
        "reads_reference": f"    open({str(reference)!r}).read()",
        "writes_gradebook": f"    open({str(out / 'injected.txt')!r}, 'w').write('x')",
        "opens_socket": "    import socket\n    socket.create_connection(('127.0.0.1', 9), timeout=1)",
    }
    for student, body in attacks.items():
        (klass / student).mkdir()
        (klass / student / "relu_backward.py").write_text(ATTACK.format(body=body))
    result = grade(fast_bank, klass, out)
    assert result.exit_code == 0, result.output
    rows = read_grades(out)
    for student in attacks:
        assert rows[student]["relu_backward"] == "100", student
    assert not (out / "injected.txt").exists()
    assert rows["ada"]["relu_backward"] == "100" and 0 < float(rows["bob"]["relu_backward"]) < 100
    detail = json.loads((out / "students" / "reads_peer.json").read_text())
    assert "landlock" in detail["katas"]["relu_backward"]["confinement"]


def test_progress_is_logged_in_tenths_when_not_on_a_terminal(fast_bank, klass, tmp_path):
    result = grade(fast_bank, klass, tmp_path / "gb")
    assert "graded 4/4 jobs" in result.output


def test_require_confinement_refuses_where_there_are_no_namespaces(
    fast_bank, klass, tmp_path, monkeypatch
):
    monkeypatch.setenv("KATA_ISOLATION", "landlock")
    result = grade(fast_bank, klass, tmp_path / "gb", "--require-confinement")
    assert result.exit_code == 2 and "cannot run in namespaces here" in result.output
    assert not (tmp_path / "gb").exists()
