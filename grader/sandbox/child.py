"""The untrusted child: loads the learner's file and answers calls over the channel.

Started by ``grader.sandbox.parent.Sandbox`` with one JSON argument (``ChildConfig``
on the parent's side), in namespaces of its own where the platform allows, else in
a folder of its own. It imports nothing of the grader but its three neighbours
(``wire``, ``confine``), which are all the child can see of the project.

Everything here may be tampered with by the learner's code (it shares this
process), so the parent believes nothing this side says about itself once the
learner's file has run: what confines the child is reported in the first frame,
sent before the file is loaded; inputs watched for in-place changes live in memory
the parent reads itself. This module only has to be correct for honest code, and
unable to hurt the parent for dishonest code.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.abc
import importlib.util
import json
import mmap
import os
import resource
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from .confine import confine
from .wire import Ref, WireError, decode, encode, pack_frame, read_frame

PR_SET_PDEATHSIG = 1
FP_KINDS = ("overflow", "invalid", "divide")


class ForbiddenImportBlocker(importlib.abc.MetaPathFinder):
    """A clear message for the contract's forbidden packages.

    A courtesy, not a wall: the learner's code can remove it, and what it names is
    not in the child's view anyway.
    """

    def __init__(self, forbidden: dict[str, str]) -> None:
        self.forbidden = forbidden

    def find_spec(self, fullname, path=None, target=None):  # noqa: ARG002 - finder protocol
        what = self.forbidden.get(fullname.split(".")[0])
        if what:
            raise ImportError(
                f"'{fullname}' ({what}) may not be imported in a kata: write it with NumPy"
            )
        return None


def apply_limits(limits: dict[str, Any], own_pid_namespace: bool) -> None:
    """Resource limits the kernel enforces, so a runaway file fails fast and alone."""
    mib = 1024 * 1024
    settings = [
        (resource.RLIMIT_AS, limits["memory_mb"] * mib),
        (resource.RLIMIT_CPU, limits["cpu_s"]),
        (resource.RLIMIT_FSIZE, limits["output_mb"] * mib),
        (resource.RLIMIT_NPROC, limits["nproc"]),
        (resource.RLIMIT_CORE, 0),
    ]
    for which, value in settings:
        # A limit the platform does not offer is skipped; the parent's clock still bounds us.
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (value, value))
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except OSError:
            pass
        # The parent died before we could follow it (in a PID namespace, 1 is its init).
        if os.getppid() == 1 and not own_pid_namespace:
            os._exit(1)


class Channel:
    def __init__(self, fd_in: int, fd_out: int) -> None:
        self.fd_in = fd_in
        self.fd_out = fd_out

    def read_exact(self, n: int) -> bytes:
        chunks, remaining = [], n
        while remaining:
            chunk = os.read(self.fd_in, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def receive(self) -> tuple[dict, list[bytes]]:
        return read_frame(self.read_exact)

    def send(self, header: dict, blobs: list[bytes]) -> None:
        data = memoryview(pack_frame(header, blobs))
        while data:
            written = os.write(self.fd_out, data)
            data = data[written:]


class SharedInputs:
    """The memory the parent shares for watched inputs: arrays built on it, no copy."""

    def __init__(self, fd: int, size: int) -> None:
        self.memory = mmap.mmap(fd, size) if fd >= 0 and size > 0 else None

    def array(self, spec: dict) -> np.ndarray:
        if self.memory is None:
            raise WireError("no shared memory for inputs")
        dtype = np.dtype(str(spec["dtype"]))
        return np.ndarray(
            tuple(int(n) for n in spec["shape"]), dtype, buffer=self.memory, offset=spec["offset"]
        )


class Child:
    def __init__(self, channel: Channel, learner_file: Path, shared: SharedInputs) -> None:
        self.channel = channel
        self.learner_file = str(learner_file)
        self.shared = shared
        self.module: Any = None
        self.objects: dict[int, Any] = {}
        self.next_ref = 1

    def make_ref(self, value: Any) -> Ref:
        ref_id, self.next_ref = self.next_ref, self.next_ref + 1
        self.objects[ref_id] = value
        methods = []
        for name in dir(type(value)):
            if not name.startswith("_") and callable(getattr(type(value), name, None)):
                methods.append(name)
        return Ref(ref_id, type(value).__name__, tuple(methods))

    def resolve_ref(self, ref: Ref) -> Any:
        if ref.id not in self.objects:
            raise LookupError(f"no object #{ref.id} here (it was created in an earlier run)")
        return self.objects[ref.id]

    def decode(self, tree: Any, blobs: list[bytes]) -> Any:
        return decode(tree, blobs, self.resolve_ref, self.shared.array)

    def load(self) -> dict[str, Any]:
        name = Path(self.learner_file).stem
        spec = importlib.util.spec_from_file_location(name, self.learner_file)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        self.module = module
        kinds = {}
        for attr, value in vars(module).items():
            if attr.startswith("__"):
                continue
            kinds[attr] = (
                "class" if isinstance(value, type) else ("function" if callable(value) else "value")
            )
        return {"ready": kinds}

    def serve(self) -> None:
        try:
            reply = self.load()
        except BaseException as error:  # noqa: BLE001 - learner code: report, never crash
            reply = {"error": self.describe(error)}
        self.reply(reply, [])
        if "error" in reply:
            return
        while True:
            try:
                header, blobs = self.channel.receive()
            except EOFError:
                return
            reply_blobs: list[bytes] = []
            reply = self.handle(header, blobs, reply_blobs)
            self.reply(reply, reply_blobs)

    def reply(self, header: dict, blobs: list[bytes]) -> None:
        try:
            self.channel.send(header, blobs)
        except (TypeError, ValueError) as error:  # e.g. a non-JSON float subclass slipped in
            self.channel.send({"error": {"type": "WireError", "message": str(error)}}, [])

    def handle(self, header: dict, blobs: list[bytes], reply_blobs: list[bytes]) -> dict:
        fp_seen: list[str] = []

        def record(kind: str, _flag: int) -> None:
            for name in FP_KINDS:
                if name in kind and name not in fp_seen:
                    fp_seen.append(name)

        try:
            op = header["op"]
            if op == "put":
                return {
                    "ok": encode(self.make_ref(self.decode(header["value"], blobs)), reply_blobs)
                }
            if op == "forget":
                for ref_id in header["ids"]:
                    self.objects.pop(ref_id, None)
                return {"ok": None}
            target = self.module
            if header.get("target") is not None:
                target = self.decode(header["target"], blobs)  # a reference, resolved
            with np.errstate(
                over="call", invalid="call", divide="call", under="ignore", call=record
            ):
                result = self.run(op, target, header, blobs)
            mode = header.get("result", "send")
            if mode == "ref":
                result = self.make_ref(result)
            elif mode == "none":
                result = None
            return {"ok": encode(result, reply_blobs, self.make_ref), "fp": fp_seen}
        except BaseException as error:  # noqa: BLE001 - learner code: report, never crash
            reply_blobs.clear()
            return {"error": self.describe(error), "fp": fp_seen}

    def run(self, op: str, target: Any, header: dict, blobs: list[bytes]) -> Any:
        if op == "call":
            args = self.decode(header["args"], blobs)
            kwargs = self.decode(header["kwargs"], blobs)
            return getattr(target, header["name"])(*args, **kwargs)
        if op == "get":
            return getattr(target, header["name"])
        if op == "fetch":
            return target
        if op == "set":
            setattr(target, header["name"], self.decode(header["value"], blobs))
            return None
        raise WireError(f"unknown operation {op!r}")

    def describe(self, error: BaseException) -> dict:
        """The exception as data: its type, message and the learner's own frames."""
        try:
            message = str(error)[:2000]
        except Exception:  # noqa: BLE001 - a learner's __str__ may raise anything
            message = "<message could not be read>"
        frames = []
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename == self.learner_file:
                frames.append({"line": frame.lineno, "name": frame.name, "code": frame.line or ""})
        described = {"type": type(error).__name__, "message": message, "frames": frames[-5:]}
        if isinstance(error, SystemExit):
            described["exit_code"] = error.code if type(error.code) in (int, str) else None
        return described


def main(argv: list[str]) -> None:
    config = json.loads(argv[0])
    apply_limits(
        config["limits"], config["own_pid_namespace"]
    )  # first: inside a user namespace, hard limits could be raised
    confinement = confine(
        Path(config["scratch"]),
        [Path(p) for p in config["readable"]],
        [Path(p) for p in config["listable"]],
        own_network=config["own_network"],
        landlock=config["landlock"],
    )
    channel = Channel(config["fd_in"], config["fd_out"])
    # Sent before any learner code runs: the only thing the parent takes from us about us.
    channel.send({"hello": confinement.describe()}, [])
    go, _ = channel.receive()  # the parent may first move us into a cgroup of our own
    if go.get("op") != "go":
        os._exit(3)
    sys.meta_path.insert(0, ForbiddenImportBlocker(config["forbidden"]))
    sys.dont_write_bytecode = True
    shared = SharedInputs(config["shared_fd"], config["shared_bytes"])
    Child(channel, Path(config["learner_file"]), shared).serve()
    sys.stdout.flush()
    os._exit(0)  # skip atexit hooks the learner may have registered


if __name__ == "__main__":
    main(sys.argv[1:])
