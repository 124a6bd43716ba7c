"""Every SWR outcome (seed 003): hit, stale, miss, bypass — on a manual clock."""

from __future__ import annotations

import pytest

from conftest import CountingFetcher, settle
from zatabase import Cache, CallStatus, Outcome
from zatabase.testing import ManualClock


@pytest.mark.asyncio
async def test_miss_then_hit(cache: Cache) -> None:
    fetch = CountingFetcher({"id": 1})
    s = CallStatus()
    assert await cache.swr("product:1", fetch, status=s) == {"id": 1}
    assert (s.outcome, s.fetched) == (Outcome.MISS, True)
    assert await cache.swr("product:1", fetch, status=s) == {"id": 1}
    assert (s.outcome, s.fetched) == (Outcome.HIT, False)
    assert fetch.calls == 1


@pytest.mark.asyncio
async def test_stale_serves_old_value_and_revalidates_once(cache: Cache, clock: ManualClock) -> None:
    fetch = CountingFetcher("v1")
    await cache.swr("k", fetch, ttl=10, stale=100)
    clock.advance(11)
    fetch.value = "v2"
    s = CallStatus()
    assert await cache.swr("k", fetch, ttl=10, stale=100, status=s) == "v1"
    assert s.outcome is Outcome.STALE
    assert await cache.swr("k", fetch, ttl=10, stale=100, status=s) == "v1"  # one revalidation only
    await settle(cache)
    assert fetch.calls == 2
    assert await cache.swr("k", fetch, status=s) == "v2"
    assert s.outcome is Outcome.HIT


@pytest.mark.asyncio
async def test_past_the_stale_window_is_a_miss(cache: Cache, clock: ManualClock) -> None:
    fetch = CountingFetcher("v1")
    await cache.swr("k", fetch, ttl=10, stale=100)
    clock.advance(111)
    fetch.value = "v2"
    s = CallStatus()
    assert await cache.swr("k", fetch, status=s) == "v2"
    assert s.outcome is Outcome.MISS


@pytest.mark.asyncio
async def test_defaults_are_60s_fresh_and_600s_stale(cache: Cache, clock: ManualClock) -> None:
    fetch = CountingFetcher("v1")
    s = CallStatus()
    await cache.swr("k", fetch)
    clock.advance(59.9)
    await cache.swr("k", fetch, status=s)
    assert s.outcome is Outcome.HIT
    clock.advance(0.2)
    await cache.swr("k", fetch, status=s)
    assert s.outcome is Outcome.STALE
    await settle(cache)
    clock.advance(60 + 600)
    await cache.swr("k", fetch, status=s)
    assert s.outcome is Outcome.MISS


@pytest.mark.asyncio
async def test_bypass_runs_the_fetcher_without_the_cache(cache: Cache) -> None:
    fetch = CountingFetcher("v1")
    s = CallStatus()
    assert await cache.swr("k", fetch, bypass=True, status=s) == "v1"
    assert s.outcome is Outcome.BYPASS
    assert await cache.get("k") is None
    assert cache.stats()["fills"] == 0


@pytest.mark.asyncio
async def test_plain_callable_fetcher(cache: Cache) -> None:
    assert await cache.swr("k", lambda: [1, 2]) == [1, 2]
    assert await cache.swr("k", lambda: [3]) == [1, 2]


@pytest.mark.asyncio
async def test_get_reports_hit_stale_and_miss(cache: Cache, clock: ManualClock) -> None:
    s = CallStatus()
    assert await cache.get("k", "dflt", status=s) == "dflt"
    assert s.outcome is Outcome.MISS
    await cache.set("k", 5, ttl=1, stale=10)
    assert await cache.get("k", status=s) == 5
    assert s.outcome is Outcome.HIT
    clock.advance(2)
    assert await cache.get("k", status=s) == 5
    assert s.outcome is Outcome.STALE


@pytest.mark.asyncio
async def test_expired_entries_are_reclaimed_by_maintenance(cache: Cache, clock: ManualClock) -> None:
    await cache.set("k", b"x", ttl=1, stale=1)
    assert cache.stats()["entries"] == 1
    clock.advance(3)
    cache.run_maintenance()
    assert cache.stats()["entries"] == 0
