"""The bank's meta-checks (tests/bank_checks.py) for the katas of the seeds track."""

from __future__ import annotations

from tests.bank_checks import (  # noqa: F401 - the checks, run here for this track
    pytest_generate_tests,
    test_every_correct_variant_scores_100,
    test_every_mutant_is_caught_with_a_pointing_message,
    test_nothing_is_left_to_do,
    test_reference_passes_every_test,
    test_stub_fails_every_test,
    validations,
)

TRACK = "seeds"
