"""Finding a class's submissions: what a person would grade, and a note for each decision.

One rule in every mode (a student's folder, a student's zip, Gradescope's
``/autograder/submission``): a file counts as a kata's when a person would read
its name so (``kata_files.KataNames``); of several copies of a kata the
shallowest gradable one wins, then a ``.py`` before a ``.py.txt`` before a
notebook, the exact name first, a folder's before a zip's, then the first in
code-point order of its path. Every mode searches the top of the submission and
up to ``MAX_TREE_DEPTH`` folders down, so one submission grades the same
wherever it is handed in. Every copy not graded, and why, is a note.

Every kata file is read once, through one descriptor opened without following
symlinks, checked to be a regular file of at most 1 MiB before a byte of it is
read, hashed, and copied into a private folder (mode 0700) that only the grader
writes. The grader grades that copy, so the bytes hashed are the bytes graded
even if the original changes meanwhile, and a symlink, a FIFO, a device or a
100 GiB sparse file can neither leak another file, hang the run nor exhaust its
memory.
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
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from grader.engine import MAX_FILE_BYTES
from grader.kata_files import KataNames, NameMatch, Skipped, code_of

MAX_ZIP_BYTES = 64 * 1024 * 1024  # zipfile reads a central directory whole: bound it
MAX_ENTRIES = 2000  # files and folders looked at per folder or zip: a venv is not searched whole
MAX_TREE_DEPTH = 8  # Gradescope keeps uploaded folders; nobody nests a kata file deeper
SKIPPED_FOLDERS = {"__MACOSX", "__pycache__", "node_modules", "site-packages"}
STAGING = ".staged"  # under --out: this run's private copies, swept by the next run

FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # a FIFO never blocks
FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
PLAIN_PUNCTUATION = " _-.'(),@+"


@dataclass(frozen=True)
class StagedFile:
    path: Path  # the private copy that is graded
    sha256: str  # of exactly the bytes copied there
    origin: str  # where the student's file was, for the records


@dataclass(frozen=True)
class Submission:
    """One student's work: each kata is in ``files`` (graded), ``rejected`` (found, not
    gradable) or neither (missing)."""

    student: str  # in NFC
    files: dict[str, StagedFile]  # kata id -> its private copy
    source: str  # "folder", "zip" or "folder and zip"
    rejected: dict[str, str] = field(default_factory=dict)  # kata id -> why its file is not graded
    notes: list[str] = field(default_factory=list)  # every other decision, for discovery.txt
    others: list[str] = field(default_factory=list)  # files that are no kata's, for the records


@dataclass(frozen=True)
class Discovery:
    submissions: list[Submission]
    ignored: list[str] = field(default_factory=list)  # entries of SUBMISSIONS that are no student


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
        (stat.S_ISDIR, "a folder, not a file"),
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


@dataclass(frozen=True)
class Candidate:
    """A file named like a kata file somewhere in a submission; read only when its turn comes."""

    match: NameMatch
    label: str  # where it is, as the instructor reads it: "ana/hw3/relu_backward (1).py"
    folder: str  # its folder's label, "" at the top of a folder submission
    depth: int  # folders between the top of the submission and the file
    source: int  # 0 in a folder, 1 in a zip: at the same depth a folder's copy comes first
    read: Callable[[], bytes]  # its bytes; raises Skipped

    def key(self) -> tuple[int, tuple[int, bool], int, str]:
        """The order copies of one kata are tried in: shallowest, best form, then by name."""
        return self.depth, self.match.rank, self.source, self.label


@dataclass
class Found:
    """What one student's folders and zips hold, gathered before anything is read."""

    candidates: list[Candidate] = field(default_factory=list)
    others: list[str] = field(default_factory=list)  # files that are no kata's
    notes: list[str] = field(default_factory=list)  # special files, limits reached


def discover(folder: Path, kata_ids: set[str], stage_to: Path) -> Discovery:
    """Every student's kata files, staged under ``stage_to``; see ``Submission``.

    A student is a folder or a ``.zip`` in ``folder``, named in NFC (a macOS
    folder's decomposed "José" is the typed "José"); a folder and a zip, or two
    spellings, of one student are searched together. ``folder`` itself is the
    instructor's and may be a symlink; nothing inside it is followed.
    """
    names = KataNames.of(kata_ids)
    stage_to.mkdir(mode=0o700, parents=True, exist_ok=True)
    sources: dict[str, list[tuple[int, str]]] = {}  # student -> (0 folder / 1 zip, entry name)
    ignored: list[str] = []
    root = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for name, mode in _entries(root):
            if name.startswith("."):
                ignored.append(shown(name))
            elif stat.S_ISDIR(mode):
                sources.setdefault(_nfc(name), []).append((0, name))
            elif stat.S_ISREG(mode) and name.casefold().endswith(".zip"):
                sources.setdefault(_nfc(name[:-4]), []).append((1, name))
            else:
                reason = kind_of(mode)
                ignored.append(f"{shown(name)} ({reason})" if reason else shown(name))
        submissions = [
            _submission(root, student, sorted(entries), names, stage_to / file_name_of(student))
            for student, entries in sorted(sources.items())
        ]
    finally:
        os.close(root)
    return Discovery(submissions, ignored)


def discover_one(folder: Path, kata_ids: set[str], stage_to: Path) -> Submission:
    """The kata files of one submission held in ``folder`` (Gradescope's), by the same rule."""
    stage_to.mkdir(mode=0o700, parents=True, exist_ok=True)
    root = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        found = Found()
        _walk_folder(root, (), KataNames.of(kata_ids), found)
        return _chosen(folder.name, "folder", found, stage_to, [])
    finally:
        os.close(root)


def _nfc(name: str) -> str:
    return unicodedata.normalize("NFC", name)


def _submission(
    root: int, student: str, entries: list[tuple[int, str]], names: KataNames, target: Path
) -> Submission:
    found = Found()
    with ExitStack() as open_zips:  # members are read from them only once chosen
        for source, name in entries:
            if source == 0:
                _walk_folder(root, (name,), names, found)
            else:
                _walk_zip(root, name, names, found, open_zips)
        kinds = " and ".join(dict.fromkeys("zip" if s else "folder" for s, _ in entries))
        return _chosen(student, kinds, found, target, _merged(entries))


def _merged(entries: list[tuple[int, str]]) -> list[str]:
    """A note when one student handed in more than one folder or zip."""
    if len(entries) < 2:
        return []
    labels = [shown(_nfc(name)) + ("/" if source == 0 else "") for source, name in entries]
    spelled = len({name[:-4] if source else name for source, name in entries}) > 1
    why = " (one name spelled two ways: macOS writes accents decomposed)" if spelled else ""
    return [f"{' and '.join(labels)} are one student{why}: searched together"]


def _walk_folder(root: int, top: tuple[str, ...], names: KataNames, found: Found) -> None:
    """Gather the candidates in the folder ``top`` below ``root``, level by level."""
    level, seen = [top], 0
    for _ in range(MAX_TREE_DEPTH + 1):
        below: list[tuple[str, ...]] = []
        for parts in level:
            try:
                fd = _open_below(root, parts)
            except Skipped as reason:
                found.notes.append(f"{_label(parts)}/ ({reason})")
                continue
            try:
                for name, mode in _entries(fd):
                    seen += 1
                    if seen > MAX_ENTRIES:
                        found.notes.append(f"more than {MAX_ENTRIES} files: the rest not searched")
                        return
                    path = (*parts, name)
                    read = partial(_read_below, root, path)
                    kind = kind_of(mode)
                    inside, is_folder = path[len(top) :], stat.S_ISDIR(mode)
                    if _consider(found, names, inside, _prefix(top), 0, is_folder, kind, read):
                        below.append(path)
            finally:
                os.close(fd)
        level = below
    found.notes += [f"{_label(parts)}/ (nested too deep, not searched)" for parts in level]


def _read_below(root: int, path: tuple[str, ...]) -> bytes:
    fd = _open_below(root, path[:-1])
    try:
        return read_file(path[-1], fd)
    finally:
        os.close(fd)


def _walk_zip(root: int, archive: str, names: KataNames, found: Found, stack: ExitStack) -> None:
    """Gather the candidates among a zip's members; the zip stays open on ``stack``."""
    where = shown(_nfc(archive))
    try:
        zipped = stack.enter_context(zipfile.ZipFile(stack.enter_context(_open_zip(archive, root))))
    except Skipped as reason:
        found.notes.append(f"{where} ({reason})")
        return
    except (zipfile.BadZipFile, OSError) as error:
        found.notes.append(f"{where}: not a readable zip ({error})")
        return
    members = zipped.infolist()
    if len(members) > MAX_ENTRIES:
        found.notes.append(f"{where}: more than {MAX_ENTRIES} files, not unpacked")
        return
    for member in sorted(members, key=lambda m: m.filename):
        # Windows' older zips separate folders with "\"; the name is a label, never a path.
        parts = tuple(
            p for p in member.filename.replace("\\", "/").split("/") if p not in ("", ".")
        )
        if not parts:
            continue
        label = f"{where}:{_label(parts)}"
        if ".." in parts or member.filename.startswith(("/", "\\")):
            found.notes.append(f"{label} (a path outside the zip, not read)")
        elif len(parts) - 1 > MAX_TREE_DEPTH:
            found.notes.append(f"{label} (nested too deep, not searched)")
        elif not any(_hidden(part) for part in parts[:-1]):
            kind = kind_of(member.external_attr >> 16)
            read = _a_folder if member.is_dir() else partial(_read_member, zipped, member)
            _consider(found, names, parts, f"{where}:", 1, member.is_dir(), kind, read)


def _a_folder() -> bytes:
    """A zip's folder entry may carry no mode bits: refused by what it is, not by them."""
    raise Skipped("a folder, not a file")


def _hidden(name: str) -> bool:
    """Dot files, macOS's resource forks and caches: nobody hands in a kata file there."""
    return name.startswith(".") or name in SKIPPED_FOLDERS


def _consider(
    found: Found,
    names: KataNames,
    path: tuple[str, ...],
    prefix: str,
    source: int,
    is_folder: bool,
    kind: str | None,
    read: Callable[[], bytes],
) -> bool:
    """Sort one entry into ``found``; returns whether it is a folder to search.

    ``path`` is the entry's below the top of the submission; ``prefix`` names that
    top for labels ("ana/", "ana.zip:", or "" on Gradescope).
    """
    if _hidden(path[-1]):
        return False
    match = names.match(path[-1])
    label = prefix + _label(path)
    if match:  # a folder named like a kata file is rejected as one, and still searched
        folder = (prefix + _label(path[:-1])).rstrip("/")
        found.candidates.append(Candidate(match, label, folder, len(path) - 1, source, read))
    elif kind and not is_folder:
        found.notes.append(f"{label} ({kind})")
    elif not is_folder:
        found.others.append(label)
    return is_folder


def _prefix(top: tuple[str, ...]) -> str:
    return _label(top) + "/" if top else ""


def _label(parts: tuple[str, ...]) -> str:
    return "/".join(shown(_nfc(part)) for part in parts)


def _chosen(student: str, kinds: str, found: Found, target: Path, notes: list[str]) -> Submission:
    """Stage the best gradable copy of each kata; every other copy becomes a note."""
    files: dict[str, StagedFile] = {}
    rejected: dict[str, str] = {}
    notes = [*notes, *found.notes]
    by_kata: dict[str, list[Candidate]] = {}
    for candidate in found.candidates:
        by_kata.setdefault(candidate.match.kata, []).append(candidate)
    graded: list[Candidate] = []
    for kata, candidates in sorted(by_kata.items()):
        tried: list[str] = []
        ordered = sorted(candidates, key=Candidate.key)
        for index, candidate in enumerate(ordered):
            try:
                code = code_of(candidate.match, candidate.read())
            except Skipped as reason:
                tried.append(f"{candidate.label} ({reason})")
                continue
            files[kata] = stage(code.data, target, f"{kata}.py", candidate.label)
            graded.append(candidate)
            notes += tried
            if code.how or not candidate.match.exact:
                notes.append(
                    f"{candidate.label} graded as {kata}" + (f": {code.how}" if code.how else "")
                )
            notes += [_second(candidate, other) for other in ordered[index + 1 :]]
            break
        else:
            rejected[kata] = tried[0]
            notes += tried[1:]
    notes += _where_graded(graded)
    return Submission(student, files, kinds, rejected, notes, found.others)


def _second(graded: Candidate, other: Candidate) -> str:
    """Why ``other`` is not graded although it too is a copy of the kata."""
    if other.depth != graded.depth:
        why = "shallower"
    elif other.match.form != graded.match.form:
        why = f"a {graded.match.form} before a {other.match.form}"
    elif other.match.exact != graded.match.exact:
        why = "the exact name first"
    elif other.source != graded.source:
        why = "a folder before a zip"
    else:
        why = "first in name order"
    return f"{other.label} not graded: a second {graded.match.kata} file, {graded.label} is ({why})"


def _where_graded(graded: list[Candidate]) -> list[str]:
    """One line when kata files were graded from folders below the top."""
    nested = Counter(c.folder for c in graded if c.depth)
    if not nested:
        return []
    top = sum(not c.depth for c in graded)
    at_top = f"{top} kata file(s) at the top" if top else "no kata file at the top"
    return [
        f"{at_top}, " + ", ".join(f"{n} in {folder}/" for folder, n in nested.items()) + " graded"
    ]


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
