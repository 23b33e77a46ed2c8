"""The bank's meta-checks (tests/bank_checks.py) for the core track, and `kata validate` itself."""

from __future__ import annotations

from tests.bank_checks import (  # noqa: F401 - the checks, run here for this track
    META,
    pytest_generate_tests,
    test_every_correct_variant_scores_100,
    test_every_mutant_is_caught_with_a_pointing_message,
    test_nothing_is_left_to_do,
    test_reference_passes_every_test,
    test_stub_fails_every_test,
    validations,
)

TRACK = "core"


def test_validate_command_prints_the_table(fast_bank):
    from click.testing import CliRunner

    from grader.cli import main

    result = CliRunner().invoke(
        main,
        [
            *("validate", "relu_backward", "--bank", str(fast_bank.root), "--meta", str(META)),
            *("--max-mutants", "2"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "MUTANTS CAUGHT" in result.output and "relu_backward" in result.output
    assert "passes" in result.output and "fails all" in result.output


def test_validate_reports_an_uncaught_mutant(fast_bank, tmp_path):
    from click.testing import CliRunner

    from grader.cli import main

    mutants = tmp_path / "relu_backward" / "mutants"
    mutants.mkdir(parents=True)
    (mutants / "secretly_correct.py").write_text(
        (fast_bank.root / "solutions" / "relu_backward.py").read_text() + "# expect: anything\n"
    )
    result = CliRunner().invoke(
        main, ["--bank", str(fast_bank.root), "validate", "relu_backward", "--meta", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "BAD relu_backward mutant secretly_correct.py: not caught" in result.output
