"""Whether data read back from a state file or a database has the shape the code expects.

State files belong to the user: an editor, a sync tool, a crash or an older kata
can leave valid JSON of the wrong shape. Each reader states the shape it expects
once, as type hints (a ``TypedDict`` or a dataclass), and asks ``mismatch``
before trusting what it read, so a wrong shape becomes a clear message instead
of an ``AttributeError`` three calls later.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any


def mismatch(value: Any, hint: Any, where: str = "the value") -> str | None:
    """What in ``value`` does not fit ``hint``, e.g. ``"katas.adam_step.checks is 'y'"``; or None.

    Understands ``float`` (any finite number: JSON has no infinity), ``int``,
    ``str``, ``bool``, ``None``, ``X | Y``, ``list[X]``, ``tuple[X, ...]`` (a JSON
    list), ``dict[str, X]``, ``TypedDict`` and dataclasses (a JSON object; keys
    without a default are required, unknown keys are ignored) and ``Any``.
    """
    if hint is Any:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        fits = any(mismatch(value, option, where) is None for option in args)
        return None if fits else f"{where} is {_shown(value)}"
    if origin in (list, tuple):
        if not isinstance(value, list):
            return f"{where} is {_shown(value)}, not a list"
        return _first(mismatch(item, args[0], f"{where}[{i}]") for i, item in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            return f"{where} is {_shown(value)}, not a table"
        return _first(
            mismatch(key, args[0], f"a key of {where}") or mismatch(item, args[1], f"{where}.{key}")
            for key, item in value.items()
        )
    if typing.is_typeddict(hint) or dataclasses.is_dataclass(hint):
        return _record_mismatch(value, hint, where)
    return None if _fits_scalar(value, hint) else f"{where} is {_shown(value)}"


def _record_mismatch(value: Any, hint: Any, where: str) -> str | None:
    if not isinstance(value, dict):
        return f"{where} is {_shown(value)}, not a table"
    if dataclasses.is_dataclass(hint):
        missing = dataclasses.MISSING
        required = {
            f.name
            for f in dataclasses.fields(hint)
            if f.default is missing and f.default_factory is missing
        }
    else:
        required = set(hint.__required_keys__)
    absent = sorted(required - set(value))
    if absent:
        return f"{where} lacks {', '.join(absent)}"
    hints = typing.get_type_hints(hint)
    return _first(
        mismatch(value[name], field_hint, f"{where}.{name}")
        for name, field_hint in hints.items()
        if name in value
    )


def _fits_scalar(value: Any, hint: Any) -> bool:
    if hint is float:  # an int is a fine float in JSON; a bool is not a number here
        return type(value) in (int, float) and math.isfinite(value)
    if hint is None or hint is type(None):
        return value is None
    return type(value) is hint  # exact: True is not an int, a str subclass is not a str


def _first(problems: typing.Iterable[str | None]) -> str | None:
    return next((problem for problem in problems if problem), None)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
