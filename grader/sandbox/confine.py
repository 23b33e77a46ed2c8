"""Confining the learner's child: its own folder, a read-only runtime, no network.

``confine`` is called by the child itself, after it imported numpy and before it
loads the learner's file. It runs inside the child, so it imports nothing of the
grader. Where the child already lives in namespaces of its own (see
``grader.sandbox.isolation``) these layers are a second wall; elsewhere they are
the first. It stacks what the kernel offers, best effort:

- Landlock (Linux 5.13+): read-write under the child's folder only, read and
  execute under the runtime (Python, numpy, the shared libraries), nothing else;
  from ABI 4 no TCP bind or connect; from ABI 6 no signals to processes outside
  the sandbox (the grader) and no abstract UNIX sockets outside it.
- A network namespace of its own (with a user namespace when one can be made,
  which also takes away every privilege over the host, even from root): no
  interface but a loopback that is down, so no UDP either.
- A seccomp filter refusing ``socket()``, ``socketpair()`` and ``io_uring_setup()``:
  UNIX sockets with a path (reached by ``sendto`` even from a socket pair) and
  vsock reach past a network namespace, and io_uring could make sockets without
  calling ``socket()``.

Each layer applies to this process and everything it starts, and cannot be lifted.
What the platform does not offer is reported in the returned ``Confinement``, never
raised: an old kernel still gets the other layers and the resource limits.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

# Files every freshly started program reads; the folders of the runtime come from the parent.
SYSTEM_READ_ONLY = (Path("/etc/ld.so.cache"), Path("/dev/urandom"))
# Written to freely by tools and by subprocess.DEVNULL; it keeps nothing.
SYSTEM_READ_WRITE = (Path("/dev/null"),)

# Syscalls (include/uapi/asm-generic/unistd.h, arch/x86/entry/syscalls/syscall_64.tbl).
# Landlock's numbers are shared by every architecture but alpha.
SYS_LANDLOCK_CREATE_RULESET = 444
SYS_LANDLOCK_ADD_RULE = 445
SYS_LANDLOCK_RESTRICT_SELF = 446
SYS_IO_URING_SETUP = 425


@dataclass(frozen=True)
class Arch:
    audit: int  # AUDIT_ARCH_* as seccomp sees it
    seccomp: int
    socket: int
    socketpair: int


ARCHES = {
    "x86_64": Arch(audit=0xC000003E, seccomp=317, socket=41, socketpair=53),
    "aarch64": Arch(audit=0xC00000B7, seccomp=277, socket=198, socketpair=199),
}

PR_SET_NO_NEW_PRIVS = 38
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

# include/uapi/linux/landlock.h
LANDLOCK_CREATE_RULESET_VERSION = 1 << 0
LANDLOCK_RULE_PATH_BENEATH = 1
LANDLOCK_RESTRICT_SELF_TSYNC = 1 << 3  # ABI 8: every thread, not just the caller
FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_MAKE_CHAR = 1 << 6
FS_MAKE_BLOCK = 1 << 11
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
FS_ABI_1 = (1 << 13) - 1  # execute .. make_sym
FS_FILE_ONLY = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

# linux/filter.h, linux/seccomp.h
BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_JGE_K = 0x35
BPF_RET_K = 0x06
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_TSYNC = 1
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
X32_SYSCALL_BIT = 0x40000000


NETWORK_WORDS = {"namespace": "network namespace", "landlock-tcp": "no TCP"}


@dataclass(frozen=True)
class Confinement:
    """What ``confine`` put in force in this process.

    ``network`` is "namespace" (no interface at all), "landlock-tcp" (TCP bind and
    connect refused, other protocols not) or "none". ``sockets`` says new sockets
    are refused outright; ``signals`` that processes outside the sandbox cannot be
    signalled. ``notes`` says, in words, what is missing and why.
    """

    landlock_abi: int | None
    filesystem: bool
    network: str
    sockets: bool
    signals: bool
    notes: tuple[str, ...] = ()

    @classmethod
    def none(cls, reason: str) -> Confinement:
        return cls(None, False, "none", False, False, (reason,))

    @property
    def any(self) -> bool:
        """Whether at least one layer is in force."""
        return self.filesystem or self.network != "none" or self.sockets or self.signals

    @property
    def complete(self) -> bool:
        """Whether every layer is in force (notes may still mention unconfined threads)."""
        return self.filesystem and self.network == "namespace" and self.sockets and self.signals

    def describe(self) -> str:
        """One line, e.g. ``landlock ABI 7: files (own folder read-write, ...), ...``."""
        parts = []
        if self.filesystem:
            parts.append("files (own folder read-write, runtime read-only)")
        parts.append(NETWORK_WORDS.get(self.network, "network open"))
        if self.sockets:
            parts.append("no new sockets")
        if self.signals:
            parts.append("signals scoped")
        if not self.any:
            return f"not confined: {'; '.join(self.notes) or 'nothing offered'}"
        head = f"landlock ABI {self.landlock_abi}" if self.landlock_abi else "no landlock"
        return f"{head}: {', '.join(parts)}"


def unique_existing(paths: list[Path]) -> list[Path]:
    seen: dict[Path, None] = {}
    for path in paths:
        if path.exists():
            seen.setdefault(path.resolve(), None)
    return list(seen)


def confine(
    workdir: Path,
    read_only: list[Path],
    list_only: list[Path] = (),
    own_network: bool = True,
    landlock: bool = True,
) -> Confinement:
    """Confine this process and its future children; irreversible.

    ``workdir`` becomes the only place it can write (and read; not execute); ``read_only``
    (the runtime the parent chose and the learner's file) can be read and executed, as
    can the shared libraries and loader files in ``SYSTEM_READ_ONLY``; ``list_only``
    folders can be listed, not read (Python's import system lists the folders on
    ``sys.path``). ``own_network`` moves into a network namespace of our own; the
    parent turns it off when the child already has one; ``landlock`` False leaves the
    file system open (for tests of the other walls). Call it from a
    single-threaded process (set ``OPENBLAS_NUM_THREADS=1`` before numpy starts):
    on Landlock ABI < 8 only the calling thread is confined, which ``notes`` reports.
    """
    if not sys.platform.startswith("linux"):
        return Confinement.none(f"no confinement on {sys.platform}")
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    notes: list[str] = []
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return Confinement.none(f"no_new_privs refused: {os.strerror(ctypes.get_errno())}")
    threads = thread_count()
    abi = landlock_abi(libc) if landlock else None
    if abi is None and landlock:
        notes.append("Landlock is not available (kernel older than 5.13 or not enabled)")
    elif threads > 1 and abi < 8:
        # Landlock before ABI 8 binds the calling thread only (seccomp binds them all).
        notes.append(f"{threads - 1} other thread(s) not confined by Landlock")

    network = isolate_network(libc, notes) if own_network else "namespace"
    sockets = refuse_sockets(libc, notes)
    landlocked = abi is not None and restrict_landlock(
        libc, abi, threads, rules(workdir, read_only, abi, list_only), notes
    )
    if not landlocked:
        return Confinement(None, False, network, sockets, False, tuple(notes))
    if network == "none" and abi >= 4:
        network = "landlock-tcp"
    return Confinement(abi, True, network, sockets, abi >= 6, tuple(notes))


# -- Landlock -------------------------------------------------------------------------


class RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # __attribute__((packed)) in the kernel's header
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def landlock_abi(libc: ctypes.CDLL | None = None) -> int | None:
    """The kernel's Landlock ABI version, or None where there is no Landlock."""
    if not sys.platform.startswith("linux"):
        return None
    if libc is None:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
    version = libc.syscall(
        SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), LANDLOCK_CREATE_RULESET_VERSION
    )
    return int(version) if version > 0 else None


def fs_access(abi: int) -> int:
    """Every filesystem right this ABI knows, so that all of them are handled (denied)."""
    access = FS_ABI_1
    if abi >= 2:
        access |= FS_REFER
    if abi >= 3:
        access |= FS_TRUNCATE
    if abi >= 5:
        access |= FS_IOCTL_DEV
    return access


def rules(
    workdir: Path, read_only: list[Path], abi: int, list_only: list[Path] = ()
) -> list[tuple[Path, int]]:
    """(path, allowed rights) for every path that exists; the rest is denied."""
    handled = fs_access(abi)
    reading = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
    writing = FS_READ_FILE | FS_WRITE_FILE | FS_TRUNCATE | FS_IOCTL_DEV
    # No programs of its own, and no device nodes: a new node for a disk would be readable.
    own = handled & ~(FS_EXECUTE | FS_MAKE_CHAR | FS_MAKE_BLOCK)
    found = [(path, FS_READ_DIR) for path in unique_existing(list(list_only))]
    found += [(path, reading) for path in unique_existing([*read_only, *SYSTEM_READ_ONLY])]
    found += [(path, writing) for path in unique_existing(list(SYSTEM_READ_WRITE))]
    found += [(path, own) for path in unique_existing([workdir])]
    # Landlock refuses rights the ruleset does not handle, and folder rights on a file.
    return [
        (path, access & handled & (handled if path.is_dir() else FS_FILE_ONLY))
        for path, access in found
    ]


def restrict_landlock(
    libc: ctypes.CDLL, abi: int, threads: int, allowed: list[tuple[Path, int]], notes: list[str]
) -> bool:
    """Build and enforce the ruleset; False (with a note) if the kernel refused it."""
    attr = RulesetAttr(handled_access_fs=fs_access(abi))
    size = ctypes.sizeof(ctypes.c_uint64)  # older kernels reject fields they do not know
    if abi >= 4:
        attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP  # and no port is allowed
        size += ctypes.sizeof(ctypes.c_uint64)
    if abi >= 6:
        attr.scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL
        size += ctypes.sizeof(ctypes.c_uint64)
    ruleset = libc.syscall(
        SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0
    )
    if ruleset < 0:
        notes.append(f"Landlock ruleset refused: {os.strerror(ctypes.get_errno())}")
        return False
    try:
        for path, access in allowed:
            add_path_rule(libc, int(ruleset), path, access)
        flags = LANDLOCK_RESTRICT_SELF_TSYNC if abi >= 8 and threads > 1 else 0
        if libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, int(ruleset), flags) != 0:
            notes.append(f"Landlock not enforced: {os.strerror(ctypes.get_errno())}")
            return False
    finally:
        os.close(int(ruleset))
    return True


def add_path_rule(libc: ctypes.CDLL, ruleset: int, path: Path, access: int) -> None:
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        attr = PathBeneathAttr(allowed_access=access, parent_fd=fd)
        rule = ctypes.byref(attr)
        if libc.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH, rule, 0):
            code = ctypes.get_errno()
            # A wrong right or a bad fd is our bug, and must not pass as a quieter sandbox.
            raise OSError(code, f"Landlock rule for {path}: {os.strerror(code)}")
    finally:
        os.close(fd)


def thread_count() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


# -- network namespace ----------------------------------------------------------------


def isolate_network(libc: ctypes.CDLL, notes: list[str]) -> str:
    """Move into a network namespace of our own; "namespace" or "none"."""
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        # Map our own ids only: the one mapping a process may write without privileges.
        write_proc("/proc/self/setgroups", "deny")
        write_proc("/proc/self/uid_map", f"{uid} {uid} 1")
        write_proc("/proc/self/gid_map", f"{gid} {gid} 1")
        notes.append("own user namespace: no privileges over the host")
        return "namespace"
    user_error = ctypes.get_errno()
    if libc.unshare(CLONE_NEWNET) == 0:
        notes.append(f"no user namespace ({os.strerror(user_error)}): host privileges kept")
        return "namespace"
    notes.append(f"no network namespace: {os.strerror(ctypes.get_errno())}")
    return "none"


def write_proc(path: str, text: str) -> None:
    with open(path, "w") as file:
        file.write(text)


# -- seccomp ----------------------------------------------------------------------------


class SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def socket_filter(arch: Arch) -> list[tuple[int, int, int, int]]:
    """A BPF program: EACCES for socket(), socketpair() and io_uring_setup(), EPERM for foreign ABIs."""
    deny = SECCOMP_RET_ERRNO | errno.EACCES
    foreign = SECCOMP_RET_ERRNO | errno.EPERM
    return [
        (BPF_LD_W_ABS, 0, 0, 4),  # seccomp_data.arch
        (BPF_JEQ_K, 1, 0, arch.audit),
        (BPF_RET_K, 0, 0, foreign),  # e.g. i386 syscalls through int 0x80
        (BPF_LD_W_ABS, 0, 0, 0),  # seccomp_data.nr
        (BPF_JGE_K, 4, 0, X32_SYSCALL_BIT),  # x32 numbers alias the native ones
        (BPF_JEQ_K, 3, 0, arch.socket),
        (BPF_JEQ_K, 2, 0, arch.socketpair),
        (BPF_JEQ_K, 1, 0, SYS_IO_URING_SETUP),
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        (BPF_RET_K, 0, 0, deny),
    ]


def refuse_sockets(libc: ctypes.CDLL, notes: list[str]) -> bool:
    arch = ARCHES.get(platform.machine())
    if arch is None:
        notes.append(f"sockets not filtered on {platform.machine()}")
        return False
    program = socket_filter(arch)
    filters = (SockFilter * len(program))(*[SockFilter(*op) for op in program])
    fprog = SockFprog(len(program), filters)
    result = libc.syscall(
        arch.seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(fprog)
    )
    if result != 0:
        reason = os.strerror(ctypes.get_errno()) if result < 0 else f"thread {result} refused"
        notes.append(f"sockets not filtered: {reason}")
        return False
    return True
