"""The trusted side of the channel: starts, calls and kills the learner's child.

A ``Sandbox`` owns one learner file. Calls go to a child process started as
``grader.sandbox.launch`` plans it (namespaces of its own where the platform
allows); the parent's clock bounds every call, and a child that hangs, dies or
garbles the channel is killed with everything it started and replaced on the
next call. Every way a call can go wrong surfaces as a ``LearnerFailure`` whose
message is written for the learner.

The parent never opens a path the child can write: the child's output goes to
an unlinked file only the parent holds by name, read back through its own
descriptor with a cap; inputs watched for in-place changes live in memory the
parent shares with the child and reads itself.
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import secrets
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.limits import Limits
from grader.sandbox import isolation
from grader.sandbox.cgroup import Cgroup
from grader.sandbox.launch import ChildChannels, Launch, plan_launch
from grader.sandbox.reaper import descendants

if TYPE_CHECKING:
    import numpy as np

    from grader.sandbox.wire import Ref


class _Wire:
    """The channel codec, imported on first use: it loads NumPy, and the child should start first."""

    def __getattr__(self, name: str) -> Any:
        from grader.sandbox import wire as module

        return getattr(module, name)


wire = _Wire()

GIVE_UP_AFTER_TIMEOUTS = 2
SHARED_BYTES = 64 * 1024 * 1024  # inputs the parent hands over without a copy, per child
OUTPUT_KEPT = 2000  # characters of what the learner printed, kept for the report


class LearnerFailure(Exception):
    """Learner code failed in a way the learner must be told about.

    ``flag`` marks failures an instructor should look at (timeout, crash, output flood).
    """

    flag: str | None = None

    def __init__(self, message: str, flag: str | None = None) -> None:
        super().__init__(message)
        if flag is not None:
            self.flag = flag


class LearnerRaised(LearnerFailure):
    """The learner's code raised an exception; ``error`` is the child's description."""

    def __init__(self, message: str, error: dict) -> None:
        super().__init__(message)
        self.error = error


class LearnerTimeout(LearnerFailure):
    flag = "timeout"


class LearnerDied(LearnerFailure):
    flag = "crash"


class SandboxBroken(Exception):
    """The child could not be started or confined: the grader's problem, not the learner's."""


class _Timeout(Exception):
    pass


def clean_error(error: Any) -> dict[str, Any]:
    """The child's description of an exception, reduced to plain fields of known types."""
    if type(error) is not dict:
        error = {}
    frames = []
    for frame in error.get("frames") if type(error.get("frames")) is list else []:
        if type(frame) is dict:
            line = frame.get("line")
            frames.append(
                {
                    "line": line if type(line) is int else 0,
                    "name": str(frame.get("name", ""))[:200],
                    "code": str(frame.get("code", ""))[:500],
                }
            )
    exit_code = error.get("exit_code")
    return {
        "type": str(error.get("type", "Exception"))[:200],
        "message": str(error.get("message", ""))[:2000],
        "frames": frames[-5:],
        "exit_code": exit_code if type(exit_code) in (int, str) else None,
    }


def describe_exception(error: dict, file_name: str) -> str:
    """One line: ``ValueError: bad shape (relu_backward.py line 7, in f: `x @ w`)``."""
    text = f"{error.get('type', 'Exception')}: {error.get('message', '')}".rstrip(": ")
    frames = error.get("frames") or []
    if frames:
        last = frames[-1]
        text += f" ({file_name} line {last['line']}, in {last['name']}: `{last['code']}`)"
    return text


def brief(value: Any) -> str:
    """A few characters describing an argument, for 'which call on what input' messages."""
    if isinstance(value, RemoteObject):  # first: its attributes would be remote calls
        return value._ref.type_name
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        shape = "0-d" if value.shape == () else str(tuple(value.shape))  # (5,) as NumPy says
        return f"{shape} {value.dtype} array"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {len(value)}" if len(value) > 4 else repr(value)
    text = repr(value)
    return text if len(text) <= 20 else text[:17] + "..."


def describe_call(name: str, args: tuple, kwargs: dict) -> str:
    parts = [brief(a) for a in args] + [f"{k}={brief(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def unlinked_file(folder: Path) -> int:
    """A file with no name (nothing can swap it for a link or a FIFO), appended to only."""
    descriptor, name = tempfile.mkstemp(dir=folder)
    os.unlink(name)
    flags = fcntl.fcntl(descriptor, fcntl.F_GETFL)
    fcntl.fcntl(descriptor, fcntl.F_SETFL, flags | os.O_APPEND)
    return descriptor


class Sandbox:
    """One learner file, served by a child process that is restarted after any failure.

    ``workdir`` is a folder of the parent's (the child never writes it by name in
    namespaces; elsewhere its ``scratch`` subfolder is the child's). ``shown_name``
    is the file name messages give the learner (their own file's, not the copy's).
    """

    def __init__(
        self,
        learner_file: Path,
        workdir: Path,
        limits: Limits | None = None,
        shown_name: str | None = None,
    ) -> None:
        self.learner_file = learner_file
        self.workdir = workdir
        self.limits = limits or Limits()
        self.shown_name = shown_name or learner_file.name
        self.deadline: float | None = None  # monotonic end of the whole check's budget
        self.generation = 0
        self.process: subprocess.Popen | None = None
        self.names: dict[str, str] | None = None
        self.confinement: str | None = None  # what was in force, as the parent saw it
        self.timeouts: dict[str, int] = {}  # function -> how many of its calls timed out
        self.fp_log: list[list[str]] | None = None
        self.leftovers = 0  # processes the learner's code left running, killed at the end
        self.output_flooded = False
        self._output = ""
        self._output_fd = -1
        self._launch: Launch | None = None
        self._cgroup: Cgroup | None = None
        self._shared: mmap.mmap | None = None
        self._shared_fd = -1
        self._shared_used = 0
        self._fd_in = self._fd_out = -1
        self._started_at = 0.0

    # -- life cycle -------------------------------------------------------------

    def start(self) -> None:
        """Spawn the child without waiting for it, so it loads while we do other work."""
        if self.process is not None:
            return
        self.generation += 1
        self.workdir.mkdir(parents=True, exist_ok=True)
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self._open_shared()
        self._output_fd = fd = unlinked_file(self.workdir)
        channels = ChildChannels(to_child_r, from_child_w, self._shared_fd, SHARED_BYTES)
        mode = isolation.chosen_mode()
        self._launch = launch = plan_launch(
            mode, self.learner_file, self.workdir, self.limits, channels
        )
        self._cgroup = Cgroup.create(self.limits.memory_mb, self.limits.nproc)
        user = launch.user
        kept = [to_child_r, from_child_w] + ([self._shared_fd] if self._shared_fd >= 0 else [])
        try:
            self.process = subprocess.Popen(
                launch.command,
                cwd=launch.cwd,
                env=launch.env,
                stdin=subprocess.DEVNULL,
                stdout=fd,
                stderr=subprocess.STDOUT,
                pass_fds=kept,
                start_new_session=True,
                user=user[0] if user else None,
                group=user[1] if user else None,
                extra_groups=[] if user else None,
            )
        except OSError as error:
            for descriptor in (to_child_r, to_child_w, from_child_r, from_child_w):
                os.close(descriptor)
            self._release()
            raise SandboxBroken(f"the learner's process could not start: {error}") from None
        os.close(to_child_r)
        os.close(from_child_w)
        self._fd_out, self._fd_in = to_child_w, from_child_r
        self._started_at = time.monotonic()
        self.names = None

    def _open_shared(self) -> None:
        """Fresh shared memory for watched inputs (Linux memfd; elsewhere none)."""
        self._shared_used = 0
        if self._shared is not None:
            return
        if not hasattr(os, "memfd_create"):
            return
        self._shared_fd = os.memfd_create("kata-inputs", 0)
        os.ftruncate(self._shared_fd, SHARED_BYTES)
        self._shared = mmap.mmap(self._shared_fd, SHARED_BYTES)

    def ready(self) -> dict[str, str]:
        """Wait for the learner's file to load; returns its top-level names and kinds."""
        self.start()
        if self.names is not None:
            return self.names
        timeout = self.limits.load_timeout_s
        deadline = self._deadline(timeout, since=self._started_at)
        try:
            hello, _ = self._receive(deadline)
            self._confine_tree(hello)
            self._send(wire.pack_frame({"op": "go"}, []), deadline)
            header, _ = self._receive(deadline)
        except _Timeout:
            self.kill()
            if self.deadline is not None and deadline >= self.deadline:
                raise LearnerTimeout("the time budget for this check is used up") from None
            raise LearnerTimeout(
                f"loading your file timed out after {timeout:g} s "
                "(an endless loop or long computation at the top level?)"
            ) from None
        except (EOFError, OSError, wire.WireError) as error:
            if self.confinement is None:
                raise self._broken(error) from None
            raise self._death("while your file was being loaded", error) from None
        if "error" in header:
            self.kill()
            error = clean_error(header["error"])
            raise LearnerRaised(self._load_error_message(error), error)
        names = header.get("ready")
        if type(names) is not dict:
            self.kill()
            raise LearnerDied("the channel to your code was garbled while your file was loading")
        self.names = {str(k): str(v) for k, v in names.items()}
        return self.names

    def _confine_tree(self, hello: dict) -> None:
        """Before any learner code runs: note what confines the child, move it into its cgroup."""
        said = hello.get("hello")
        if type(said) is not str:
            raise wire.WireError("the child did not introduce itself")
        if self._cgroup is not None and self.process is not None:
            self._cgroup.adopt([self.process.pid, *descendants(self.process.pid)])
        limits = self._cgroup.describe() if self._cgroup else "per-process limits only"
        parts = [self._launch.in_force if self._launch else "", limits, f"in the child: {said}"]
        self.confinement = "; ".join(part for part in parts if part)

    def _broken(self, error: BaseException) -> SandboxBroken:
        """The child died before it could say hello: the platform, not the learner's file."""
        self.kill()
        said = self.output_excerpt().strip().splitlines()[-3:]
        detail = f": {' / '.join(said)}" if said else f" ({type(error).__name__})"
        return SandboxBroken(f"the learner's process did not start{detail}")

    def kill(self) -> None:
        """Kill the child with everything it started, and forget it."""
        if self.process is None:
            return
        self.leftovers += max(0, len(descendants(self.process.pid)) - self._helpers())
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self._cgroup is not None:
            self._cgroup.kill()
        self.process.wait()
        self._collect_output()
        for fd in (self._fd_in, self._fd_out):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fd_in = self._fd_out = -1
        self.process = None
        self._release()

    def _helpers(self) -> int:
        """Processes of ours inside the tree: bubblewrap's init, then the child itself."""
        return 2 if self._launch is not None and self._launch.scratch is None else 0

    def _release(self) -> None:
        if self._cgroup is not None:
            self._cgroup.remove()
            self._cgroup = None
        if self._output_fd >= 0:
            os.close(self._output_fd)
            self._output_fd = -1
        if self._shared is not None:
            self._shared.close()
            os.close(self._shared_fd)
            self._shared, self._shared_fd = None, -1

    def close(self) -> None:
        self.kill()

    def output_excerpt(self) -> str:
        """The start of what the learner's code printed, for reports."""
        self._collect_output()
        text = self._output[:OUTPUT_KEPT]
        return text + ("\n[... output truncated]" if len(self._output) > OUTPUT_KEPT else "")

    def _collect_output(self) -> None:
        """Keep the start of the output file, then empty it: the output limit is per call."""
        fd = self._output_fd
        if fd < 0:
            return
        size = os.fstat(fd).st_size
        if size >= self.limits.output_mb * 1024 * 1024:
            self.output_flooded = True
        if len(self._output) <= OUTPUT_KEPT:
            data = os.pread(fd, OUTPUT_KEPT + 1 - len(self._output), 0)
            self._output += data.decode("utf-8", "replace")
        os.ftruncate(fd, 0)

    # -- calls ------------------------------------------------------------------

    def request(
        self, header: dict, blobs: list[bytes], what: str, timeout: float | None = None
    ) -> Any:
        """Send one operation and return its decoded result, or raise LearnerFailure."""
        self.ready()
        timeout = self.limits.call_timeout_s if timeout is None else timeout
        deadline = self._deadline(timeout)
        if deadline <= time.monotonic():
            raise LearnerTimeout("the time budget for this check is used up")
        try:
            self._send(wire.pack_frame(header, blobs), deadline)
            reply, reply_blobs = self._receive(deadline)
        except _Timeout:
            self.kill()
            budget_hit = self.deadline is not None and deadline >= self.deadline
            raise LearnerTimeout(
                f"{what} did not finish within the check's time budget"
                if budget_hit
                else f"{what} timed out after {timeout:g} s (an endless loop?)"
            ) from None
        except (EOFError, OSError, wire.WireError) as error:
            raise self._death(f"while running {what}", error) from None
        finally:
            self._collect_output()
        return self._interpret(reply, reply_blobs, what)

    def _interpret(self, reply: dict, blobs: list[bytes], what: str) -> Any:
        """The child's reply as a result or a LearnerFailure; anything malformed is garbled."""
        fp = reply.get("fp")
        if self.fp_log is not None and type(fp) is list and fp:
            self.fp_log.append([str(kind) for kind in fp])
        if "error" in reply:
            error = clean_error(reply["error"])
            if error["type"] == "SystemExit":
                raise LearnerDied(
                    f"your code called sys.exit({error['exit_code']!r}) while running {what}"
                )
            if error["type"] == "OSError" and "[Errno 27]" in error["message"]:
                raise LearnerDied(
                    f"{what} printed more than {self.limits.output_mb} MB of output "
                    "(a print in a loop?)",
                    flag="output_flood",
                )
            message = f"{what} raised {describe_exception(error, self.shown_name)}"
            raise LearnerRaised(message, error)
        generation = self.generation
        try:
            return wire.decode(
                reply.get("ok"), blobs, lambda ref: RemoteObject(self, ref, generation)
            )
        except Exception as error:  # noqa: BLE001 - untrusted bytes: any decoding failure is theirs
            self.kill()
            raise LearnerDied(
                f"{what} sent back data the grader cannot read ({type(error).__name__})"
            ) from None

    def call(
        self,
        target: RemoteObject | None,
        name: str,
        args: tuple,
        kwargs: dict,
        result: str = "send",
        timeout: float | None = None,
    ) -> Any:
        """Call ``name`` on the learner's module (target None) or on a remote object.

        A function that has timed out ``GIVE_UP_AFTER_TIMEOUTS`` times is not run
        again in this check, so an endless loop costs seconds, not the whole budget.
        """
        owner = "" if target is None else f"{target._ref.type_name}."
        what = describe_call(owner + name, args, kwargs)
        timed_out = self.timeouts.get(owner + name, 0)
        if timed_out >= GIVE_UP_AFTER_TIMEOUTS:
            raise LearnerTimeout(
                f"{what} was not run: {owner + name}() already timed out {timed_out} times "
                "in this check (an endless loop?)"
            )
        blobs: list[bytes] = []
        header = {
            "op": "call",
            "target": self._target(target, blobs, what),
            "name": name,
            "args": wire.encode(list(args), blobs, self._as_ref),
            "kwargs": wire.encode(dict(kwargs), blobs, self._as_ref),
            "result": result,
        }
        try:
            return self.request(header, blobs, what, timeout)
        except LearnerTimeout:
            self.timeouts[owner + name] = timed_out + 1
            raise

    def put(self, value: Any) -> RemoteObject:
        """Store ``value`` in the child and return a handle to it."""
        blobs: list[bytes] = []
        return self.request(
            {"op": "put", "value": wire.encode(value, blobs)}, blobs, "storing an input"
        )

    def fetch(self, target: RemoteObject) -> Any:
        """The current value of a stored object, as the child tells it."""
        blobs: list[bytes] = []
        header = {"op": "fetch", "target": self._target(target, blobs, "an input")}
        return self.request(header, blobs, "reading back an input")

    def forget(self, handles: list[RemoteObject]) -> None:
        """Let the child drop stored objects (benchmark inputs of an earlier repeat)."""
        alive = [h._ref.id for h in handles if h._generation == self.generation]
        if alive and self.process is not None:
            self.request({"op": "forget", "ids": alive}, [], "freeing stored inputs")

    def share(self, array: np.ndarray) -> Any:
        """Place ``array`` in memory shared with the child, to watch it for in-place changes.

        Returns what to pass in its place, or None where there is no room (or no
        shared memory on this platform): the caller then falls back to ``put``.
        Places are never reused within a child, since the learner's code may keep
        a view of an input (a layer caching ``x``) and must not see it change.
        """
        self.ready()
        if self._shared is None or array.dtype.kind not in wire.SHARED_KINDS:
            return None
        offset = -(-self._shared_used // 64) * 64  # aligned for any dtype
        if offset + array.nbytes > SHARED_BYTES:
            return None
        import numpy as np

        view = np.ndarray(array.shape, array.dtype, buffer=self._shared, offset=offset)
        view[...] = array
        self._shared_used = offset + max(array.nbytes, 1)
        return wire.SharedArray(wire.shared_spec(offset, array))

    def rewind_shared(self, needed: int) -> None:
        """Reuse the shared memory, from a random place that leaves ``needed`` bytes of room.

        Only once no call can hold a view of it (benchmark rounds). The random start
        means code that remembers its inputs by address finds nothing to remember.
        """
        room = SHARED_BYTES - needed
        self._shared_used = secrets.randbelow(room // 64) * 64 if room >= 64 else 0

    def shared_now(self, shared: Any) -> np.ndarray | None:
        """The current bytes of a shared input, read by the parent itself (None if lost)."""
        if self._shared is None or shared is None:
            return None
        import numpy as np

        spec = shared.spec
        view = np.ndarray(spec["shape"], spec["dtype"], buffer=self._shared, offset=spec["offset"])
        return view.copy()

    def get_attribute(self, target: RemoteObject, name: str) -> Any:
        what = f"{target._ref.type_name}.{name}"
        blobs: list[bytes] = []
        header = {"op": "get", "target": self._target(target, blobs, what), "name": name}
        return self.request(header, blobs, what)

    def set_attribute(self, target: RemoteObject, name: str, value: Any) -> None:
        what = f"setting {target._ref.type_name}.{name}"
        blobs: list[bytes] = []
        header = {"op": "set", "target": self._target(target, blobs, what), "name": name}
        header["value"] = wire.encode(value, blobs, self._as_ref)
        self.request(header, blobs, what)

    @contextlib.contextmanager
    def recording_fp_warnings(self) -> Iterator[list[list[str]]]:
        """Collect the floating-point warnings of every call made inside the block."""
        previous, self.fp_log = self.fp_log, []
        try:
            yield self.fp_log
        finally:
            self.fp_log = previous

    # -- internals --------------------------------------------------------------

    def _target(self, target: RemoteObject | None, blobs: list[bytes], what: str) -> Any:
        if target is None:
            return None
        return wire.encode(self._as_ref(target, what), blobs)

    def _as_ref(self, value: Any, what: str = "this call") -> Ref:
        """The child-side reference of a handle, if it is still alive; used when encoding."""
        if not isinstance(value, RemoteObject):
            raise wire.WireError(f"the suite cannot send a {type(value).__name__} to learner code")
        if value._generation != self.generation or self.process is None:
            raise LearnerDied(
                f"the {value._ref.type_name} object used for {what} was lost "
                "when your code was restarted after an earlier failure"
            )
        return value._ref

    def _deadline(self, timeout: float, since: float | None = None) -> float:
        deadline = (since if since is not None else time.monotonic()) + timeout
        return deadline if self.deadline is None else min(deadline, self.deadline)

    def _send(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        os.set_blocking(self._fd_out, False)
        while view:
            self._wait(self._fd_out, select.POLLOUT, deadline)
            try:
                written = os.write(self._fd_out, view)
            except BlockingIOError:
                continue
            view = view[written:]

    def _receive(self, deadline: float) -> tuple[dict, list[bytes]]:
        def read_exact(n: int) -> bytes:
            chunks, remaining = [], n
            while remaining:
                self._wait(self._fd_in, select.POLLIN, deadline)
                chunk = os.read(self._fd_in, min(remaining, 1 << 20))
                if not chunk:
                    raise EOFError
                chunks.append(chunk)
                remaining -= len(chunk)
            return b"".join(chunks)

        return wire.read_frame(read_exact)

    @staticmethod
    def _wait(fd: int, event: int, deadline: float) -> None:
        poller = select.poll()
        poller.register(fd, event | select.POLLHUP | select.POLLERR)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            if poller.poll(remaining * 1000):
                return

    def _death(self, when: str, error: BaseException) -> LearnerDied:
        """Explain why the child stopped answering, then clean it up."""
        process = self.process
        status = None
        if process is not None:
            try:
                status = process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                status = None
        out_of_memory = self._cgroup is not None and self._cgroup.hit_memory_limit()
        if status is not None and status > 128 and self._helpers():
            status = 128 - status  # bubblewrap reports a signal as 128 + its number
        self.kill()
        if isinstance(error, wire.WireError):
            return LearnerDied(f"the channel to your code was garbled {when} ({error})")
        if out_of_memory:
            return LearnerDied(
                f"your code used more than {self.limits.memory_mb} MB of memory {when}"
            )
        if status == -signal.SIGXFSZ:
            return LearnerDied(f"your code {self._signal_story(-status)} {when}", "output_flood")
        if status is None:
            return LearnerDied(f"your code stopped answering {when}")
        if status >= 0:
            return LearnerDied(f"your code exited the process with status {status} {when}")
        return LearnerDied(f"your code {self._signal_story(-status)} {when}")

    def _signal_story(self, number: int) -> str:
        stories = {
            signal.SIGXCPU: f"used more than {self.limits.cpu_s} s of CPU time",
            signal.SIGXFSZ: f"printed more than {self.limits.output_mb} MB of output",
            signal.SIGSEGV: "crashed with a segmentation fault",
            signal.SIGKILL: "was killed (SIGKILL), perhaps for using too much memory",
        }
        if number in stories:
            return stories[number]
        try:
            return f"was killed by signal {signal.Signals(number).name}"
        except ValueError:
            return f"was killed by signal {number}"

    def _load_error_message(self, error: Any) -> str:
        name, error = self.shown_name, clean_error(error)
        if error["type"] == "SystemExit":
            return (
                f"{name} called sys.exit({error['exit_code']!r}) while being loaded: "
                "kata files are imported, not run, so remove top-level exits"
            )
        return f"{name} raised {describe_exception(error, name)} while being loaded"


class RemoteObject:
    """A handle to an object living in the child: attribute reads, writes and method calls.

    Attributes that start with ``_`` belong to the handle itself, so learner
    attributes are reached with plain dot syntax (``layer.W``, ``layer.forward(x)``).
    """

    __slots__ = ("_sandbox", "_ref", "_generation")

    def __init__(self, sandbox: Sandbox, ref: Ref, generation: int) -> None:
        object.__setattr__(self, "_sandbox", sandbox)
        object.__setattr__(self, "_ref", ref)
        object.__setattr__(self, "_generation", generation)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self._ref.methods:
            return lambda *args, **kwargs: self._sandbox.call(self, name, args, kwargs)
        return self._sandbox.get_attribute(self, name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._sandbox.set_attribute(self, name, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._sandbox.call(self, "__call__", args, kwargs)

    def __repr__(self) -> str:
        return f"<learner's {self._ref.type_name} object>"


class RemoteModule:
    """The learner's module as the hidden suite sees it: ``impl.relu_backward(g, x)``."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._sandbox.call(None, name, args, kwargs)

        call.__name__ = name
        return call
