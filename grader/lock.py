"""One writer per gradebook: an advisory lock on ``DIR/gradebook.lock``.

``fcntl.flock`` is held by the open file, so the kernel releases it when the
holder exits however it exits (``kill -9`` included): a stale lock file is
harmless and never needs deleting. The file holds the holder's pid, to name it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grader.errors import KataError

LOCK_FILE = "gradebook.lock"


@contextmanager
def writing(out: Path) -> Iterator[None]:
    """Hold ``out``'s lock, or refuse at once if another process holds it."""
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise KataError(
                f"another kata grade (pid {holder}) is writing {out / 'gradebook.sqlite3'}; "
                "wait for it to finish, or stop it, then run this again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
