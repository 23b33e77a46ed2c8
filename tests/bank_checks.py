"""Every hidden suite is tested: reference passes, stub fails, mutants caught, variants accepted.

The checks are written once here and run by one test file per track (test_bank.py: core,
test_bank_seeds.py, test_bank_beyond.py), so that CI's test processes validate the
tracks side by side; each file names its ``TRACK``.

CI's share: every reference and stub, and each kata's first CI_VARIANTS variants and first
CI_MUTANTS mutants (every mutant and variant is still built and counted, so a stale edit
fails here). Checking all of them, about 600 checks for twenty katas (0.7 s of CPU each),
does not fit in CI's five minutes on two cores beside the other tests; `kata validate`
checks them all, and KATA_ALL_MUTANTS=1 makes this file do the same. Run either after
changing a suite, a mutant or a variant.
"""

from __future__ import annotations

import os

import pytest

from grader.catalog import open_bank
from grader.validate import default_meta_root, validate

BANK = open_bank()
META = default_meta_root(BANK)
EVERYTHING = bool(os.environ.get("KATA_ALL_MUTANTS"))
CI_MUTANTS = None if EVERYTHING else 2
CI_VARIANTS = None if EVERYTHING else 1


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every check runs once per kata of the test file's ``TRACK``."""
    if "kata" in metafunc.fixturenames:
        track = metafunc.module.TRACK
        metafunc.parametrize("kata", [k.id for k in BANK.katas.values() if k.track == track])


@pytest.fixture(scope="module")
def validations(request: pytest.FixtureRequest):
    """The file's selected katas, validated in one pool run: `-k mse_loss` validates that one."""
    selected = set()
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if (
            getattr(item, "module", None) is request.module
            and callspec
            and "kata" in callspec.params
        ):
            selected.add(callspec.params["kata"])
    katas = [kata for kata in BANK.katas.values() if kata.id in selected]
    results = validate(
        BANK, katas, META, workers=2, max_mutants=CI_MUTANTS, max_variants=CI_VARIANTS
    )
    return {item.kata: item for item in results}


def problems(validation, role: str) -> list[str]:
    return [f"{v.name}: {v.detail}" for v in validation.of_role(role) if not v.ok]


def test_reference_passes_every_test(validations, kata):
    assert validations[kata].count("reference") == (1, 1), problems(validations[kata], "reference")


def test_stub_fails_every_test(validations, kata):
    assert validations[kata].count("stub") == (1, 1), problems(validations[kata], "stub")


def test_every_mutant_is_caught_with_a_pointing_message(validations, kata):
    caught, checked = validations[kata].count("mutant")
    listed = validations[kata].mutants_listed
    assert listed >= 10, f"{kata} has only {listed} mutants"
    assert checked == min(listed, CI_MUTANTS or listed)
    assert caught == checked, problems(validations[kata], "mutant")


def test_every_correct_variant_scores_100(validations, kata):
    accepted, checked = validations[kata].count("variant")
    listed = validations[kata].variants_listed
    assert listed >= 3, f"{kata} has only {listed} correct variants"
    assert checked == min(listed, CI_VARIANTS or listed)
    assert accepted == checked, problems(validations[kata], "variant")


def test_nothing_is_left_to_do(validations, kata):
    """No scaffold mark left; hints, follow-ups, mutants and variants all there."""
    assert validations[kata].todo == ()
