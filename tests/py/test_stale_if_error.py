"""stale_if_error: past freshness, a failed fetch is answered with the old value (and reported)."""

from __future__ import annotations

import pytest

from conftest import CountingFetcher
from zatabase import Cache, CallStatus, Outcome
from zatabase.testing import ManualClock


@pytest.mark.asyncio
async def test_failed_fetch_within_the_window_serves_the_old_value(clock: ManualClock) -> None:
    heard: list[tuple[BaseException, str]] = []
    async with Cache(clock=clock, on_error=lambda e, k: heard.append((e, k))) as cache:
        await cache.swr("k", CountingFetcher("v1"), ttl=10, stale=0, stale_if_error=100)
        clock.advance(20)  # past fresh and stale: a miss that fetches inline
        failing = CountingFetcher()
        failing.error = RuntimeError("db down")
        s = CallStatus()
        assert await cache.swr("k", failing, ttl=10, stale=0, stale_if_error=100, status=s) == "v1"
        assert s.outcome is Outcome.STALE
        assert heard == [(failing.error, "k")]


@pytest.mark.asyncio
async def test_failed_fetch_past_the_window_raises(clock: ManualClock) -> None:
    async with Cache(clock=clock) as cache:
        await cache.swr("k", CountingFetcher("v1"), ttl=10, stale=0, stale_if_error=100)
        clock.advance(200)
        failing = CountingFetcher()
        failing.error = RuntimeError("db down")
        with pytest.raises(RuntimeError, match="db down"):
            await cache.swr("k", failing)


@pytest.mark.asyncio
async def test_cache_wide_default(clock: ManualClock) -> None:
    async with Cache(clock=clock, ttl=10, stale=0, stale_if_error=100) as cache:
        await cache.set("k", "v1")
        clock.advance(20)
        failing = CountingFetcher()
        failing.error = KeyError("gone")
        assert await cache.swr("k", failing) == "v1"
