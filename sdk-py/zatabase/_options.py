"""Validation and unit conversion of user options: seconds (float) at the API, milliseconds below.

Friendly TypeError/ValueError messages live here; native code checks types again.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from typing import Optional, Union

Seconds = Union[int, float]

_MAX_MS = 2**62  # the engine saturates; anything past this is "forever" anyway


def to_ms(name: str, seconds: object, *, allow_zero: bool = True) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(seconds).__name__}")
    if math.isnan(seconds) or seconds < 0:
        raise ValueError(f"{name} must be a non-negative number of seconds, not {seconds!r}")
    if not allow_zero and seconds == 0:
        raise ValueError(f"{name} must be greater than 0")
    if math.isinf(seconds):
        return _MAX_MS
    return min(_MAX_MS, int(round(seconds * 1000)))


def optional_ms(name: str, seconds: object) -> Optional[int]:
    return None if seconds is None else to_ms(name, seconds)


def str_list(name: str, values: object, item: str) -> list[str]:
    """`values` as a list of str; `item` names one of them in the error ("every tag")."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a list of str, not a single {type(values).__name__} (write {name}=[{values!r}])")
    if not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list of str, not {type(values).__name__}")
    out = list(values)
    for value in out:
        if not isinstance(value, str):
            raise TypeError(f"{item} must be a str, not {type(value).__name__}")
    return out


def tag_list(tags: object) -> list[str]:
    if tags is None:
        return []
    out = str_list("tags", tags, "every tag")
    if not all(out):
        raise ValueError("tags must not be empty strings")
    return out


def check_key(key: object) -> str:
    if not isinstance(key, str):
        raise TypeError(f"key must be a str, not {type(key).__name__}")
    if not key:
        raise ValueError("key must not be empty")
    return key


def positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than 0, not {value}")
    return value


def replica_path(value: object) -> str:
    """The replica file as an absolute path (str or os.PathLike); named handles compare it."""
    if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"replica_file must be a str or os.PathLike, not {type(value).__name__}")
    path = os.fspath(value)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path:
        raise ValueError("replica_file must not be empty")
    return os.path.abspath(path)
