"""Every hidden suite is tested: reference passes, stub fails, mutants caught, variants accepted.

CI's share: every reference and stub, and each kata's first CI_VARIANTS variants and first
CI_MUTANTS mutants (every mutant and variant is still built and counted, so a stale edit
fails here). Checking all of them, about 600 checks for twenty katas (0.7 s of CPU each),
does not fit in CI's five minutes on two cores beside the other tests; `kata validate`
checks them all, and KATA_ALL_MUTANTS=1 makes this file do the same. Run either after
changing a suite, a mutant or a variant.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.catalog import open_bank
from grader.validate import default_meta_root, validate

BANK = open_bank()
META = default_meta_root(BANK)
KATAS = list(BANK.katas)
EVERYTHING = bool(os.environ.get("KATA_ALL_MUTANTS"))
CI_MUTANTS = None if EVERYTHING else 3
CI_VARIANTS = None if EVERYTHING else 2


@pytest.fixture(scope="session")
def validations(request: pytest.FixtureRequest):
    """The selected katas, validated in one pool run: `-k mse_loss` validates that one only."""
    selected = set()
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if item.path == Path(__file__) and callspec and "kata" in callspec.params:
            selected.add(callspec.params["kata"])
    katas = [kata for kata in BANK.katas.values() if kata.id in selected]
    results = validate(
        BANK, katas, META, workers=2, max_mutants=CI_MUTANTS, max_variants=CI_VARIANTS
    )
    return {item.kata: item for item in results}


def problems(validation, role: str) -> list[str]:
    return [f"{v.name}: {v.detail}" for v in validation.of_role(role) if not v.ok]


@pytest.mark.parametrize("kata", KATAS)
def test_reference_passes_every_test(validations, kata):
    assert validations[kata].count("reference") == (1, 1), problems(validations[kata], "reference")


@pytest.mark.parametrize("kata", KATAS)
def test_stub_fails_every_test(validations, kata):
    assert validations[kata].count("stub") == (1, 1), problems(validations[kata], "stub")


@pytest.mark.parametrize("kata", KATAS)
def test_every_mutant_is_caught_with_a_pointing_message(validations, kata):
    caught, checked = validations[kata].count("mutant")
    listed = validations[kata].mutants_listed
    assert listed >= 10, f"{kata} has only {listed} mutants"
    assert checked == min(listed, CI_MUTANTS or listed)
    assert caught == checked, problems(validations[kata], "mutant")


@pytest.mark.parametrize("kata", KATAS)
def test_every_correct_variant_scores_100(validations, kata):
    accepted, checked = validations[kata].count("variant")
    listed = validations[kata].variants_listed
    assert listed >= 3, f"{kata} has only {listed} correct variants"
    assert checked == min(listed, CI_VARIANTS or listed)
    assert accepted == checked, problems(validations[kata], "variant")


def test_validate_command_prints_the_table(fast_bank):
    from click.testing import CliRunner

    from grader.cli import main

    result = CliRunner().invoke(
        main, ["validate", "relu_backward", "--bank", str(fast_bank.root), "--meta", str(META)]
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


@pytest.mark.parametrize("kata", KATAS)
def test_nothing_is_left_to_do(validations, kata):
    """No scaffold mark left; hints, follow-ups, mutants and variants all there."""
    assert validations[kata].todo == ()
