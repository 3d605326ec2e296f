"""Plain data across the sandbox boundary: what the student's process may send the grader.

Only JSON crosses, read with the standard library's parser, and only these shapes are accepted
back: ``None``, booleans, integers, floats (NaN and ±inf included), strings, lists, and
dictionaries with string keys. Arrays travel as a tagged dictionary ``{"__array__": [kind, dtype,
shape, base64 bytes]}`` that the trusted side turns into a fresh ``torch.Tensor`` or NumPy array
of a whitelisted dtype. Nothing is ever unpickled, no class named by the sender is ever looked
up, and the decoder caps sizes and depth, so a student's process can at worst send wrong numbers.

Messages are length-prefixed (8 bytes, big-endian) JSON documents over a socket.
"""

from __future__ import annotations

import base64
import json
import math
import socket
import struct
from typing import Any

import numpy as np

#: dtypes that may cross, by name (torch and NumPy spell these the same way)
DTYPES = ("float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool")
MAX_MESSAGE = 256 * 2**20          # bytes in one message
MAX_DEPTH = 32                     # nesting of lists and dictionaries
MAX_ELEMENTS = 64 * 2**20          # elements in one array


class WireError(ValueError):
    """The other side sent something that is not plain data (or too much of it)."""


# --------------------------------------------------------------------------------- encoding
def encode(value: Any, _depth: int = 0) -> Any:
    """Turn a value into JSON-able plain data. Used on both sides.

    Tensors and arrays become tagged base64 dictionaries (tensors are detached and copied to the
    CPU first); tuples become lists; anything else that is not plain data raises ``TypeError``
    naming its type (for the student side, this becomes the failure message of the call).
    """
    if _depth > MAX_DEPTH:
        raise TypeError("the value is nested too deeply")
    if value is None or type(value) in (bool, str):
        return value
    if type(value) is int:
        return value
    if type(value) is float:
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if type(value) in (list, tuple):
        return [encode(v, _depth + 1) for v in value]
    if type(value) is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str or k.startswith("__"):
                raise TypeError("dictionary keys must be strings that do not start with '__'")
            out[k] = encode(v, _depth + 1)
        return out
    if type(value) is np.ndarray:
        return _encode_array("numpy", value)
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        torch = None
    if torch is not None and isinstance(value, torch.Tensor):
        # read through the base class, whatever a subclass says about itself
        plain = torch.Tensor.detach(value)
        if type(plain) is not torch.Tensor and type(plain) is not torch.nn.Parameter:
            plain = torch.Tensor.as_subclass(plain, torch.Tensor)
        plain = torch.Tensor.cpu(plain).contiguous()
        name = str(plain.dtype).removeprefix("torch.")
        if name not in DTYPES:
            raise TypeError(f"tensors of dtype {plain.dtype} cannot be graded")
        if name == "bfloat16":   # NumPy has no bfloat16: send its bits
            data = plain.view(torch.int16).numpy().tobytes()
        else:
            data = plain.numpy().tobytes()
        return {"__array__": ["torch", name, list(plain.shape), base64.b64encode(data).decode()]}
    raise TypeError(f"a value of type {type(value).__module__}.{type(value).__qualname__} "
                    "cannot be graded (return tensors, arrays, numbers, strings, lists, tuples "
                    "or dicts)")


def _encode_array(kind: str, array: np.ndarray) -> dict:
    name = array.dtype.name
    if name not in DTYPES:
        raise TypeError(f"arrays of dtype {array.dtype} cannot be graded")
    data = np.ascontiguousarray(array).tobytes()
    return {"__array__": [kind, name, list(array.shape), base64.b64encode(data).decode()]}


# --------------------------------------------------------------------------------- decoding
def decode(data: Any, _depth: int = 0) -> Any:
    """Rebuild a value from plain data sent by the other side. Raises ``WireError``."""
    if _depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    if data is None or type(data) in (bool, int, str):
        return data
    if type(data) is float:
        return data
    if type(data) is list:
        return [decode(v, _depth + 1) for v in data]
    if type(data) is dict:
        if "__array__" in data:
            if len(data) != 1:
                raise WireError("an array tag with extra keys")
            return _decode_array(data["__array__"])
        if any(type(k) is not str or k.startswith("__") for k in data):
            raise WireError("unexpected dictionary keys")
        return {k: decode(v, _depth + 1) for k, v in data.items()}
    raise WireError(f"unexpected {type(data).__name__}")


def _decode_array(tag: Any) -> Any:
    if type(tag) is not list or len(tag) != 4:
        raise WireError("a malformed array")
    kind, name, shape, b64 = tag
    if kind not in ("torch", "numpy") or name not in DTYPES or type(b64) is not str:
        raise WireError("an array of an unknown kind or dtype")
    if type(shape) is not list or len(shape) > 16 or any(type(s) is not int or s < 0 for s in shape):
        raise WireError("a malformed array shape")
    count = math.prod(shape)
    if count > MAX_ELEMENTS:
        raise WireError("an array too large to grade")
    raw = base64.b64decode(b64.encode(), validate=True)
    np_name = "int16" if name == "bfloat16" else name
    itemsize = np.dtype(np_name).itemsize
    if len(raw) != count * itemsize:
        raise WireError("array bytes do not match the shape")
    array = np.frombuffer(raw, dtype=np_name).reshape(shape).copy()
    if kind == "numpy":
        if name == "bfloat16":
            raise WireError("NumPy has no bfloat16")
        return array
    import torch
    tensor = torch.from_numpy(array)
    if name == "bfloat16":
        tensor = tensor.view(torch.bfloat16)
    return tensor


# --------------------------------------------------------------------------------- messages
def dumps(obj: Any) -> bytes:
    return json.dumps(obj, allow_nan=True, separators=(",", ":")).encode()


def loads(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise WireError(f"not a JSON message: {error}") from None


def send(sock: socket.socket, obj: Any) -> None:
    raw = dumps(obj)
    if len(raw) > MAX_MESSAGE:
        raise WireError("message too large")
    sock.sendall(struct.pack(">Q", len(raw)) + raw)


def recv(sock: socket.socket) -> Any:
    """Read one message; ``EOFError`` when the other side has gone."""
    header = _recv_exact(sock, 8)
    (size,) = struct.unpack(">Q", header)
    if size > MAX_MESSAGE:
        raise WireError("message too large")
    return loads(_recv_exact(sock, size))


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 2**20))
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
