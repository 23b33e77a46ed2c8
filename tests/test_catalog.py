"""Reading kata banks: metadata errors are the bank author's, reported as one line."""

import shutil

import pytest

from grader.catalog import default_bank_root, open_bank
from grader.errors import BadBank


@pytest.fixture
def bank_copy(tmp_path):
    root = tmp_path / "bank"
    shutil.copytree(
        default_bank_root() / "katas" / "relu_backward", root / "katas" / "relu_backward"
    )
    (root / "solutions").mkdir()
    return root


CORE = ["relu_backward", "stable_softmax", "bce_gradient", "linear_layer", "adam_step", "mlp_xor"]
SEEDS = [
    "sigmoid_tanh",
    "mse_loss",
    "softmax_cross_entropy",
    "sgd_momentum",
    "weight_init",
    "batchnorm",
    "dropout",
    "mlp_iris",
]
BEYOND = ["embedding", "layernorm", "adamw_schedule", "attention", "conv2d", "rnn_bptt"]


def test_the_bundled_bank_has_every_kata_of_the_contract_by_track_and_minutes(bank):
    assert set(bank.katas) == set(CORE + SEEDS + BEYOND)
    assert [k.id for k in bank.katas.values() if k.track == "core"] == sorted(
        CORE, key=lambda k: (bank.get(k).minutes, k)
    )
    assert {k.id for k in bank.katas.values() if k.track == "seeds"} == set(SEEDS)
    assert {k.id for k in bank.katas.values() if k.track == "beyond"} == set(BEYOND)
    minutes = [kata.minutes for kata in bank.katas.values()]
    assert minutes == sorted(minutes)


@pytest.mark.parametrize(
    "edit, words",
    [
        (
            lambda t: t.replace('difficulty = "warm-up"', 'difficulty = "trivial"'),
            "difficulty must be",
        ),
        (lambda t: t.replace("minutes = 10\n", ""), "missing key 'minutes'"),
        (
            lambda t: t.replace("budget_s = 30", "budget_s = 30\nwalltime = 3"),
            "unknown limits walltime",
        ),
        (lambda t: t.replace('args = ["$x"]', 'args = ["$y"]'), r"refers to unknown \$y"),
        (
            lambda t: t.replace("{ normal = [1000, 1000] }", "{ gaussian = [3] }", 1),
            "exactly one recipe",
        ),
        (lambda t: t + "\n[[[", "kata.toml"),
    ],
)
def test_metadata_mistakes_are_bank_errors_that_name_the_file(bank_copy, edit, words):
    meta = bank_copy / "katas" / "relu_backward" / "kata.toml"
    meta.write_text(edit(meta.read_text()))
    with pytest.raises(BadBank, match=words):
        _ = open_bank(bank_copy).katas


def test_a_kata_folder_without_its_suite_is_a_bank_error(bank_copy):
    (bank_copy / "katas" / "relu_backward" / "suite.py").unlink()
    with pytest.raises(BadBank, match="lacks suite.py"):
        _ = open_bank(bank_copy).katas


def test_a_generator_input_is_fresh_each_round_and_a_random_step_compares_shapes():
    from pathlib import Path

    from grader.catalog import checked_benchmark
    from grader.errors import BadBank
    from grader.timing import make_inputs

    first, second = (make_inputs({"rng": {"generator": 0}}, seed)["rng"] for seed in (1, 2))
    assert first.standard_normal() != second.standard_normal()
    spec = {
        "inputs": {"rng": {"generator": 0}},
        "steps": [{"call": "draw", "args": ["$rng"], "compare": "bits"}],
    }
    with pytest.raises(BadBank, match="compare must be one of values, shape"):
        checked_benchmark(spec, Path("kata.toml"))
