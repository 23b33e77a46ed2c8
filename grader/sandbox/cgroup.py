"""Limits for a learner's whole process tree, not per process: one cgroup per child.

Per-process limits let three processes hold three times the memory, and
``RLIMIT_NPROC`` does nothing for root. A cgroup counts the whole tree: memory
(the scratch tmpfs included) and the number of processes, and it can kill every
member at once. The grader makes one where the kernel lets it (cgroup v2 with the
memory and pids controllers delegated to its own cgroup, or v1 hierarchies it can
write, as root usually can); elsewhere ``create`` returns None and the child keeps
its per-process limits, which the confinement line says.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
_names = itertools.count()


def _own_paths() -> dict[str, str]:
    """controller (or "" for v2) -> this process's cgroup path, from /proc/self/cgroup."""
    found: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            found[controller] = path
    return found


def _sweep_stale(base: Path) -> None:
    """Remove empty groups left by a grader that was killed (its pid is in their name)."""
    for folder in base.glob("kata-*-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            with contextlib.suppress(OSError):
                folder.rmdir()


def _write(path: Path, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


class Cgroup:
    """A fresh cgroup (one folder per hierarchy) holding one learner child and its tree."""

    def __init__(self, folders: list[Path], version: int) -> None:
        self.folders = folders
        self.version = version
        self.memory_mb: int | None = None
        self.max_processes: int | None = None

    @classmethod
    def create(cls, memory_mb: int, max_processes: int) -> Cgroup | None:
        """A cgroup with these limits, or None where the grader may not make one."""
        if not ROOT.is_dir():
            return None
        name = f"kata-{os.getpid()}-{next(_names)}"
        own = _own_paths()
        group = cls._create_v1(own, name) or cls._create_v2(own, name)
        if group is None:
            return None
        try:
            group._limit(memory_mb, max_processes)
        except OSError:
            group.remove()
            return None
        return group

    @classmethod
    def _create_v1(cls, own: dict[str, str], name: str) -> Cgroup | None:
        folders = []
        for controller in ("memory", "pids"):
            base = ROOT / controller / own.get(controller, "/").lstrip("/")
            if not (base / "cgroup.procs").is_file():
                continue
            _sweep_stale(base)
            try:
                (base / name).mkdir()
            except OSError:
                continue
            folders.append(base / name)
        return cls(folders, 1) if folders else None

    @classmethod
    def _create_v2(cls, own: dict[str, str], name: str) -> Cgroup | None:
        base = ROOT / own.get("", "/").lstrip("/")
        try:
            delegated = (base / "cgroup.subtree_control").read_text().split()
        except OSError:
            return None
        if "memory" not in delegated and "pids" not in delegated:
            return None
        _sweep_stale(base)
        try:
            (base / name).mkdir()
        except OSError:
            return None
        return cls([base / name], 2)

    def _limit(self, memory_mb: int, max_processes: int) -> None:
        memory = str(memory_mb * 1024 * 1024)
        for folder in self.folders:
            for name in ("memory.max", "memory.limit_in_bytes"):  # v2, v1
                if (folder / name).exists():
                    _write(folder / name, memory)
                    self.memory_mb = memory_mb
            if (folder / "memory.swap.max").exists():
                _write(folder / "memory.swap.max", "0")
            if (folder / "pids.max").exists():
                _write(folder / "pids.max", str(max_processes))
                self.max_processes = max_processes

    def adopt(self, pids: list[int]) -> None:
        """Move these processes (a child that has not run learner code yet) into the group."""
        for folder in self.folders:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, OSError):
                    _write(folder / "cgroup.procs", str(pid))

    def members(self) -> list[int]:
        found: set[int] = set()
        for folder in self.folders:
            with contextlib.suppress(OSError):
                found.update(int(p) for p in (folder / "cgroup.procs").read_text().split())
        return sorted(found)

    def kill(self, timeout_s: float = 5.0) -> None:
        """Kill every member; new ones forked meanwhile are caught by the next round."""
        deadline = time.monotonic() + timeout_s
        if self.version == 2 and (self.folders[0] / "cgroup.kill").exists():
            with contextlib.suppress(OSError):
                _write(self.folders[0] / "cgroup.kill", "1")
        while time.monotonic() < deadline:
            members = self.members()
            if not members:
                return
            for pid in members:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.005)

    def hit_memory_limit(self) -> bool:
        for folder in self.folders:
            with contextlib.suppress(OSError, ValueError):
                if self.version == 1 and (folder / "memory.failcnt").exists():
                    return int((folder / "memory.failcnt").read_text()) > 0
                if self.version == 2 and (folder / "memory.events").exists():
                    events = dict(
                        line.split() for line in (folder / "memory.events").read_text().splitlines()
                    )
                    return int(events.get("oom_kill", 0)) > 0 or int(events.get("max", 0)) > 0
        return False

    def remove(self) -> None:
        """Delete the folders once empty (a dying process may linger for a moment)."""
        for folder in self.folders:
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)

    def describe(self) -> str:
        parts = []
        if self.memory_mb is not None:
            parts.append(f"{self.memory_mb} MiB")
        if self.max_processes is not None:
            parts.append(f"{self.max_processes} processes")
        return f"cgroup v{self.version}: {', '.join(parts)} for the whole tree"
