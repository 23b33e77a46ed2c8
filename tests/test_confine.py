"""The confined child: its own folder, a read-only runtime, nothing else, no network.

One confined Python process (the probe) tries everything once and reports each
outcome as data; each test reads one of them. The probe is skipped where the
kernel has no Landlock.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from grader.sandbox.confine import FS_EXECUTE, FS_READ_DIR, Confinement, landlock_abi, rules
from grader.sandbox.isolation import runtime_view
from grader.sandbox.launch import landlock_paths

ROOT = Path(__file__).resolve().parent.parent

# Runs confined; prints {name: "ok" or the OSError's class name, ...} as JSON.
PROBE = r"""
import dataclasses, importlib, json, os, socket, subprocess, sys, time
from pathlib import Path

root, workdir, elsewhere, given, port, readable, listable = sys.argv[1:8]
sys.path.insert(0, root)
import numpy as np
from grader.sandbox.confine import confine

started = time.perf_counter()
readable = [Path(p) for p in json.loads(readable)] + [Path(root, "grader", "sandbox"), Path(given)]
confinement = confine(Path(workdir), readable, [Path(p) for p in json.loads(listable)])
seen = {
    "confine_ms": (time.perf_counter() - started) * 1000,
    "confinement": dataclasses.asdict(confinement),
    "describe": confinement.describe(),
}

def attempt(name, action):
    try:
        value = action()
        seen[name] = "ok" if value is None else value
    except OSError as error:
        seen[name] = type(error).__name__

def write(path):
    Path(path).write_text("written")

def own_folder():
    write(Path(workdir, "out.txt"))
    return Path(workdir, "out.txt").read_text()

def child():
    code = (
        "import sys; sys.path.insert(0, sys.argv[2]); import numpy; "
        "print(numpy.arange(4).sum()); open(sys.argv[1]).read()"
    )
    site = str(Path(np.__file__).resolve().parent.parent)
    run = subprocess.run(
        [os.path.realpath(sys.executable), "-I", "-S", "-c", code, str(Path(elsewhere, "secret.txt")), site],
        capture_output=True, text=True, timeout=20,
    )
    return {"stdout": run.stdout.strip(), "stderr": run.stderr.strip().splitlines()[-3:]}

attempt("read_elsewhere", lambda: Path(elsewhere, "secret.txt").read_text() and None)
attempt("list_solutions", lambda: os.listdir(Path(root, "solutions")) and None)
attempt("write_elsewhere", lambda: write(Path(elsewhere, "new.txt")))
attempt("own_folder", own_folder)
attempt("mknod", lambda: os.mknod(Path(workdir, "disk"), 0o600 | 0o020000, os.makedev(1, 3)))
attempt("numpy", lambda: float(np.linalg.solve(2 * np.eye(3), np.ones(3)).sum()))
attempt("import_stdlib", lambda: importlib.import_module("fractions").__name__)
attempt("read_given", lambda: Path(given).read_text())
attempt("write_given", lambda: write(given))
attempt("connect", lambda: socket.create_connection(("127.0.0.1", int(port)), timeout=2).close())
attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", int(port))) and None)
attempt("signal_parent", lambda: os.kill(os.getppid(), 0))
attempt("child", child)
print(json.dumps(seen))
"""


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("confine")
    workdir, elsewhere = base / "work", base / "elsewhere"
    workdir.mkdir()
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_text("the reference solution")
    given = base / "given.txt"
    given.write_text("read me")
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        view = runtime_view()
        readable, listable = landlock_paths(view)
        readable += [str(p) for p in view.numpy]
        listable += [str(p.parent) for p in view.numpy]
        arguments = [str(ROOT), str(workdir), str(elsewhere), str(given), str(port)]
        arguments += [json.dumps(readable), json.dumps(listable)]
        run = subprocess.run(
            [sys.executable, "-I", "-c", PROBE, *arguments],
            cwd=workdir,
            env={"PATH": os.environ.get("PATH", ""), "OPENBLAS_NUM_THREADS": "1"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, run.stderr
        listener.settimeout(0)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nothing got through
    seen = json.loads(run.stdout)
    seen["given"] = given.read_text()
    return seen


@pytest.mark.requires_landlock
def test_confine_reports_landlock_in_force(probe: dict) -> None:
    assert probe["confinement"]["landlock_abi"] == landlock_abi()
    assert probe["confinement"]["filesystem"] is True
    assert probe["describe"].startswith(f"landlock ABI {landlock_abi()}: files")


@pytest.mark.requires_landlock
def test_confined_child_cannot_read_another_folder(probe: dict) -> None:
    assert probe["read_elsewhere"] == "PermissionError"


@pytest.mark.requires_landlock
def test_confined_child_cannot_list_the_solutions(probe: dict) -> None:
    assert probe["list_solutions"] == "PermissionError"


@pytest.mark.requires_landlock
def test_confined_child_cannot_write_outside_its_folder(probe: dict) -> None:
    assert probe["write_elsewhere"] == "PermissionError"


@pytest.mark.requires_landlock
def test_confined_child_reads_and_writes_its_own_folder(probe: dict) -> None:
    assert probe["own_folder"] == "written"


@pytest.mark.requires_landlock
def test_confined_child_cannot_make_device_nodes(probe: dict) -> None:
    assert probe["mknod"] == "PermissionError"


@pytest.mark.requires_landlock
def test_confined_child_still_runs_numpy_and_imports_the_standard_library(probe: dict) -> None:
    assert probe["numpy"] == pytest.approx(1.5)
    assert probe["import_stdlib"] == "fractions"


@pytest.mark.requires_landlock
def test_confined_child_reads_but_cannot_write_a_read_only_file(probe: dict) -> None:
    assert probe["read_given"] == "read me"
    assert probe["write_given"] == "PermissionError"
    assert probe["given"] == "read me"


@pytest.mark.requires_landlock
def test_confined_child_cannot_connect_to_a_local_listener(probe: dict) -> None:
    assert probe["confinement"]["network"] != "none"
    assert probe["connect"] != "ok"


@pytest.mark.requires_landlock
def test_confined_child_cannot_send_udp(probe: dict) -> None:
    if probe["confinement"]["network"] != "namespace" and not probe["confinement"]["sockets"]:
        pytest.skip("Landlock alone (ABI < 10) does not cover UDP")
    assert probe["udp"] != "ok"


@pytest.mark.requires_landlock
def test_confined_child_cannot_signal_its_parent(probe: dict) -> None:
    if not probe["confinement"]["signals"]:
        pytest.skip("Landlock ABI < 6 has no signal scoping")
    assert probe["signal_parent"] == "PermissionError"


@pytest.mark.requires_landlock
def test_confined_child_subprocess_runs_under_the_same_rules(probe: dict) -> None:
    assert probe["child"]["stdout"] == "6", probe["child"]
    assert probe["child"]["stderr"][-1].startswith("PermissionError")


@pytest.mark.requires_landlock
def test_confine_takes_well_under_a_second(probe: dict) -> None:
    assert probe["confine_ms"] < 1000


def test_unconfined_describes_why() -> None:
    nothing = Confinement.none("no confinement on darwin")
    assert not nothing.any
    assert nothing.describe() == "not confined: no confinement on darwin"


def test_runtime_view_hides_every_package_folder_but_numpy() -> None:
    import numpy

    view = runtime_view()
    numpy_folder = Path(numpy.__file__).resolve().parent
    assert numpy_folder in view.numpy
    assert any(numpy_folder.is_relative_to(hidden) for hidden in view.hidden) or not any(
        numpy_folder.is_relative_to(root) for root in view.roots
    )
    readable, _ = landlock_paths(view)
    assert not any(Path(p).is_relative_to(h) for p in readable for h in view.hidden)


def test_rules_give_files_no_folder_rights_and_the_own_folder_no_exec(tmp_path: Path) -> None:
    given = tmp_path / "learner.py"
    given.write_text("")
    access = dict(rules(tmp_path, [given, tmp_path / "missing"], abi=7))
    assert access[given.resolve()] & FS_READ_DIR == 0
    assert access[tmp_path.resolve()] & FS_EXECUTE == 0
    assert tmp_path / "missing" not in access
