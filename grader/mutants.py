"""Buggy versions of a reference, written down as the small edit that makes each one.

A kata's meta bank (``<meta>/<kata>/``) lists its mutants in ``mutants.toml``::

    [[mutant]]
    name = "no_sqrt"
    expect = "square root of v_hat"        # a failure message must contain this
    replace = "np.sqrt(v_hat) + eps"       # text of solutions/<kata>.py, found exactly once
    with = "v_hat + eps"

    [[mutant]]
    name = "two_places"
    expect = "..."
    edits = [{ replace = "a", with = "b" }, { replace = "c", with = "d", all = true }]

Each edit applies to the text the previous one left; ``all = true`` replaces every
occurrence instead of requiring exactly one. A bug that rewrites the structure stays a
whole file, ``<meta>/<kata>/mutants/<name>.py`` with a ``# expect: ...`` line.
Mutants are built into a scratch folder only when they are checked, so the bank holds
each bug once, as the lines that differ.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from grader.errors import BadBank

MUTANTS_FILE = "mutants.toml"
EXPECT_LINE = re.compile(r"^#\s*expect:\s*(.+?)\s*$", re.MULTILINE)
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class Edit:
    replace: str
    with_: str
    all: bool = False


@dataclass(frozen=True)
class Mutant:
    """One buggy version: its name, the text its failure must mention, and where it comes from."""

    name: str
    expect: str
    source: Path  # mutants.toml, or the whole file
    edits: tuple[Edit, ...] = ()

    @property
    def whole_file(self) -> bool:
        return not self.edits

    @property
    def label(self) -> str:
        """How reports name it: the file for a whole file, ``mutants.toml:name`` otherwise."""
        return self.source.name if self.whole_file else f"{MUTANTS_FILE}:{self.name}"

    def text(self, reference: str) -> str:
        """The buggy file's source: the whole file, or the reference with the edits applied."""
        if self.whole_file:
            return _read(self.source)
        text = reference
        for number, edit in enumerate(self.edits, 1):
            found = text.count(edit.replace)
            where = f"{self.source}: mutant '{self.name}'"
            if found == 0:
                raise BadBank(
                    f"{where}: edit {number} no longer applies: its 'replace' text is not in "
                    f"the reference: {edit.replace!r}"
                )
            if found > 1 and not edit.all:
                raise BadBank(
                    f"{where}: edit {number}'s 'replace' text occurs {found} times in the "
                    "reference; make it longer so that it is found once, or add all = true"
                )
            text = text.replace(edit.replace, edit.with_)
        if text == reference:
            raise BadBank(f"{where}: the edits leave the reference unchanged")
        return text


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadBank(f"{path} cannot be read: {error}") from None


def _edit(raw: object, where: str) -> Edit:
    if not isinstance(raw, dict) or set(raw) - {"replace", "with", "all"}:
        raise BadBank(f"{where}: an edit is a table with 'replace', 'with' and optionally 'all'")
    replace, with_, every = raw.get("replace"), raw.get("with"), raw.get("all", False)
    if not isinstance(replace, str) or not replace or not isinstance(with_, str):
        raise BadBank(f"{where}: 'replace' must be non-empty text and 'with' text")
    if not isinstance(every, bool):
        raise BadBank(f"{where}: 'all' must be true or false")
    return Edit(replace, with_, every)


def _listed_mutant(raw: object, path: Path, index: int) -> Mutant:
    if not isinstance(raw, dict):
        raise BadBank(f"{path}: mutant {index} is not a table")
    name = raw.get("name")
    where = f"{path}: mutant {name!r}" if isinstance(name, str) else f"{path}: mutant {index}"
    if not isinstance(name, str) or not NAME.match(name):
        raise BadBank(f"{where}: needs a name of letters, digits, '_', '-' or '.'")
    unknown = set(raw) - {"name", "expect", "replace", "with", "all", "edits", "bug"}
    if unknown:
        raise BadBank(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    expect = raw.get("expect")
    if not isinstance(expect, str) or not expect.strip():
        raise BadBank(f"{where}: needs 'expect', text that the failure message must contain")
    if "edits" in raw:
        if {"replace", "with", "all"} & set(raw):
            raise BadBank(f"{where}: give either 'edits' or 'replace'/'with', not both")
        edits = raw["edits"]
        if not isinstance(edits, list) or not edits:
            raise BadBank(f"{where}: 'edits' must be a non-empty list of tables")
        parsed = tuple(_edit(edit, where) for edit in edits)
    else:
        parsed = (_edit({k: raw[k] for k in ("replace", "with", "all") if k in raw}, where),)
    return Mutant(name, expect.strip(), path, parsed)


def _whole_file_mutant(path: Path) -> Mutant:
    match = EXPECT_LINE.search(_read(path))
    if match is None:
        raise BadBank(f"{path}: a whole-file mutant needs a '# expect: ...' line")
    return Mutant(path.stem, match.group(1), path)


def load_mutants(folder: Path) -> list[Mutant]:
    """A kata's mutants from ``folder`` (``<meta>/<kata>``): the listed ones, then whole files."""
    found: list[Mutant] = []
    listed = folder / MUTANTS_FILE
    if listed.is_file():
        try:
            data = tomllib.loads(_read(listed))
        except tomllib.TOMLDecodeError as error:
            raise BadBank(f"{listed} is not valid TOML: {error}") from None
        if set(data) - {"mutant"} or not isinstance(data.get("mutant", []), list):
            raise BadBank(f"{listed}: expected only [[mutant]] tables")
        found += [_listed_mutant(raw, listed, i) for i, raw in enumerate(data.get("mutant", []), 1)]
    whole = folder / "mutants"
    if whole.is_dir():
        found += [_whole_file_mutant(path) for path in sorted(whole.glob("*.py"))]
    seen: set[str] = set()
    for mutant in found:
        if mutant.name in seen:
            raise BadBank(f"{folder}: two mutants are named '{mutant.name}'")
        seen.add(mutant.name)
    return found


def build(mutant: Mutant, reference: Path | None, folder: Path) -> Path:
    """Write the buggy file into ``folder`` and return its path."""
    if not mutant.whole_file and reference is None:
        raise BadBank(f"{mutant.source}: mutant '{mutant.name}' edits a reference there is none of")
    path = folder / f"{mutant.name}.py"
    path.write_text(mutant.text(_read(reference) if reference else ""), encoding="utf-8")
    return path
