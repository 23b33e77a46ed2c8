"""``kata new``: a new kata's files, complete enough to run, with its author's work marked.

Every place that needs the author is marked ``TODO(kata new)``; ``kata validate`` lists
the marks left (``placeholders``), with what else a kata needs before it is done, so
an author can go from a fresh scaffold to a validated kata by following its output.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from grader.catalog import DIFFICULTIES, HINTS_FILE, Bank, Kata
from grader.errors import KataError
from grader.mistakes import DECLARATION
from grader.mutants import MUTANTS_FILE

MARK = "TODO(kata new)"
KATA_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class NewKata:
    """What ``kata new`` was asked for."""

    id: str
    title: str
    functions: tuple[str, ...]
    difficulty: str = "easy"
    minutes: int = 15
    track: str = "course"


def _checked(spec: NewKata) -> None:
    if not KATA_ID.match(spec.id) or keyword.iskeyword(spec.id):
        raise KataError(
            f"'{spec.id}' cannot be a kata id: use lower-case letters, digits and '_', "
            "starting with a letter (it becomes the learner's file name)"
        )
    bad = [f for f in spec.functions if not f.isidentifier() or keyword.iskeyword(f)]
    if bad:
        raise KataError(f"not a Python function name: {', '.join(bad)}")
    if len(set(spec.functions)) != len(spec.functions):
        raise KataError("a function is named twice")
    if spec.difficulty not in DIFFICULTIES:
        raise KataError(f"the level must be one of {', '.join(DIFFICULTIES)}")


def _kata_toml(spec: NewKata) -> str:
    requires = ", ".join(f'"{name}"' for name in spec.functions)
    first = spec.functions[0]
    return f'''id = "{spec.id}"
title = "{spec.title}"
difficulty = "{spec.difficulty}"
minutes = {spec.minutes}
track = "{spec.track}"
teaches = "{MARK}: one line on what the kata teaches"
requires = [{requires}]

# Weights of the tests that matter most (a test not listed weighs 1).
[weights]
test_{first}_random_values = 2

[limits]
call_timeout_s = 5
budget_s = 30

# The speed benchmark: inputs large enough that a Python loop is visibly slow.
[benchmark]
repeats = 5
cap_ratio = 40
[benchmark.inputs]
x = {{ normal = [1000, 1000] }}
[[benchmark.steps]]
call = "{first}"
args = ["$x"]
'''


def _signature(name: str) -> str:
    return f"def {name}(x: np.ndarray) -> np.ndarray:"


def _prompt(spec: NewKata) -> str:
    signatures = "\n".join(f"{_signature(name)} ..." for name in spec.functions)
    return f"""# {spec.title}

{MARK}: what the learner implements and why it matters, in two or three sentences.

```python
{signatures}
```

## Example

```python
>>> {spec.functions[0]}(np.array([[1.0, -2.0]]))
{MARK}: the result of this small example
```

## Conventions

- {MARK}: shapes, dtypes, edge cases, and what must never happen (NaN, warnings).
- Functions never modify their input arrays, and return NumPy arrays.
"""


def _stub(spec: NewKata) -> str:
    bodies = "\n\n\n".join(
        f'{_signature(name)}\n    """{MARK}: what {name} returns."""\n'
        f'    raise NotImplementedError("{name}")'
        for name in spec.functions
    )
    return f'"""{spec.title}: write your solution here."""\n\nimport numpy as np\n\n\n{bodies}\n'


def _solution(spec: NewKata) -> str:
    bodies = "\n\n\n".join(
        f"{_signature(name)}\n    # {MARK}: the reference, commented where a convention matters.\n"
        f'    raise NotImplementedError("{name}")'
        for name in spec.functions
    )
    return f'"""Reference solution: {spec.title}."""\n\nimport numpy as np\n\n\n{bodies}\n'


def _suite_tests(name: str) -> str:
    return f'''

def oracle_{name}(x: np.ndarray) -> np.ndarray:
    """What {name} must return, written independently of the reference."""
    raise NotImplementedError("{MARK}: the oracle of {name}")


def {name}_mistakes(x: np.ndarray) -> dict:
    """Likely mistakes: each message, and what that mistake would return on x."""
    return {{}}  # {MARK}: e.g. {{SOME_MISTAKE: np.abs(x)}}


@pytest.mark.values
def test_{name}_small_example(impl):
    """{name} on a hand-checked example"""
    x = np.array([[1.0, -2.0]])
    expect_close(
        impl.{name}(x),
        oracle_{name}(x),
        call="{name}([[1, -2]])",
        mistakes=lambda: {name}_mistakes(x),
    )


@pytest.mark.values
def test_{name}_random_values(impl, rng):
    """{name} is right on random inputs"""
    x = rng.standard_normal((5, 7))
    expect_close(
        impl.{name}(x),
        oracle_{name}(x),
        call="{name}(x of shape (5, 7))",
        mistakes=lambda: {name}_mistakes(x),
    )


@pytest.mark.shapes
@pytest.mark.parametrize("shape", ANY_SHAPES, ids=shape_id)
def test_{name}_any_shape(impl, rng, shape):
    """{name} works for any shape, including 0-d and empty arrays"""
    x = rng.standard_normal(shape)
    expect_close(impl.{name}(x), oracle_{name}(x), call=f"{name}(x of shape {{shape}})")


@pytest.mark.contract
def test_{name}_leaves_its_input_alone(impl, rng):
    """{name} does not modify its input"""
    x = rng.standard_normal((3, 4))
    expect_inputs_unchanged(impl, "{name}", x, arg_names=("x",))
'''


def _suite(spec: NewKata) -> str:
    tests = "".join(_suite_tests(name) for name in spec.functions)
    return f'''"""Hidden suite for {spec.id}.

{MARK}: say what the oracle is and how the likely mistakes are recognised. Every test
has one category marker and a docstring (its title for the learner); messages must
stand alone, since the learner never sees this file. Cheap tests first: a buggy
version's check stops at its first failure.
"""

import numpy as np
import pytest

from grader.suite import (
    ANY_SHAPES,
    declared_mistakes,
    expect_close,
    expect_inputs_unchanged,
    shape_id,
)

named = declared_mistakes(__file__)

# {MARK}: the likely mistakes, one constant each, by their id in mistakes.toml, e.g.
# SOME_MISTAKE = named("some-mistake")
{tests}'''


MISTAKES = """# The classic mistakes the hidden suite recognises, each named once: its id
# (<kata>/<id> in results and the gradebook) and the text the learner reads. E.g.
#
# [[mistake]]
# id = "some-mistake"
# text = "what went wrong, and the convention that avoids it"
"""

HINTS = f"""# Revealed one at a time by `kata hint`: a nudge, the key idea, the classic pitfall.
hints = [
    "{MARK}: a nudge: where to look, without the formula",
    "{MARK}: the key idea or formula",
    "{MARK}: the classic pitfall, phrased as the convention that avoids it",
]

# Questions an interviewer asks once the code works (two or three), with a model answer.
[[followup]]
question = "{MARK}: a question"
answer = "{MARK}: the answer a strong candidate gives"
"""


MUTANTS = f"""# Buggy versions of the reference, each the edit that makes one classic mistake
# (at least 10; see grader/mutants.py for the format). `kata validate` builds each one
# and checks that a failure message contains its `expect` text. For example:
#
# [[mutant]]
# name = "sign_error"
# bug = "{MARK}: what the mistake is"
# expect = "text of the message the suite gives for it"
# replace = "text found once in the reference"
# with = "the buggy text"
"""


def scaffold(spec: NewKata, root: Path, meta_root: Path) -> list[Path]:
    """Write the new kata's files under the bank ``root`` and ``meta_root``; return them."""
    _checked(spec)
    folder = root / "katas" / spec.id
    meta = meta_root / spec.id
    if folder.exists() or (root / "solutions" / f"{spec.id}.py").exists():
        raise KataError(f"a kata named '{spec.id}' already exists in {root}")
    files = {
        folder / "kata.toml": _kata_toml(spec),
        folder / "prompt.md": _prompt(spec),
        folder / "stub.py": _stub(spec),
        folder / "suite.py": _suite(spec),
        folder / HINTS_FILE: HINTS,
        folder / DECLARATION: MISTAKES,
        root / "solutions" / f"{spec.id}.py": _solution(spec),
        meta / MUTANTS_FILE: MUTANTS,
    }
    (meta / "variants").mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return [*files, meta / "variants"]


MIN_MUTANTS = 10
MIN_VARIANTS = 3
HINT_COUNT = 3
FOLLOWUPS = (2, 3)


def placeholders(bank: Bank, kata: Kata) -> list[str]:
    """The files of ``kata`` that still hold a scaffold mark, with how many marks each."""
    files = [kata.folder / "kata.toml", kata.prompt_path, kata.stub_path, kata.suite_path]
    files += [kata.folder / HINTS_FILE] if (kata.folder / HINTS_FILE).is_file() else []
    if kata.solution:
        files.append(kata.solution)
    left = []
    for path in files:
        count = path.read_text(encoding="utf-8", errors="replace").count(MARK)
        if count:
            shown = path.relative_to(bank.root) if path.is_relative_to(bank.root) else path
            left.append(f"{shown} still has {count} '{MARK}' mark{'s' * (count > 1)}")
    return left
