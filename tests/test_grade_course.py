"""The gradebook as the course's record, end to end: overrides, late work, the lock, exports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from tests.test_grade import BUGGY, ROOT, grade, read_grades


@pytest.fixture
def pair(tmp_path, fast_bank) -> Path:
    """Two students: ada correct, bob buggy."""
    solution = (fast_bank.root / "solutions" / "relu_backward.py").read_text()
    folder = tmp_path / "pair"
    for student, source in (("ada", solution), ("bob", solution.replace("x > 0", BUGGY))):
        (folder / student).mkdir(parents=True)
        (folder / student / "relu_backward.py").write_text(source)
    return folder


def kata_grade(fast_bank, *args: str):
    return CliRunner().invoke(main, ["--bank", str(fast_bank.root), "grade", *args])


def test_an_override_and_a_late_folder_leave_the_record_whole(fast_bank, pair, tmp_path):
    out = tmp_path / "gb"
    assert grade(fast_bank, pair, out).exit_code == 0
    overridden = kata_grade(
        fast_bank, "override", "BOB", "relu_backward", "90", "--reason", "typo", "--out", str(out)
    )
    assert overridden.exit_code == 0, overridden.output
    late = tmp_path / "late"
    (late / "bob").mkdir(parents=True)
    (late / "bob" / "relu_backward.py").write_text((pair / "ada" / "relu_backward.py").read_text())
    result = grade(fast_bank, late, out)
    assert result.exit_code == 0, result.output
    rows = read_grades(out)
    assert set(rows) == {"ada", "bob"} and rows["ada"]["relu_backward"] == "100"
    assert rows["bob"]["relu_backward"] == "100" and rows["bob"]["relu_backward_override"] == "90"
    assert rows["bob"]["total"] == "90" and "override 90 (typo)" in rows["bob"]["flags"]
    history = kata_grade(fast_bank, "history", "bob", "--out", str(out))
    assert history.output.count("relu_backward ") == 3, history.output  # 2 attempts, 1 override


def test_a_late_student_is_penalised_from_the_lms_times(fast_bank, pair, tmp_path):
    times = tmp_path / "times.csv"
    times.write_text(
        "Student,Submitted At\nAda,2026-12-03T12:00:00+00:00\nbob,2026-12-01T08:00:00+00:00\n"
    )
    out = tmp_path / "gb"
    late = ("--due", "2026-12-01T23:59Z", "--late-penalty", "10%/day,max=50%")
    result = grade(fast_bank, pair, out, *late, "--submission-times", str(times))
    assert result.exit_code == 0, result.output
    assert "Submission times: 2 students matched" in result.output
    ada = read_grades(out)["ada"]
    assert ada["relu_backward"] == "100" and ada["late_penalty"] == "20" and ada["total"] == "80"
    assert ada["submitted_at"]
    again = grade(fast_bank, pair, out)  # the rule and the times are kept
    assert "Late work: due" in again.output and read_grades(out)["ada"]["total"] == "80"


def test_a_second_run_on_the_same_gradebook_is_refused(fast_bank, pair, tmp_path):
    from grader.lock import writing

    out = tmp_path / "gb"
    with writing(out):
        result = grade(fast_bank, pair, out)
    assert result.exit_code == 2
    assert "another kata grade (pid" in result.output and "gradebook.sqlite3" in result.output
    assert not (out / "gradebook.sqlite3").exists()


def test_the_canvas_export_of_a_graded_class(fast_bank, pair, tmp_path):
    out = tmp_path / "gb"
    assert grade(fast_bank, pair, out).exit_code == 0
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,HW3 (77)\n"
        '"Lovelace, Ada",1,S1,ada,A,\n"Hopper, Grace",2,S2,grace,A,\n'
    )
    result = kata_grade(
        fast_bank, "export", "--format", "canvas", "--roster", str(roster), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    assert (
        "column 'HW3 (77)'" in result.output
        and "match no roster row, left out: bob" in result.output
    )
    lines = (out / "canvas.csv").read_text().splitlines()
    assert lines[0] == "Student,ID,SIS User ID,SIS Login ID,Section,HW3 (77)"
    assert lines[2] == '"Lovelace, Ada",1,S1,ada,A,100'


def test_subcommands_need_a_gradebook(fast_bank, tmp_path):
    result = kata_grade(fast_bank, "history", "ada", "--out", str(tmp_path / "none"))
    assert result.exit_code == 2 and "no gradebook in" in result.output


def test_a_run_with_katas_leaves_every_kata_in_grades_csv(fast_bank, tmp_path):
    root = tmp_path / "bank"
    shutil.copytree(fast_bank.root, root)
    shutil.copytree(ROOT / "katas" / "stable_softmax", root / "katas" / "stable_softmax")
    shutil.copy(ROOT / "solutions" / "stable_softmax.py", root / "solutions")
    folder = tmp_path / "class"
    (folder / "ada").mkdir(parents=True)
    for kata in ("relu_backward", "stable_softmax"):
        shutil.copy(root / "solutions" / f"{kata}.py", folder / "ada")
    out = tmp_path / "gb"

    def run(katas: str):
        args = ["--bank", str(root), "grade", str(folder), "--out", str(out), "--katas", katas]
        return CliRunner().invoke(main, [*args, "--no-timing", "--workers", "2"])

    assert run("relu_backward,stable_softmax").exit_code == 0
    (folder / "ada" / "relu_backward.py").write_text("def relu_forward(x):\n    return x\n")
    result = run("relu_backward")
    assert result.exit_code == 0, result.output
    ada = read_grades(out)["ada"]
    assert ada["stable_softmax"] == "100" and ada["stable_softmax_status"] == "scored"
    assert ada["relu_backward"] == "0" and ada["total"] == "50"
