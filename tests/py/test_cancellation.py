"""Cancelling a waiter leaves the others alone; cancelling the leader frees its waiters."""

from __future__ import annotations

import asyncio

import pytest

from conftest import CountingFetcher
from zatabase import Cache, CallStatus, Outcome


@pytest.mark.asyncio
async def test_one_cancelled_waiter_does_not_disturb_the_others(cache: Cache) -> None:
    fetch = CountingFetcher("v", gated=True)
    leader = asyncio.create_task(cache.swr("k", fetch))
    await fetch.started.wait()
    waiters = [asyncio.create_task(cache.swr("k", fetch)) for _ in range(3)]
    await asyncio.sleep(0)
    waiters[1].cancel()
    fetch.gate.set()
    assert await leader == "v"
    assert await waiters[0] == "v" and await waiters[2] == "v"
    with pytest.raises(asyncio.CancelledError):
        await waiters[1]
    assert fetch.calls == 1


@pytest.mark.asyncio
async def test_cancelled_leader_hands_the_fetch_to_a_waiter(cache: Cache) -> None:
    slow = CountingFetcher("never", gated=True)
    leader = asyncio.create_task(cache.swr("k", slow))
    await slow.started.wait()
    statuses = [CallStatus() for _ in range(3)]
    second = CountingFetcher("second")
    waiters = [asyncio.create_task(cache.swr("k", second, status=s)) for s in statuses]
    await asyncio.sleep(0)
    leader.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leader
    assert await asyncio.gather(*waiters) == ["second"] * 3
    assert second.calls == 1  # one waiter led the retry, the others waited for it
    assert sum(s.fetched for s in statuses) == 1
    assert {s.outcome for s in statuses} <= {Outcome.MISS, Outcome.HIT}  # the others waited or hit
    assert await cache.get("k") == "second"


@pytest.mark.asyncio
async def test_close_cancels_background_revalidations(clock: object) -> None:
    from zatabase.testing import ManualClock

    assert isinstance(clock, ManualClock)
    cache = Cache(clock=clock)
    await cache.set("k", "v1", ttl=1)
    clock.advance(2)
    stuck = CountingFetcher("v2", gated=True)
    assert await cache.swr("k", stuck) == "v1"
    await stuck.started.wait()
    await cache.close()
    await cache.close()  # idempotent
    assert stuck.calls == 1 and not stuck.gate.is_set()
