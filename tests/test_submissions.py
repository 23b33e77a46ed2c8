"""Reading a class's submissions as a hostile student would hand them in.

Every attack is small and bounded: a sparse file costs no disk, a FIFO is
unblocked by a timer should anything wait on it, symlinks live in tmp_path.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.discovery_report import RULE, discovery_summary, render_discovery
from grader.gradebook import Gradebook
from grader.grading import plan_jobs, run_jobs
from grader.submissions import discover, discover_one, file_name_of, staging_folder

KATAS = {"relu_backward"}
BUGGY = "x >= 0"


@pytest.fixture
def solution(fast_bank) -> Path:
    return fast_bank.root / "solutions" / "relu_backward.py"


@pytest.fixture
def klass(tmp_path, solution) -> Path:
    """One honest student, ada, whose file is a plain copy of the reference."""
    folder = tmp_path / "submissions"
    (folder / "ada").mkdir(parents=True)
    (folder / "ada" / "relu_backward.py").write_bytes(solution.read_bytes())
    return folder


def graded(discovery) -> dict[str, set[str]]:
    return {s.student: set(s.files) for s in discovery.submissions}


def said(discovery, student: str) -> list[str]:
    """Everything discovery says about ``student``: rejections first, then notes."""
    submission = next(s for s in discovery.submissions if s.student == student)
    return [*submission.rejected.values(), *submission.notes]


def invoke(fast_bank, *args: str):
    return CliRunner().invoke(main, ["--bank", str(fast_bank.root), *args])


@pytest.fixture
def unblock_fifos():
    """Open for writing, after 5 s, any FIFO the code under test may be stuck reading."""
    fifos: list[Path] = []

    def unblock() -> None:
        for fifo in fifos:
            with contextlib.suppress(OSError):  # nobody is reading it: as it should be
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    timer = threading.Timer(5, unblock)
    timer.start()
    yield fifos
    timer.cancel()


# -- symlinks -------------------------------------------------------------------------------


def test_a_symlinked_kata_file_is_listed_and_not_graded(klass, solution, tmp_path):
    (klass / "bob").mkdir()
    (klass / "bob" / "relu_backward.py").symlink_to(solution)
    found = discover(klass, KATAS, tmp_path / "staged")
    assert graded(found) == {"ada": KATAS, "bob": set()}
    assert said(found, "bob") == ["bob/relu_backward.py (a symlink, not followed)"]


def test_a_student_folder_that_is_a_symlink_is_listed_and_not_graded(klass, solution, tmp_path):
    (klass / "mallory").symlink_to(solution.parent, target_is_directory=True)
    found = discover(klass, KATAS, tmp_path / "staged")
    assert graded(found) == {"ada": KATAS}
    assert "mallory (a symlink, not followed)" in found.ignored


def test_a_zip_that_is_a_symlink_is_listed_and_not_unpacked(klass, solution, tmp_path):
    elsewhere = tmp_path / "elsewhere.zip"
    with zipfile.ZipFile(elsewhere, "w") as zipped:
        zipped.write(solution, "relu_backward.py")
    (klass / "cy.zip").symlink_to(elsewhere)
    found = discover(klass, KATAS, tmp_path / "staged")
    assert graded(found) == {"ada": KATAS}
    assert "cy.zip (a symlink, not followed)" in found.ignored


def test_a_symlink_inside_a_zip_is_listed_and_not_written(klass, tmp_path):
    link = zipfile.ZipInfo("eve/relu_backward.py")
    link.create_system = 3  # Unix, so the mode bits below are read
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(klass / "eve.zip", "w") as zipped:
        zipped.writestr(link, "../../solutions/relu_backward.py")
    found = discover(klass, KATAS, tmp_path / "staged")
    assert graded(found)["eve"] == set()
    assert said(found, "eve") == ["eve.zip:eve/relu_backward.py (a symlink, not followed)"]


def test_a_symlinked_student_folder_scores_nothing_and_is_reported(
    fast_bank, klass, solution, tmp_path
):
    """The attack of issue 9: a folder linked to the reference solutions scored 100."""
    (klass / "mallory").symlink_to(solution.parent, target_is_directory=True)
    out = tmp_path / "gb"
    result = invoke(fast_bank, "grade", str(klass), "--out", str(out), "--no-timing")
    assert result.exit_code == 0, result.output
    assert "mallory (a symlink, not followed)" in result.output
    with open(out / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"ada"} and rows["ada"]["relu_backward"] == "100"


def test_a_folder_named_like_a_zip_is_a_student_of_its_own(klass, tmp_path):
    (klass / "ada.zip").mkdir()
    (klass / "ada.zip" / "relu_backward.py").write_text("# ada's other folder")
    found = discover(klass, KATAS, tmp_path / "staged")
    assert graded(found) == {"ada": KATAS, "ada.zip": KATAS}


# -- special and oversized files --------------------------------------------------------------


def test_a_fifo_is_listed_and_neither_read_nor_waited_on(klass, tmp_path, unblock_fifos):
    (klass / "bob").mkdir()
    fifo = klass / "bob" / "relu_backward.py"
    os.mkfifo(fifo)
    unblock_fifos.append(fifo)
    began = time.monotonic()
    found = discover(klass, KATAS, tmp_path / "staged")
    assert time.monotonic() - began < 4
    assert graded(found)["bob"] == set()
    assert said(found, "bob") == ["bob/relu_backward.py (a FIFO, not read)"]


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_is_listed_and_never_opened(klass, tmp_path):
    (klass / "bob").mkdir()
    os.mknod(klass / "bob" / "relu_backward.py", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    found = discover(klass, KATAS, tmp_path / "staged")  # /dev/zero: read whole, it never ends
    assert graded(found)["bob"] == set()
    assert said(found, "bob") == ["bob/relu_backward.py (a device, not read)"]


def test_a_100_gib_sparse_file_is_listed_as_too_large_and_never_read(fast_bank, klass, tmp_path):
    """It used to be read whole to be hashed: MemoryError before anyone was graded."""
    (klass / "bob").mkdir()
    with open(klass / "bob" / "relu_backward.py", "wb") as handle:
        handle.truncate(100 * 2**30)  # sparse: no disk used
    found = discover(klass, KATAS, tmp_path / "staged")
    book = Gradebook(tmp_path / "gb" / "gradebook.sqlite3")
    plan = plan_jobs(found, [fast_bank.get("relu_backward")], book, seed=1, regrade=False)
    book.close()
    assert [job.student for job in plan.todo] == ["ada"] and plan.missing == [
        ("bob", "relu_backward")
    ]
    assert said(found, "bob")[0].startswith("bob/relu_backward.py (too large: 102400.0 MiB")


def test_a_zip_member_over_1_mib_is_listed_as_too_large(klass, tmp_path):
    with zipfile.ZipFile(klass / "eve.zip", "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("relu_backward.py", b"#" * (2 * 2**20))
    found = discover(klass, KATAS, tmp_path / "staged")
    assert graded(found)["eve"] == set()
    assert said(found, "eve")[0].startswith("eve.zip:relu_backward.py (too large")


# -- the bytes hashed are the bytes graded --------------------------------------------------


def test_a_file_changed_after_discovery_is_graded_as_it_was_hashed(
    fast_bank, klass, solution, tmp_path
):
    buggy = solution.read_text().replace("x > 0", BUGGY).encode()
    (klass / "bob").mkdir()
    (klass / "bob" / "relu_backward.py").write_bytes(buggy)
    book = Gradebook(tmp_path / "gb" / "gradebook.sqlite3")
    found = discover(klass, KATAS, tmp_path / "staged")
    plan = plan_jobs(found, [fast_bank.get("relu_backward")], book, seed=7, regrade=False)
    (klass / "bob" / "relu_backward.py").write_bytes(solution.read_bytes())  # swapped meanwhile
    run_jobs(fast_bank, plan.todo, book, seed=7, workers=1, timing=False)
    bob = next(row for row in book.rows() if row.student == "bob")
    book.close()
    assert bob.file_hash == hashlib.sha256(buggy).hexdigest()
    assert bob.score < 100  # the buggy bytes that were hashed, not the swapped-in solution
    assert bob.result["file"] == "bob/relu_backward.py"


def test_the_graded_copies_are_private_to_the_grader(klass, tmp_path):
    found = discover(klass, KATAS, tmp_path / "staged")
    copy = found.submissions[0].files["relu_backward"].path
    assert copy.read_bytes() == (klass / "ada" / "relu_backward.py").read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    for folder in (tmp_path / "staged", copy.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


# -- the private folder under --out -------------------------------------------------------


def test_a_killed_runs_staged_copies_are_swept_and_a_running_ones_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for pid in (dead.pid, alive.pid):
            (tmp_path / ".staged" / str(pid)).mkdir(parents=True)
        with staging_folder(tmp_path) as mine:
            assert mine.is_dir() and stat.S_IMODE(mine.stat().st_mode) == 0o700
            assert not (tmp_path / ".staged" / str(dead.pid)).exists()
            assert (tmp_path / ".staged" / str(alive.pid)).exists()
        assert not mine.exists()
    finally:
        alive.kill()
        alive.wait()


# -- student names -----------------------------------------------------------------------

HOSTILE_NAMES = [
    '=HYPERLINK("http:x","y")',  # a folder name cannot hold the "//" of a real link
    "\u2024\u2024",  # ONE DOT LEADER twice: ".." once normalised (NFKC)
    "a\u2215b",  # DIVISION SLASH
    "a\uff0fb",  # FULLWIDTH SOLIDUS: "/" once normalised
    "-1+1",
    "@SUM(1)",
    "+cmd",
    "\tname",
    "x" * 255,  # the longest folder name: "x...x.json" is too long a file name
]


def test_file_names_of_students_stay_in_their_folder_and_apart():
    names = [file_name_of(name) for name in [*HOSTILE_NAMES, "José García", "ada", "Ada"]]
    assert len(set(names)) == len(names)
    for name in names:
        assert "/" not in name and "\\" not in name and name not in (".", "..")
        assert not name.startswith((".", "-")) and len(name.encode()) <= 120
        assert name.isprintable()
    assert file_name_of("José García") == "José García"


def test_hostile_student_names_write_nothing_outside_out_and_no_formula(fast_bank, tmp_path):
    klass = tmp_path / "submissions"
    for name in HOSTILE_NAMES:
        (klass / name).mkdir(parents=True)
    out = tmp_path / "gb"
    result = invoke(fast_bank, "grade", str(klass), "--out", str(out))
    assert result.exit_code == 0, result.output
    written = {path.relative_to(out).parts[0] for path in out.rglob("*") if path.is_file()}
    assert written == {
        "gradebook.sqlite3",
        "gradebook.lock",
        "grades.csv",
        "students",
        "report.html",
        "feedback",
        "gradescope",
        "discovery.txt",
    } | {p.name for p in out.glob("gradebook.sqlite3-*")}
    assert len(list((out / "students").iterdir())) == len(HOSTILE_NAMES)
    assert len(list((out / "feedback").glob("*.md"))) == len(HOSTILE_NAMES)
    assert len(list((out / "gradescope").glob("*/results.json"))) == len(HOSTILE_NAMES)
    assert {p.name for p in tmp_path.iterdir()} == {"submissions", "gb"}
    with open(out / "grades.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    students = {row[0] for row in rows[1:]}
    assert students == {f"'{n}" if n[0] in "=+-@\t" else n for n in HOSTILE_NAMES}
    for row in rows[1:]:
        assert row[1] == "0" and row[-2] == "0"  # scores (raw, total) stay plain numbers
    detail = json.loads((out / "students" / f"{file_name_of(HOSTILE_NAMES[0])}.json").read_text())
    assert detail["student"] == HOSTILE_NAMES[0]  # the name itself is kept as data


# -- Gradescope's layout -------------------------------------------------------------------


def grade_on_gradescope(fast_bank, root: Path) -> dict:
    result = invoke(fast_bank, "grade", "--gradescope", "--gradescope-root", str(root))
    assert result.exit_code == 0, result.output
    return json.loads((root / "results" / "results.json").read_text())


def test_gradescope_does_not_follow_a_symlinked_kata_file(fast_bank, solution, tmp_path):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "relu_backward.py").symlink_to(solution)
    results = grade_on_gradescope(fast_bank, tmp_path)
    assert results["score"] == 0
    assert "relu_backward.py (a symlink, not followed)" in results["output"]


def test_gradescope_does_not_follow_a_symlinked_folder(fast_bank, solution, tmp_path):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "hw").symlink_to(solution.parent, target_is_directory=True)
    results = grade_on_gradescope(fast_bank, tmp_path)
    assert results["score"] == 0 and "hw (a symlink, not followed)" in results["output"]


def test_gradescope_still_writes_results_for_a_fifo(fast_bank, tmp_path, unblock_fifos):
    (tmp_path / "submission").mkdir()
    os.mkfifo(tmp_path / "submission" / "relu_backward.py")
    unblock_fifos.append(tmp_path / "submission" / "relu_backward.py")
    results = grade_on_gradescope(fast_bank, tmp_path)
    assert results["score"] == 0 and "(a FIFO, not read)" in results["output"]


def test_gradescope_grades_the_shallowest_regular_copy(fast_bank, solution, tmp_path):
    deep = tmp_path / "submission" / "a" / "b"
    deep.mkdir(parents=True)
    (deep / "relu_backward.py").write_text("broken(")
    (tmp_path / "submission" / "a" / "relu_backward.py").write_bytes(solution.read_bytes())
    found = discover_one(tmp_path / "submission", KATAS, tmp_path / "private")
    assert found.files["relu_backward"].origin == "a/relu_backward.py"
    assert found.notes == [
        "a/b/relu_backward.py not graded: a second relu_backward file, a/relu_backward.py is "
        "(shallower)",
        "no kata file at the top, 1 in a/ graded",
    ]


# -- discovery as a person would do it (issue 13) ----------------------------------------


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def notebook(*cells: tuple[str, str]) -> str:
    """A Jupyter notebook (nbformat 4) of ``(cell_type, source)`` cells."""
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
                | ({"outputs": [], "execution_count": None} if kind == "code" else {})
                for kind, source in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def notebook_of(source: str) -> str:
    """``source`` split into two code cells around markdown, with IPython lines added."""
    head, tail = source.split("def relu_backward")
    return notebook(
        ("code", "%matplotlib inline\n" + head),
        ("markdown", "## The backward pass\nnot code: `x = (`"),
        ("raw", "not code either ("),
        ("code", "!pip install numpy\ndef relu_backward" + tail),
    )


def only(discovery):
    (submission,) = discovery.submissions
    return submission


@pytest.mark.parametrize(
    "name",
    [
        "relu_backward (1).py",
        "relu_backward(2).py",
        "RELU_BACKWARD.PY",
        "Relu_Backward.py",
        "relu-backward.py",
        "relu_backward.py.txt",
        "relu_backward.py (1).txt",
    ],
)
def test_a_kata_file_is_found_by_the_name_a_person_reads(tmp_path, solution, name):
    (tmp_path / "c" / "ana").mkdir(parents=True)
    (tmp_path / "c" / "ana" / name).write_bytes(solution.read_bytes())
    ana = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    assert ana.files["relu_backward"].origin == f"ana/{name}"
    assert ana.files["relu_backward"].path.read_bytes() == solution.read_bytes()
    assert ana.notes == [f"ana/{name} graded as relu_backward"]


@pytest.mark.parametrize("name", ["relu.py", "relu_backward.txt", "relu_backward_v2.py"])
def test_a_name_no_person_would_read_as_the_kata_is_listed_as_another_file(tmp_path, name):
    (tmp_path / "c" / "ana").mkdir(parents=True)
    (tmp_path / "c" / "ana" / name).write_text("x = 1\n")
    ana = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    assert ana.files == {} and ana.rejected == {} and ana.others == [f"ana/{name}"]


def test_a_student_folder_holding_only_hw3_is_graded_from_it(tmp_path, solution):
    (tmp_path / "c" / "lars" / "hw3").mkdir(parents=True)
    (tmp_path / "c" / "lars" / "hw3" / "relu_backward.py").write_bytes(solution.read_bytes())
    lars = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    assert lars.files["relu_backward"].origin == "lars/hw3/relu_backward.py"
    assert lars.notes == ["no kata file at the top, 1 in lars/hw3/ graded"]


def test_a_kata_file_nested_past_the_limit_is_not_searched_and_said_so(tmp_path, solution):
    deep = tmp_path / "c" / "ana" / "/".join("d" * 9)
    deep.mkdir(parents=True)
    (deep / "relu_backward.py").write_bytes(solution.read_bytes())
    ana = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    assert ana.files == {}
    assert ana.notes == [f"ana/{'/'.join('d' * 9)}/ (nested too deep, not searched)"]


def test_a_notebooks_code_cells_are_graded_in_order_without_ipython_lines(tmp_path, solution):
    (tmp_path / "c" / "cleo").mkdir(parents=True)
    (tmp_path / "c" / "cleo" / "relu_backward.ipynb").write_text(notebook_of(solution.read_text()))
    cleo = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    code = cleo.files["relu_backward"].path.read_text()
    assert code.index("def relu_forward") < code.index("def relu_backward")
    assert "not code" not in code and "# IPython, left out: !pip install numpy" in code
    assert cleo.notes == [
        "cleo/relu_backward.ipynb graded as relu_backward: its 2 code cell(s) joined in order, "
        "2 IPython line(s) (% or !) left out"
    ]


@pytest.mark.parametrize(
    "text, reason",
    [
        (notebook(("markdown", "# only prose")), "a notebook with no code cells"),
        ("{not json", "not a notebook: not JSON (Expecting property name enclosed"),
        ("[" * 100_000 + "]" * 100_000, "not a notebook"),
        ('{"worksheets": []}', "not a notebook: no list of cells"),
    ],
)
def test_a_notebook_without_code_is_rejected_with_the_reason(tmp_path, text, reason):
    (tmp_path / "c" / "cleo").mkdir(parents=True)
    (tmp_path / "c" / "cleo" / "relu_backward.ipynb").write_text(text)
    cleo = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    assert cleo.files == {}
    assert cleo.rejected["relu_backward"].startswith(f"cleo/relu_backward.ipynb ({reason}")


def test_a_py_beats_a_notebook_at_the_same_depth_and_the_notebook_is_flagged(tmp_path, solution):
    (tmp_path / "c" / "cleo").mkdir(parents=True)
    (tmp_path / "c" / "cleo" / "relu_backward.ipynb").write_text(notebook_of(solution.read_text()))
    (tmp_path / "c" / "cleo" / "relu_backward.py").write_bytes(solution.read_bytes())
    cleo = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    assert cleo.files["relu_backward"].origin == "cleo/relu_backward.py"
    assert cleo.notes == [
        "cleo/relu_backward.ipynb not graded: a second relu_backward file, "
        "cleo/relu_backward.py is (a .py before a .ipynb)"
    ]


def test_a_file_that_is_not_utf8_is_rejected_and_not_staged(tmp_path):
    (tmp_path / "c" / "ana").mkdir(parents=True)
    (tmp_path / "c" / "ana" / "relu_backward.py").write_bytes("# café\n".encode("latin-1"))
    ana = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    assert ana.files == {}
    assert ana.rejected == {
        "relu_backward": "ana/relu_backward.py (not UTF-8 text (invalid continuation byte at byte 5))"
    }


def test_a_deeper_copy_is_graded_when_the_shallowest_cannot_be(tmp_path, solution):
    (tmp_path / "c" / "ana" / "hw3").mkdir(parents=True)
    (tmp_path / "c" / "ana" / "relu_backward.py").symlink_to(solution)
    (tmp_path / "c" / "ana" / "hw3" / "relu_backward.py").write_bytes(solution.read_bytes())
    ana = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    assert ana.files["relu_backward"].origin == "ana/hw3/relu_backward.py"
    assert ana.rejected == {}
    assert ana.notes[0] == "ana/relu_backward.py (a symlink, not followed)"


@pytest.mark.parametrize("where", ["folder", "zip", "gradescope"])
def test_a_folder_named_like_a_kata_file_is_rejected_in_every_mode(tmp_path, where):
    submission = tmp_path / "c" / "max"
    (submission / "relu_backward.py").mkdir(parents=True)
    (submission / "relu_backward.py" / "notes.md").write_text("hi")
    if where == "gradescope":
        found = discover_one(submission, KATAS, tmp_path / "staged")
        assert found.rejected == {"relu_backward": "relu_backward.py (a folder, not a file)"}
        return
    if where == "zip":
        with zipfile.ZipFile(tmp_path / "c" / "max.zip", "w") as zipped:
            zipped.writestr("relu_backward.py/", "")
            zipped.writestr("relu_backward.py/notes.md", "hi")
        shutil.rmtree(submission)
    label = "max.zip:" if where == "zip" else "max/"
    found = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    assert found.files == {}
    assert found.rejected == {"relu_backward": f"{label}relu_backward.py (a folder, not a file)"}
    assert found.others == [f"{label}relu_backward.py/notes.md"]


def five_copies(correct: bytes, buggy: bytes) -> dict[str, bytes]:
    """One submission with five copies of relu_backward; hw3/relu_backward.py is the one."""
    return {
        "old/relu_backward.py": buggy,
        "hw3/relu_backward.py": correct,
        "hw3/Relu_Backward.py": buggy,
        "hw3/relu_backward (1).py": buggy,
        "notes/a/relu_backward.py": buggy,
    }


def test_two_copies_in_a_folder_a_zip_and_on_gradescope_grade_the_same_file(tmp_path, solution):
    correct = solution.read_bytes()
    files = five_copies(correct, correct.replace(b"x > 0", BUGGY.encode()))
    for name, data in files.items():
        (tmp_path / "c" / "ana" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "c" / "ana" / name).write_bytes(data)
    with zipfile.ZipFile(tmp_path / "c" / "bo.zip", "w") as zipped:
        for name, data in reversed(files.items()):  # member order must not matter
            zipped.writestr(name, data)
    found = discover(tmp_path / "c", KATAS, tmp_path / "staged")
    on_gradescope = discover_one(tmp_path / "c" / "ana", KATAS, tmp_path / "gs")
    modes = [*zip(found.submissions, ["ana/", "bo.zip:"], strict=True), (on_gradescope, "")]
    for submission, prefix in modes:
        assert submission.files["relu_backward"].origin == f"{prefix}hw3/relu_backward.py"
        assert submission.files["relu_backward"].path.read_bytes() == correct
        assert [note.removeprefix(prefix) for note in submission.notes] == [
            f"old/relu_backward.py not graded: a second relu_backward file, {prefix}hw3/"
            "relu_backward.py is (first in name order)",
            f"hw3/Relu_Backward.py not graded: a second relu_backward file, {prefix}hw3/"
            "relu_backward.py is (the exact name first)",
            f"hw3/relu_backward (1).py not graded: a second relu_backward file, {prefix}hw3/"
            "relu_backward.py is (the exact name first)",
            f"notes/a/relu_backward.py not graded: a second relu_backward file, {prefix}hw3/"
            "relu_backward.py is (shallower)",
            f"no kata file at the top, 1 in {prefix}hw3/ graded",
        ]


def test_nfc_and_nfd_spellings_of_a_student_are_one_student(tmp_path, solution):
    name = "José García"
    (tmp_path / "c" / name / "hw3").mkdir(parents=True)
    (tmp_path / "c" / name / "hw3" / "relu_backward.py").write_bytes(solution.read_bytes())
    (tmp_path / "c" / nfd(name)).mkdir()
    (tmp_path / "c" / nfd(name) / "relu_backward.py").write_text("broken(")
    with zipfile.ZipFile(tmp_path / "c" / f"{nfd(name)}.zip", "w") as zipped:
        zipped.writestr(nfd("Josémaría/relu_backward.py"), "also broken(")
    jose = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    assert jose.student == name and jose.source == "folder and zip"
    assert jose.files["relu_backward"].origin == f"{name}/relu_backward.py"
    assert jose.notes[0] == (
        f"{name}/ and {name}/ and {name}.zip are one student (one name spelled two ways: "
        "macOS writes accents decomposed): searched together"
    )
    assert f"{name}.zip:Josémaría/relu_backward.py not graded" in jose.notes[2]


def test_a_zip_member_outside_the_zip_is_said_and_not_read(tmp_path, solution):
    (tmp_path / "c").mkdir()
    with zipfile.ZipFile(tmp_path / "c" / "eve.zip", "w") as zipped:
        zipped.writestr("../../relu_backward.py", solution.read_bytes())
        zipped.writestr("__MACOSX/._relu_backward.py", "resource fork")
    eve = only(discover(tmp_path / "c", KATAS, tmp_path / "staged"))
    assert eve.files == {} and eve.others == []
    assert eve.notes == ["eve.zip:../../relu_backward.py (a path outside the zip, not read)"]


def scripted_class(folder: Path, correct: str) -> None:
    """Four students with a course's quirks; every kata file but max's is correct."""
    jose = folder / nfd("José García") / "hw3"  # macOS: decomposed; in hw3/; a BOM; a re-download
    jose.mkdir(parents=True)
    (jose / "relu_backward (1).py").write_bytes(b"\xef\xbb\xbf" + correct.encode())
    with zipfile.ZipFile(folder / "José García.zip", "w") as zipped:  # typed: composed
        zipped.writestr("José/hw3/relu_backward.py", correct.replace("x > 0", BUGGY))
    (folder / "cleo").mkdir()
    (folder / "cleo" / "Relu_Backward.ipynb").write_text(notebook_of(correct))
    with zipfile.ZipFile(folder / "eve.zip", "w") as zipped:
        zipped.writestr("eve/old/relu_backward.py", correct.replace("x > 0", BUGGY))
        zipped.writestr("eve/relu_backward.py.txt", correct)
    (folder / "max" / "relu_backward.py").mkdir(parents=True)
    (folder / "README.txt").write_text("class list")


def test_a_course_class_grades_every_correct_file_and_explains_each_decision(
    fast_bank, solution, tmp_path
):
    scripted_class(tmp_path / "c", solution.read_text())
    out = tmp_path / "gb"
    result = invoke(fast_bank, "grade", str(tmp_path / "c"), "--out", str(out), "--no-timing")
    assert result.exit_code == 0, result.output
    with open(out / "grades.csv", newline="") as handle:
        scores = {row["student"]: row["relu_backward"] for row in csv.DictReader(handle)}
    assert scores == {"José García": "100", "cleo": "100", "eve": "100", "max": "0"}
    report = (out / "discovery.txt").read_text()
    for line in (
        "José García (folder and zip)",
        "  relu_backward  graded from José García/hw3/relu_backward (1).py",
        "  - José García/hw3/relu_backward (1).py graded as relu_backward",
        "  - José García.zip:José/hw3/relu_backward.py not graded: a second relu_backward file, "
        "José García/hw3/relu_backward (1).py is (shallower)",
        "  - no kata file at the top, 1 in José García/hw3/ graded",
        "  - cleo/Relu_Backward.ipynb graded as relu_backward: its 2 code cell(s) joined in "
        "order, 2 IPython line(s) (% or !) left out",
        "  relu_backward  graded from eve.zip:eve/relu_backward.py.txt",
        "  relu_backward  rejected: max/relu_backward.py (a folder, not a file)",
        "Not a student (ignored): README.txt",
    ):
        assert f"\n{line}\n" in report, line
    summary = result.output[result.output.index("Found 4 students") :]
    assert summary.splitlines() == [
        "Found 4 students (2 from a folder, 1 from a folder and a zip, 1 from a zip): "
        "3 kata files graded, 1 rejected, 0 missing",
        "  José García: José García/ and José García.zip are one student (one name spelled two "
        "ways: macOS writes accents decomposed): searched together (+3 more)",
        "  cleo: cleo/Relu_Backward.ipynb graded as relu_backward: its 2 code cell(s) joined in "
        "order, 2 IPython line(s) (% or !) left out",
        "  eve: eve.zip:eve/relu_backward.py.txt graded as relu_backward (+2 more)",
        "  max: relu_backward rejected: max/relu_backward.py (a folder, not a file)",
        "  not a student, ignored: README.txt",
        f"Every decision, per student: {out / 'discovery.txt'}",
    ]


def found_notes(results: dict) -> list[str]:
    """The lines of discovery's notes in results.json's output: what the student reads."""
    lines = results["output"].splitlines()
    return lines[lines.index("How your files were found:") + 1 :]


def test_gradescope_grades_a_notebook_and_rejects_a_folder_named_like_a_kata_file(
    fast_bank, solution, tmp_path
):
    (tmp_path / "submission" / "hw3" / "relu_backward.py").mkdir(parents=True)
    (tmp_path / "submission" / "hw3" / "relu_backward (1).ipynb").write_text(
        notebook_of(solution.read_text())
    )
    results = grade_on_gradescope(fast_bank, tmp_path)
    assert results["score"] == 100
    assert found_notes(results) == [
        "- hw3/relu_backward.py (a folder, not a file)",
        "- hw3/relu_backward (1).ipynb graded as relu_backward: its 2 code cell(s) joined in "
        "order, 2 IPython line(s) (% or !) left out",
        "- no kata file at the top, 1 in hw3/ graded",
    ]


def test_discovery_txt_gives_every_kata_a_status_and_the_summary_stays_short(tmp_path):
    folder = tmp_path / "c"
    for n in range(7):
        (folder / f"s{n}").mkdir(parents=True)
        (folder / f"s{n}" / "Relu_Backward.py").write_text("x = 1\n")
    (folder / "s0" / "Linear_Layer.py").write_bytes(b"\xff")
    found = discover(folder, {"relu_backward", "linear_layer"}, tmp_path / "staged")
    katas = ["relu_backward", "linear_layer", "adam_step"]
    report = render_discovery(found, katas)
    assert report.startswith(RULE)
    assert "\ns0 (folder)\n  relu_backward  graded from s0/Relu_Backward.py\n" in report
    assert "\n  linear_layer   rejected: s0/Linear_Layer.py (not UTF-8 text" in report
    assert "\n  adam_step      missing: no file named like it\n" in report
    summary = discovery_summary(found, katas, Path("gb/discovery.txt"))
    assert summary[0] == (
        "Found 7 students (7 from a folder): 7 kata files graded, 1 rejected, 13 missing"
    )
    assert summary[1].startswith("  s0: linear_layer rejected: s0/Linear_Layer.py (not UTF-8")
    assert summary[5:] == [
        "  s4: s4/Relu_Backward.py graded as relu_backward",
        "  ... and 2 more students with notes",
        "Every decision, per student: gb/discovery.txt",
    ]


def test_a_submission_with_too_many_files_is_searched_only_so_far(tmp_path, solution, monkeypatch):
    monkeypatch.setattr("grader.submissions.MAX_ENTRIES", 10)
    (tmp_path / "c" / "ana" / "venv").mkdir(parents=True)
    (tmp_path / "c" / "ana" / "relu_backward.py").write_bytes(solution.read_bytes())
    with zipfile.ZipFile(tmp_path / "c" / "bo.zip", "w") as zipped:
        zipped.writestr("relu_backward.py", solution.read_bytes())
        for n in range(11):
            (tmp_path / "c" / "ana" / "venv" / f"m{n}.py").write_text("")
            zipped.writestr(f"venv/m{n}.py", "")
    ana, bo = discover(tmp_path / "c", KATAS, tmp_path / "staged").submissions
    assert set(ana.files) == KATAS and ana.notes == ["more than 10 files: the rest not searched"]
    assert bo.files == {} and bo.notes == ["bo.zip: more than 10 files, not unpacked"]


def test_gradescope_writes_results_for_a_folder_named_like_a_kata_file(fast_bank, tmp_path):
    """It used to end run_autograder with exit 2 and no results.json."""
    (tmp_path / "submission" / "relu_backward.py").mkdir(parents=True)
    results = grade_on_gradescope(fast_bank, tmp_path)
    assert results["score"] == 0
    assert found_notes(results) == ["- relu_backward.py (a folder, not a file)"]
