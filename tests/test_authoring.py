"""`kata validate` rejects a suite's authoring faults: one clear line each, naming the test."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.catalog import Bank, open_bank
from grader.cli import main
from grader.suite_lint import authoring_problems
from tests.conftest import relu_bank

UNMARKED = '''

def test_added_without_marker(impl):
    """an added test, with a title but no category"""
    assert True


@pytest.mark.values
@pytest.mark.shapes
def test_added_twice_marked(impl):
    """an added test with two categories"""
    assert True


@pytest.mark.values
def test_added_without_title(impl):
    assert True
'''


@pytest.fixture
def faulty_bank(tmp_path: Path) -> Bank:
    """relu_backward with a weight typo and three faulty tests appended to its suite."""
    bank = relu_bank(tmp_path / "bank", "call_timeout_s = 1\nbudget_s = 6")
    folder = bank.root / "katas" / "relu_backward"
    toml = folder / "kata.toml"
    toml.write_text(
        toml.read_text().replace("[weights]\n", "[weights]\ntest_backward_at_zeros = 3\n")
    )
    suite = folder / "suite.py"
    suite.write_text(suite.read_text() + UNMARKED)
    return open_bank(bank.root)


def test_every_bundled_kata_passes_the_authoring_checks(bank):
    assert {kata.id: authoring_problems(kata) for kata in bank.katas.values()} == {
        kata: [] for kata in bank.katas
    }


def test_an_unknown_weight_name_is_named(faulty_bank):
    problems = authoring_problems(faulty_bank.get("relu_backward"))
    assert [p for p in problems if "[weights]" in p] == [
        "katas/relu_backward/kata.toml: [weights] names test_backward_at_zeros, which is not "
        "a test of katas/relu_backward/suite.py (a typo weighs nothing)"
    ]


def test_tests_without_one_marker_or_a_docstring_are_named(faulty_bank):
    problems = authoring_problems(faulty_bank.get("relu_backward"))
    suite_lines = [p for p in problems if "[weights]" not in p]
    assert len(suite_lines) == 3
    assert "test_added_without_marker needs exactly one category marker" in suite_lines[0]
    assert suite_lines[0].endswith("it has none")
    assert suite_lines[1].endswith("it has values, shapes")
    assert "test_added_without_title has no docstring" in suite_lines[2]


def test_validate_fails_on_authoring_faults_with_one_line_each(faulty_bank):
    result = CliRunner().invoke(
        main, ["validate", "relu_backward", "--bank", str(faulty_bank.root), "--workers", "2"]
    )
    assert result.exit_code == 1
    todo = [line for line in result.output.splitlines() if line.startswith("TODO")]
    assert any("test_backward_at_zeros" in line for line in todo)
    assert any("test_added_without_title has no docstring" in line for line in todo)
    assert "Traceback" not in result.output


def test_every_public_suite_helper_is_documented_with_an_example():
    import grader.suite

    page = (Path(__file__).resolve().parent.parent / "docs" / "suite.md").read_text()
    sections = page.split("\n### ")[1:]
    documented = {}
    for section in sections:
        heading = section.split("\n", 1)[0]
        for name in heading.replace("`", "").replace(",", " ").split():
            documented[name.split("(")[0]] = "```python" in section
    missing = [name for name in grader.suite.__all__ if not documented.get(name)]
    assert missing == []
