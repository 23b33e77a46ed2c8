"""Finding and killing every process a learner's code left behind.

Inside namespaces the child's PID namespace does this by construction: when its
init dies, the kernel kills every member. Elsewhere the runner makes itself a
child subreaper (Linux), so a process that detaches from the learner's child
(even into its own session) is re-parented to the runner instead of init, and
``kill_descendants`` finds it in /proc; it keeps killing until none is left, so a
deep chain or a process that forks while dying is caught by a later round.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Adopt orphaned descendants; returns whether the platform allowed it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except OSError:
        return False


_spared: frozenset[int] = frozenset()


def parents(living: bool = False) -> dict[int, int]:
    """pid -> parent pid of every process in /proc (``living``: zombies left out)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and not (living and fields[0] in "ZX"):
            found[int(entry.name)] = int(fields[1])
    return found


def children_of(pid: int) -> list[int]:
    return [child for child, parent in parents().items() if parent == pid]


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children, ...), from one look at /proc."""
    if not Path("/proc/self/stat").exists():
        return []
    below: dict[int, list[int]] = {}
    for child, parent in parents(living=True).items():
        below.setdefault(parent, []).append(child)
    found, todo = [], list(below.get(pid, []))
    while todo:
        current = todo.pop()
        found.append(current)
        todo += below.get(current, [])
    return found


def spare_current_children() -> None:
    """Children this process has now are not the learner's: never kill them (call once)."""
    global _spared
    _spared = current_children()


def kill_descendants(spare: frozenset[int] | None = None, timeout_s: float = 10.0) -> int:
    """Kill and reap every child of this process but ``spare``; returns how many were killed.

    ``spare`` defaults to the children this process had when it became a runner
    (say, a multiprocessing helper): every other child is a learner child or a
    process it left behind, adopted here. Rounds go on until none is left; the
    time limit only guards against a kernel that will not let a process die.
    """
    if not Path("/proc/self/stat").exists():
        return 0
    spare = _spared if spare is None else spare
    killed = 0
    me = os.getpid()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        family = parents()
        pids = [pid for pid, parent in family.items() if parent == me and pid not in spare]
        if not pids:
            break
        living = parents(living=True)
        killed += sum(pid in living for pid in pids)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    return killed


def current_children() -> frozenset[int]:
    """This process's children now, to spare them in ``kill_descendants`` later."""
    return frozenset(children_of(os.getpid())) if Path("/proc/self/stat").exists() else frozenset()
