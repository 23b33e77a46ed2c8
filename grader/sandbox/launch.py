"""The command line, environment and user that start one learner child.

``plan_launch`` turns the isolation mode (``grader.sandbox.isolation``) into what
``subprocess.Popen`` needs, plus a line saying what the parent put in force: the
part of the confinement report the child has no say in.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from grader.contract import FORBIDDEN_MODULES
from grader.limits import Limits
from grader.sandbox import isolation
from grader.sandbox.isolation import (
    CHILD_MODULES,
    INSIDE_LIB,
    INSIDE_SCRATCH,
    INSIDE_WORK,
    SANDBOX_PACKAGE,
    SYSTEM_FILES,
    namespace_flags,
    runtime_view,
)

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
KEPT_VARIABLES = ("LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# -I: no environment, no user site; -S: no site-packages at all; -u: what the learner
# prints reaches the parent even when the child is killed mid-call.
PYTHON_FLAGS = ("-I", "-S", "-u")
BOOT = "import sys; sys.path[:0] = {path!r}; from sandbox.child import main; main(sys.argv[1:])"


@dataclass(frozen=True)
class ChildChannels:
    """The descriptors a child inherits: the two pipes, and the shared input memory."""

    fd_in: int
    fd_out: int
    shared_fd: int
    shared_bytes: int


@dataclass(frozen=True)
class Launch:
    command: list[str]
    env: dict[str, str]
    cwd: Path
    user: tuple[int, int] | None  # (uid, gid) to drop to, or None
    in_force: str  # what the parent set up, for the confinement line
    scratch: Path | None  # the on-disk scratch folder (None: a tmpfs inside namespaces)


def plan_launch(
    mode: str, learner_file: Path, workdir: Path, limits: Limits, channels: ChildChannels
) -> Launch:
    """How to start a child for ``learner_file`` in ``mode`` (namespaces, landlock, none)."""
    if mode == "namespaces":
        return _in_namespaces(learner_file, workdir, limits, channels)
    return _in_folder(mode, learner_file, workdir, limits, channels)


def _config(
    learner_file: str,
    scratch: str,
    limits: Limits,
    channels: ChildChannels,
    readable: list[str],
    listable: list[str],
    mode: str,
) -> str:
    """The child's one argument: what it is given, and which layers it adds itself."""
    return json.dumps(
        {
            **asdict(channels),
            "learner_file": learner_file,
            "scratch": scratch,
            "limits": asdict(limits),
            "readable": readable,
            "listable": listable,
            "landlock": mode != "none",
            "own_network": mode == "landlock",
            "own_pid_namespace": mode == "namespaces",
            "forbidden": FORBIDDEN_MODULES,
        }
    )


def _env(home: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in KEPT_VARIABLES if k in os.environ}
    env.update({name: "1" for name in THREAD_VARIABLES})
    env.update(
        {"HOME": home, "TMPDIR": home, "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"}
    )
    return env


def _in_namespaces(
    learner_file: Path, workdir: Path, limits: Limits, channels: ChildChannels
) -> Launch:
    view = runtime_view()
    program = isolation.bwrap_program()
    args = [program, *namespace_flags()]
    for root in view.roots:
        args += ["--ro-bind", str(root), str(root)]
    for link, target in view.links:
        args += ["--symlink", target, str(link)]
    for hidden in view.hidden:
        args += [
            "--perms",
            "0555",
            "--size",
            "4096",
            "--tmpfs",
            str(hidden),
            "--remount-ro",
            str(hidden),
        ]
    for path in SYSTEM_FILES:
        args += ["--ro-bind-try", str(path), str(path)]
    for name in CHILD_MODULES:
        args += ["--ro-bind", str(SANDBOX_PACKAGE / name), str(INSIDE_LIB / "sandbox" / name)]
    for path in view.numpy:
        args += ["--ro-bind", str(path), str(INSIDE_LIB / path.name)]
    inside_file = INSIDE_WORK / learner_file.name
    args += ["--ro-bind", str(learner_file), str(inside_file)]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--size", str(limits.scratch_mb * 1024 * 1024), "--tmpfs", str(INSIDE_SCRATCH)]
    args += ["--remount-ro", "/", "--chdir", str(INSIDE_SCRATCH)]
    readable = [str(INSIDE_LIB), str(inside_file), *map(str, view.roots)]
    config = _config(
        str(inside_file), str(INSIDE_SCRATCH), limits, channels, readable, [], "namespaces"
    )
    boot = BOOT.format(path=[str(INSIDE_LIB)])
    command = [*args, "--", str(view.executable), *PYTHON_FLAGS, "-c", boot, config]
    in_force = (
        "namespaces (own view of the runtime, processes, IPC, network and user), "
        f"scratch tmpfs {limits.scratch_mb} MiB"
    )
    return Launch(command, _env(str(INSIDE_SCRATCH)), workdir, None, in_force, None)


def _in_folder(
    mode: str, learner_file: Path, workdir: Path, limits: Limits, channels: ChildChannels
) -> Launch:
    """No namespaces: a scratch folder on disk, Landlock rules from the same view, maybe nobody."""
    view = runtime_view()
    user = isolation.unprivileged_ids()
    kit = _write_kit(workdir / "kit")
    scratch = workdir / "scratch"
    scratch.mkdir(mode=0o700, exist_ok=True)
    if user is not None:
        os.chown(scratch, *user)
    numpy_parents = sorted({str(path.parent) for path in view.numpy})
    readable, listable = landlock_paths(view)
    readable += [*map(str, view.numpy), str(kit), str(learner_file)]
    listable += numpy_parents
    config = _config(str(learner_file), str(scratch), limits, channels, readable, listable, mode)
    boot = BOOT.format(path=[str(kit), *numpy_parents])
    command = [str(view.executable), *PYTHON_FLAGS, "-c", boot, config]
    who = "as nobody" if user is not None else ("as root" if _is_root() else "")
    in_force = f"no namespaces ({isolation.namespaces_problem() or 'not requested'})"
    in_force += f", runs {who}" if who else ""
    return Launch(command, _env(str(scratch)), scratch, user, in_force, scratch)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _write_kit(folder: Path) -> Path:
    """The child-side modules, copied where the child may read them (not the package)."""
    package = folder / "sandbox"
    if not package.is_dir():
        package.mkdir(parents=True, mode=0o755)
        for name in CHILD_MODULES:
            shutil.copyfile(SANDBOX_PACKAGE / name, package / name)
            os.chmod(package / name, 0o644)
        os.chmod(folder, 0o755)
    return folder


def landlock_paths(view: isolation.RuntimeView) -> tuple[list[str], list[str]]:
    """(readable, listable) covering ``view.roots`` but none of ``view.hidden``.

    Landlock grants rights to whole subtrees, so a root holding a hidden folder is
    made listable only, and its entries are granted one by one, recursing into
    those that hold a hidden folder.
    """
    readable: list[str] = []
    listable: list[str] = []

    def cover(folder: Path) -> None:
        inner = [h for h in view.hidden if h.is_relative_to(folder)]
        if folder in view.hidden:
            return
        if not inner:
            readable.append(str(folder))
            return
        listable.append(str(folder))
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            return
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                cover(entry.resolve())
            elif entry.exists():
                readable.append(str(entry))

    for root in view.roots:
        cover(root)
    return readable, listable
