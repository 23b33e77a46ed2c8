"""Errors of the tool's user (not of the learner's code): one line, exit status 2."""

from __future__ import annotations


class KataError(Exception):
    """A mistake in how the tool was called or set up; the message says what to do next."""


class UnknownKata(KataError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"no kata named '{name}'; choose one of: {', '.join(known)}")


class MissingFile(KataError):
    pass


class BadBank(KataError):
    """A kata folder whose metadata or files are not what the layout asks for."""


class WorkspaceError(KataError):
    """A workspace or mock folder that cannot be written, or whose state is damaged."""


class HistoryError(KataError):
    """The practice history database cannot be opened, read or written."""


def os_reason(error: OSError) -> str:
    """``PATH: reason`` for a failed file operation, without Python's errno numbers."""
    reason = error.strerror or str(error)
    return f"{error.filename}: {reason}" if error.filename else reason
