"""Finding katas and reading their metadata: katas are data, the grader names none.

A bank is a folder holding ``katas/<id>/`` (``kata.toml``, ``prompt.md``,
``stub.py``, ``suite.py``, optional ``examples/``) and ``solutions/<id>.py``.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any

from grader.errors import BadBank, UnknownKata
from grader.limits import Limits

PACKAGE_DIR = Path(__file__).resolve().parent
KATA_FILES = ("kata.toml", "prompt.md", "stub.py", "suite.py")
DIFFICULTIES = ("warm-up", "easy", "medium", "hard")
# Tracks group a bank's katas in `kata list`, in this order; a bank may add its own,
# which are listed after these.
TRACKS = {
    "core": "Core: the six classic interview katas",
    "seeds": "Seed components: the rest of a from-scratch network",
    "beyond": "Beyond the seeds: what interviews ask next",
}


HINTS_FILE = "hints.toml"
HINT_NAMES = ("a nudge", "the key idea", "the classic pitfall")


@dataclass(frozen=True)
class Followup:
    """A question an interviewer asks once the code works, with a model answer."""

    question: str
    answer: str


@dataclass(frozen=True)
class Coaching:
    hints: tuple[str, ...] = ()  # a nudge, the key idea, the classic pitfall: in that order
    followups: tuple[Followup, ...] = ()


def load_coaching(path: Path) -> Coaching:
    """``hints.toml``: ``hints = [nudge, idea, pitfall]`` and ``[[followup]]`` tables."""
    if not path.is_file():
        return Coaching()
    try:
        data = tomllib.loads(_read_bank_text(path))
    except tomllib.TOMLDecodeError as error:
        raise BadBank(f"{path}: {error}") from None
    hints, followups = data.get("hints", []), data.get("followup", [])
    if set(data) - {"hints", "followup"}:
        raise BadBank(f"{path}: expected only hints = [...] and [[followup]] tables")
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        raise BadBank(f"{path}: hints must be a list of texts")
    if not isinstance(followups, list) or not all(
        isinstance(f, dict)
        and set(f) == {"question", "answer"}
        and all(isinstance(v, str) and v.strip() for v in f.values())
        for f in followups
    ):
        raise BadBank(f"{path}: each [[followup]] needs a question and an answer, as text")
    return Coaching(
        tuple(h.strip() for h in hints),
        tuple(Followup(f["question"].strip(), f["answer"].strip()) for f in followups),
    )


@dataclass(frozen=True)
class Kata:
    id: str
    title: str
    difficulty: str
    minutes: int
    teaches: str
    requires: tuple[str, ...]
    folder: Path
    solution: Path | None
    weights: dict[str, float] = field(default_factory=dict)
    limits: Limits = Limits()
    budget_s: float = 60.0
    benchmark: dict[str, Any] | None = None
    track: str = "other"

    @property
    def track_title(self) -> str:
        return TRACKS.get(self.track, self.track.replace("_", " ").capitalize())

    @property
    def prompt_path(self) -> Path:
        return self.folder / "prompt.md"

    @property
    def stub_path(self) -> Path:
        return self.folder / "stub.py"

    @property
    def suite_path(self) -> Path:
        return self.folder / "suite.py"

    @property
    def file_name(self) -> str:
        """The name of the learner's file for this kata."""
        return f"{self.id}.py"

    def prompt(self) -> str:
        return _read_bank_text(self.prompt_path)

    def stub(self) -> str:
        return _read_bank_text(self.stub_path)

    def example(self, name: str) -> Path | None:
        path = self.folder / "examples" / f"{name}.py"
        return path if path.is_file() else None

    @cached_property
    def coaching(self) -> Coaching:
        """The kata's hints and follow-up questions (``hints.toml``), if it has them."""
        return load_coaching(self.folder / HINTS_FILE)

    def weight(self, test_name: str) -> float:
        """A test's weight; parametrised tests share their function's weight."""
        return float(self.weights.get(test_name.split("[")[0], 1.0))


def _read_bank_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadBank(f"{path} cannot be read: {error}") from None


def default_bank_root() -> Path:
    """The bundled bank: inside the package when installed, beside it in a checkout."""
    installed = PACKAGE_DIR / "bank"
    return installed if (installed / "katas").is_dir() else PACKAGE_DIR.parent


@dataclass(frozen=True)
class Bank:
    root: Path

    @cached_property
    def katas(self) -> dict[str, Kata]:
        folder = self.root / "katas"
        if not folder.is_dir():
            raise BadBank(f"{self.root} is not a kata bank: it has no katas/ folder")
        found = [
            load_kata(path, self.root / "solutions")
            for path in sorted(folder.iterdir())
            if (path / "kata.toml").is_file()
        ]
        return {kata.id: kata for kata in sorted(found, key=lambda k: (k.minutes, k.id))}

    def get(self, name: str) -> Kata:
        name = name.removesuffix(".py")
        if name not in self.katas:
            raise UnknownKata(name, list(self.katas))
        return self.katas[name]


def by_track(katas: Iterable[Kata]) -> dict[str, list[Kata]]:
    """Katas grouped under their track's title: the known tracks first, in their order."""
    order = list(TRACKS)
    groups: dict[str, list[Kata]] = {}
    for kata in sorted(
        katas, key=lambda k: (order.index(k.track) if k.track in order else len(order), k.track)
    ):
        groups.setdefault(kata.track_title, []).append(kata)
    return groups


def open_bank(root: Path | None = None) -> Bank:
    return Bank(Path(root).resolve() if root else default_bank_root())


RECIPES = ("normal", "uniform", "integers", "value", "generator")
COMPARISONS = ("values", "shape")


def checked_benchmark(spec: Any, meta_path: Path) -> dict[str, Any] | None:
    """The ``[benchmark]`` table, checked now so a typo is a bank error, not a failed check."""
    if spec is None:
        return None
    problem = None
    inputs = spec.get("inputs", {}) if isinstance(spec, dict) else None
    steps = spec.get("steps") if isinstance(spec, dict) else None
    if not isinstance(inputs, dict) or not isinstance(steps, list) or not steps:
        problem = "needs an [benchmark.inputs] table and at least one [[benchmark.steps]]"
    else:
        for name, recipe in inputs.items():
            if (
                not isinstance(recipe, dict)
                or len(recipe) != 1
                or next(iter(recipe)) not in RECIPES
            ):
                problem = f"input {name!r} needs exactly one recipe of {', '.join(RECIPES)}"
        known = set(inputs) | {step.get("save") for step in steps if isinstance(step, dict)}
        for step in steps:
            if not isinstance(step, dict) or not isinstance(step.get("call"), str):
                problem = 'every step needs a call = "name" or "$object.method"'
                break
            names = [a for a in step.get("args", []) if isinstance(a, str) and a.startswith("$")]
            names += [step["call"].split(".")[0]] if step["call"].startswith("$") else []
            unknown = [n for n in names if n[1:] not in known]
            if unknown:
                problem = f"step {step['call']!r} refers to unknown {', '.join(unknown)}"
            if step.get("compare", "values") not in COMPARISONS:
                problem = f"step {step['call']!r}: compare must be one of {', '.join(COMPARISONS)}"
    if problem:
        raise BadBank(f"{meta_path}: [benchmark] {problem}")
    return spec


def _number(value: Any) -> bool:
    """A number the engine can compute deadlines and scores with: not text, inf or NaN."""
    return type(value) in (int, float) and math.isfinite(value)


def load_kata(folder: Path, solutions: Path) -> Kata:
    """Read one kata folder, checking everything the engine relies on."""
    meta_path = folder / "kata.toml"
    try:
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BadBank(f"{meta_path}: {error}") from None
    missing = [name for name in KATA_FILES if not (folder / name).is_file()]
    if missing:
        raise BadBank(f"kata folder {folder} lacks {', '.join(missing)}")
    try:
        kata_id = str(meta.get("id", folder.name))
        if kata_id != folder.name:
            raise BadBank(f"{meta_path}: id '{kata_id}' differs from its folder name")
        difficulty = str(meta["difficulty"])
        if difficulty not in DIFFICULTIES:
            raise BadBank(f"{meta_path}: difficulty must be one of {', '.join(DIFFICULTIES)}")
        limits_table = dict(meta.get("limits", {}))
        budget = float(limits_table.pop("budget_s", 60.0))
        known = {f.name for f in fields(Limits)}
        unknown = set(limits_table) - known
        if unknown:
            raise BadBank(f"{meta_path}: unknown limits {', '.join(sorted(unknown))}")
        numbers = {"minutes": meta["minutes"], "budget_s": budget, **limits_table}
        bad = [name for name, value in numbers.items() if not _number(value) or value <= 0]
        weights = dict(meta.get("weights", {}))
        bad += [f"weights.{k}" for k, v in weights.items() if not _number(v) or v < 0]
        if bad:
            raise BadBank(
                f"{meta_path}: {', '.join(bad)} must be finite numbers above 0 (a weight may be 0)"
            )
        solution = solutions / f"{kata_id}.py"
        return Kata(
            id=kata_id,
            title=str(meta["title"]),
            difficulty=difficulty,
            minutes=max(1, round(meta["minutes"])),
            teaches=str(meta.get("teaches", "")),
            requires=tuple(str(name) for name in meta["requires"]),
            folder=folder.resolve(),
            solution=solution.resolve() if solution.is_file() else None,
            weights={str(k): float(v) for k, v in weights.items()},
            limits=Limits(**limits_table),
            budget_s=budget,
            benchmark=checked_benchmark(meta.get("benchmark"), meta_path),
            track=str(meta.get("track", "other")),
        )
    except KeyError as error:
        raise BadBank(f"{meta_path}: missing key {error}") from None
    except (TypeError, ValueError) as error:
        raise BadBank(f"{meta_path}: {error}") from None
