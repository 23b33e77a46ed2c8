"""The untrusted child: loads the learner's file and answers calls over the channel.

Started by ``sandbox.Sandbox`` as ``python -I -m grader.child FD_IN FD_OUT FILE LIMITS``
in its own session and a temporary folder. Everything here may be tampered with
by the learner's code (it shares this process), so the parent never trusts what
this side says beyond plain data: this module only has to be correct for honest
code, and unable to hurt the parent for dishonest code.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.abc
import importlib.util
import json
import os
import resource
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from grader.confine import confine, runtime_paths
from grader.contract import forbidden_reason
from grader.wire import Ref, WireError, decode, encode, pack_frame, read_frame

PR_SET_PDEATHSIG = 1
FP_KINDS = ("overflow", "invalid", "divide")


class ForbiddenImportBlocker(importlib.abc.MetaPathFinder):
    """Refuses the contract's forbidden packages even when imported dynamically."""

    def find_spec(self, fullname, path=None, target=None):  # noqa: ARG002 - finder protocol
        reason = forbidden_reason(fullname)
        if reason:
            raise ImportError(reason)
        return None


def apply_limits(limits: dict[str, Any]) -> None:
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
        if os.getppid() == 1:  # the parent died before we could ask to follow it
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


class Child:
    def __init__(self, channel: Channel, learner_file: Path, confinement: str = "") -> None:
        self.channel = channel
        self.learner_file = str(learner_file)
        self.confinement = confinement
        self.module: Any = None
        self.objects: dict[int, Any] = {}

    def make_ref(self, value: Any) -> Ref:
        ref_id = len(self.objects) + 1
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
        reply["confinement"] = self.confinement
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
                return {"ok": encode(self.make_ref(decode(header["value"], blobs)), reply_blobs)}
            target = self.module
            if header.get("target") is not None:
                target = self.resolve_ref(decode(header["target"], blobs))
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
            args = decode(header["args"], blobs, self.resolve_ref)
            kwargs = decode(header["kwargs"], blobs, self.resolve_ref)
            return getattr(target, header["name"])(*args, **kwargs)
        if op == "get":
            return getattr(target, header["name"])
        if op == "fetch":
            return target
        if op == "set":
            setattr(target, header["name"], decode(header["value"], blobs, self.resolve_ref))
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
    fd_in, fd_out, learner_file, limits = int(argv[0]), int(argv[1]), argv[2], json.loads(argv[3])
    apply_limits(limits)  # first: inside a user namespace, hard limits could be raised again
    # From here on the process sees only its own folder (read-write), the runtime and the
    # learner's file (read-only), and no network.
    confinement = confine(Path.cwd(), [*runtime_paths(), Path(learner_file).resolve()])
    sys.meta_path.insert(0, ForbiddenImportBlocker())
    for name in [m for m in sys.modules if m == "grader" or m.startswith("grader.")]:
        del sys.modules[name]  # so that `import grader` goes through the blocker too
    sys.dont_write_bytecode = True
    Child(Channel(fd_in, fd_out), Path(learner_file), confinement.describe()).serve()
    sys.stdout.flush()
    os._exit(0)  # skip atexit hooks the learner may have registered


if __name__ == "__main__":
    main(sys.argv[1:])
