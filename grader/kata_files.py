"""What a person reads as a kata file: ``Relu_Backward (1).py`` is ``relu_backward.py``.

Kata ids are lower-case identifiers, so a name's case, a browser's `` (N)``
download suffix, hyphens or spaces for underscores and a ``.txt`` that a mail
client appended can each only ever mean one kata. A notebook counts too: its
code cells are the code. Where two such files exist, ``NameMatch.rank`` orders
them: a ``.py`` before a ``.py.txt`` before a ``.ipynb``, the exact name first.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from grader.notebooks import NotANotebook, notebook_code

FORMS = (".py.txt", ".ipynb", ".py")  # longest first: ".py.txt" also ends in ".txt"
FORM_RANK = {".py": 0, ".py.txt": 1, ".ipynb": 2}
BROWSER_COPY = re.compile(r"\s*\(\d{1,4}\)$")  # "name (1)" or "name(1)", from a re-download
SEPARATORS = re.compile(r"[-\s]+")


class Skipped(Exception):
    """Why an item of a submission is not graded; the message is shown to the instructor."""


@dataclass(frozen=True)
class NameMatch:
    kata: str
    form: str  # ".py", ".py.txt" or ".ipynb"
    exact: bool  # named exactly <kata>.py

    @property
    def rank(self) -> tuple[int, bool]:
        return FORM_RANK[self.form], not self.exact


@dataclass(frozen=True)
class KataNames:
    """The kata ids of a run, looked up as a person reads a file name."""

    by_folded: dict[str, str]

    @classmethod
    def of(cls, kata_ids: Iterable[str]) -> KataNames:
        return cls({kata.casefold(): kata for kata in kata_ids})

    def match(self, name: str) -> NameMatch | None:
        """The kata ``name`` is a file of, or None: ``RELU-Backward (2).PY`` is relu_backward."""
        folded = unicodedata.normalize("NFC", name).casefold()
        stem, dot, last = folded.rpartition(".")
        if dot:  # a browser puts " (1)" before the last extension: "x.py (1).txt"
            folded = f"{BROWSER_COPY.sub('', stem)}.{last}"
        form = next((suffix for suffix in FORMS if folded.endswith(suffix)), None)
        if form is None:
            return None
        stem = BROWSER_COPY.sub("", folded.removesuffix(form))
        kata = self.by_folded.get(SEPARATORS.sub("_", stem))
        return NameMatch(kata, form, name == f"{kata}.py") if kata else None


@dataclass(frozen=True)
class KataCode:
    data: bytes  # what is staged and graded
    how: str | None  # how it was made from the student's file, when not a plain copy


def code_of(match: NameMatch, data: bytes) -> KataCode:
    """The Python source to grade from a kata file's bytes; raises ``Skipped``.

    A ``.py`` is graded as it is (a UTF-8 byte-order mark included: the engine
    reads it as Python does); a notebook becomes its code cells.
    """
    if match.form != ".ipynb":
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise Skipped(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
        return KataCode(data, None)
    try:
        notebook = notebook_code(data)
    except NotANotebook as error:
        raise Skipped(str(error)) from None
    how = f"its {notebook.cells} code cell(s) joined in order"
    if notebook.left_out:
        how += f", {notebook.left_out} IPython line(s) (% or !) left out"
    return KataCode(notebook.source.encode(), how)
