"""The trusted side of the channel: starts, calls and kills the learner's child.

A ``Sandbox`` owns one learner file. Calls go to a child process started with
``python -I`` in its own session and a private folder; the parent's clock
bounds every call, and a child that hangs, dies or garbles the channel is
killed with its whole process group and replaced on the next call. Every way a
call can go wrong surfaces as a ``LearnerFailure`` whose message is written for
the learner.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.limits import Limits

if TYPE_CHECKING:
    from grader.wire import Ref


class _Wire:
    """The channel codec, imported on first use: it loads NumPy, and the child should start first."""

    def __getattr__(self, name: str) -> Any:
        from grader import wire as module

        return getattr(module, name)


wire = _Wire()

GIVE_UP_AFTER_TIMEOUTS = 2
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
KEPT_VARIABLES = ("PATH", "LANG", "LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "TMPDIR")


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


class _Timeout(Exception):
    pass


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


class Sandbox:
    """One learner file, served by a child process that is restarted after any failure."""

    def __init__(self, learner_file: Path, workdir: Path, limits: Limits | None = None) -> None:
        self.learner_file = learner_file
        self.workdir = workdir
        self.limits = limits or Limits()
        self.deadline: float | None = None  # monotonic end of the whole check's budget
        self.generation = 0
        self.process: subprocess.Popen | None = None
        self.names: dict[str, str] | None = None
        self.confinement: str | None = None  # what the child reported was in force
        self.timeouts: dict[str, int] = {}  # function -> how many of its calls timed out
        self.fp_log: list[list[str]] | None = None
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
        env = {k: os.environ[k] for k in KEPT_VARIABLES if k in os.environ}
        env.update({name: "1" for name in THREAD_VARIABLES})
        env.update(
            {"HOME": str(self.workdir), "TMPDIR": str(self.workdir), "PYTHONDONTWRITEBYTECODE": "1"}
        )
        command = [
            sys.executable,
            "-I",
            "-m",
            "grader.child",
            str(to_child_r),
            str(from_child_w),
            str(self.learner_file),
            json.dumps(asdict(self.limits)),
        ]
        with open(self.workdir / "output.log", "ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=self.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                pass_fds=(to_child_r, from_child_w),
                start_new_session=True,
            )
        os.close(to_child_r)
        os.close(from_child_w)
        self._fd_out, self._fd_in = to_child_w, from_child_r
        self._started_at = time.monotonic()
        self.names = None

    def ready(self) -> dict[str, str]:
        """Wait for the learner's file to load; returns its top-level names and kinds."""
        self.start()
        if self.names is not None:
            return self.names
        timeout = self.limits.load_timeout_s
        deadline = self._deadline(timeout, since=self._started_at)
        try:
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
            raise self._death("while your file was being loaded", error) from None
        self.confinement = str(header.get("confinement", "")) or None
        if "error" in header:
            self.kill()
            raise LearnerRaised(self._load_error_message(header["error"]), header["error"])
        names = header.get("ready")
        if type(names) is not dict:
            self.kill()
            raise LearnerDied("the channel to your code was garbled while your file was loading")
        self.names = {str(k): str(v) for k, v in names.items()}
        return self.names

    def kill(self) -> None:
        """Kill the child's whole process group and forget it."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        for fd in (self._fd_in, self._fd_out):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fd_in = self._fd_out = -1
        self.process = None

    close = kill

    def output_excerpt(self, limit: int = 2000) -> str:
        """The start of what the learner's code printed, for reports."""
        path = self.workdir / "output.log"
        if not path.exists():
            return ""
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
        text = data[:limit].decode("utf-8", "replace")
        return text + ("\n[... output truncated]" if len(data) > limit else "")

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
        if self.fp_log is not None and reply.get("fp"):
            self.fp_log.append([str(kind) for kind in reply["fp"]])
        if "error" in reply:
            error = reply["error"]
            if error.get("type") == "SystemExit":
                raise LearnerDied(
                    f"your code called sys.exit({error.get('exit_code')!r}) while running {what}"
                )
            if error.get("type") == "OSError" and "[Errno 27]" in str(error.get("message")):
                raise LearnerDied(
                    f"{what} printed more than {self.limits.output_mb} MB of output "
                    "(a print in a loop?)",
                    flag="output_flood",
                )
            message = f"{what} raised {describe_exception(error, self.learner_file.name)}"
            raise LearnerRaised(message, error)
        generation = self.generation
        try:
            return wire.decode(
                reply.get("ok"), reply_blobs, lambda ref: RemoteObject(self, ref, generation)
            )
        except (wire.WireError, KeyError, TypeError, ValueError) as error:
            self.kill()
            raise LearnerDied(f"{what} sent back data the grader cannot read ({error})") from None

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
        """The current value of a stored object (e.g. an input, to see if it was modified)."""
        blobs: list[bytes] = []
        header = {"op": "fetch", "target": self._target(target, blobs, "an input")}
        return self.request(header, blobs, "reading back an input")

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
        self.kill()
        if isinstance(error, wire.WireError):
            return LearnerDied(f"the channel to your code was garbled {when} ({error})")
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

    def _load_error_message(self, error: dict) -> str:
        name = self.learner_file.name
        if error.get("type") == "SystemExit":
            return (
                f"{name} called sys.exit({error.get('exit_code')!r}) while being loaded: "
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
