"""`kata new` scaffolds a kata that `kata validate` accepts once its author fills it in."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.scaffold import MARK

TEXTS = {
    "squared": "double squared x: return x + x, not x * x",
    "unchanged": "double returned x unchanged",
    "tripled": "double tripled x",
    "sign": "double has the wrong sign",
    "plus-two": "double added 2 instead of multiplying by 2",
    "absolute": "double returned the absolute value",
}
MISTAKES = '''
SQUARED = named("squared")
UNCHANGED = named("unchanged")
TRIPLED = named("tripled")
SIGN = named("sign")
PLUS_TWO = named("plus-two")
ABSOLUTE = named("absolute")


def oracle_double(x: np.ndarray) -> np.ndarray:
    """What double must return, written independently of the reference."""
    return 2.0 * x


def double_mistakes(x: np.ndarray) -> dict:
    """Likely mistakes: each message, and what that mistake would return on x."""
    return {SQUARED: x * x, UNCHANGED: x, TRIPLED: 3 * x, SIGN: -2 * x, PLUS_TWO: x + 2,
            ABSOLUTE: np.abs(2 * x)}
'''

# The ten classic mistakes, as edits of the reference's `return x + x`.
EDITS = {
    "squared": ("x * x", "double/squared"),  # a mistake id: the first failure must carry it
    "unchanged": ("x", "unchanged"),
    "tripled": ("3 * x", "tripled"),
    "sign": ("-2 * x", "wrong sign"),
    "plus_two": ("x + 2", "added 2"),
    "absolute": ("np.abs(x + x)", "absolute value"),
    "list": ("(x + x).tolist()", "must return a NumPy array"),
    "summed": ("np.sum(x + x)", "returned shape"),
    "row_loop": ("np.array([row + row for row in x])", "raised TypeError"),
    "in_place": ("x.__iadd__(x)", "modified its input x"),
}

VARIANTS = {
    "times_two.py": "def double(x):\n    return 2 * x\n",
    "ufunc.py": "import numpy as np\n\n\ndef double(x):\n    return np.multiply(x, 2.0)\n",
    "copy_then_scale.py": "def double(x):\n    y = x.copy()\n    y *= 2\n    return y\n",
}


def fill_in(root: Path) -> None:
    """What the kata's author does after `kata new double`: replace every mark."""
    folder = root / "katas" / "double"
    toml = folder / "kata.toml"
    toml.write_text(
        toml.read_text().replace(f'"{MARK}: one line on what the kata teaches"', '"scaling"')
    )
    (folder / "prompt.md").write_text("# Double\n\nReturn 2 * x, as a new array.\n")
    (folder / "hints.toml").write_text(
        'hints = ["Scale it.", "2 * x.", "Do not change x in place."]\n\n'
        '[[followup]]\nquestion = "Why a new array?"\nanswer = "The caller owns x."\n\n'
        '[[followup]]\nquestion = "Dtype?"\nanswer = "Kept."\n'
    )
    (folder / "mistakes.toml").write_text(
        "".join(f'[[mistake]]\nid = "{slug}"\ntext = "{text}"\n\n' for slug, text in TEXTS.items())
    )
    stub = folder / "stub.py"
    stub.write_text(stub.read_text().replace(f"{MARK}: what double returns.", "2 * x."))
    suite = folder / "suite.py"
    text = suite.read_text()
    start, end = text.index(f"# {MARK}: the likely mistakes"), text.index("@pytest.mark.values")
    suite.write_text(
        text[:start].replace(f"{MARK}: say", "The oracle is 2.0 * x; say")
        + MISTAKES
        + "\n\n"
        + text[end:]
    )
    (root / "solutions" / "double.py").write_text(
        '"""Reference solution: double."""\n\nimport numpy as np\n\n\n'
        "def double(x: np.ndarray) -> np.ndarray:\n    return x + x\n"
    )
    meta = root / "tests" / "bank" / "double"
    (meta / "mutants.toml").write_text(
        "".join(
            f'[[mutant]]\nname = "{name}"\nexpect = "{expect}"\n'
            f'replace = "return x + x"\nwith = "return {code}"\n\n'
            for name, (code, expect) in EDITS.items()
        )
    )
    for name, source in VARIANTS.items():
        (meta / "variants" / name).write_text(source)


def test_a_scaffolded_kata_is_listed_and_validate_says_what_is_missing(tmp_path):
    runner = CliRunner()
    made = runner.invoke(main, ["new", "double", "--bank", str(tmp_path), "--level", "warm-up"])
    assert made.exit_code == 0, made.output
    assert "kata validate double --bank" in made.output
    listing = runner.invoke(main, ["--bank", str(tmp_path), "list"])
    assert "double" in listing.output and "warm-up" in listing.output

    first = runner.invoke(main, ["validate", "double", "--bank", str(tmp_path), "--workers", "2"])
    assert first.exit_code == 1
    assert f"katas/double/suite.py still has 4 '{MARK}' marks" in first.output
    assert "0 mutants: list at least 10" in first.output
    assert "0 correct variants" in first.output
    assert "BAD double reference double.py" in first.output


def test_a_filled_in_scaffold_validates(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["new", "double", "--bank", str(tmp_path)]).exit_code == 0
    fill_in(tmp_path)
    result = runner.invoke(main, ["validate", "double", "--bank", str(tmp_path), "--workers", "2"])
    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.output.splitlines() if line.startswith("double ")]
    assert row.split()[1:6] == ["passes", "fails", "all", "10/10", "3/3"]
    assert "TODO" not in result.output
    assert "double: 6 named mistakes: squared, unchanged" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new", "Double-It"], "'Double-It' cannot be a kata id"),
        (["new", "ok", "--function", "class"], "not a Python function name: class"),
    ],
)
def test_bad_names_are_one_line_errors(tmp_path, args, message):
    result = CliRunner().invoke(main, [*args, "--bank", str(tmp_path)])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_an_existing_kata_is_never_overwritten(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["new", "double", "--bank", str(tmp_path)]).exit_code == 0
    again = runner.invoke(main, ["new", "double", "--bank", str(tmp_path)])
    assert again.exit_code == 2 and "a kata named 'double' already exists" in again.output
