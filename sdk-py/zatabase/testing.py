"""Helpers for tests of code that uses zatabase: a clock that moves only when told to.

    clock = ManualClock()
    cache = Cache(clock=clock)
    clock.advance(61)          # seconds
    cache.run_maintenance()    # no background thread runs with a manual clock
"""

from __future__ import annotations

from . import _native
from ._options import to_ms

__all__ = ["ManualClock"]


class ManualClock:
    """A clock the engine reads; starts at ``start`` seconds since the epoch (2023-11-14 by default)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._native = _native.ManualClock(to_ms("start", start))

    def now(self) -> float:
        """Seconds since the epoch."""
        return self._native.now_ms() / 1000.0

    def advance(self, seconds: float) -> None:
        self._native.advance(to_ms("seconds", seconds))

    def set(self, seconds: float) -> None:
        self._native.set(to_ms("seconds", seconds))

    def __repr__(self) -> str:
        return f"ManualClock(now={self.now()!r})"
