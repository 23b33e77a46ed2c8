"""Speed of the learner's code against the reference, on the kata's benchmark inputs.

Both sides run in child processes through the same channel and are timed by the
trusted parent's clock, repeats interleaved, median taken. Inputs are generated
here from the seed, afresh for every round, and stored in each child before the
clock starts; timed calls return nothing, so the measure is the computation, not
the transfer of arrays.

A kata's ``[benchmark]`` table (plain data)::

    repeats = 7          # timed repeats per side (median reported)
    cap_ratio = 40       # slower than this many times the reference: capped
    [benchmark.inputs]   # arrays made from the seed: normal / uniform / integers / value
    x = { normal = [2000, 1000] }
    [[benchmark.steps]]  # `timed = false` for set-up; `save` keeps a result by name
    call = "relu_backward"          # or "$name.method" on a saved object
    args = ["$g", "$x"]
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np

from grader.results import Speed
from grader.sandbox.parent import LearnerFailure, LearnerTimeout, RemoteObject, Sandbox


class BenchmarkError(Exception):
    """The kata's benchmark table is malformed (a bank error, not the learner's)."""


def make_inputs(spec: dict[str, Any], seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    made: dict[str, Any] = {}
    for name, recipe in spec.items():
        if not isinstance(recipe, dict) or len(recipe) != 1:
            raise BenchmarkError(f"benchmark input {name!r} needs exactly one recipe")
        ((kind, params),) = recipe.items()
        if kind == "normal":
            made[name] = rng.standard_normal(tuple(params))
        elif kind == "uniform":
            low, high, shape = params
            made[name] = rng.uniform(low, high, tuple(shape))
        elif kind == "integers":
            low, high, shape = params
            made[name] = rng.integers(low, high, tuple(shape))
        elif kind == "value":
            made[name] = params
        elif kind == "generator":  # a fresh np.random.Generator each round, for random katas
            made[name] = np.random.default_rng(int(rng.integers(2**63)))
        else:
            raise BenchmarkError(f"benchmark input {name!r}: unknown recipe {kind!r}")
    return made


class BenchmarkRun:
    """One side (learner or reference) of a benchmark: its stored inputs and objects."""

    def __init__(self, sandbox: Sandbox, inputs: dict[str, Any]) -> None:
        self.sandbox = sandbox
        self.names: dict[str, Any] = {
            name: self.store(value) if isinstance(value, np.ndarray) else value
            for name, value in inputs.items()
        }

    def store(self, array: np.ndarray) -> Any:
        """In shared memory (written by the parent, no copy through the pipe), else in the child."""
        shared = self.sandbox.share(array)
        return shared if shared is not None else self.sandbox.put(array)

    def resolve(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            if value[1:] not in self.names:
                raise BenchmarkError(f"benchmark refers to unknown name {value}")
            return self.names[value[1:]]
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def run_step(
        self, step: dict[str, Any], timeout: float | None = None, send: bool = False
    ) -> Any:
        target: RemoteObject | None = None
        name = step["call"]
        if name.startswith("$"):
            owner, _, name = name[1:].partition(".")
            target = self.resolve("$" + owner)
        args = tuple(self.resolve(list(step.get("args", []))))
        kwargs = {k: self.resolve(v) for k, v in step.get("kwargs", {}).items()}
        mode = "send" if send else ("ref" if "save" in step else "none")
        result = self.sandbox.call(target, name, args, kwargs, result=mode, timeout=timeout)
        if "save" in step:
            self.names[step["save"]] = result
        return result

    def forget(self) -> None:
        """Let the child drop this round's inputs and objects."""
        self.sandbox.forget([v for v in self.names.values() if isinstance(v, RemoteObject)])

    def timed(self, steps: list[dict[str, Any]], timeout: float | None = None) -> float:
        start = time.perf_counter()
        for step in steps:
            self.run_step(step, timeout)
        return time.perf_counter() - start


def measure_speed(spec: dict[str, Any], learner: Sandbox, reference: Sandbox, seed: int) -> Speed:
    """Time the benchmark steps on both sides; raises LearnerFailure only for the reference.

    Every round stores freshly made inputs on both sides before the clock starts, so
    code that remembers its last inputs has nothing to remember: it is timed on
    work it has not seen.
    """
    repeats = int(spec.get("repeats", 5))
    cap = float(spec.get("cap_ratio", 40))
    steps = list(spec.get("steps", []))
    setup = [s for s in steps if not s.get("timed", True)]
    timed_steps = [s for s in steps if s.get("timed", True)]

    def round_on(sandbox: Sandbox, inputs: dict[str, Any], timeout: float | None = None) -> float:
        # The last round's objects are forgotten: no view of the shared memory is kept.
        sandbox.rewind_shared(sum(v.nbytes + 64 for v in inputs.values() if hasattr(v, "nbytes")))
        run = BenchmarkRun(sandbox, inputs)
        for step in setup:
            run.run_step(step)
        elapsed = run.timed(timed_steps, timeout)
        run.forget()
        return elapsed

    def inputs_of(round_: int) -> dict[str, Any]:
        return make_inputs(spec.get("inputs", {}), seed + round_)

    round_on(reference, inputs_of(0))  # warm-up: first-call costs are not the code's speed
    first = round_on(reference, inputs_of(1))
    limit = cap * first + 0.5

    def capped(failure: LearnerFailure) -> Speed:
        note = f"more than {cap:g}x slower" if isinstance(failure, LearnerTimeout) else str(failure)
        return Speed(None, first, None, True, note)

    learner_times, reference_times = [], [first]
    try:
        round_on(learner, inputs_of(0), timeout=limit)
        for round_ in range(1, repeats + 1):
            inputs = inputs_of(round_)
            learner_times.append(round_on(learner, inputs, timeout=limit))
            if round_ > 1:
                reference_times.append(round_on(reference, inputs))
    except LearnerFailure as failure:
        return capped(failure)
    learner_s = statistics.median(learner_times)
    reference_s = statistics.median(reference_times)
    problem = _results_differ(spec, learner, reference, inputs_of(repeats + 1), limit)
    if problem:
        return Speed(None, reference_s, None, True, f"not measured: {problem}")
    return Speed(learner_s, reference_s, learner_s / reference_s, False)


def _results_differ(
    spec: dict[str, Any], learner: Sandbox, reference: Sandbox, inputs: dict[str, Any], limit: float
) -> str | None:
    """Whether the learner's timed functions answer fresh inputs as the reference does.

    Results are not sent back while timing, so code that remembers old answers would
    look fast; one last round compares what the functions of the module return
    (methods of objects with their own random state are left out, and a step marked
    ``compare = "shape"`` draws at random: only its shape and dtype must match).
    """
    steps = list(spec.get("steps", []))
    theirs, ours = BenchmarkRun(learner, inputs), BenchmarkRun(reference, inputs)
    for step in steps:
        pure = not step["call"].startswith("$") and "save" not in step
        try:
            got = theirs.run_step(step, timeout=limit, send=pure)
        except LearnerFailure as failure:
            return f"{step['call']}() failed on the benchmark's inputs ({failure})"
        expected = ours.run_step(step, send=pure)
        if pure and step.get("compare") == "shape":
            if _shape_of(got) != _shape_of(expected):
                return (
                    f"on the benchmark's inputs {step['call']}() returned {_shape_of(got)}, "
                    f"not {_shape_of(expected)}"
                )
        elif pure and not _close(got, expected):
            return (
                f"on the benchmark's fresh inputs {step['call']}() returned other values than "
                "the reference (does it remember earlier answers?)"
            )
    theirs.forget()
    ours.forget()
    return None


def _shape_of(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} ({value.dtype})"
    return f"a {type(value).__name__}"


def _close(got: Any, expected: Any) -> bool:
    if isinstance(expected, (tuple, list)):
        return (
            isinstance(got, (tuple, list))
            and len(got) == len(expected)
            and all(_close(g, e) for g, e in zip(got, expected, strict=True))
        )
    try:
        got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == expected.shape and bool(
        np.allclose(got, expected, rtol=1e-5, atol=1e-7, equal_nan=True)
    )
