"""Named mistakes: the classic errors a suite recognises, each with a stable id.

A kata declares its mistakes once, in ``katas/<id>/mistakes.toml``::

    [[mistake]]
    id = "derivative-at-zero"
    text = "the derivative at exactly 0 must be 0: use x > 0, not x >= 0"

and its suite names them by id (``named("derivative-at-zero")``), so that a failure
carries ``<kata>/<slug>`` beside the learner-facing text: data an instructor can
count, not words to search. Mistakes that any kata can make (an input modified in
place, a lost dtype) are declared here once, as ``common/<slug>``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path

from grader.errors import BadBank
from grader.results import NamedMistake

DECLARATION = "mistakes.toml"
COMMON = "common"
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Mistakes the grader's own checks recognise in any kata.
COMMON_TEXTS = {
    "modified-input-in-place": (
        "an input was modified in place: work on a copy, or avoid in-place operators "
        "like `x[...] = ` and `*=` on arrays you were given"
    ),
    "returns-non-array": (
        "the result is not a NumPy array: build it with NumPy operations (or np.asarray), "
        "not as a list, tuple or Python number"
    ),
    "not-a-float": "the result must be a single float: return a Python or NumPy float",
    "wrong-dtype": (
        "the input's dtype was lost: a float64 constant, np.zeros without dtype= or an "
        "astype upcast float32 (keep the input's dtype)"
    ),
    "broadcast-column-row": (
        "an (n, 1) array met an (n,) array and NumPy broadcast them to (n, n): "
        "make both the same shape first"
    ),
    "transposed": "the result is transposed",
    "reduced-every-axis": "the result was reduced over every axis (a sum or mean without axis=)",
    "dropped-keepdims": "an axis was reduced away; keep it with keepdims=True",
    "extra-axis": "the result has an extra axis of length 1",
    "loop-over-0d": (
        "a Python loop over the array's rows, which a 0-d array does not have: "
        "use whole-array NumPy operations"
    ),
}


# Exceptions of the learner's code that betray a common mistake: (type, words) to slug.
ERROR_SIGNS = {
    ("TypeError", "iteration over a 0-d array"): "loop-over-0d",
    ("TypeError", "len() of unsized object"): "loop-over-0d",
}


class MistakeText(str):
    """A mistake's learner-facing text that also carries its id.

    A ``str``, so suites keep using it as a message and as a key of ``mistakes=``
    mappings; checks that raise with it pass the id on to the verdict.
    """

    id: str

    def __new__(cls, text: str, mistake_id: str) -> MistakeText:
        made = super().__new__(cls, text)
        made.id = mistake_id
        return made

    def named(self) -> NamedMistake:
        return NamedMistake(self.id, str(self))

    def format(self, *args: object, **kwargs: object) -> MistakeText:
        """The text with its ``{placeholders}`` filled in, under the same id."""
        return MistakeText(str(self).format(*args, **kwargs), self.id)


def common(slug: str) -> MistakeText:
    """The grader's own ``common/<slug>`` mistake."""
    return MistakeText(COMMON_TEXTS[slug], f"{COMMON}/{slug}")


def error_mistake(error: Mapping[str, object]) -> MistakeText | None:
    """The common mistake behind the learner's exception (the child's description), if known."""
    message = str(error.get("message", ""))
    for (kind, words), slug in ERROR_SIGNS.items():
        if error.get("type") == kind and words in message:
            return common(slug)
    return None


def load_declared(folder: Path) -> dict[str, str]:
    """A kata folder's declared mistakes, slug to text ({} when it declares none)."""
    path = folder / DECLARATION
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BadBank(f"{path}: {error}") from None
    entries = data.get("mistake", [])
    if set(data) - {"mistake"} or not isinstance(entries, list):
        raise BadBank(f"{path}: expected only [[mistake]] tables")
    declared: dict[str, str] = {}
    for number, entry in enumerate(entries, 1):
        slug = entry.get("id") if isinstance(entry, dict) else None
        text = entry.get("text") if isinstance(entry, dict) else None
        if not isinstance(slug, str) or not SLUG.match(slug):
            raise BadBank(f"{path}: mistake {number} needs an id of lowercase words joined by '-'")
        if not isinstance(text, str) or not text.strip() or set(entry) - {"id", "text"}:
            raise BadBank(f"{path}: mistake '{slug}' needs a text (and nothing else)")
        if slug in declared:
            raise BadBank(f"{path}: mistake '{slug}' is declared twice")
        declared[slug] = text.strip()
    return declared


def declared_mistakes(suite_file: str | Path) -> Callable[[str], MistakeText]:
    """The ``named`` function of the suite at ``suite_file``: a slug to its ``MistakeText``.

    ``named("derivative-at-zero")`` is the kata's own mistake; ``named("common/...")``
    one of the grader's. An id the declaration lacks raises ``BadBank``: the suite
    cannot run, and ``kata validate`` says which id is missing before it tries.
    """
    folder = Path(suite_file).resolve().parent
    declared = load_declared(folder)

    def named(slug: str) -> MistakeText:
        if slug.startswith(f"{COMMON}/") and slug[len(COMMON) + 1 :] in COMMON_TEXTS:
            return common(slug[len(COMMON) + 1 :])
        if slug not in declared:
            raise BadBank(f"{folder / DECLARATION} does not declare the mistake '{slug}'")
        return MistakeText(declared[slug], f"{folder.name}/{slug}")

    return named


def by_text(folder: Path) -> Mapping[str, str]:
    """Every mistake a kata's failures may name, text to id: its own, then the common ones."""
    texts = {text: f"{folder.name}/{slug}" for slug, text in load_declared(folder).items()}
    for slug, text in COMMON_TEXTS.items():
        texts.setdefault(text, f"{COMMON}/{slug}")
    return texts


def identify(text: str, known: Mapping[str, str]) -> NamedMistake:
    """A mistake named in words only, with the id of the declared text it quotes, if any.

    A suite may word a message itself ("... Likely mistake: <declared text>"), or add a
    detail to a declared text: the longest declared text it contains gives the id.
    """
    if text in known:
        return NamedMistake(known[text], text)
    quoted = [declared for declared in known if declared in text]
    return NamedMistake(known[max(quoted, key=len)] if quoted else None, text)
