"""No reference leaks over many operations: values, fetchers, exceptions and waiters are released."""

from __future__ import annotations

import asyncio
import gc
import sys

import pytest

from zatabase import Cache
from zatabase.testing import ManualClock

OPS = 10_000


class Marker:
    """Instances are counted through gc, so leaked values show up."""


class Boom(Exception):
    """A fresh one per failed fetch: a leaked error payload keeps one alive."""


def live(kind: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is kind)


@pytest.mark.asyncio
async def test_no_leaks_over_many_operations() -> None:
    clock = ManualClock()
    cache = Cache(clock=clock, max_bytes=8 << 20, decoded_cache_bytes=1 << 20)
    value = {"payload": "x" * 20}

    async def fetch() -> dict[str, str]:
        await asyncio.sleep(0)
        return value

    async def failing() -> None:
        await asyncio.sleep(0)
        raise Boom("db down")

    async def round_of_operations(i: int) -> None:
        key = f"k{i % 500}"
        await asyncio.gather(*(cache.swr(key, fetch, ttl=1) for _ in range(3)))  # leader + 2 waiters
        results = await asyncio.gather(*(cache.swr(f"e{i}", failing) for _ in range(2)), return_exceptions=True)
        assert isinstance(results[0], Boom) and results[1] is results[0]  # the waiter got the leader's error
        await cache.get(key)
        await cache.set(f"s{i % 100}", [Marker()])
        if i % 50 == 0:
            clock.advance(2)
            await cache.purge(prefix="s")

    for i in range(200):  # warm up: memo and allocator reach their steady state
        await round_of_operations(i)
    await cache.clear()
    gc.collect()
    value_refs, fetch_refs = sys.getrefcount(value), sys.getrefcount(fetch)
    objects = len(gc.get_objects())

    for i in range(OPS // 5):
        await round_of_operations(i)
    await cache.wait_background()
    await cache.clear()
    await asyncio.gather(asyncio.sleep(0))  # the task keeps its last gathered future: not that one
    gc.collect()

    assert sys.getrefcount(value) == value_refs
    assert sys.getrefcount(fetch) == fetch_refs
    assert live(Marker) == 0
    assert live(Boom) == 0
    assert len(gc.get_objects()) < objects + 200
    await cache.close()
