"""Similarity measured on the bank: honest correct files never pair, disguised copies always do.

The correct variants of each kata (tests/bank/<kata>/variants/) and its reference
are written in different styles by design: no two may score NEAR or more. Every one
of them, copied with new names, a comment, another layout and no docstrings, must
score NEAR or more against its original.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
from itertools import combinations
from pathlib import Path

import pytest

from grader.similarity import (
    NEAR,
    FileToCompare,
    fingerprints,
    similar_pairs,
    similarity,
    tokens_of,
)

ROOT = Path(__file__).resolve().parent.parent
KATAS = sorted(p.name for p in (ROOT / "tests" / "bank").iterdir() if (p / "variants").is_dir())


def honest_files(kata: str) -> list[Path]:
    return [
        *sorted((ROOT / "tests/bank" / kata / "variants").glob("*.py")),
        ROOT / "solutions" / f"{kata}.py",
    ]


def renamed(source: str) -> str:
    """Every identifier renamed (attributes such as np.where stay: renaming them breaks the file)."""
    tokens, previous = [], ""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and not keyword.iskeyword(token.string) and previous != ".":
            token = token._replace(string=f"my_{token.string[::-1]}")
        tokens.append(token)
        previous = token.string
    return tokenize.untokenize(tokens)


def disguised(source: str) -> str:
    """A copy as a student hides it: new names, a comment of its own, another layout."""
    layout = ast.unparse(ast.parse(renamed(source))).replace("    ", "  ")
    return f"# my own work, written from scratch\n{layout}\n"


def score(a: str, b: str) -> float:
    return similarity(fingerprints(tokens_of(a)), fingerprints(tokens_of(b)))


@pytest.mark.parametrize("kata", KATAS)
def test_no_two_honest_correct_files_pair(kata):
    files = {f.name: f.read_text() for f in honest_files(kata)}
    scores = {(a, b): score(files[a], files[b]) for a, b in combinations(files, 2)}
    assert max(scores.values()) < NEAR, scores


@pytest.mark.parametrize("kata", KATAS)
def test_every_disguised_copy_of_a_correct_file_is_caught(kata):
    for file in honest_files(kata):
        source = file.read_text()
        assert score(source, disguised(source)) >= NEAR, file.name


def test_the_normal_form_ignores_names_comments_docstrings_and_layout():
    one = 'def f(x):\n    """Doc."""\n    # why\n    return (x * 2) + np.where(x > 0, x, 0)\n'
    two = "def g(y): return y*2 + np.where(y>0,y,0)\n"
    assert tokens_of(one) == tokens_of(two)
    assert tokens_of("def f(x): return np.maximum(x, 0)\n") != tokens_of(two)


def test_a_file_that_does_not_parse_compares_without_error():
    assert tokens_of("def f(:\n  '''") == []
    assert similarity(fingerprints([]), fingerprints(tokens_of("x = 1\n"))) == 0.0


def test_pairs_are_exact_for_the_same_hash_and_near_for_a_disguised_copy():
    source = (ROOT / "solutions" / "stable_softmax.py").read_text()
    other = (ROOT / "tests/bank/stable_softmax/variants").glob("*.py").__next__().read_text()
    files = [
        FileToCompare("ada", "k", "h1", source),
        FileToCompare("bob", "k", "h1", None),  # exact copies need no source
        FileToCompare("cy", "k", "h2", disguised(source)),
        FileToCompare("dee", "k", "h3", other),
        FileToCompare("eve", "other", "h1", source),  # another kata: never paired
    ]
    found = {(p.students, p.exact) for p in similar_pairs(files)}
    assert found == {(("ada", "bob"), True), (("ada", "cy"), False)}
