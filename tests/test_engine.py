"""check() end to end: honest files, and every kind of bad or hostile file."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from grader.catalog import open_bank
from grader.engine import check
from grader.errors import MissingFile, UnknownKata

CORRECT = """
import numpy as np

def relu_forward(x):
    return np.maximum(x, 0)

def relu_backward(grad_output, x):
    return grad_output * (x > 0)
"""


def messages(result) -> str:
    return "\n".join(t.message for t in result.tests if not t.passed)


def test_reference_passes_every_test_and_scores_100(relu):
    result = check(relu, relu.solution, seed=3, timing=False)
    assert result.error is None
    assert result.total >= 20 and result.passed == result.total
    assert result.score == 100.0 and result.all_passed


def test_stub_fails_every_test_with_not_implemented(relu):
    result = check(relu, relu.stub_path, seed=3, timing=False)
    assert result.passed == 0 and result.score == 0
    assert all("NotImplementedError" in t.message for t in result.tests)


def test_same_seed_gives_same_verdict_and_seed_is_recorded(relu, learner_file):
    path = learner_file(CORRECT.replace("x > 0", "x >= 0"))
    first, second = (
        check(relu, path, seed=11, timing=False),
        check(relu, path, seed=11, timing=False),
    )
    assert first.seed == second.seed == 11
    assert [t.message for t in first.tests] == [t.message for t in second.tests]


def test_timing_reports_speed_against_reference(relu):
    result = check(relu, relu.solution, seed=1, timing=True)
    assert result.speed is not None and result.speed.ratio > 0 and result.speed.reference_s > 0


def test_weights_from_metadata_shape_the_score(relu, learner_file):
    result = check(relu, learner_file(CORRECT.replace("x > 0", "x >= 0")), seed=1, timing=False)
    weights = {t.name: t.weight for t in result.tests}
    assert weights["test_backward_at_zero_is_zero"] == 2
    passed = sum(t.weight for t in result.tests if t.passed)
    assert result.score == round(100 * passed / sum(weights.values()), 1)


def test_syntax_error_is_reported_as_file_and_line(relu, learner_file):
    result = check(
        relu, learner_file("import numpy as np\n\ndef relu_forward(x:\n    pass\n"), seed=1
    )
    assert result.error.kind == "syntax"
    assert result.error.message.startswith("relu_backward.py:3:")
    assert result.score == 0 and result.tests == ()


def test_missing_function_is_named(relu, learner_file):
    result = check(
        relu, learner_file("import numpy as np\ndef relu_forward(x):\n    return x\n"), seed=1
    )
    assert result.error.kind == "missing_definition"
    assert "relu_backward" in result.error.message and result.score == 0


def test_wrong_signature_fails_with_the_type_error(relu, learner_file):
    result = check(
        relu,
        learner_file(CORRECT.replace("def relu_backward(grad_output, x)", "def relu_backward(x)")),
        seed=1,
    )
    assert "takes 1 positional argument but 2 were given" in messages(result)


def test_forbidden_import_is_rejected_by_name(relu, learner_file):
    result = check(relu, learner_file("import numpy as np\nimport torch\n" + CORRECT), seed=1)
    assert result.error.kind == "forbidden_import"
    assert "relu_backward.py:2: 'torch'" in result.error.message
    assert "forbidden_import" in result.flags and result.score == 0


def test_dynamic_forbidden_import_is_blocked_at_run_time(relu, learner_file):
    source = CORRECT + "\nname = 'sci' + 'py'\nmodule = __import__(name)\n"
    result = check(relu, learner_file(source), seed=1)
    assert result.error.kind == "load" and "'scipy'" in result.error.message


def test_endless_loop_at_import_times_out_quickly(spin_relu, learner_file):
    began = time.monotonic()
    result = check(spin_relu, learner_file("while True:\n    pass\n"), seed=1)
    assert result.error.kind == "load" and "timed out" in result.error.message
    assert "timeout" in result.flags
    assert time.monotonic() - began < 20


def test_endless_loop_in_a_function_times_out_and_is_not_run_a_third_time(relu, learner_file):
    source = CORRECT.replace("return grad_output * (x > 0)", "while True:\n        pass")
    result = check(relu, learner_file(source), seed=1, timing=False)
    outcomes = {t.name: t.outcome for t in result.tests}
    assert outcomes["test_forward_small_example"] == "passed"
    assert outcomes["test_backward_small_example"] == "timeout"
    assert (
        "relu_backward((1, 3) float64 array, (1, 3) float64 array) timed out after 1 s"
        in messages(result)
    )
    assert "relu_backward() already timed out 2 times" in messages(result)
    assert "timeout" in result.flags and 0 < result.score < 100
    assert result.duration_s < 2 * 1 + 10  # two timed-out calls, then no more waiting


def test_the_check_budget_bounds_many_slow_calls(relu, learner_file):
    source = CORRECT.replace(
        "return np.maximum(x, 0)", "import time\n    time.sleep(0.9)\n    return np.maximum(x, 0)"
    )
    result = check(relu, learner_file(source), seed=1, timing=False)
    assert "the time budget for this check is used up" in messages(result)
    assert result.duration_s < 6 + 10


def test_sys_exit_at_import_is_explained(relu, learner_file):
    result = check(relu, learner_file("import sys\nsys.exit(0)\n"), seed=1)
    assert result.error.kind == "load" and "sys.exit(0)" in result.error.message


def test_os_exit_in_a_function_fails_that_test_only(relu, learner_file):
    source = CORRECT.replace("return grad_output * (x > 0)", "import os\n    os._exit(0)")
    result = check(relu, learner_file(source), seed=1)
    assert "your code exited the process with status 0 while running relu_backward(" in messages(
        result
    )
    assert "crash" in result.flags
    assert any(t.passed for t in result.tests if "forward" in t.name)


def test_huge_allocation_is_a_memory_error(relu, learner_file):
    source = CORRECT.replace(
        "return grad_output * (x > 0)", "return np.ones((50_000_000_000,)) [:0]"
    )
    result = check(relu, learner_file(source), seed=1)
    assert "MemoryError" in messages(result)


def test_output_flood_is_cut_and_flagged(relu, learner_file):
    flood = "line = 'x' * 1_000_000\n    for _ in range(200):\n        print(line)\n"
    source = CORRECT.replace(
        "return grad_output * (x > 0)", flood + "    return grad_output * (x > 0)"
    )
    result = check(relu, learner_file(source), seed=1)
    assert "printed more than 8 MB of output" in messages(result)
    assert "output_flood" in result.flags
    assert len(result.output) < 2100 and result.output.endswith("[... output truncated]")


def _processes_with(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in command:
                found.append(command)
    return found


def test_spawned_and_detached_processes_are_all_killed(relu, learner_file):
    source = CORRECT.replace(
        "return grad_output * (x > 0)",
        """import subprocess, sys
    for i in range(4):
        command = [sys.executable, '-S', '-c', 'import time; time.sleep(4242.4242)']
        subprocess.Popen(command, start_new_session=(i % 2 == 0))
    return grad_output * (x > 0)""",
    )
    result = check(relu, learner_file(source), seed=1, timing=False)
    assert result.all_passed, messages(result)
    assert "leftover_processes" in result.flags
    assert "suspicious_code" in " ".join(result.flags)
    assert _processes_with("4242.4242") == []


def test_patching_numpy_comparisons_cannot_fake_a_pass(relu, learner_file):
    source = """
import numpy as np
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None

def relu_forward(x):
    return x

def relu_backward(grad_output, x):
    return grad_output
"""
    result = check(relu, learner_file(source), seed=1)
    assert result.score < 50


def test_forged_results_from_a_lingering_process_do_not_count(relu, learner_file):
    # The stub's functions fail; a detached process keeps writing a complete, passing
    # record into any run.json it can reach, in the form the runner writes.
    names = [f"test_{i}" for i in range(25)]
    forged = {
        "tests": [
            {
                "name": n,
                "title": n,
                "category": "values",
                "outcome": "passed",
                "message": "",
                "duration_s": 0.0,
                "weight": 1.0,
            }
            for n in names
        ],
        "error": None,
        "speed": None,
        "flags": [],
        "confinement": "forged",
        "output": "",
        "leftover_processes": 0,
        "notes": [],
    }
    source = f"""
import glob, json, os, time

def _forge():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            end = time.time() + 8
            while time.time() < end:
                for folder in glob.glob('/tmp/kata-check-*'):
                    try:
                        open(os.path.join(folder, 'run.json'), 'w').write({json.dumps(forged)!r})
                    except OSError:
                        pass
                time.sleep(0.01)
        os._exit(0)

_forge()

def relu_forward(x):
    raise NotImplementedError

def relu_backward(grad_output, x):
    raise NotImplementedError
"""
    result = check(relu, learner_file(source), seed=1, timing=False)
    assert result.confinement != "forged"
    assert result.score == 0 and result.passed == 0 and result.total > 20


def test_what_a_learner_prints_is_shown(relu, learner_file):
    source = CORRECT.replace(
        "return np.maximum(x, 0)", "print('shape is', x.shape)\n    return np.maximum(x, 0)"
    )
    result = check(relu, learner_file(source), seed=1, timing=False)
    assert result.all_passed and "shape is (" in result.output


def test_a_chatty_correct_file_loses_nothing(relu, learner_file):
    chatty = "print('x' * 3_000_000)\n    "
    source = CORRECT.replace("return grad_output", chatty + "return grad_output")
    result = check(relu, learner_file(source), seed=1, timing=False)
    assert result.all_passed, messages(result)
    assert "output_flood" not in result.flags


def test_lists_and_hard_coded_answers_fail(relu, learner_file):
    lists = CORRECT.replace("return np.maximum(x, 0)", "return np.maximum(x, 0).tolist()")
    assert "must return a NumPy array" in messages(check(relu, learner_file(lists), seed=1))
    constant = (
        "import numpy as np\ndef relu_forward(x):\n    return np.zeros((5, 7))\n"
        "def relu_backward(g, x):\n    return np.array([[0.0, 20.0, 30.0]])\n"
    )
    assert check(relu, learner_file(constant), seed=1).score < 20


def test_objects_with_lying_equality_arrive_as_what_they_are(relu, learner_file):
    source = (
        CORRECT
        + """
class Anything(np.ndarray):
    def __eq__(self, other):
        return True

def relu_backward(grad_output, x):
    return np.zeros(grad_output.shape).view(Anything)
"""
    )
    result = check(relu, learner_file(source), seed=1)
    assert "an object of type Anything" in messages(result)


def test_shadowing_numpy_or_conftest_beside_the_file_has_no_effect(relu, tmp_path):
    (tmp_path / "numpy.py").write_text("raise SystemExit('shadowed numpy')\n")
    (tmp_path / "conftest.py").write_text(
        "import pytest\n@pytest.fixture\ndef impl():\n    return None\n"
    )
    path = tmp_path / "relu_backward.py"
    path.write_text(CORRECT)
    assert check(relu, path, seed=1, timing=False).all_passed


def test_non_utf8_file_is_rejected_clearly(relu, tmp_path):
    path = tmp_path / "relu_backward.py"
    path.write_bytes(b"x = '\xff\xfe'\n")
    result = check(relu, path, seed=1)
    assert result.error.kind == "encoding" and "not UTF-8" in result.error.message


def test_missing_file_is_a_user_error_that_says_how_to_start(relu, tmp_path):
    with pytest.raises(MissingFile, match="kata start relu_backward"):
        check(relu, tmp_path / "relu_backward.py")


def test_unknown_kata_lists_the_known_ones(bank):
    with pytest.raises(UnknownKata, match="relu_backward"):
        bank.get("relu_backwards")


def _documented_json_keys() -> tuple[set[str], dict[str, set[str]]]:
    """The keys the README's JSON table names, and the fields of its nested objects."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("## JSON output", 1)[1].split("\n\n")[2]
    keys: set[str] = set()
    nested: dict[str, set[str]] = {}
    for row in table.splitlines()[2:]:
        first, meaning = row.split("|")[1:3]
        names = re.findall(r"`(\w+)`", first)
        keys.update(names)
        fields = re.search(r"`\{([\w, ]+)\}`", meaning)
        if fields:
            nested[names[0]] = {f.strip() for f in fields.group(1).split(",")}
    return keys, nested


def test_json_has_exactly_the_documented_keys(relu, learner_file):
    keys, nested = _documented_json_keys()
    data = check(relu, learner_file(CORRECT), seed=5, timing=True).to_json()
    assert set(data) == keys
    assert set(data["tests"][0]) == nested["tests"]
    assert set(data["speed"]) == nested["speed"]
    rejected = check(relu, learner_file("def broken(:\n"), seed=5).to_json()
    assert set(rejected["error"]) == nested["error"]
    assert data["seed"] == 5 and data["score"] == 100.0 and data["error"] is None
    json.dumps(data)


def test_elapsed_time_uses_the_injected_clock(relu, learner_file):
    result = check(
        relu, learner_file(CORRECT), seed=1, timing=False, started_at=1000.0, clock=lambda: 1754.5
    )
    assert result.elapsed_since_start_s == 754.5


def test_a_benchmark_that_fails_never_changes_the_score(fast_bank, tmp_path, learner_file):
    import re
    import shutil

    root = tmp_path / "bank"
    shutil.copytree(fast_bank.root, root)
    meta = root / "katas" / "relu_backward" / "kata.toml"
    broken = meta.read_text().replace('args = ["$grad_output", "$x"]', 'args = ["$x"]')
    assert re.search(r'args = \["\$x"\]\n*$', broken)
    meta.write_text(broken)
    kata = open_bank(root).get("relu_backward")
    result = check(kata, learner_file(CORRECT), seed=1, timing=True)
    assert result.score == 100 and result.error is None
    assert result.speed is not None and result.speed.ratio is None
    assert "not measured" in result.speed.note or "raised" in result.speed.note


def test_a_byte_order_mark_does_not_reject_a_correct_file(relu, tmp_path):
    path = tmp_path / "relu_backward.py"
    path.write_bytes(b"\xef\xbb\xbf" + CORRECT.encode())
    result = check(relu, path, seed=1, timing=False)
    assert result.error is None and result.all_passed, messages(result)


def test_counting_the_suite_runs_no_learner_code_and_matches_a_check(relu):
    from grader.collect import count_tests

    assert count_tests(relu) == check(relu, relu.solution, seed=1, timing=False).total == 25


def test_messages_name_the_file_the_learner_passed(relu, tmp_path):
    path = tmp_path / "half.py"
    path.write_text("import numpy as np\n\ndef relu_forward(x):\n    return x\n")
    result = check(relu, path, seed=1, timing=False)
    assert result.error.kind == "missing_definition"
    assert result.error.message.startswith("half.py does not define relu_backward")
    path.write_text("import numpy as np\nraise ValueError('nope')\n")
    result = check(relu, path, seed=1, timing=False)
    assert "half.py raised ValueError: nope (half.py line 2" in result.error.message
