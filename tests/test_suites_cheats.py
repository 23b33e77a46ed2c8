"""Files that solve nothing score low: the suites reward the work, not its look-alikes.

The cheats live in the bank beside the mutants (tests/bank/<kata>/mutants/cheat_*.py), so
`kata validate` also proves that each is caught with a message naming the cheat.
"""

from __future__ import annotations

import pytest

from grader.catalog import open_bank
from grader.engine import check

BANK = open_bank()
MUTANTS = BANK.root / "tests" / "bank"
SEED = 20261127

# Cheats with no forward pass, no backprop and no training (issue 9): a fair score is 0,
# and only the conventions they keep (shapes and law of the initial weights, argument
# checks) may earn anything.
NOTHING_SOLVED = ["cheat_nearest_neighbour.py", "cheat_constant_outputs.py"]


@pytest.mark.parametrize("name", NOTHING_SOLVED)
def test_mlp_xor_cheat_that_solves_nothing_scores_below_25(name):
    result = check(
        BANK.get("mlp_xor"), MUTANTS / "mlp_xor" / "mutants" / name, seed=SEED, timing=False
    )
    assert result.error is None, result.error
    passed = [t.name for t in result.tests if t.passed]
    assert result.score < 25, f"{name} scores {result.score:.1f}, passing {passed}"
