"""How values become bytes in the engine, and back.

Every entry carries an encoding byte, so a value is decoded by how it was written, whatever the
reading cache's ``serializer`` is: ``bytes`` and ``str`` are stored raw under every serializer and
come back as ``bytes`` and ``str``; everything else goes through the cache's serializer.
"""

from __future__ import annotations

import json
import pickle
from typing import Any, Callable, Literal

__all__ = ["SerializerName", "SERIALIZERS", "encoder_for", "decode"]

SerializerName = Literal["pickle", "json", "raw"]
SERIALIZERS: tuple[str, ...] = ("pickle", "json", "raw")

# The encoding byte of an entry (part of the stored format: never renumber).
RAW_BYTES = 0
RAW_STR = 1
PICKLE = 2
JSON = 3

Encoded = tuple[bytes, int]


def _encode_pickle(value: Any) -> Encoded:
    kind = type(value)
    if kind is bytes:
        return value, RAW_BYTES
    if kind is str:
        return value.encode("utf-8", "surrogatepass"), RAW_STR
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), PICKLE


def _encode_json(value: Any) -> Encoded:
    kind = type(value)
    if kind is bytes:
        return value, RAW_BYTES
    if kind is str:
        return value.encode("utf-8", "surrogatepass"), RAW_STR
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise TypeError(f"the json serializer cannot store this {kind.__name__} value: {e}") from e
    return text.encode("utf-8"), JSON


def _encode_raw(value: Any) -> Encoded:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value), RAW_BYTES
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass"), RAW_STR
    raise TypeError(f"the raw serializer stores only bytes and str, not {type(value).__name__}")


_ENCODERS: dict[str, Callable[[Any], Encoded]] = {"pickle": _encode_pickle, "json": _encode_json, "raw": _encode_raw}


def encoder_for(name: str) -> Callable[[Any], Encoded]:
    """The encoder of a serializer name; ValueError names the valid ones."""
    try:
        return _ENCODERS[name]
    except (KeyError, TypeError):
        raise ValueError(f"serializer must be one of {', '.join(map(repr, SERIALIZERS))}, not {name!r}") from None


def decode(data: bytes, encoding: int) -> Any:
    """Called by the native engine (only when a value is not already decoded; see DecodedMemo)."""
    if encoding == PICKLE:
        return pickle.loads(data)
    if encoding == RAW_BYTES:
        return data
    if encoding == RAW_STR:
        return data.decode("utf-8", "surrogatepass")
    if encoding == JSON:
        return json.loads(data)
    raise ValueError(f"entry has unknown encoding {encoding}: written by a newer zatabase?")
