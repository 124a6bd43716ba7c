"""zatabase: the Zatabase edge cache for asyncio Python.

    from zatabase import Cache
    cache = Cache(max_bytes=256 << 20)            # fresh 60 s, then servable-while-stale 10 min
    product = await cache.swr(f"product:{id}", lambda: db.find(id), ttl=300, stale=3600, tags=["products"])
    await cache.purge(tags=["products"])          # also keys=, prefix=, soft=True

    from zatabase import ZatabaseClient           # the cluster API (brain + workers)
    async with ZatabaseClient(base_url="https://your-project.zatabase.io") as client:
        status = await client.cache.get_status()

The `zatabase` command (also `python -m zatabase`) administers the cluster from a shell.
"""

from __future__ import annotations

import atexit

from . import _native
from .cache import Cache, CacheStats, PurgeResult
from .client import ZatabaseCacheApi, ZatabaseClient
from .cluster_types import (
    BrainHealth,
    CacheNode,
    ClusterMetrics,
    ClusterPurgeResult,
    ClusterStatus,
    NodeMetrics,
    NodeRegistration,
    PurgeRequest,
)
from .errors import (
    CLASSES_BY_CODE,
    BadRequestError,
    CancelledError,
    ClosedError,
    ConflictError,
    FetchFailedError,
    ForbiddenError,
    InternalError,
    InvalidArgumentError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    TimeoutError,
    TooLargeError,
    UnauthorizedError,
    UnavailableError,
    ZatabaseError,
    ZcacheError,
)
from .outcome import CallStatus, Outcome

__all__ = [
    "Cache",
    "CacheStats",
    "PurgeResult",
    "CallStatus",
    "Outcome",
    "ZatabaseClient",
    "ZatabaseCacheApi",
    "ClusterStatus",
    "CacheNode",
    "NodeRegistration",
    "ClusterMetrics",
    "NodeMetrics",
    "PurgeRequest",
    "ClusterPurgeResult",
    "BrainHealth",
    "ZcacheError",
    "ZatabaseError",
    "InvalidArgumentError",
    "TooLargeError",
    "ConflictError",
    "TimeoutError",
    "CancelledError",
    "FetchFailedError",
    "ClosedError",
    "UnavailableError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "BadRequestError",
    "RateLimitedError",
    "ProtocolError",
    "InternalError",
]
__version__ = "0.1.0"

_native.set_error_classes(CLASSES_BY_CODE)
# After interpreter shutdown begins, engine threads finishing a flight must not enter Python.
atexit.register(_native._shutdown)
