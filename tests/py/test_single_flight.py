"""Single-flight: one fetch per key however many tasks ask; a silent leader is routed around."""

from __future__ import annotations

import asyncio

import pytest

from conftest import CountingFetcher
from zatabase import Cache, CallStatus, Outcome
from zatabase.testing import ManualClock


@pytest.mark.asyncio
async def test_thousand_concurrent_tasks_fetch_once(cache: Cache) -> None:
    fetch = CountingFetcher({"n": 1}, gated=True)
    statuses = [CallStatus() for _ in range(1000)]
    tasks = [asyncio.create_task(cache.swr("hot", fetch, status=s)) for s in statuses]
    await fetch.started.wait()
    await asyncio.sleep(0)  # let every task reach its lookup
    fetch.gate.set()
    results = await asyncio.gather(*tasks)
    assert fetch.calls == 1
    assert all(r == {"n": 1} for r in results)
    assert all(s.outcome is Outcome.MISS for s in statuses)
    assert sum(s.fetched for s in statuses) == 1
    assert cache.stats()["fills"] == 1


@pytest.mark.asyncio
async def test_waiters_share_one_decoded_object(cache: Cache) -> None:
    fetch = CountingFetcher({"n": 1}, gated=True)
    tasks = [asyncio.create_task(cache.swr("hot", fetch)) for _ in range(3)]
    await fetch.started.wait()
    fetch.gate.set()
    leader, *waiters = await asyncio.gather(*tasks)
    assert waiters[0] is waiters[1]  # decoded once (DecodedMemo); the leader keeps its own object
    assert await cache.swr("hot", fetch) is waiters[0]


@pytest.mark.asyncio
async def test_lock_timeout_lets_a_waiter_fetch_itself(clock: ManualClock) -> None:
    async with Cache(clock=clock, lock_timeout=5) as cache:
        silent = CountingFetcher("late", gated=True)
        leader = asyncio.create_task(cache.swr("k", silent))
        await silent.started.wait()
        s = CallStatus()
        waiter = asyncio.create_task(cache.swr("k", CountingFetcher("mine"), status=s))
        await asyncio.sleep(0)
        clock.advance(6)
        cache.run_maintenance()
        assert await waiter == "mine"
        assert (s.outcome, s.fetched) == (Outcome.MISS, True)
        assert await cache.get("k") == "mine"
        silent.gate.set()
        assert await leader == "late"
        assert await cache.get("k") == "mine"  # the newer write wins over the late fill
