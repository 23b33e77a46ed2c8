"""Finding and killing every process a learner's code left behind.

The runner makes itself a child subreaper (Linux), so a process that detaches
from the learner's child (even into its own session) is re-parented to the
runner instead of init, and ``kill_descendants`` can find it in /proc.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
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


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def kill_descendants(spare: frozenset[int] = frozenset(), rounds: int = 50) -> int:
    """Kill and reap every child of this process but ``spare``; returns how many were killed.

    ``spare`` holds the children that existed before the check began (say, a
    multiprocessing helper of the process that runs checks in-process): every
    other child is a learner child or a process it left behind, adopted here.
    """
    if not Path("/proc/self/stat").exists():
        return 0
    killed = 0
    me = os.getpid()
    for _ in range(rounds):
        pids = [pid for pid in children_of(me) if pid not in spare]
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    return killed


def current_children() -> frozenset[int]:
    """This process's children now, to spare them in ``kill_descendants`` later."""
    return frozenset(children_of(os.getpid())) if Path("/proc/self/stat").exists() else frozenset()
