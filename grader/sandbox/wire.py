"""The channel between the trusted grader and the learner's child process.

Only plain data crosses it: JSON for the structure, ``.npy`` bytes (loaded with
``allow_pickle=False``) for arrays. Nothing received is ever unpickled or
executed, so a learner's object cannot smuggle behaviour into the grader: an
object that is not plain data stays in the child and crosses as a reference.

A frame is a 4-byte header length, the JSON header, then for each blob an
8-byte length and the blob bytes. Both sides read frames with ``read_frame``
from any ``read_exact(n)`` callable.
"""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

# Checked before anything is read, so a garbled or hostile peer cannot make the
# trusted side buffer more than one frame of this size.
MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_FRAME_BYTES = 512 * 1024 * 1024
MAX_BLOBS = 4096
MAX_DEPTH = 64
SHARED_KINDS = "biufc"  # dtypes an input in shared memory may have
RNG_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class WireError(Exception):
    """A frame that does not follow the protocol (truncated, oversized, malformed)."""


@dataclass(frozen=True)
class Ref:
    """An object that lives in the child; ``type_name`` is its real class name.

    ``methods`` names its public callable attributes, so the parent can tell a
    method call (one round trip) from an attribute read.
    """

    id: int
    type_name: str
    methods: tuple[str, ...] = ()


@dataclass(frozen=True)
class SharedArray:
    """An input the parent placed in shared memory: crosses as its place, not its bytes."""

    spec: dict[str, Any]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.spec["shape"])

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(self.spec["dtype"])


def encode(value: Any, blobs: list[bytes], make_ref: Callable[[Any], Ref] | None = None) -> Any:
    """Turn ``value`` into a JSON tree, appending array bytes to ``blobs``.

    Types are matched exactly (``type(x) is list``), so subclasses with custom
    behaviour never pass as plain data: they become references via ``make_ref``.
    """
    return _encode(value, blobs, make_ref, 0)


def _encode(value: Any, blobs: list[bytes], make_ref, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise WireError("value is nested too deeply to send")
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is list:
        return [_encode(v, blobs, make_ref, depth + 1) for v in value]
    if kind is tuple:
        return {"t": "tuple", "v": [_encode(v, blobs, make_ref, depth + 1) for v in value]}
    if kind is dict and all(type(k) in (str, int) for k in value):
        items = [[k, _encode(v, blobs, make_ref, depth + 1)] for k, v in value.items()]
        return {"t": "dict", "v": items}
    if kind is SharedArray:
        return value.spec
    if kind is np.ndarray and value.dtype.kind != "O":
        return {"t": "nd", "i": _add_blob(value, blobs)}
    if isinstance(value, np.generic) and kind.__module__ == "numpy" and value.dtype.kind != "O":
        return {"t": "np", "i": _add_blob(np.asarray(value), blobs)}
    if kind is np.random.Generator:
        return {"t": "rng", "state": value.bit_generator.state}
    if kind is not Ref:
        if make_ref is None:
            raise WireError(f"cannot send a {kind.__name__}")
        value = make_ref(value)
    return {"t": "ref", "id": value.id, "type": value.type_name, "m": list(value.methods)}


def _add_blob(array: np.ndarray, blobs: list[bytes]) -> int:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    blobs.append(buffer.getvalue())
    return len(blobs) - 1


def shared_spec(offset: int, array: np.ndarray) -> dict[str, Any]:
    """How an input the parent placed in shared memory is named on the wire."""
    return {"t": "shm", "offset": offset, "dtype": array.dtype.str, "shape": list(array.shape)}


def decode(
    tree: Any,
    blobs: list[bytes],
    resolve_ref: Callable[[Ref], Any] | None = None,
    shared: Callable[[dict], Any] | None = None,
) -> Any:
    """Rebuild a value from ``encode``'s output; references go through ``resolve_ref``.

    ``shared`` builds an array on the parent's shared memory (the child's side only).
    """
    return _decode(tree, blobs, (resolve_ref, shared), 0)


def _decode(tree: Any, blobs: list[bytes], hooks, depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise WireError("value is nested too deeply")
    if tree is None or type(tree) in (bool, int, float, str):
        return tree
    if type(tree) is list:
        return [_decode(v, blobs, hooks, depth + 1) for v in tree]
    if type(tree) is not dict:
        raise WireError(f"unexpected JSON value {type(tree).__name__}")
    resolve_ref, shared = hooks
    tag = tree.get("t")
    if tag == "tuple":
        return tuple(_decode(v, blobs, hooks, depth + 1) for v in tree["v"])
    if tag == "dict":
        return {k: _decode(v, blobs, hooks, depth + 1) for k, v in tree["v"]}
    if tag == "shm" and shared is not None:
        return shared(tree)
    if tag in ("nd", "np"):
        array = _load_blob(blobs, tree["i"])
        return array if tag == "nd" else array[()]
    if tag == "rng":
        return _make_generator(tree["state"])
    if tag == "ref":
        methods = tree.get("m", [])
        if type(methods) is not list or not all(type(m) is str for m in methods):
            raise WireError("malformed object reference")
        ref = Ref(int(tree["id"]), str(tree["type"]), tuple(methods))
        return resolve_ref(ref) if resolve_ref else ref
    raise WireError(f"unknown tag {tag!r}")


def _load_blob(blobs: list[bytes], index: Any) -> np.ndarray:
    if type(index) is not int or not 0 <= index < len(blobs):
        raise WireError("array reference out of range")
    try:
        array = np.load(io.BytesIO(blobs[index]), allow_pickle=False)
    except ValueError as error:
        raise WireError(f"malformed array data: {error}") from None
    if type(array) is not np.ndarray:
        raise WireError("array data did not load as a plain ndarray")
    return array


def _make_generator(state: Any) -> np.random.Generator:
    if type(state) is not dict or state.get("bit_generator") not in RNG_BIT_GENERATORS:
        raise WireError("unsupported random generator state")
    bit_generator = getattr(np.random, state["bit_generator"])()
    bit_generator.state = state
    return np.random.Generator(bit_generator)


def pack_frame(header: dict, blobs: list[bytes]) -> bytes:
    """Serialise one message: ``header`` must already be JSON-ready."""
    head = json.dumps({**header, "nblobs": len(blobs)}).encode()
    parts = [struct.pack(">I", len(head)), head]
    for blob in blobs:
        parts.append(struct.pack(">Q", len(blob)))
        parts.append(blob)
    return b"".join(parts)


def read_frame(read_exact: Callable[[int], bytes]) -> tuple[dict, list[bytes]]:
    """Read one message; ``read_exact`` raises (e.g. EOFError) when the peer is gone.

    Every size is checked before it is read, and anything the JSON decoder chokes on
    (deep nesting, huge numbers) is the peer's garbled frame, a ``WireError``.
    """
    (head_len,) = struct.unpack(">I", read_exact(4))
    if head_len > MAX_HEADER_BYTES:
        raise WireError(f"message header of {head_len} bytes is too large")
    try:
        header = json.loads(read_exact(head_len))
    except (UnicodeDecodeError, ValueError, RecursionError, MemoryError) as error:
        raise WireError(f"malformed message header: {type(error).__name__}") from None
    if type(header) is not dict or type(header.get("nblobs")) is not int:
        raise WireError("message header is not an object with a blob count")
    if not 0 <= header["nblobs"] <= MAX_BLOBS:
        raise WireError(f"a message of {header['nblobs']} arrays is more than the channel takes")
    blobs, total = [], head_len
    for _ in range(header["nblobs"]):
        (blob_len,) = struct.unpack(">Q", read_exact(8))
        total += blob_len
        if total > MAX_FRAME_BYTES:
            raise WireError(
                f"a message of more than {MAX_FRAME_BYTES / 2**20:.0f} MiB is more than the "
                "channel takes"
            )
        blobs.append(read_exact(blob_len))
    return header, blobs
