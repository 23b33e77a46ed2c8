"""The seed sweep (kata validate --seeds): no bank suite fails its reference, none hangs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.catalog import Bank, open_bank
from grader.cli import main
from grader.sweep import sweep

# CI's share of the sweep: one seed per kata, beside the validation seed test_bank checks
# every reference on. `kata validate --seeds 200 --variants` is the full sweep; run it
# after changing a suite.
CI_SEEDS = range(1000, 1001)  # one per run, a seed no other test uses; 200 by hand

FRAGILE_SUITE = """
import numpy as np
import pytest

from grader.suite import expect_close


@pytest.mark.values
def test_double(impl, seed):
    \"\"\"double doubles every entry\"\"\"
    x = np.array([float(seed), 1.0])
    expect_close(impl.double(x), 2 * x, call=f"double([{seed}, 1])")
"""

HANGING_SUITE = """
import time

import pytest


@pytest.mark.values
def test_never_ends_on_seed_3(impl, seed):
    \"\"\"a suite bug: an endless loop for one seed\"\"\"
    while seed == 3:
        time.sleep(0.01)
"""


def write_kata(
    root: Path, kata_id: str, suite: str, solution: str, budget_s: float, load_timeout_s: float = 10
) -> None:
    folder = root / "katas" / kata_id
    folder.mkdir(parents=True)
    (folder / "kata.toml").write_text(
        f'id = "{kata_id}"\ntitle = "{kata_id}"\ndifficulty = "warm-up"\nminutes = 1\n'
        f'requires = ["double"]\n\n[limits]\ncall_timeout_s = 2\nload_timeout_s = {load_timeout_s}\n'
        f"budget_s = {budget_s}\n"
    )
    (folder / "prompt.md").write_text("Double an array.\n")
    (folder / "stub.py").write_text("def double(x):\n    raise NotImplementedError\n")
    (folder / "suite.py").write_text(suite)
    (root / "solutions").mkdir(exist_ok=True)
    (root / "solutions" / f"{kata_id}.py").write_text(textwrap.dedent(solution))


@pytest.fixture(scope="module")
def fragile_bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    """A reference wrong on seed 2 (fragile), and a suite that hangs on seed 3 (hanging)."""
    root = tmp_path_factory.mktemp("fragile-bank")
    wrong_on_2 = """\
        def double(x):
            return x if x[0] == 2 else 2 * x  # wrong only where the first entry is 2
        """
    write_kata(root, "fragile", FRAGILE_SUITE, wrong_on_2, budget_s=60)
    hanging = "def double(x):\n    return 2 * x\n"
    write_kata(root, "hanging", HANGING_SUITE, hanging, budget_s=2, load_timeout_s=3)
    return open_bank(root)


def test_no_bank_reference_fails_or_hangs_on_any_ci_seed():
    bank = open_bank()
    results = sweep(bank, bank.katas.values(), CI_SEEDS, workers=2)
    bad = [f"{run.kata} seed {run.seed}: {run.problems}" for item in results for run in item.bad]
    assert not bad, bad
    assert {item.kata for item in results} == set(bank.katas)
    assert all(len(item.runs) == len(CI_SEEDS) for item in results)


def test_sweep_reports_the_seed_a_reference_fails_on(fragile_bank):
    (result,) = sweep(fragile_bank, [fragile_bank.get("fragile")], range(3), workers=2)
    assert [run.seed for run in result.bad] == [2]
    (problem,) = result.bad[0].problems
    assert problem.startswith("test_double (failed): double([2, 1]) has wrong values")


def test_sweep_stops_a_hung_suite_and_says_where(fragile_bank):
    (result,) = sweep(fragile_bank, [fragile_bank.get("hanging")], range(3, 4), workers=1)
    (run,) = result.bad
    (problem,) = run.problems
    assert problem.startswith("internal: the check did not finish within 15 s; it was at:")
    assert "suite.py" in problem and "test_never_ends_on_seed_3" in problem
    assert run.duration_s < 20


def test_validate_seeds_lists_bad_seeds_in_a_table(fragile_bank):
    result = CliRunner().invoke(
        main, ["validate", "fragile", "--bank", str(fragile_bank.root), "--seeds", "3"]
    )
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["KATA", "FILES", "SEEDS", "BAD", "SLOWEST", "BUDGET"]
    assert lines[1].split()[:4] == ["fragile", "1", "0-2", "1"]
    row = next(line for line in lines if line.startswith("fragile") and "fragile.py" in line)
    assert row.split()[:3] == ["fragile", "fragile.py", "2"]
    assert "test_double (failed)" in row


def test_validate_variants_without_seeds_is_a_usage_error():
    result = CliRunner().invoke(main, ["validate", "--variants"])
    assert result.exit_code == 2
    assert "--variants goes with --seeds N" in result.output


def test_sweep_of_variants_checks_each_correct_file(fragile_bank, tmp_path: Path):
    variants = tmp_path / "fragile" / "variants"
    variants.mkdir(parents=True)
    (variants / "right.py").write_text("def double(x):\n    return x + x\n")
    kata = fragile_bank.get("fragile")
    (result,) = sweep(fragile_bank, [kata], range(3), tmp_path, variants=True, workers=2)
    assert sorted((Path(run.path).name, run.seed) for run in result.bad) == [("fragile.py", 2)]
    assert len(result.runs) == 6
