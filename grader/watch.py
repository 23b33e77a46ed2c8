"""Noticing saves: each save of a watched file is reported once, after it settles.

Polling ``os.stat`` is enough for a handful of files and works everywhere (SSH, network
file systems, containers) without a dependency: a poll costs a few microseconds per
file, so polling four times a second stays far under 1% of a core. A save is a change
of the file's (modification time, size, inode): an editor that writes a new file and
renames it over the old one changes the inode, one that writes in place the time. A
change is reported only once the file has stayed the same for ``settle_s``, so two
quick writes (or a truncate then a write) give one check, not two.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

Signature = tuple[int, int, int]


def signature(path: Path) -> Signature | None:
    """What changes when a file is saved; None while it does not exist (mid-rename)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


class SaveWatcher:
    """Reports the files among ``paths()`` saved since it last looked, once each save."""

    def __init__(
        self,
        paths: Callable[[], Iterable[Path]],
        settle_s: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.paths = paths
        self.settle_s = settle_s
        self.clock = clock
        # What exists now is not a save: only changes from here on are.
        self.seen: dict[Path, Signature | None] = {path: signature(path) for path in paths()}
        self.pending: dict[Path, tuple[Signature, float]] = {}  # changed, not settled yet

    def poll(self) -> list[Path]:
        """The files whose latest change has settled, oldest change first."""
        now = self.clock()
        settled: list[tuple[float, Path]] = []
        for path in self.paths():
            current = signature(path)
            if current == self.seen.get(path) or current is None:
                if current is not None:
                    self.pending.pop(path, None)
                continue
            waiting = self.pending.get(path)
            if waiting is None or waiting[0] != current:
                self.pending[path] = (current, now)
            elif now - waiting[1] >= self.settle_s:
                self.seen[path] = current
                del self.pending[path]
                settled.append((waiting[1], path))
        return [path for _, path in sorted(settled)]
