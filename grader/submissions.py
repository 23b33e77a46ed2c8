"""Finding a class's submissions: ``SUBMISSIONS/<student>/<kata>.py`` or ``<student>.zip``.

Every kata file is read once, through one descriptor opened without following
symlinks, checked to be a regular file of at most 1 MiB before a byte of it is
read, hashed, and copied into a private folder (mode 0700) that only the grader
writes. The grader grades that copy, so the bytes hashed are the bytes graded
even if the original changes meanwhile, and a symlink, a FIFO, a device or a
100 GiB sparse file can neither leak another file, hang the run nor exhaust its
memory. Anything not graded is listed once with the reason, so an instructor
sees what was skipped.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.engine import MAX_FILE_BYTES

MAX_ZIP_BYTES = 64 * 1024 * 1024  # zipfile reads a central directory whole: bound it
MAX_ZIP_MEMBERS = 200
MAX_TREE_DEPTH = 8  # Gradescope keeps uploaded folders; nobody nests a kata file deeper
STAGING = ".staged"  # under --out: this run's private copies, swept by the next run

FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO never blocks
FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
PLAIN_PUNCTUATION = " _-.'(),@+"


class Skipped(Exception):
    """Why an item of a submission is not graded; the message is shown to the instructor."""


@dataclass(frozen=True)
class StagedFile:
    path: Path  # the private copy that is graded
    sha256: str  # of exactly the bytes copied there
    origin: str  # where the student's file was, for the records


@dataclass(frozen=True)
class Submission:
    student: str
    files: dict[str, StagedFile]  # kata id -> its private copy
    source: str  # "folder" or "zip"
    rejected: dict[str, str] = field(default_factory=dict)  # kata id -> why its file is not graded
    notes: list[str] = field(default_factory=list)  # every other decision, for discovery.txt


@dataclass(frozen=True)
class Discovery:
    submissions: list[Submission]
    ignored: list[str] = field(default_factory=list)


def shown(text: str) -> str:
    """``text`` safe to print: control and format characters (escape sequences) escaped."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def file_name_of(student: str) -> str:
    """``student`` as one file name that cannot leave its folder or hide what it is.

    Letters, digits, marks and a little punctuation stay as they are; anything
    else (a slash look-alike, a quote, a control character, a leading dot or
    dash) is percent-escaped, so two names never share a file and none is too
    long for the file system.
    """
    escaped = "".join(
        c if _plain(c) else "".join(f"%{byte:02X}" for byte in c.encode()) for c in student
    )
    if escaped[:1] in (".", "-"):
        escaped = f"%{ord(escaped[0]):02X}{escaped[1:]}"
    if len(escaped.encode()) > 120:  # "%~" never appears in a full escape: no collision
        digest = hashlib.sha256(student.encode()).hexdigest()[:16]
        escaped = escaped.encode()[:100].decode(errors="ignore") + "%~" + digest
    return escaped or "%"


def _plain(c: str) -> bool:
    return c.isalnum() or c in PLAIN_PUNCTUATION or unicodedata.category(c).startswith("M")


def kind_of(mode: int) -> str | None:
    """What a file that is not a regular file is, in words; None for a regular file."""
    kinds = (
        (stat.S_ISLNK, "a symlink, not followed"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO, not read"),
        (stat.S_ISCHR, "a device, not read"),
        (stat.S_ISBLK, "a device, not read"),
        (stat.S_ISSOCK, "a socket, not read"),
    )
    return next((words for test, words in kinds if test(mode)), None)


def _too_large(size: int) -> str:
    return f"too large: {size / 2**20:.1f} MiB, a kata file is at most 1 MiB"


def read_file(name: str, folder_fd: int) -> bytes:
    """The bytes of the regular file ``name`` in the folder ``folder_fd``; raises ``Skipped``.

    The kind and size are checked on the descriptor that is read, so a file
    swapped for a symlink or a FIFO after the first look is still refused.
    """
    try:
        kind = kind_of(os.stat(name, dir_fd=folder_fd, follow_symlinks=False).st_mode)
        if kind:  # known before opening: a device is never even opened
            raise Skipped(kind)
        fd = os.open(name, FILE_FLAGS, dir_fd=folder_fd)
    except OSError as error:
        raise Skipped(_unreadable(error)) from None
    try:
        info = os.fstat(fd)
        kind = kind_of(info.st_mode)
        if kind:
            raise Skipped(kind)
        if info.st_size > MAX_FILE_BYTES:
            raise Skipped(_too_large(info.st_size))
        return _read_capped(fd)
    finally:
        os.close(fd)


def _unreadable(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "a symlink, not followed"
    return f"unreadable: {error.strerror}"


def _read_capped(fd: int) -> bytes:
    chunks, size = [], 0
    while size <= MAX_FILE_BYTES:
        chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
    raise Skipped(_too_large(size) + " (it grew while being read)")


def stage(data: bytes, folder: Path, name: str, origin: str) -> StagedFile:
    """Write ``data`` as a new private file ``folder/name``; the copy the grader grades."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return StagedFile(path, hashlib.sha256(data).hexdigest(), origin)


@contextmanager
def staging_folder(out: Path) -> Iterator[Path]:
    """This run's private folder (mode 0700) for the copies it grades, under ``out``.

    Not the system's temporary folder: a run killed with SIGKILL cannot clean up,
    so each run has a folder named for its process under ``out/.staged/`` and
    removes the folders of runs that are no longer running before it starts.
    The empty ``.staged/`` stays, as a concurrent run may be about to use it.
    """
    parent = out / STAGING
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(parent, 0o700)
    for folder in parent.iterdir():
        if folder.name.isdigit() and not _running(int(folder.name)):
            with suppress(FileNotFoundError):  # another run swept it first
                shutil.rmtree(folder)
    mine = parent / str(os.getpid())
    mine.mkdir(mode=0o700)
    try:
        yield mine
    finally:
        shutil.rmtree(mine)


def _running(pid: int) -> bool:
    """Whether a process ``pid`` other than this one exists (a folder named for us is stale)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: alive
    return True


def discover(folder: Path, kata_ids: set[str], stage_to: Path) -> Discovery:
    """Every student's kata files, staged under ``stage_to``; what is not graded is ``ignored``.

    ``folder`` itself is the instructor's and may be a symlink; nothing inside it is followed.
    """
    stage_to.mkdir(mode=0o700, parents=True, exist_ok=True)
    submissions: dict[str, Submission] = {}
    ignored: list[str] = []
    root = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for name, mode in _entries(root):
            if name.startswith("."):
                ignored.append(shown(name))
            elif stat.S_ISDIR(mode):
                target = stage_to / file_name_of(name)
                files = _read_folder(root, name, kata_ids, target, ignored)
                submissions[name] = Submission(name, files, "folder")
            elif stat.S_ISREG(mode) and name.endswith(".zip"):
                student = name.removesuffix(".zip")
                if student in submissions:
                    ignored.append(
                        f"{shown(name)} (the folder {shown(student)}/ is graded instead)"
                    )
                    continue
                target = stage_to / file_name_of(student)
                files = _unpack(root, name, kata_ids, target, ignored)
                submissions[student] = Submission(student, files, "zip")
            else:
                reason = kind_of(mode)
                ignored.append(f"{shown(name)} ({reason})" if reason else shown(name))
    finally:
        os.close(root)
    return Discovery(sorted(submissions.values(), key=lambda s: s.student), ignored)


def _names(folder_fd: int) -> list[str]:
    with os.scandir(folder_fd) as entries:
        return sorted(entry.name for entry in entries)


def _entries(folder_fd: int) -> Iterator[tuple[str, int]]:
    """Each name in the folder, sorted, with its ``lstat`` mode; one that vanished is skipped."""
    for name in _names(folder_fd):
        try:
            yield name, os.stat(name, dir_fd=folder_fd, follow_symlinks=False).st_mode
        except FileNotFoundError:
            continue


def _open_folder(name: str, parent_fd: int) -> int:
    try:
        return os.open(name, FOLDER_FLAGS, dir_fd=parent_fd)
    except OSError as error:
        raise Skipped(_unreadable(error)) from None


def _read_folder(
    root: int, student: str, kata_ids: set[str], target: Path, ignored: list[str]
) -> dict[str, StagedFile]:
    files: dict[str, StagedFile] = {}
    try:
        fd = _open_folder(student, root)
    except Skipped as reason:
        ignored.append(f"{shown(student)}/ ({reason})")
        return files
    try:
        for name in _names(fd):
            label = f"{shown(student)}/{shown(name)}"
            if not (name.endswith(".py") and name.removesuffix(".py") in kata_ids):
                ignored.append(label)
                continue
            try:
                files[name.removesuffix(".py")] = stage(read_file(name, fd), target, name, label)
            except Skipped as reason:
                ignored.append(f"{label} ({reason})")
    finally:
        os.close(fd)
    return files


def _unpack(
    root: int, archive: str, kata_ids: set[str], target: Path, ignored: list[str]
) -> dict[str, StagedFile]:
    files: dict[str, StagedFile] = {}
    try:
        handle = _open_zip(archive, root)
        with handle, zipfile.ZipFile(handle) as zipped:
            members = [m for m in zipped.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_MEMBERS:
                ignored.append(f"{shown(archive)}: more than {MAX_ZIP_MEMBERS} files, not unpacked")
                return files
            for member in members:
                label = f"{shown(archive)}:{shown(member.filename)}"
                name = PurePosixPath(member.filename).name
                kata_id = name.removesuffix(".py")
                if not name.endswith(".py") or kata_id not in kata_ids:
                    ignored.append(label)
                elif kata_id in files:
                    ignored.append(f"{label} (a second {name})")
                else:
                    try:  # the base name only: no path can escape the target
                        files[kata_id] = stage(_read_member(zipped, member), target, name, label)
                    except Skipped as reason:
                        ignored.append(f"{label} ({reason})")
    except Skipped as reason:
        ignored.append(f"{shown(archive)} ({reason})")
    except (zipfile.BadZipFile, OSError) as error:
        ignored.append(f"{shown(archive)}: not a readable zip ({error})")
    return files


def _open_zip(name: str, folder_fd: int) -> io.BufferedReader:
    """The archive as a binary file object, through a descriptor checked like a kata file's."""
    try:
        fd = os.open(name, FILE_FLAGS, dir_fd=folder_fd)
    except OSError as error:
        raise Skipped(_unreadable(error)) from None
    info = os.fstat(fd)
    kind = kind_of(info.st_mode)
    if kind or info.st_size > MAX_ZIP_BYTES:
        os.close(fd)
        raise Skipped(kind or f"too large: {info.st_size / 2**20:.1f} MiB, a zip is at most 64 MiB")
    return os.fdopen(fd, "rb")


def _read_member(zipped: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """A zip member's bytes, at most 1 MiB whatever its header claims; raises ``Skipped``."""
    kind = kind_of(member.external_attr >> 16)  # Unix mode bits, 0 when not recorded
    if kind:
        raise Skipped(kind)
    if member.file_size > MAX_FILE_BYTES:
        raise Skipped(_too_large(member.file_size))
    try:
        with zipped.open(member) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError, zlib.error) as error:
        raise Skipped(f"unreadable: {error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise Skipped(_too_large(len(data)) + " (more than its header said)")
    return data


def find_files(
    folder: Path, kata_ids: set[str], stage_to: Path
) -> tuple[dict[str, StagedFile], list[str]]:
    """The kata files anywhere in ``folder`` (Gradescope keeps uploaded folders), staged.

    The shallowest match wins, then the first by path; nothing below ``folder``
    is followed, and symlinks, special files and kata files that cannot be
    graded are listed with the reason.
    """
    files: dict[str, StagedFile] = {}
    ignored: list[str] = []
    stage_to.mkdir(mode=0o700, parents=True, exist_ok=True)
    root = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        level: list[tuple[str, ...]] = [()]
        for _ in range(MAX_TREE_DEPTH):
            level = [
                below
                for parts in level
                for below in _search_folder(root, parts, kata_ids, files, stage_to, ignored)
            ]
        ignored += [f"{_label(parts)}/ (nested too deep, not searched)" for parts in level]
    finally:
        os.close(root)
    return files, ignored


def _label(parts: tuple[str, ...]) -> str:
    return "/".join(shown(part) for part in parts)


def _search_folder(
    root: int,
    parts: tuple[str, ...],
    kata_ids: set[str],
    files: dict[str, StagedFile],
    stage_to: Path,
    ignored: list[str],
) -> list[tuple[str, ...]]:
    """Stage the kata files of the folder ``parts`` below ``root``; returns its subfolders."""
    try:
        fd = _open_below(root, parts)
    except Skipped as reason:
        ignored.append(f"{_label(parts)}/ ({reason})")
        return []
    subfolders = []
    try:
        for name, mode in _entries(fd):
            label = _label((*parts, name))
            kata_id = name.removesuffix(".py")
            if stat.S_ISDIR(mode):
                subfolders.append((*parts, name))
            elif not (name.endswith(".py") and kata_id in kata_ids):
                if kind_of(mode):
                    ignored.append(f"{label} ({kind_of(mode)})")
            elif kata_id in files:
                ignored.append(f"{label} (a second {name}: {files[kata_id].origin} is graded)")
            else:
                try:
                    files[kata_id] = stage(read_file(name, fd), stage_to, name, label)
                except Skipped as reason:
                    ignored.append(f"{label} ({reason})")
    finally:
        os.close(fd)
    return subfolders


def _open_below(root: int, parts: tuple[str, ...]) -> int:
    """Open the folder ``parts`` below ``root`` one name at a time, following no symlink."""
    fd = os.dup(root)
    for part in parts:
        try:
            child = _open_folder(part, fd)
        finally:
            os.close(fd)
        fd = child
    return fd
