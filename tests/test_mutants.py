"""The compact mutant format: edits of the reference, built only when checked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.errors import BadBank
from grader.mutants import build, load_mutants
from grader.validate import subjects

REFERENCE = "def double(x):\n    return 2 * x\n\n\ndef triple(x):\n    return 3 * x\n"


def write_meta(folder: Path, toml: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mutants.toml").write_text(toml)
    return folder


def test_an_edit_is_applied_to_the_reference(tmp_path):
    reference = tmp_path / "kata.py"
    reference.write_text(REFERENCE)
    meta = write_meta(
        tmp_path / "meta",
        '[[mutant]]\nname = "off_by_one"\nexpect = "wrong values"\n'
        'replace = "2 * x"\nwith = "2 * x + 1"\n\n'
        '[[mutant]]\nname = "both"\nexpect = "wrong"\n'
        'edits = [{ replace = "2 * x", with = "x" }, { replace = "3 * x", with = "x" }]\n',
    )
    first, second = load_mutants(meta)
    assert (first.name, first.expect, first.label) == (
        "off_by_one",
        "wrong values",
        "mutants.toml:off_by_one",
    )
    built = build(first, reference, tmp_path)
    assert built.read_text() == REFERENCE.replace("2 * x", "2 * x + 1")
    assert build(second, reference, tmp_path).read_text().count("return x") == 2


def test_whole_file_mutants_stay_possible(tmp_path):
    folder = tmp_path / "meta" / "mutants"
    folder.mkdir(parents=True)
    (folder / "rewrite.py").write_text("# expect: loops\ndef double(x):\n    return x\n")
    (mutant,) = load_mutants(tmp_path / "meta")
    assert mutant.whole_file and mutant.expect == "loops" and mutant.label == "rewrite.py"


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        (
            '[[mutant]]\nname = "a"\nexpect = "x"\nreplace = "4 * x"\nwith = "x"\n',
            "no longer applies",
        ),
        ('[[mutant]]\nname = "a"\nexpect = "x"\nreplace = "* x"\nwith = "x"\n', "occurs 2 times"),
        ('[[mutant]]\nname = "a"\nexpect = "x"\nreplace = "2 * x"\nwith = "2 * x"\n', "unchanged"),
    ],
    ids=["stale", "ambiguous", "no-op"],
)
def test_an_edit_that_does_not_apply_once_is_a_named_bank_error(tmp_path, toml, problem):
    reference = tmp_path / "kata.py"
    reference.write_text(REFERENCE)
    (mutant,) = load_mutants(write_meta(tmp_path / "meta", toml))
    with pytest.raises(BadBank, match=problem) as error:
        build(mutant, reference, tmp_path)
    assert "mutant 'a'" in str(error.value)


def test_all_replaces_every_occurrence(tmp_path):
    reference = tmp_path / "kata.py"
    reference.write_text(REFERENCE)
    toml = '[[mutant]]\nname = "a"\nexpect = "x"\nreplace = "* x"\nwith = "+ x"\nall = true\n'
    (mutant,) = load_mutants(write_meta(tmp_path / "meta", toml))
    assert "*" not in build(mutant, reference, tmp_path).read_text()


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ("[[mutant]]\nname = 'a'\nreplace = 'x'\nwith = 'y'\n", "needs 'expect'"),
        ("[[mutant]]\nname = 'a b'\nexpect = 'e'\nreplace = 'x'\nwith = 'y'\n", "needs a name"),
        ("[[mutant]]\nname = 'a'\nexpect = 'e'\nreplace = 'x'\nwith = 'y'\ntypo = 1\n", "typo"),
        ("[[mutant]]\nname = 'a'\nexpect = 'e'\nreplace = ''\nwith = 'y'\n", "non-empty"),
        ("[[mutant]]\nname = 'a'\nexpect = 'e'\nedits = []\n", "non-empty list"),
        ("[mutant]\nname = 'a'\n", "only [[mutant]] tables"),
        ("[[mutant]\n", "not valid TOML"),
        (
            "[[mutant]]\nname = 'a'\nexpect = 'e'\nreplace = 'x'\nwith = 'y'\n" * 2,
            "two mutants are named 'a'",
        ),
    ],
)
def test_a_malformed_list_is_one_clear_bank_error(tmp_path, toml, problem):
    with pytest.raises(BadBank, match=re.escape(problem)):
        load_mutants(write_meta(tmp_path / "meta", toml))


def test_validate_reports_a_stale_edit_as_that_mutants_problem(relu, tmp_path):
    toml = '[[mutant]]\nname = "stale"\nexpect = "x"\nreplace = "no such text"\nwith = "y"\n'
    write_meta(tmp_path / "meta" / "relu_backward", toml)
    found = subjects(relu, tmp_path / "meta", tmp_path / "scratch")
    (stale,) = [s for s in found if s.role == "mutant"]
    assert stale.label == "mutants.toml:stale" and "no longer applies" in stale.problem


def test_a_sample_keeps_the_first_mutants_and_every_other_subject(relu, tmp_path):
    from grader.validate import sampled

    toml = (
        "".join(
            f'[[mutant]]\nname = "m{i}"\nexpect = "x"\nreplace = "grad_output * (x > 0)"\nwith = "grad_output * (x > {i + 1})"\n\n'
            for i in range(4)
        )
        + '[[mutant]]\nname = "stale"\nexpect = "x"\nreplace = "gone"\nwith = "y"\n'
    )
    write_meta(tmp_path / "meta" / "relu_backward", toml)
    found = subjects(relu, tmp_path / "meta", tmp_path / "scratch")
    kept = sampled(found, 2)
    assert [s.label for s in kept if s.role == "mutant"] == [
        "mutants.toml:m0",
        "mutants.toml:m1",
        "mutants.toml:stale",  # a mutant that cannot be built is always reported
    ]
    assert [s.role for s in kept][:2] == ["reference", "stub"]
