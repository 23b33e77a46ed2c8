import io

import numpy as np
import pytest

from grader.sandbox.wire import Ref, WireError, decode, encode, pack_frame, read_frame


def roundtrip(value, make_ref=None):
    blobs: list[bytes] = []
    tree = encode(value, blobs, make_ref)
    data = io.BytesIO(pack_frame({"v": tree}, blobs))
    header, received = read_frame(lambda n: data.read(n))
    return decode(header["v"], received)


def test_arrays_keep_exact_dtype_and_shape():
    for array in (np.arange(6, dtype=np.float32).reshape(2, 3), np.zeros((0, 4)), np.array(3.5)):
        back = roundtrip(array)
        assert type(back) is np.ndarray and back.dtype == array.dtype and back.shape == array.shape
        assert np.array_equal(back, array)


def test_numpy_scalars_stay_numpy_scalars():
    back = roundtrip(np.float32(1.5))
    assert type(back) is np.float32 and back == 1.5


def test_containers_and_plain_values_roundtrip():
    value = {"a": [1, 2.5, None, True, "s"], "b": (np.int64(3), [np.ones(2)])}
    back = roundtrip(value)
    assert back["a"] == [1, 2.5, None, True, "s"]
    assert isinstance(back["b"], tuple) and back["b"][0] == 3
    assert np.array_equal(back["b"][1][0], np.ones(2))


def test_generator_state_crosses_and_draws_the_same_numbers():
    rng = np.random.default_rng(7)
    back = roundtrip(rng)
    assert np.array_equal(back.random(5), np.random.default_rng(7).random(5))


def test_object_arrays_are_refused():
    with pytest.raises(WireError):
        roundtrip(np.array([object()], dtype=object))


def test_subclasses_and_objects_become_references():
    class LyingFloat(float):
        def __eq__(self, other):
            return True

    refs = []

    def make_ref(value):
        refs.append(value)
        return Ref(len(refs), type(value).__name__)

    with pytest.warns(PendingDeprecationWarning):
        matrix = np.matrix([[1, 2]])
    back = roundtrip([LyingFloat(1.0), matrix], make_ref)
    assert back == [Ref(1, "LyingFloat"), Ref(2, "matrix")]


def test_oversized_blob_is_refused_before_reading_it():
    import struct

    header = b'{"nblobs": 1}'
    data = io.BytesIO(struct.pack(">I", len(header)) + header + struct.pack(">Q", 2**40))
    with pytest.raises(WireError, match="more than the channel takes"):
        read_frame(lambda n: data.read(n))


def test_malformed_array_bytes_are_a_wire_error():
    with pytest.raises(WireError):
        decode({"t": "nd", "i": 0}, [b"not an npy file"])
