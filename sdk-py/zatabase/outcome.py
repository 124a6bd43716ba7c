"""The outcome of one cache call, as seed 003 names it: hit, stale, miss, bypass."""

from __future__ import annotations

import enum
from typing import Optional

__all__ = ["Outcome", "CallStatus"]


class Outcome(str, enum.Enum):
    HIT = "hit"        # served a fresh value
    STALE = "stale"    # served a stale value (revalidating in the background, or stale-if-error)
    MISS = "miss"      # no servable value: the fetcher ran (here, or in the task that led the flight)
    BYPASS = "bypass"  # the call did not touch the cache

    def __str__(self) -> str:
        return self.value


class CallStatus:
    """Filled in by a call given ``status=``, like lru-cache's per-call status object::

        s = CallStatus()
        value = await cache.swr(key, fetch, status=s)
        log.info("cache %s", s.outcome)          # hit / stale / miss / bypass

    ``fetched`` is True when this call ran the fetcher itself (a miss it led, or a lock timeout).
    """

    __slots__ = ("outcome", "fetched")

    def __init__(self) -> None:
        self.outcome: Optional[Outcome] = None
        self.fetched: bool = False

    def __repr__(self) -> str:
        return f"CallStatus(outcome={self.outcome and self.outcome.value!r}, fetched={self.fetched})"
