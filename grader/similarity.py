"""Copies among a class's files: exact (same bytes) and near (same code up to names).

A near-copy is what a student makes of a classmate's file by renaming its
variables, rewriting its comments and docstrings and reformatting it. Such edits
leave the *shape* of the token stream unchanged, so files are compared on a
normalised stream (``tokens_of``: every identifier is one token, comments,
docstrings, strings and layout are gone; attribute names such as ``np.where``
stay, because they name the maths and a copier keeps them). Each stream is
reduced to winnowing fingerprints (Schleimer, Wilkerson and Aiken 2003, the
idea behind MOSS): hashes of every K-gram, of which the smallest in each window
of W is kept, so any shared run of K + W - 1 tokens is guaranteed to share a
fingerprint. Two files' similarity is the Jaccard index of their fingerprint
sets. ``NEAR`` was measured on the bank (see the README): honest correct files
written in different styles stay below it, renamed and reformatted copies
score 1.0.
"""

from __future__ import annotations

import ast
import io
import keyword
import tokenize
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

K = 5  # tokens per k-gram: a solution of a few lines is some 40 to 200 tokens
W = 4  # winnowing window: a shared run of K + W - 1 = 8 tokens is always seen
NEAR = 0.6  # similarity at or above which two files are listed as near-copies
LAYOUT = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}
FSTRING_START = getattr(tokenize, "FSTRING_START", -1)  # Python 3.12 tokenizes f-strings
FSTRING_PARTS = {getattr(tokenize, "FSTRING_MIDDLE", -1), getattr(tokenize, "FSTRING_END", -1)}


@dataclass(frozen=True)
class FileToCompare:
    """One student's latest file at one kata."""

    student: str
    kata: str
    file_hash: str
    source: str | None  # None when the gradebook has no copy: exact copies only


@dataclass(frozen=True)
class SimilarPair:
    """Two students whose files at ``kata`` are the same (``exact``) or nearly the same."""

    kata: str
    students: tuple[str, str]
    score: float  # 1.0 for an exact copy, else the fingerprints' Jaccard index
    exact: bool

    def to_json(self) -> dict[str, object]:
        return {
            "kata": self.kata,
            "students": list(self.students),
            "score": round(self.score, 3),
            "exact": self.exact,
        }


def canonical(source: str) -> str:
    """``source`` laid out by ``ast.unparse`` without docstrings: one spelling of its code.

    Redundant parentheses, number and string spellings, line breaks and comments all
    go; a file that does not parse is returned as it is.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
    return ast.unparse(tree)


def tokens_of(source: str) -> list[str]:
    """``source`` as a normalised token stream; [] when it does not tokenize."""
    tokens: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(canonical(source)).readline):
            kind, text = token.type, token.string
            if kind in LAYOUT or kind in FSTRING_PARTS:
                continue
            if kind == tokenize.STRING or kind == FSTRING_START:
                tokens.append("S")
            elif kind == tokenize.NAME and not keyword.iskeyword(text):
                tokens.append(text if tokens and tokens[-1] == "." else "V")
            else:
                tokens.append(text)
    except (tokenize.TokenError, SyntaxError):  # IndentationError is a SyntaxError
        return []
    return tokens


def fingerprints(tokens: list[str]) -> frozenset[int]:
    """The winnowed hashes of ``tokens``' K-grams (all of them when there are few)."""
    grams = [
        zlib.crc32("\x1f".join(tokens[i : i + K]).encode()) for i in range(len(tokens) - K + 1)
    ]
    if len(grams) <= W:
        return frozenset(grams)
    kept = set()
    for start in range(len(grams) - W + 1):
        window = grams[start : start + W]
        kept.add(min(window))
    return frozenset(kept)


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """The Jaccard index of two fingerprint sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similar_pairs(files: Iterable[FileToCompare], near: float = NEAR) -> list[SimilarPair]:
    """Every pair of students at the same kata with the same file or a near-copy.

    Sorted by kata, then the most similar first.
    """
    by_kata: dict[str, list[FileToCompare]] = {}
    for file in files:
        by_kata.setdefault(file.kata, []).append(file)
    pairs = []
    for kata, group in sorted(by_kata.items()):
        printed = {
            f.student: fingerprints(tokens_of(f.source)) if f.source is not None else frozenset()
            for f in group
        }
        for a, b in combinations(sorted(group, key=lambda f: f.student), 2):
            if a.file_hash == b.file_hash:
                pairs.append(SimilarPair(kata, (a.student, b.student), 1.0, True))
                continue
            score = similarity(printed[a.student], printed[b.student])
            if score >= near:
                pairs.append(SimilarPair(kata, (a.student, b.student), score, False))
    return sorted(pairs, key=lambda p: (p.kata, -p.score, p.students))
