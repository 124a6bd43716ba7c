"""zatabase: the Zatabase edge cache for asyncio Python.

    from zatabase import Cache
    cache = Cache(max_bytes=256 << 20)            # fresh 60 s, then servable-while-stale 10 min
    product = await cache.swr(f"product:{id}", lambda: db.find(id), ttl=300, stale=3600, tags=["products"])
    await cache.purge(tags=["products"])          # also keys=, prefix=, soft=True
"""

from __future__ import annotations

import atexit

from . import _native
from .cache import Cache, CacheStats, PurgeResult
from .errors import (
    CLASSES_BY_CODE,
    CancelledError,
    ClosedError,
    ConflictError,
    FetchFailedError,
    InvalidArgumentError,
    TimeoutError,
    TooLargeError,
    ZcacheError,
)
from .outcome import CallStatus, Outcome

__all__ = [
    "Cache",
    "CacheStats",
    "PurgeResult",
    "CallStatus",
    "Outcome",
    "ZcacheError",
    "InvalidArgumentError",
    "TooLargeError",
    "ConflictError",
    "TimeoutError",
    "CancelledError",
    "FetchFailedError",
    "ClosedError",
]
__version__ = "0.1.0"

_native.set_error_classes(CLASSES_BY_CODE)
# After interpreter shutdown begins, engine threads finishing a flight must not enter Python.
atexit.register(_native._shutdown)
